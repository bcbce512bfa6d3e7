import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { createOutputs } from '../../src/outputs/index.js';
import { captureLog, readLines, sampleAlert, tempDir, waitFor } from './helpers.js';

const ids = (lines: string[]): number[] => lines.map((l) => Number(/#(\d+)\)$/.exec(l)![1]));

test('file output without keep_alive: opens per alert, so rotation and removal take effect at once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'events.txt');
    const outputs = createOutputs({ file_output: { enabled: true, filename: file, keep_alive: false }, output_timeout: 2000 });
    outputs.push(sampleAlert(0));
    outputs.push(sampleAlert(1));
    assert.equal(await outputs.flush(), true);
    renameSync(file, file + '.1'); // logrotate's rename
    outputs.push(sampleAlert(2));
    assert.equal(await outputs.flush(), true);
    unlinkSync(file);
    outputs.push(sampleAlert(3));
    await outputs.close();
    assert.deepEqual(ids(readLines(file + '.1')), [0, 1]);
    assert.deepEqual(ids(readLines(file)), [3]);
    assert.equal(outputs.stats.outputs.file!.delivered, 4);
  } finally {
    cleanup();
  }
});

test('file output with keep_alive: keeps writing to the open file until reopen (SIGUSR1)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'events.txt');
    const outputs = createOutputs({ file_output: { enabled: true, filename: file, keep_alive: true } });
    outputs.push(sampleAlert(0));
    await outputs.flush();
    renameSync(file, file + '.1');
    outputs.push(sampleAlert(1));
    await outputs.flush();
    assert.deepEqual(ids(readLines(file + '.1')), [0, 1], 'the open file follows the rename');
    assert.deepEqual(readLines(file), []);
    await outputs.reopen();
    outputs.push(sampleAlert(2));
    await outputs.close();
    assert.deepEqual(ids(readLines(file)), [2]);
    assert.deepEqual(ids(readLines(file + '.1')), [0, 1]);
  } finally {
    cleanup();
  }
});

test('file output with keep_alive and buffered_outputs: lines wait for a full block or a flush', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'events.txt');
    const outputs = createOutputs({ file_output: { enabled: true, filename: file, keep_alive: true }, buffered_outputs: true });
    const pushUntil = async (last: number): Promise<void> => {
      for (let i = outputs.stats.enqueued; i <= last; i++) outputs.push(sampleAlert(i));
      await waitFor(`delivery of alert ${last}`, () => outputs.stats.outputs.file!.delivered === last + 1);
    };
    await pushUntil(50); // about 3.6 KB of text: less than a block
    assert.deepEqual(readLines(file), [], 'held in the buffer');
    await pushUntil(200); // the block fills: everything buffered is written
    assert.equal(readLines(file).length, 201);
    await pushUntil(201);
    assert.equal(readLines(file).length, 201, 'the next line waits again');
    await outputs.flush();
    assert.deepEqual(ids(readLines(file)), Array.from({ length: 202 }, (_, i) => i));
    await outputs.close();
  } finally {
    cleanup();
  }
});

test('file output: a file that cannot be opened is reported with its name and counted', async () => {
  const { dir, cleanup } = tempDir();
  const log = captureLog();
  try {
    const file = path.join(dir, 'missing-dir', 'events.txt');
    const outputs = createOutputs({ file_output: { enabled: true, filename: file } });
    outputs.push(sampleAlert(0));
    outputs.push(sampleAlert(1));
    await outputs.close();
    assert.equal(outputs.stats.outputs.file!.failed, 2);
    assert.equal(outputs.stats.outputs.file!.delivered, 0);
    const errors = log.messages.filter((m) => m.level === 'error').map((m) => m.message);
    assert.ok(errors.some((m) => m === `file: failed to open output file ${file} (ENOENT)`), errors.join('\n'));
  } finally {
    log.restore();
    cleanup();
  }
});

test('outputs configuration errors name the falco.yaml key', () => {
  assert.throws(() => createOutputs({ file_output: { enabled: true } }), /file_output\.filename/);
  assert.throws(() => createOutputs({ program_output: { enabled: true } }), /program_output\.program/);
  assert.throws(() => createOutputs({ http_output: { enabled: true } }), /http_output\.url/);
  assert.throws(() => createOutputs({ http_output: { enabled: true, url: 'not a url' } }), /http_output\.url: "not a url" is not a valid URL/);
  assert.throws(() => createOutputs({ stdout_output: { enabled: false } }), /No output configured, please make sure at least one output is configured and enabled\./);
});
