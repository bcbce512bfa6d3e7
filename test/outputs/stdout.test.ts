import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawn } from 'node:child_process';
import { AlertFormatter } from '../../src/outputs/format.js';
import { sampleAlert, tempDir } from './helpers.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'emit-alerts.js');
const run = promisify(execFile);

test('stdout output: one line per alert on the real standard output of a child process', async () => {
  const spec = { settings: { stdout_output: { enabled: true } }, count: 3, end: 'close' };
  const { stdout } = await run(process.execPath, [FIXTURE, JSON.stringify(spec)], { env: { ...process.env, TZ: 'UTC' } });
  const formatter = new AlertFormatter({ hostname: 'unused' });
  process.env.TZ = 'UTC';
  try {
    assert.equal(stdout, [0, 1, 2].map((i) => formatter.format(sampleAlert(i)) + '\n').join(''));
  } finally {
    delete process.env.TZ;
  }
  assert.match(stdout, /^16:17:57\.881785348: Warning An open was seen \(command=cat \/dev\/null #0\)\n/);
});

test('stdout output: JSON alerts carry FALCO_HOSTNAME and log the override', async () => {
  const spec = { settings: { stdout_output: { enabled: true }, json_output: true }, count: 2, end: 'close' };
  const { stdout, stderr } = await run(process.execPath, [FIXTURE, JSON.stringify(spec)], {
    env: { ...process.env, FALCO_HOSTNAME: 'test-falco-hostname' },
  });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.hostname, 'test-falco-hostname');
  assert.equal(lines[1]!.rule, 'open_from_cat');
  assert.match(stderr, /: Hostname value has been overridden via environment variable to: test-falco-hostname\n/);
});

/** Runs the fixture with stdout going to a file; returns the file's content and what the child saw. */
async function runToFile(buffered: boolean, count: number): Promise<{ content: string; sizeBeforeExit: number }> {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'stdout.txt');
    const fd = openSync(file, 'w');
    const spec = { settings: { stdout_output: { enabled: true }, buffered_outputs: buffered }, count, end: 'exit', reportSizeOf: file };
    const child = spawn(process.execPath, [FIXTURE, JSON.stringify(spec)], { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    const match = /size-before-exit=(\d+)/.exec(stderr);
    assert.ok(match, stderr);
    return { content: readFileSync(file, 'utf8'), sizeBeforeExit: Number(match[1]) };
  } finally {
    cleanup();
  }
}

test('stdout output: unbuffered writes each alert at once', async () => {
  const { content, sizeBeforeExit } = await runToFile(false, 5);
  assert.equal(content.split('\n').length, 6);
  assert.equal(sizeBeforeExit, Buffer.byteLength(content));
});

test('stdout output: buffered_outputs holds lines in a block and still writes them all at exit', async () => {
  const { content, sizeBeforeExit } = await runToFile(true, 5);
  assert.equal(sizeBeforeExit, 0, 'nothing written before the block filled or the process exited');
  assert.equal(content.split('\n').length, 6);
  assert.match(content, /#4\)\n$/);
});
