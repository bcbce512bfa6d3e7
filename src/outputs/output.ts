// The contract between the outputs queue and each output channel (stdout, file, syslog, program,
// http), plus the small write helpers the byte-stream outputs share.
import { write as fsWrite } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from './alert.js';

/** One alert ready to send: the alert and its rendered line (no trailing newline). */
export interface OutputMessage {
  readonly alert: Alert;
  readonly text: string;
}

/**
 * An output channel. The queue calls `send` with the alerts it has (usually one, more after a burst)
 * and awaits it before sending the next batch, so an output sees alerts in order and one batch at
 * a time. A failure rejects with an Error whose message says what went wrong; the queue counts and
 * logs it and moves on (the alerts of a failed batch are not retried).
 */
export interface AlertOutput {
  /** Falco's name of the output: `stdout`, `file`, `syslog`, `program`, `http`. */
  readonly name: string;
  send(batch: readonly OutputMessage[]): Promise<void>;
  /** Close and reopen what the output holds open (file, program): Falco does this on SIGUSR1. */
  reopen(): Promise<void>;
  /** Write out anything buffered (`buffered_outputs`). */
  flush(): Promise<void>;
  /** Flush and release everything; the output is not used afterwards. */
  close(): Promise<void>;
}

/** Block size for `buffered_outputs: true`, like a stdio buffer on a pipe or file. */
export const OUTPUT_BUFFER_BYTES = 8192;

/**
 * Writes all of `data` to `fd` without blocking the event loop (the write runs on libuv's thread
 * pool, so a reader that stalls only stalls this output). Retries partial writes, and EAGAIN when
 * the descriptor happens to be non-blocking.
 */
export async function writeFully(fd: number, data: string | Buffer): Promise<void> {
  let buffer = typeof data === 'string' ? Buffer.from(data) : data;
  while (buffer.length > 0) {
    let written: number;
    try {
      written = await new Promise<number>((resolve, reject) => {
        fsWrite(fd, buffer, 0, buffer.length, null, (err, n) => (err ? reject(err) : resolve(n)));
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        await sleep(5);
        continue;
      }
      throw err;
    }
    buffer = buffer.subarray(written);
  }
}

/**
 * Line buffering as `buffered_outputs` asks: unbuffered, every batch is written at once; buffered,
 * lines collect until a block is full (or flush()). Writes are chained so they never overlap.
 */
export class LineWriter {
  private pending = '';

  constructor(
    private readonly buffered: boolean,
    private readonly sink: (chunk: string) => Promise<void>,
  ) {}

  async write(lines: string): Promise<void> {
    if (!this.buffered) return this.sink(lines);
    this.pending += lines;
    if (this.pending.length >= OUTPUT_BUFFER_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = this.pending;
    this.pending = '';
    await this.sink(chunk);
  }

  /** Takes what is buffered (for a last synchronous write when the process exits). */
  takePending(): string {
    const chunk = this.pending;
    this.pending = '';
    return chunk;
  }
}

/** The text of a batch as lines, each ending with a newline. */
export function batchLines(batch: readonly OutputMessage[]): string {
  if (batch.length === 1) return batch[0]!.text + '\n';
  let text = '';
  for (const message of batch) text += message.text + '\n';
  return text;
}

/** Some alerts of a batch could not be delivered; the message is the first failure's. */
export class DeliveryError extends Error {
  constructor(message: string, readonly failedAlerts: number) {
    super(failedAlerts > 1 ? `${message} (${failedAlerts} alerts failed in this batch)` : message);
  }
}

/**
 * Sends each message of a batch on its own, going on after a failure so that one bad alert does
 * not cost the others; rejects at the end with a DeliveryError counting the failures.
 */
export async function sendEach(batch: readonly OutputMessage[], send: (message: OutputMessage) => Promise<void>): Promise<void> {
  let failed = 0;
  let first: unknown;
  for (const message of batch) {
    try {
      await send(message);
    } catch (err) {
      if (failed++ === 0) first = err;
    }
  }
  if (failed > 0) throw new DeliveryError(describeError(first), failed);
}

/** Short description of an error for log lines: the message, with the errno code when there is one. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
export async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
