import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createOutputs } from '../../src/outputs/index.js';
import { captureLog, readLines, sampleAlert, tempDir } from './helpers.js';

/** A shell pipeline that upper-cases its input into `out` and records its shell's PID in `pids`. */
const pipeline = (out: string, pids: string): string => `echo $$ >> '${pids}'; tr a-z A-Z | cat >> '${out}'`;

test('program output without keep_alive: one shell per alert, each reading one line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = path.join(dir, 'out.txt');
    const pids = path.join(dir, 'pids.txt');
    const outputs = createOutputs({ program_output: { enabled: true, keep_alive: false, program: pipeline(out, pids) } });
    for (let i = 0; i < 3; i++) outputs.push(sampleAlert(i));
    await outputs.close();
    assert.deepEqual(readLines(out).map((l) => l.replace(/^[\d:.]+: /, '')), [0, 1, 2].map((i) => `WARNING AN OPEN WAS SEEN (COMMAND=CAT /DEV/NULL #${i})`));
    assert.equal(new Set(readLines(pids)).size, 3, 'a process per alert');
  } finally {
    cleanup();
  }
});

test('program output with keep_alive: one long-lived process reads every alert; reopen starts another', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = path.join(dir, 'out.txt');
    const pids = path.join(dir, 'pids.txt');
    const outputs = createOutputs({ program_output: { enabled: true, keep_alive: true, program: pipeline(out, pids) }, json_output: true });
    for (let i = 0; i < 5; i++) outputs.push(sampleAlert(i));
    await outputs.flush();
    await outputs.reopen(); // ends the first process' input: it finishes and exits
    outputs.push(sampleAlert(5));
    await outputs.close();
    const lines = readLines(out);
    assert.equal(lines.length, 6);
    assert.match(lines[0]!, /^\{"HOSTNAME":/, 'JSON lines went through the pipeline');
    assert.equal(readLines(pids).length, 2, 'one process before reopen, one after');
  } finally {
    cleanup();
  }
});

test('program output: a failing program is reported and counted, the next alerts still go out', async () => {
  const { dir, cleanup } = tempDir();
  const log = captureLog();
  try {
    const out = path.join(dir, 'out.txt');
    // Fails for the alert of #1 (grep finds it), succeeds otherwise.
    const program = `if grep -q '#1)'; then exit 3; fi; echo ok >> '${out}'`;
    const outputs = createOutputs({ program_output: { enabled: true, program } });
    for (let i = 0; i < 3; i++) outputs.push(sampleAlert(i));
    await outputs.close();
    assert.deepEqual(readLines(out), ['ok', 'ok']);
    assert.equal(outputs.stats.outputs.program!.failed, 1);
    assert.ok(log.messages.some((m) => m.level === 'error' && m.message.startsWith('program: ') && m.message.includes('exited with code 3')));
  } finally {
    log.restore();
    cleanup();
  }
});

test('program output with keep_alive: a program that exits is started again for the next alert', async () => {
  const { dir, cleanup } = tempDir();
  const log = captureLog();
  try {
    const out = path.join(dir, 'out.txt');
    // Reads one line, then exits: every alert after the first needs a new process.
    const outputs = createOutputs({ program_output: { enabled: true, keep_alive: true, program: `head -n 1 >> '${out}'` } });
    outputs.push(sampleAlert(0));
    await outputs.flush();
    // Wait for the exit to be noticed before the next alert.
    for (let i = 0; i < 100 && !log.messages.some((m) => m.message.includes('is started again')); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    outputs.push(sampleAlert(1));
    await outputs.close();
    assert.deepEqual(readLines(out).map((l) => /#(\d)\)$/.exec(l)![1]), ['0', '1']);
  } finally {
    log.restore();
    cleanup();
  }
});

test('program output: the program\'s standard output is Peregrine\'s (program: cat echoes alerts)', async () => {
  const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'emit-alerts.js');
  const spec = { settings: { program_output: { enabled: true, program: 'cat' }, time_format_iso_8601: true }, count: 2, end: 'close' };
  const { stdout } = await promisify(execFile)(process.execPath, [fixture, JSON.stringify(spec)]);
  assert.equal(stdout,
    '2016-08-04T16:17:57.881785348+0000: Warning An open was seen (command=cat /dev/null #0)\n' +
    '2016-08-04T16:17:57.881785349+0000: Warning An open was seen (command=cat /dev/null #1)\n');
});
