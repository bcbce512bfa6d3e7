// The agent while it runs, on a long replay (a capture of millions of events made from a corpus
// capture with bench/make-capture.ts): stop signals deliver everything and print the summary,
// SIGUSR1 reopens file outputs, the web server answers /healthz, /versions and /metrics while
// events flow (and the metrics move), and hot reload swaps rules in place (SIGHUP or a changed
// watched file) without restarting the replay or losing events, keeps the old rules when the new
// file is invalid, and restarts the run when a source setting changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeCapture } from '../../bench/make-capture.js';
import { corpusAvailable, corpusPath } from '../helpers/corpus.js';
import { freePort, Peregrine, replayArgs, runPeregrine, tempDir, testConfig, writeFile } from './helpers.js';

const OPEN_RULE = `
- rule: any_open
  desc: any open
  condition: evt.type = open and evt.dir = <
  output: "open by %proc.name of %fd.name"
  priority: INFO
`;

const CLOSE_RULE = `
- rule: any_close
  desc: any close
  condition: evt.type = close and evt.dir = <
  output: "close by %proc.name"
  priority: NOTICE
`;

let workDir = '';
let bigCapture = '';
/** Events of the big capture given to rules, and any_open's matches, from a run without reloads. */
let baseline: { events: number; opens: number } | undefined;

function countOf(stdout: string, rule: string): number {
  const m = new RegExp(`^ {3}${rule}: (\\d+)$`, 'm').exec(stdout.slice(stdout.lastIndexOf('Events detected:')));
  return m ? Number(m[1]) : 0;
}

function capturedEvents(stderr: string): number {
  const m = /Captured Events: (\d+)/.exec(stderr);
  assert.ok(m, `no -v statistics in ${stderr.slice(-1500)}`);
  return Number(m[1]);
}

before(async () => {
  if (!corpusAvailable()) return;
  workDir = mkdtempSync(path.join(os.tmpdir(), 'peregrine-live-'));
  bigCapture = path.join(workDir, 'big.scap');
  await makeCapture({ from: 'libs_e2e/curl_google', events: 4_000_000, out: bigCapture });
  const rules = writeFile(workDir, 'baseline.yaml', OPEN_RULE);
  const r = await runPeregrine(['-c', testConfig(workDir), '-r', rules, ...replayArgs(bigCapture), '-v'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  baseline = { events: capturedEvents(r.stderr), opens: countOf(r.stdout, 'any_open') };
  assert.ok(baseline.opens > 10_000, `any_open fired ${baseline.opens} times`);
});

after(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

/** Starts a replay of the big capture and waits until it is processing events. */
async function startReplay(args: readonly string[]): Promise<Peregrine> {
  const p = new Peregrine([...args, ...replayArgs(bigCapture)], { timeoutMs: 120_000 });
  await p.waitFor((_out, err) => err.includes('Replaying events from the capture file'), 'the replay to start');
  return p;
}

test('SIGINT and SIGTERM stop a replay cleanly: alerts delivered, summary printed, exit 0', async (t) => {
  if (!baseline) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const p = await startReplay(['-c', testConfig(dir), '-r', rules]);
    await p.waitFor((out) => out.includes('open by'), 'a first alert');
    p.kill(signal);
    const r = await p.exited;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SIGINT received, exiting\.\.\./);
    const detected = Number(/Events detected: (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(detected > 0 && detected < baseline.opens, `${signal}: ${detected} of ${baseline.opens}`);
    // Every alert counted was written before exit.
    assert.equal(r.stdout.split('\n').filter((l) => l.includes(': Informational open by ')).length, detected);
  }
});

test('SIGUSR1 reopens the file output (log rotation)', async (t) => {
  if (!baseline) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const file = path.join(dir, 'alerts.txt');
  const config = testConfig(dir, `stdout_output: {enabled: false}\nfile_output: {enabled: true, keep_alive: true, filename: ${file}}`);
  const p = await startReplay(['-c', config, '-r', rules]);
  const deadline = Date.now() + 10_000;
  while ((!existsSync(file) || readFileSync(file, 'utf8').length === 0) && Date.now() < deadline) await sleep(20);
  renameSync(file, `${file}.1`);
  p.kill('SIGUSR1');
  await p.waitFor((_out, err) => err.includes('SIGUSR1 received, reopening outputs...'), 'the reopen');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  const rotated = readFileSync(`${file}.1`, 'utf8').split('\n').filter(Boolean).length;
  const fresh = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  assert.ok(rotated > 0 && fresh > 0, `${rotated} lines before the rotation, ${fresh} after`);
  assert.equal(rotated + fresh, baseline.opens);
});

/** Reads one sample of a Prometheus exposition: the value of the first line starting with `prefix`. */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('the web server answers /healthz, /versions and /metrics during a replay, and the metrics move', async (t) => {
  const b = baseline;
  if (!b) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const port = await freePort();
  const config = testConfig(dir, 'metrics: {enabled: true, interval: 1h, output_rule: false}');
  // Falco starts no web server on a replay; asked for explicitly, Peregrine does.
  const webserver = ['enabled=true', 'listen_address=127.0.0.1', `listen_port=${port}`, 'prometheus_metrics_enabled=true']
    .flatMap((o) => ['-o', `webserver.${o}`]);
  const p = new Peregrine(['-c', config, '-r', rules, ...webserver, ...replayArgs(bigCapture)], { timeoutMs: 120_000 });
  await p.waitFor((_out, err) => err.includes(`Starting health webserver with threadiness 0, listening on 127.0.0.1:${port}`), 'the web server');
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  void p.exited.then(() => (exited = true));
  // The log line comes just before the server listens.
  let health: Response | undefined;
  for (let i = 0; i < 100 && health === undefined; i++) {
    health = await fetch(`${base}/healthz`).catch(() => sleep(20).then(() => undefined));
  }
  assert.ok(health, 'no answer from /healthz');
  assert.equal(health.status, 200);
  assert.equal(await health.text(), '{"status": "ok"}');
  const versions = await (await fetch(`${base}/versions`)).json() as Record<string, string>;
  assert.equal(versions.engine_version_semver, '0.63.0');
  const events: number[] = [];
  const matches: number[] = [];
  while (!exited) {
    try {
      const text = await (await fetch(`${base}/metrics`)).text();
      const e = sample(text, 'peregrine_events_processed_total{evt_source="syscall"}');
      const m = sample(text, 'falcosecurity_falco_rules_matches_total{');
      if (e !== undefined) events.push(e);
      if (m !== undefined) matches.push(m);
    } catch {
      // the agent stopped between two requests
    }
    await sleep(25);
  }
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  const moving = [...new Set(events.filter((n) => n > 0 && n < b.events))];
  assert.ok(moving.length >= 2, `event counts seen while replaying: ${events.join(', ')}`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]! >= events[i - 1]!, 'counters never go back');
  assert.ok(matches.some((n) => n > 0 && n < b.opens), `rule matches seen: ${matches.join(', ')}`);
});

test('metrics snapshots (metrics.output_file and output_rule) are written while a replay runs', async (t) => {
  const b = baseline;
  if (!b) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const file = path.join(dir, 'metrics.jsonl');
  const config = testConfig(dir, `json_output: true\nmetrics: {enabled: true, interval: 200ms, output_rule: true, output_file: ${file}}`);
  const r = await runPeregrine(['-c', config, '-r', rules, ...replayArgs(bigCapture)], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Setting metrics interval to 200ms, equivalent to 200 \(ms\)/);
  const samples = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sample: number; output_fields: Record<string, unknown> });
  assert.ok(samples.length >= 2, `${samples.length} snapshots`);
  const evts = samples.map((s) => s.output_fields['falco.num_evts'] as number);
  assert.ok(evts.some((n) => n > 0 && n < b.events), `falco.num_evts: ${evts.join(', ')}`);
  assert.equal(samples[0]!.output_fields['evt.source'], 'syscall');
  const snapshotAlerts = r.stdout.split('\n').filter((l) => l.includes('"rule":"Falco internal: metrics snapshot"'));
  assert.equal(snapshotAlerts.length, samples.length);
});

test('SIGHUP reloads changed rules in place: the replay goes on, no event is lost, the new rule fires', async (t) => {
  if (!baseline) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const p = await startReplay(['-c', testConfig(dir), '-r', rules, '-v']);
  await p.waitFor((out) => out.includes('open by'), 'a first alert');
  writeFileSync(rules, OPEN_RULE + CLOSE_RULE);
  p.kill('SIGHUP');
  await p.waitFor((_out, err) => /Reloaded: 2 rules enabled/.test(err), 'the reload');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.split('Replaying events from the capture file').length, 2, 'the replay was not restarted');
  assert.equal(capturedEvents(r.stderr), baseline.events);
  assert.equal(countOf(r.stdout, 'any_open'), baseline.opens, 'the kept rule saw every event');
  assert.ok(countOf(r.stdout, 'any_close') > 0, 'the new rule fired');
});

test('a changed output setting rebuilds the outputs in place: later alerts use it, none is lost', async (t) => {
  const b = baseline;
  if (!b) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const config = testConfig(dir, 'json_output: false');
  const p = await startReplay(['-c', config, '-r', rules, '-v']);
  await p.waitFor((out) => out.includes('open by'), 'a first alert');
  writeFileSync(config, readFileSync(config, 'utf8').replace('json_output: false', 'json_output: true'));
  p.kill('SIGHUP');
  await p.waitFor((_out, err) => /Reloaded: 1 rules enabled/.test(err), 'the reload');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.split('\n').filter((l) => / Informational open by /.test(l) && !l.startsWith('{')).length;
  const json = r.stdout.split('\n').filter((l) => l.startsWith('{"hostname"')).length;
  assert.ok(text > 0 && json > 0, `${text} text alerts, then ${json} JSON alerts`);
  assert.equal(text + json, b.opens);
  assert.equal(capturedEvents(r.stderr), b.events);
});

test('an invalid rules change keeps the running rules and says why (log and internal alert)', async (t) => {
  if (!baseline) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const p = await startReplay(['-c', testConfig(dir), '-r', rules, '-v']);
  writeFileSync(rules, OPEN_RULE + '- rule: broken\n  desc: x\n  condition: evt.type = open and\n  output: x\n  priority: INFO\n');
  p.kill('SIGHUP');
  await p.waitFor((_out, err) => err.includes('Reload failed'), 'the failed reload');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Reload failed, the running configuration and rules stay in use: .*rules\.yaml: Invalid\n[^]*LOAD_ERR_COMPILE_CONDITION/);
  assert.match(r.stdout, /: Critical Falco internal: hot restart failure: .*rules\.yaml: Invalid/);
  assert.equal(countOf(r.stdout, 'any_open'), baseline.opens);
  assert.equal(capturedEvents(r.stderr), baseline.events);
});

test('watch_config_files: a changed rules file is reloaded in place while the replay runs', async (t) => {
  if (!baseline) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const config = testConfig(dir);
  writeFileSync(config, readFileSync(config, 'utf8').replace('watch_config_files: false', 'watch_config_files: true'));
  const p = await startReplay(['-c', config, '-r', rules, '-v']);
  // Editors save by writing a new file and renaming it over the old one.
  writeFileSync(`${rules}.tmp`, OPEN_RULE + CLOSE_RULE);
  renameSync(`${rules}.tmp`, rules);
  await p.waitFor((_out, err) => /Reloaded: 2 rules enabled/.test(err), 'the reload');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Configuration or rules changed \(.*rules\.yaml\): reloading the configuration and rules\.\.\./);
  assert.equal(capturedEvents(r.stderr), baseline.events);
  assert.equal(countOf(r.stdout, 'any_open'), baseline.opens);
  assert.ok(countOf(r.stdout, 'any_close') > 0);
});

test('a changed source setting restarts the run with the new configuration, as Falco does', async (t) => {
  if (!baseline) return t.skip('reference corpus not available');
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', OPEN_RULE);
  const config = testConfig(dir, `engine: {kind: replay, replay: {capture_file: ${bigCapture}}}`);
  const p = new Peregrine(['-c', config, '-r', rules], { timeoutMs: 120_000 });
  await p.waitFor((out) => out.includes('open by'), 'a first alert');
  writeFileSync(config, readFileSync(config, 'utf8').replace(bigCapture, corpusPath('captures/cat_write.scap')));
  p.kill('SIGHUP');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /SIGHUP received, restarting\.\.\./);
  assert.match(r.stderr, /Replaying events from the capture file: .*cat_write\.scap/);
  // Each run prints its own summary (the statistics start again, as in Falco).
  const summaries = r.stdout.split('Events detected: ').slice(1).map((s) => Number(/^\d+/.exec(s)![0]));
  assert.equal(summaries.length, 2);
  assert.ok(summaries[0]! > 0 && summaries[0]! < baseline.opens, `first run: ${summaries[0]}`);
  assert.ok(summaries[1]! > 0 && summaries[1]! < 100, `second run (cat_write.scap): ${summaries[1]}`);
});
