// Rule-triggered captures on live events (root, built driver): a capture rule starts a recording
// of the live stream, which begins with the live state (the process of the triggering event is
// known when the file is replayed), and `max_file_size_mb` ends it with Falco's internal notice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RulesLoader, type CompiledRule } from '../../src/engine/loader/index.js';
import { Priority } from '../../src/engine/priority.js';
import { Ruleset } from '../../src/engine/ruleset.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import { CaptureRecorder, type CaptureFileInfo, type InternalMessage } from '../../src/sources/live/capture-recorder.js';
import { LiveSyscallSource } from '../../src/sources/live/live-source.js';
import { eventCodesToEventTypes } from '../../src/sources/live/syscall-selection.js';
import { ScapReplaySource } from '../../src/sources/scap-replay.js';
import { LOADGEN, liveOrSkip, run, sleep } from './helpers.js';

test('a live capture rule records the stream until the size limit (root)', async (t) => {
  if (!liveOrSkip(t)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'peregrine-reclive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const trigger = path.join(dir, 'trigger.txt');
  const noise = path.join(dir, 'noise.txt');
  writeFileSync(trigger, 'x');
  writeFileSync(noise, 'x');
  const syscall = createSyscallSource();
  const loader = new RulesLoader({ sources: [syscall] });
  assert.ok(loader.loadContent('rules.yaml', `
- rule: Trigger file read
  desc: the test's trigger file is opened
  condition: evt.type = openat and fd.name = ${trigger}
  output: trigger read by %proc.name
  priority: WARNING
  capture: true
  capture_duration: 60000
`).successful);
  const rules = new Ruleset(loader.compiled!, [syscall]).forSource('syscall')!;
  const notices: InternalMessage[] = [];
  const closed: CaptureFileInfo[] = [];
  const recorder = new CaptureRecorder(
    { enabled: true, path_prefix: path.join(dir, 'cap'), mode: 'rules', default_duration: 5000, max_file_size_mb: 1 },
    { onInternalMessage: (m) => notices.push(m), onFileClosed: (f) => closed.push(f) },
  );
  const live = await LiveSyscallSource.open({
    rulesEventTypes: eventCodesToEventTypes(rules.enabledCodes()), driver: { logOpen: false, ringBufferMiB: 64 },
  });
  const matches: CompiledRule[] = [];
  const done = live.forEach((e) => {
    matches.length = 0;
    if (e.forRules) rules.allMatches(e.evt.type, e, matches);
    recorder.onEvent(e, matches);
  });
  const reader = await run('cat', [trigger]);
  // Enough events to fill more than a megabyte of compressed capture.
  for (let i = 0; i < 30 && closed.length === 0; i++) {
    await run(LOADGEN, ['open', '50000', noise]);
    await sleep(50);
  }
  await sleep(300);
  await live.stop();
  await done;
  await live.close();
  await recorder.close();

  assert.equal(recorder.files.length, 1);
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.reason, 'size_limit');
  const size = statSync(recorder.files[0]!).size;
  assert.ok(size >= 1024 * 1024 && size < 4 * 1024 * 1024, `file of ${size} bytes for a 1 MB limit`);
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.rule, 'Falco internal: capture size limit reached');
  assert.equal(notices[0]!.message, 'Falco internal: capture size limit reached. Configured limit: 1 MB.');
  assert.equal(notices[0]!.priority, Priority.Informational);
  assert.equal(notices[0]!.fields.max_file_size_mb, 1);

  // The recording starts with the live state: its first event's process is known on replay.
  const replay = await ScapReplaySource.open(recorder.files[0]!);
  let first: string | undefined;
  await replay.forEach((e) => {
    if (first === undefined) first = `${e.thread?.comm} ${e.thread?.pid} ${e.fd?.name}`;
  });
  assert.equal(first, `cat ${reader.pid} ${trigger}`);
});
