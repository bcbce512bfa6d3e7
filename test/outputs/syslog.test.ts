import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Priority } from '../../src/engine/priority.js';
import { createOutputs, enableLogSyslog } from '../../src/outputs/index.js';
import { SyslogSocket, syslogTimestamp } from '../../src/outputs/syslog-socket.js';
import { configureLog, log } from '../../src/util/log.js';
import { captureLog, rsyslogdPath, sampleAlert, startRsyslogd, tempDir, waitFor } from './helpers.js';

const skipReason = rsyslogdPath() ? false : 'rsyslogd not installed (scripts/setup.sh installs it)';

test('syslog output: a real rsyslogd receives each alert with Falco\'s facility and severity', { skip: skipReason }, async () => {
  const { dir, cleanup } = tempDir();
  const syslogd = await startRsyslogd(dir);
  try {
    const outputs = createOutputs({ syslog_output: { enabled: true, socket_path: syslogd.socket } });
    const alerts = [
      sampleAlert(0, { priority: Priority.Warning }),
      sampleAlert(1, { priority: Priority.Critical }),
      sampleAlert(2, { priority: Priority.Debug, output: 'line one\nline two' }),
      sampleAlert(3, { priority: Priority.Informational }),
    ];
    for (const alert of alerts) outputs.push(alert);
    await outputs.close();
    const received = await waitFor('4 messages at rsyslogd', () => {
      const m = syslogd.messages();
      return m.length >= 4 ? m : undefined;
    });
    assert.deepEqual(received.map((m) => [m.pri, m.facility, m.severity, m.tag]), [
      [12, 'user', 'warning', 'peregrine:'],
      [10, 'user', 'crit', 'peregrine:'],
      [15, 'user', 'debug', 'peregrine:'],
      [14, 'user', 'info', 'peregrine:'],
    ]);
    // The message is the formatted alert line; the embedded newline stays inside one message.
    assert.match(received[0]!.message, /^\d\d:\d\d:\d\d\.881785348: Warning An open was seen \(command=cat \/dev\/null #0\)$/);
    assert.match(received[2]!.message, /Debug line one#012line two$/);
    assert.equal(outputs.stats.outputs.syslog!.delivered, 4);
  } finally {
    await syslogd.stop();
    cleanup();
  }
});

test('syslog output: no daemon listening is an error naming the socket, counted per alert', async () => {
  const { dir, cleanup } = tempDir();
  const captured = captureLog();
  try {
    const socket = path.join(dir, 'nobody-listens.sock');
    const outputs = createOutputs({ syslog_output: { enabled: true, socket_path: socket } });
    outputs.push(sampleAlert(0));
    outputs.push(sampleAlert(1));
    await outputs.close();
    assert.equal(outputs.stats.outputs.syslog!.failed, 2);
    const errors = captured.messages.filter((m) => m.level === 'error').map((m) => m.message);
    assert.ok(errors.some((m) => m.startsWith(`syslog: cannot send to syslog socket ${socket}: ENOENT`)), errors.join('\n'));
  } finally {
    captured.restore();
    cleanup();
  }
});

test('log_syslog: Peregrine\'s log lines reach syslog with the log level as severity', { skip: skipReason }, async () => {
  const { dir, cleanup } = tempDir();
  const syslogd = await startRsyslogd(dir);
  const sink = enableLogSyslog({ socket_path: syslogd.socket, ident: 'falco' });
  configureLog({ stderr: false, level: 'debug' });
  try {
    log.warning('Outputs queue out of memory. Drop event and continue on ...');
    log.info('Loading rules from:\n');
    log.debug('below the level? no: level is debug');
    const received = await waitFor('3 log messages', () => {
      const m = syslogd.messages();
      return m.length >= 3 ? m : undefined;
    });
    assert.deepEqual(received.map((m) => [m.pri, m.tag, m.message]), [
      [12, 'falco:', 'Outputs queue out of memory. Drop event and continue on ...'],
      [14, 'falco:', 'Loading rules from:'],
      [15, 'falco:', 'below the level? no: level is debug'],
    ]);
    assert.equal(sink.stats.failed, 0);
  } finally {
    sink.uninstall();
    configureLog({ stderr: true, level: 'info' });
    await syslogd.stop();
    cleanup();
  }
});

test('syslog datagram: <PRI>Mmm dd HH:MM:SS ident: message, as glibc syslog(3) writes it', () => {
  const socket = new SyslogSocket({ ident: 'falco' });
  const date = new Date(2026, 10, 8, 9, 5, 3);
  assert.equal(syslogTimestamp(date), 'Nov  8 09:05:03');
  assert.equal(socket.frame(Priority.Error, 'boom', date).toString(), '<11>Nov  8 09:05:03 falco: boom');
  assert.equal(socket.frame(Priority.Emergency, 'x', new Date(2026, 0, 18)).toString(), '<8>Jan 18 00:00:00 falco: x');
});
