import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { createOutputs } from '../../src/outputs/index.js';
import { captureLog, readLines, sampleAlert, tempDir, waitFor } from './helpers.js';

/** An HTTP server that accepts requests and never answers: a stalled output. */
async function blackHole(): Promise<{ url: string; received(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let received = 0;
  const server = http.createServer(() => {
    received++;
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received: () => received,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('bounded queue with a stalled output: push never waits, overflow is dropped, counted and logged once', async () => {
  const server = await blackHole();
  const { dir, cleanup } = tempDir();
  const log = captureLog();
  try {
    const file = path.join(dir, 'events.txt');
    const outputs = createOutputs({
      http_output: { enabled: true, url: server.url, timeout_ms: 60_000 },
      file_output: { enabled: true, filename: file },
      outputs_queue: { capacity: 10 },
      output_timeout: 100,
    });
    // All pushes run synchronously, before the worker gets a turn: 10 fit, the rest overflow.
    const accepted = Array.from({ length: 1000 }, (_, i) => outputs.push(sampleAlert(i)));
    assert.equal(accepted.filter(Boolean).length, 10);
    assert.deepEqual(accepted.slice(0, 10), Array(10).fill(true));
    assert.equal(outputs.stats.drops.queue_full, 990);
    assert.equal(outputs.queue.size, 10);
    const dropLogs = log.messages.filter((m) => m.message === 'Outputs queue out of memory. Drop event and continue on ...');
    assert.equal(dropLogs.length, 1);
    assert.equal(dropLogs[0]!.level, 'error');

    // The worker hands the 10 to both outputs; the file gets them, the http request hangs.
    await waitFor('the stalled request', () => server.received() === 1);
    await waitFor('the file output', () => readLines(file).length === 10);
    // While the http output is stuck, new alerts queue up again (and overflow again).
    const more = Array.from({ length: 15 }, (_, i) => outputs.push(sampleAlert(1000 + i)));
    assert.equal(more.filter(Boolean).length, 10);
    assert.equal(outputs.stats.drops.queue_full, 995);

    // output_timeout: the stuck output is reported at critical level, under Falco's words.
    await waitFor('the output timeout report', () =>
      log.messages.find((m) => m.level === 'critical' && m.message === '"http" output timeout, all output channels are blocked'));
    assert.ok(outputs.stats.outputs.http!.timeouts >= 1);

    // Shutdown gives up after output_timeout, discarding (and counting) what is still queued.
    await outputs.close(200);
    assert.ok(log.messages.some((m) => m.level === 'notice' && m.message === 'output channels still blocked, discarding all remaining notifications'));
    assert.equal(outputs.stats.drops.shutdown, 10);
    assert.equal(outputs.push(sampleAlert(5000)), false, 'closed: nothing more is accepted');
    assert.equal(outputs.stats.drops.shutdown, 11);
  } finally {
    log.restore();
    await server.stop();
    cleanup();
  }
});

test('unbounded queue (capacity 0, Falco\'s default) keeps every alert while an output is slow', async () => {
  const server = await blackHole();
  const log = captureLog();
  try {
    const outputs = createOutputs({ http_output: { enabled: true, url: server.url, timeout_ms: 60_000 }, output_timeout: 60_000 });
    for (let i = 0; i < 5000; i++) assert.equal(outputs.push(sampleAlert(i)), true);
    assert.equal(outputs.stats.drops.queue_full, 0);
    await waitFor('the stalled request', () => server.received() === 1);
    // One batch is in flight; everything else waits.
    assert.equal(outputs.queue.size, 5000 - 256);
    assert.equal(await outputs.flush(50), false, 'flush reports that it could not finish in time');
    await outputs.close(50);
    assert.equal(outputs.stats.drops.shutdown, 5000 - 256);
  } finally {
    log.restore();
    await server.stop();
  }
});

test('queue: alerts reach the outputs in order, in batches after a burst', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'events.txt');
    const outputs = createOutputs({ file_output: { enabled: true, filename: file, keep_alive: true } });
    for (let i = 0; i < 3000; i++) outputs.push(sampleAlert(i));
    await outputs.close();
    const lines = readLines(file);
    assert.equal(lines.length, 3000);
    assert.ok(lines.every((line, i) => line.endsWith(`#${i})`)));
    assert.equal(outputs.stats.processed, 3000);
    assert.equal(outputs.stats.outputs.file!.delivered, 3000);
  } finally {
    cleanup();
  }
});
