// Reading audit logs from disk: a file or a directory of files read once (the plugin's plain-path
// open_params), and a file followed as it grows (`file://`), from its end, through rotation
// (rename and re-create) and truncation (copytruncate), as the plugin's watcher does.
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** A batch of consecutive lines (without line endings) of one file. */
export interface LineBatch {
  readonly lines: readonly string[];
  /** Line number (from 1) of the first line of the batch. */
  readonly firstLine: number;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Splits decoded text into lines across chunk boundaries; `\n` and `\r\n` endings. */
class LineAssembler {
  private partial = '';

  /** The complete lines of `chunk` (with what was left over from the previous chunk). */
  feed(chunk: string): string[] {
    const lines = this.feedRaw(chunk);
    for (let i = 0; i < lines.length; i++) lines[i] = stripCr(lines[i]!);
    return lines;
  }

  /** Like feed, but lines keep a final `\r` (to count their bytes). */
  feedRaw(chunk: string): string[] {
    const lines = chunk.split('\n');
    lines[0] = this.partial + lines[0]!;
    this.partial = lines.pop()!;
    return lines;
  }

  /** The last line when the input does not end with a newline ('' when it does). */
  rest(): string {
    const rest = stripCr(this.partial);
    this.partial = '';
    return rest;
  }

  clear(): void {
    this.partial = '';
  }
}

/**
 * Reads a whole file as batches of lines (one batch per read chunk). Lines are cut at `\n` bytes
 * and decoded one by one (a `\n` byte never occurs inside a multi-byte UTF-8 character), which
 * avoids decoding each chunk into one large string first.
 */
export async function* readFileLines(file: string, stopped: () => boolean = () => false): AsyncGenerator<LineBatch> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  /** The start of a line that continues in the next chunk. */
  let carry: Buffer | undefined;
  let next = 1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (stopped()) return;
      const lines: string[] = [];
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        if (newline < 0) break;
        if (carry !== undefined) {
          lines.push(decodeLine(Buffer.concat([carry, chunk.subarray(0, newline)]), 0, carry.length + newline));
          carry = undefined;
        } else {
          lines.push(decodeLine(chunk, start, newline));
        }
        start = newline + 1;
      }
      if (start < chunk.length) carry = carry === undefined ? Buffer.from(chunk.subarray(start)) : Buffer.concat([carry, chunk.subarray(start)]);
      if (lines.length > 0) {
        yield { lines, firstLine: next };
        next += lines.length;
      }
    }
    if (carry !== undefined && carry.length > 0) yield { lines: [decodeLine(carry, 0, carry.length)], firstLine: next };
  } finally {
    stream.destroy();
  }
}

/** The text of bytes start..end, without a final `\r`. */
function decodeLine(buffer: Buffer, start: number, end: number): string {
  return buffer.toString('utf8', start, end > start && buffer[end - 1] === 0x0d ? end - 1 : end);
}

/**
 * The files a plain open_params path names: the file itself, or the regular files of a directory
 * (symlinks followed), oldest modification first, as the plugin orders them. Throws with the
 * system's reason when the path cannot be read.
 */
export async function auditFilesOf(target: string): Promise<string[]> {
  const info = await stat(target);
  if (!info.isDirectory()) return [target];
  const entries = await readdir(target);
  const files: { file: string; mtimeMs: number }[] = [];
  for (const name of entries) {
    const file = path.join(target, name);
    const entry = await stat(file).catch(() => undefined);
    if (entry?.isFile()) files.push({ file, mtimeMs: entry.mtimeMs });
  }
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return files.map((f) => f.file);
}

/** Where a followed line came from: byte offset of its start in the file. */
export interface FollowedLines {
  readonly lines: readonly string[];
  /** Byte offset of the start of each line. */
  readonly offsets: readonly number[];
}

export interface FollowerEvents {
  /** New complete lines; reading resumes when the returned promise settles (backpressure). */
  lines(batch: FollowedLines): Promise<void> | void;
  /** Something worth a log line (rotation, truncation, read errors). */
  notice(message: string, level: 'info' | 'warning' | 'error'): void;
}

const POLL_INTERVAL_MS = 1000;
const READ_CHUNK = 1 << 20;

/**
 * Follows a file: starts at its current end, delivers each complete line appended afterwards,
 * starts over at the beginning when the file is truncated, and switches to the new file when the
 * path is re-created (after draining what was appended to the old one). Directory change
 * notifications trigger reads; a slow poll covers filesystems that do not notify.
 */
export class FileFollower {
  private handle: FileHandle | undefined;
  private inode: number | undefined;
  private offset = 0;
  private readonly assembler = new LineAssembler();
  private decoder = new StringDecoder('utf8');
  /** Byte offset where the buffered partial line starts. */
  private partialStart = 0;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly events: FollowerEvents,
  ) {}

  async start(): Promise<void> {
    const dir = path.dirname(this.file);
    // The directory must exist; the file may appear later.
    const dirInfo = await stat(dir);
    if (!dirInfo.isDirectory()) throw new Error(`${dir} is not a directory`);
    await this.openCurrent(true);
    const base = path.basename(this.file);
    this.watcher = watch(dir, { persistent: false }, (_type, name) => {
      if (name === null || name === base) this.poke();
    });
    this.watcher.on('error', (err) => this.events.notice(`watching ${dir} failed (${err.message}); polling instead`, 'warning'));
    this.poller = setInterval(() => this.poke(), POLL_INTERVAL_MS);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
    await this.reading;
    await this.closeHandle();
  }

  /** Requests a read; reads never overlap, and one requested during a read runs after it. */
  private poke(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAvailable()
      .catch((err: Error) => this.events.notice(`reading ${this.file} failed: ${err.message}`, 'error'))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async openCurrent(atEnd: boolean): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch {
      return; // not there (yet): a later notification or poll opens it
    }
    const info = await handle.stat();
    this.handle = handle;
    this.inode = info.ino;
    this.offset = atEnd ? info.size : 0;
    this.partialStart = this.offset;
    this.assembler.clear();
    this.decoder = new StringDecoder('utf8');
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.inode = undefined;
    await handle?.close().catch(() => undefined);
  }

  private async readAvailable(): Promise<void> {
    const current = await stat(this.file).catch(() => undefined);
    if (this.handle !== undefined && (current === undefined || current.ino !== this.inode)) {
      // Rotated or removed: finish what was written to the old file, then let it go.
      await this.drain();
      await this.flushPartial();
      await this.closeHandle();
      if (current !== undefined) this.events.notice(`${this.file} was replaced; reading the new file from its start`, 'info');
    }
    if (this.handle === undefined) {
      if (current === undefined) return;
      // A file that appears after the start (or after a rotation) is read from its beginning.
      await this.openCurrent(false);
      if (this.handle === undefined) return;
    }
    const size = (await this.handle.stat()).size;
    if (size < this.offset) {
      this.events.notice(`${this.file} was truncated; reading it again from its start`, 'info');
      this.offset = 0;
      this.partialStart = 0;
      this.assembler.clear();
      this.decoder = new StringDecoder('utf8');
    }
    await this.drain();
  }

  /** Reads from the current offset to the end of the open file. */
  private async drain(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      if (this.stopped) return;
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      await this.deliver(buffer.subarray(0, bytesRead));
    }
  }

  /** Splits a chunk into lines, keeping track of each line's byte offset in the file. */
  private async deliver(chunk: Buffer): Promise<void> {
    const lines = this.assembler.feedRaw(this.decoder.write(chunk));
    if (lines.length === 0) return;
    const offsets: number[] = [];
    let at = this.partialStart;
    for (let i = 0; i < lines.length; i++) {
      offsets.push(at);
      at += Buffer.byteLength(lines[i]!) + 1;
      lines[i] = stripCr(lines[i]!);
    }
    this.partialStart = at;
    await this.events.lines({ lines, offsets });
  }

  /** A last line without its newline, when the file it belongs to goes away. */
  private async flushPartial(): Promise<void> {
    const rest = this.assembler.rest() + this.decoder.end();
    if (rest !== '') await this.events.lines({ lines: [rest], offsets: [this.partialStart] });
  }
}
