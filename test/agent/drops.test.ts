// syscall_event_drops and syscall_event_timeouts: the token bucket, the once-per-second check on
// event time, the threshold on the drop ratio, the actions and Falco's texts; end to end with
// simulate_drops on a corpus capture (the regression suite's monitor_syscall_drops_* setups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyscallDropMonitor, TimeoutMonitor, TokenBucket, type CaptureCounters } from '../../src/agent/drops.js';
import type { Alert } from '../../src/outputs/alert.js';
import { Priority } from '../../src/engine/priority.js';
import { captureLog } from '../outputs/helpers.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { jsonAlerts, replayArgs, runPeregrine, tempDir, testConfig, writeFile } from './helpers.js';

const S = 1_000_000_000;

test('token bucket: starts full, refills at the rate, caps at the burst, refills on a step back in time', () => {
  const bucket = new TokenBucket(0.5, 2);
  assert.equal(bucket.claim(10 * S), true);
  assert.equal(bucket.claim(10 * S), true);
  assert.equal(bucket.claim(10 * S), false);
  assert.equal(bucket.claim(11 * S), false); // 0.5 token
  assert.equal(bucket.claim(12 * S), true); // 1.0
  assert.equal(bucket.claim(100 * S), true); // capped at 2
  assert.equal(bucket.claim(100 * S), true);
  assert.equal(bucket.claim(100 * S), false);
  assert.equal(bucket.claim(50 * S), true, 'an earlier time wraps around in libsinsp: full again');
});

/** A monitor over counters the test moves, collecting alerts. */
function monitor(settings: Partial<ConstructorParameters<typeof SyscallDropMonitor>[0]>) {
  const counters: CaptureCounters = { n_evts: 0, n_drops: 0 };
  const alerts: Alert[] = [];
  const m = new SyscallDropMonitor({
    threshold: 0.1, actions: ['alert'], rate: 1, max_burst: 10, simulate_drops: false, ...settings,
  }, () => counters, (a) => alerts.push(a), true);
  const at = (seconds: number) => ({ tsBig: BigInt(seconds * S) });
  return { m, counters, alerts, at };
}

test('drops are checked once per second of event time, against the threshold on drops/events', () => {
  const { m, counters, alerts, at } = monitor({ threshold: 0.1 });
  assert.equal(m.onEvent(100 * S, at(100)), true); // first event: the next check is one second later
  counters.n_evts = 1000;
  counters.n_drops = 50; // 5%: below the threshold
  assert.equal(m.onEvent(100.5 * S, at(100.5)), true);
  assert.equal(m.onEvent(101.5 * S, at(101.5)), true);
  assert.equal(m.detected, 0);
  counters.n_evts = 2000;
  counters.n_drops = 250; // 200 of 1000 in the last check: 20%
  m.onEvent(102 * S, at(102)); // not a second since the last check yet
  assert.equal(m.detected, 0);
  m.onEvent(102.6 * S, at(102.6));
  assert.equal(m.detected, 1);
  assert.equal(m.actionsTaken, 1);
  assert.equal(alerts.length, 1);
  const alert = alerts[0]!;
  assert.equal(alert.rule, 'Falco internal: syscall event drop');
  assert.equal(alert.output, 'Falco internal: syscall event drop. 200 system calls dropped in last second.');
  assert.equal(alert.priority, Priority.Debug);
  assert.equal(alert.time, BigInt(102.6 * S));
  assert.equal(alert.outputFields.n_evts, '1000');
  assert.equal(alert.outputFields.n_drops, '200');
  assert.equal(alert.outputFields.ebpf_enabled, '1');
  assert.match(m.summary(), /^Syscall event drop monitoring:\n {3}- event drop detected: 1 occurrences\n {3}- num times actions taken: 1\n$/);
});

test('the token bucket limits the actions, not the detections; exit stops the run with Falco\'s critical log', () => {
  const { m, counters, alerts, at } = monitor({ rate: 0.0001, max_burst: 2, actions: ['log', 'alert'] });
  const log = captureLog();
  try {
    m.onEvent(1 * S, at(1));
    for (let s = 2; s <= 6; s++) {
      counters.n_evts += 10;
      counters.n_drops += 5;
      m.onEvent(s * S + 10 * s, at(s)); // a bit more than one second after the previous check
    }
  } finally {
    log.restore();
  }
  assert.equal(m.detected, 5);
  assert.equal(m.actionsTaken, 2);
  assert.equal(alerts.length, 2);
  assert.equal(log.messages.filter((l) => l.message.startsWith('Falco internal: syscall event drop.')).length, 2);
  assert.ok(log.messages.every((l) => l.level === 'debug'), 'the log action logs at debug level');

  const exit = monitor({ actions: ['exit'], simulate_drops: true });
  const exitLog = captureLog();
  try {
    assert.equal(exit.m.onEvent(1 * S, exit.at(1)), true);
    assert.equal(exit.m.onEvent(2.5 * S, exit.at(2.5)), false);
  } finally {
    exitLog.restore();
  }
  assert.deepEqual(exitLog.messages.map((l) => [l.level, l.message]), [
    ['info', 'Simulating syscall event drop'],
    ['critical', 'Falco internal: syscall event drop. 1 system calls dropped in last second.'],
    ['critical', 'Exiting.'],
  ]);
});

test('timeouts: a notification after max_consecutives reads without events, then counting starts again', () => {
  const t = new TimeoutMonitor(3);
  assert.equal(t.onTimeout(undefined), undefined);
  assert.equal(t.onTimeout(undefined), undefined);
  assert.equal(t.onTimeout(undefined), undefined);
  const alert = t.onTimeout(undefined)!;
  assert.equal(alert.rule, 'Falco internal: timeouts notification');
  assert.equal(alert.output, 'Falco internal: timeouts notification. 3 consecutive timeouts without event.');
  assert.deepEqual(alert.outputFields, { last_event_time: 'none' });
  t.reset();
  assert.equal(t.onTimeout('x'), undefined);
});

const RULE = '- rule: sendmsg\n  desc: d\n  condition: evt.type = sendmsg\n  output: "sent by %proc.name"\n  priority: INFO\n';

test('simulate_drops on a replay: alert action in text and JSON, ignore, exit (exit code 1, Falco\'s messages)', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULE);
  const capture = replayArgs(corpusPath('captures/ping_sendto.scap'));
  const drops = (actions: string): string => `syscall_event_drops: {actions: [${actions}], rate: 0.03333, max_burst: 10, simulate_drops: true}`;

  const text = await runPeregrine(['-c', testConfig(dir, drops('alert')), '-r', rules, ...capture]);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split('\n').filter((l) => l.includes('Falco internal: syscall event drop'));
  assert.equal(lines.length, 9);
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{9}: Debug Falco internal: syscall event drop\. 1 system calls dropped in last second\. \(ebpf_enabled="0" n_drops="1" n_drops_buffer_clone_fork_exit="0" .* n_evts="0"\)$/);
  assert.match(text.stderr, /event drop detected: 9 occurrences\n {3}- num times actions taken: 9/);
  assert.match(text.stdout, /Events detected: 10\n/, 'internal alerts are not rule detections');

  const json = await runPeregrine(['-c', testConfig(dir, drops('alert') + '\njson_output: true'), '-r', rules, ...capture]);
  const internal = jsonAlerts(json.stdout).filter((a) => a.source === 'internal');
  assert.equal(internal.length, 9);
  assert.deepEqual(Object.keys(internal[0]!), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'time']);
  assert.equal(internal[0]!.priority, 'Debug');

  const ignore = await runPeregrine(['-c', testConfig(dir, drops('ignore')), '-r', rules, ...capture]);
  assert.equal(ignore.code, 0);
  assert.doesNotMatch(ignore.stdout + ignore.stderr, /Falco internal: syscall event drop/);
  assert.match(ignore.stderr, /event drop detected: 9 occurrences/);

  const exit = await runPeregrine(['-c', testConfig(dir, drops('exit')), '-r', rules, ...capture]);
  assert.equal(exit.code, 1);
  assert.match(exit.stderr, /: Falco internal: syscall event drop\. 1 system calls dropped in last second\.\n.*: Exiting\.\n/);
  assert.match(exit.stderr, /event drop detected: 1 occurrences\n {3}- num times actions taken: 1\n/);
  assert.match(exit.stderr, /Error: Drop manager internal error\n$/);
  assert.match(exit.stdout, /^Events detected: \d+$/m, 'the summary is still printed');
});
