import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OutputsHandle } from '../../src/agent/outputs-handle.js';
import { createOutputs } from '../../src/outputs/index.js';
import { readLines, sampleAlert, tempDir } from '../outputs/helpers.js';

test('rebuilt outputs write after the old ones have delivered: whole lines, in order, none lost', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'alerts.txt');
    const settings = { file_output: { enabled: true, filename: file }, output_timeout: 60_000 };
    const handle = new OutputsHandle(createOutputs({ ...settings, json_output: false }, { hostname: 'test' }));
    // A backlog in the old outputs, then the rebuild and more alerts at once: both write the same file.
    for (let i = 0; i < 3000; i++) handle.push(sampleAlert(i));
    const replaced = handle.replace(createOutputs({ ...settings, json_output: true }, { hostname: 'test' }));
    for (let i = 3000; i < 6000; i++) handle.push(sampleAlert(i));
    await replaced;
    await handle.close();

    const lines = readLines(file);
    assert.equal(lines.length, 6000);
    const firstJson = lines.findIndex((l) => l.startsWith('{'));
    assert.equal(firstJson, 3000, 'the old outputs finish before the new ones start');
    lines.forEach((line, i) => {
      if (i >= 3000) JSON.parse(line);
      assert.ok(line.includes(`#${i})`), `line ${i} is alert ${i}: ${line}`);
    });
  } finally {
    cleanup();
  }
});
