// startLiveCapture: the selection computed from rule event types and base_syscalls reaches the
// driver, events arrive through the scap reader, and a new rule set is applied without a restart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startLiveCapture } from '../../src/sources/live/live-capture.js';
import { driverOrSkip, LOADGEN } from './helpers.js';

test('live capture: rules select syscalls, events arrive, reselect applies new rules (root)', async (t) => {
  if (!driverOrSkip(t)) return;
  const work = mkdtempSync(path.join(tmpdir(), 'peregrine-live-'));
  const file = path.join(work, 'f.txt');
  writeFileSync(file, 'x');
  try {
    // A custom set keeps the selection small: the rules' openat plus clone and execve.
    const live = await startLiveCapture({
      rulesEventTypes: ['openat'], baseSyscalls: { custom_set: ['clone', 'execve'] }, logOpen: false,
    });
    assert.deepEqual(live.selection.syscalls, ['clone', 'execve', 'openat', 'sched_process_exit']);
    assert.deepEqual([...live.driver.selected].sort(), ['clone', 'execve', 'openat']);
    assert.ok(live.reader.header.processes.some((p) => p.pid === process.pid));

    const run = async (): Promise<number> => {
      const child = spawn(LOADGEN, ['open', '3', file]);
      await new Promise((resolve) => child.once('exit', resolve));
      return child.pid!;
    };
    const first = await run();
    const result = await live.reselect(['unlinkat']);
    assert.deepEqual([...result.selected].sort(), ['clone', 'execve', 'unlinkat']);
    const second = await run();
    await live.stop();

    const opens = new Map<number, number>();
    for (;;) {
      let evt;
      while ((evt = live.reader.next()) !== null) {
        if (evt.info.name === 'openat' && evt.str(evt.paramIndex('name')) === file) {
          opens.set(evt.tid, (opens.get(evt.tid) ?? 0) + 1);
        }
      }
      if (!(await live.reader.fill())) break;
    }
    assert.equal(opens.get(first), 3, 'openat captured while the rules needed it');
    assert.equal(opens.get(second), undefined, 'and not after the new rules');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
