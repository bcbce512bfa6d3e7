// Rule-triggered captures (Falco's `capture` configuration): a capture starts when a rule with
// `capture: true` matches (mode rules) or any rule matches (mode all_rules), is named
// <prefix>_<ts>_<evtnum>.scap (gzip), starts with the state the agent had (so the processes and
// fds of the recorded events are known when it is replayed), and ends at the first event past
// the deadline, which later matches extend. Driven here by real rules over a corpus capture.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { PeregrineConfig } from '../../src/cli/config/types.js';
import { RulesLoader, type CompiledRule } from '../../src/engine/loader/index.js';
import { Ruleset } from '../../src/engine/ruleset.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import { ScapReader } from '../../src/scap/reader.js';
import { CaptureRecorder, captureFilePath, type CaptureFileInfo } from '../../src/sources/live/capture-recorder.js';
import { ScapReplaySource } from '../../src/sources/scap-replay.js';
import { corpusOrSkip } from '../helpers/corpus.js';

const RULES = `
- rule: ld cache opened
  desc: the dynamic loader's cache is opened
  condition: evt.type = open and fd.name = /etc/ld.so.cache
  output: ld cache by %proc.name
  priority: WARNING
  capture: true
  capture_duration: 1

- rule: null device opened
  desc: /dev/null is opened
  condition: evt.type = open and fd.name = /dev/null
  output: null device by %proc.name
  priority: NOTICE
  capture_duration: 2000
`;

interface Run {
  files: string[];
  closed: CaptureFileInfo[];
  triggerTs: bigint;
  triggerNum: number;
  lastTs: bigint;
}

/** Replays cat_write.scap through the rules, the recorder seeing every event after the rules. */
async function replay(t: TestContext, settings: Partial<PeregrineConfig['capture']>, enabledRules?: string[]): Promise<Run | undefined> {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'peregrine-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const syscall = createSyscallSource();
  const loader = new RulesLoader({ sources: [syscall] });
  assert.ok(loader.loadContent('capture_rules.yaml', RULES).successful);
  const ruleset = new Ruleset(loader.compiled!, [syscall]);
  if (enabledRules) {
    ruleset.setEnabledByName('*', 'wildcard', false);
    for (const r of enabledRules) ruleset.setEnabledByName(r, 'exact', true);
  }
  const rules = ruleset.forSource('syscall')!;
  const closed: CaptureFileInfo[] = [];
  const recorder = new CaptureRecorder({
    enabled: true, path_prefix: path.join(dir, 'falco'), mode: 'rules', default_duration: 5000, max_file_size_mb: 0, ...settings,
  }, { onFileClosed: (f) => closed.push(f) });
  const source = await ScapReplaySource.open(path.join(corpus, 'captures', 'cat_write.scap'));
  const matches: CompiledRule[] = [];
  let triggerTs = 0n;
  let triggerNum = 0;
  let lastTs = 0n;
  await source.forEachForRules((e) => {
    matches.length = 0;
    rules.allMatches(e.evt.type, e, matches);
    const wasRecording = recorder.recording;
    recorder.onEvent(e, matches);
    if (!wasRecording && recorder.recording && triggerTs === 0n) {
      triggerTs = e.evt.tsBig;
      triggerNum = e.num;
    }
    lastTs = e.evt.tsBig;
  });
  await recorder.close();
  return { files: recorder.files, closed, triggerTs, triggerNum, lastTs };
}

async function eventsOf(file: string): Promise<{ ts: bigint; type: string }[]> {
  const reader = await ScapReader.open(file);
  const out: { ts: bigint; type: string }[] = [];
  await reader.forEach((e) => void out.push({ ts: e.tsBig, type: e.info.name }));
  return out;
}

test('capture file names: prefix, 20-digit timestamp and event number', () => {
  assert.equal(captureFilePath('/tmp/falco', 1234567890n, 42), '/tmp/falco_00000000001234567890_00000000000000000042.scap');
});

test('mode rules: a capture rule starts a recording that holds the state and ends past its deadline', async (t) => {
  const run = await replay(t, {});
  if (!run) return;
  assert.equal(run.files.length, 1);
  const file = run.files[0]!;
  assert.equal(file, captureFilePath(path.join(path.dirname(file), 'falco'), run.triggerTs, run.triggerNum));
  assert.deepEqual([...readFileSync(file).subarray(0, 2)], [0x1f, 0x8b], 'gzip-compressed, as Falco writes them');
  const events = await eventsOf(file);
  assert.equal(events[0]!.ts, run.triggerTs, 'starts with the triggering event');
  assert.equal(events[0]!.type, 'open');
  // The capture rule alone would stop it 1 ms later, but the /dev/null rule (not a capture
  // rule) matched 0.3 ms later with a 2 s duration and moved the deadline past the end of the
  // file, as in Falco: the recording lasted until the agent stopped.
  assert.equal(events[events.length - 1]!.ts, run.lastTs);
  assert.equal(run.closed.length, 1);
  assert.equal(run.closed[0]!.reason, 'shutdown');
  assert.equal(run.closed[0]!.events, events.length);

  // Replayed on its own, the capture knows the process of its events (the state was written first).
  const replayed = await ScapReplaySource.open(file);
  const names: string[] = [];
  await replayed.forEachForRules((e) => {
    if (e.evt.info.name === 'open') names.push(`${e.thread?.comm}:${e.fd?.name}`);
  });
  assert.ok(names.includes('cat:/etc/ld.so.cache'), names.join());
  assert.ok(names.includes('cat:/dev/null'), names.join());
  if (existsSync('/usr/bin/sysdig')) {
    const r = spawnSync('sysdig', ['-r', file, '-p', '%proc.name %fd.name', 'evt.type=open and evt.dir=<'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('cat /etc/ld.so.cache'), r.stdout);
  }
});

test('mode rules: the capture rule alone ends at its own duration', async (t) => {
  const run = await replay(t, {}, ['ld cache opened']);
  if (!run) return;
  const events = await eventsOf(run.files[0]!);
  const deadline = run.triggerTs + 1_000_000n;
  const last = events[events.length - 1]!;
  assert.ok(last.ts >= deadline, 'the last event is past the deadline');
  assert.ok(events.slice(0, -1).every((e) => e.ts < deadline), 'every other one before it');
  assert.equal(run.closed[0]!.reason, 'deadline');
});

test('mode rules: rules without capture start nothing; mode all_rules: any match does', async (t) => {
  const none = await replay(t, {}, ['null device opened']);
  if (!none) return;
  assert.deepEqual(none.files, []);
  const all = await replay(t, { mode: 'all_rules', default_duration: 1 }, ['null device opened']);
  assert.equal(all!.files.length, 1);
  const events = await eventsOf(all!.files[0]!);
  assert.equal(events[0]!.type, 'open');
});

test('capture disabled: nothing is recorded', async (t) => {
  const run = await replay(t, { enabled: false });
  if (!run) return;
  assert.deepEqual(run.files, []);
});
