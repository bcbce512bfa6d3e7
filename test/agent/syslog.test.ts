// log_syslog and syslog_output in a run, with a real rsyslogd on a test socket: Peregrine's log
// lines and the alerts reach syslog with their severities, and the process still exits when the
// run ends (the syslog socket does not keep it alive).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { rsyslogdPath, startRsyslogd, waitFor } from '../outputs/helpers.js';
import { replayArgs, runPeregrine, tempDir, writeFile } from './helpers.js';

const skip = rsyslogdPath() ? false : 'rsyslogd not installed (scripts/setup.sh installs it)';

test('log lines and alerts go to syslog; the run still ends', { skip }, async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const syslogd = await startRsyslogd(dir);
  t.after(() => syslogd.stop());
  const rules = writeFile(dir, 'rules.yaml',
    '- rule: cat_open\n  desc: d\n  condition: evt.type = open and proc.name = cat\n  output: "cat opened %fd.name"\n  priority: ERROR\n');
  const config = writeFile(dir, 'config.yaml', [
    'log_syslog: true',
    `syslog_output: {enabled: true, socket_path: ${syslogd.socket}, ident: falco}`,
    'webserver: {enabled: false}',
    'append_output: [{suggested_output: false}]',
  ].join('\n') + '\n');
  const r = await runPeregrine(['-c', config, '-r', rules, ...replayArgs(corpusPath('captures/cat_write.scap'))], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.signal, null);
  const messages = await waitFor('the log lines and the 4 alerts', () => {
    const m = syslogd.messages();
    return m.filter((x) => x.message.includes('cat opened')).length === 4 && m.some((x) => x.message.startsWith('Loading rules from:')) ? m : undefined;
  });
  const alert = messages.find((m) => m.message.includes('cat opened /dev/null'))!;
  assert.equal(alert.severity, 'err');
  assert.equal(alert.facility, 'user');
  assert.match(alert.message, /^\d\d:\d\d:\d\d\.\d{9}: Error cat opened \/dev\/null$/);
  const info = messages.find((m) => m.message.startsWith('Replaying events from the capture file'))!;
  assert.equal(info.severity, 'info');
  assert.equal(info.tag, 'falco:');
});
