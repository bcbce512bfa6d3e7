// Streaming scap reader: capture files (plain or gzip), any byte stream (the live driver's loader
// writes the same format to a pipe), or bytes pushed by the caller.
//
// Memory stays flat however long the input: bytes are read in chunks into one working buffer;
// consumed blocks are dropped when it is refilled and only a block split across two chunks is
// moved. Events are delivered through one reusable view (event.ts: valid until the next call to
// next(), fill() or push()). Non-event blocks (process, fd, user and interface lists...) are decoded
// into records and passed to `onRecord`; those before the first event are also collected in
// `ScapReader.header` so the state module can seed its tables from them.
//
// A truncated or corrupt input yields every valid event before the damage, then a ScapFormatError
// naming the source, the byte offset (in the uncompressed stream) and the block type.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { log } from '../util/log.js';
import {
  BlockDecodeError, decodeFdList, decodeInterfaceList, decodeMachineInfo, decodeProcessList, decodeSectionHeader,
  decodeUserList,
} from './blocks.js';
import { EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO } from './event-table.js';
import { EventConverter } from './converter.js';
import { EventView, type ScapEvent } from './event.js';
import {
  BLOCK, BLOCK_HEADER_SIZE, BLOCK_TRAILER_SIZE, EVT_HEADER_SIZE, EVT_HEADER_SIZE_V1, EVT_LEN, EVT_NPARAMS, EVT_TYPE,
  SCAP_MAJOR_VERSION, SCAP_MINOR_VERSION, SHB_BODY_SIZE, SHB_MAGIC, SHB_MAGIC_SWAPPED, blockTypeName,
  isEventBlock, processListVersion,
} from './format.js';
import type {
  FdListRecord, GroupInfo, InterfaceListRecord, MachineInfoRecord, ProcessRecord, ScapRecord, SectionHeaderRecord,
  UserInfo,
} from './records.js';

/** A truncated or corrupt capture. `offset` is in the uncompressed stream. */
export class ScapFormatError extends Error {
  constructor(
    readonly source: string,
    readonly offset: number,
    readonly blockType: number | undefined,
    readonly detail: string,
    /** Events delivered before the error. */
    readonly eventsBefore: number,
  ) {
    const where = blockType === undefined ? `byte offset ${offset}` : `byte offset ${offset}, block ${blockTypeName(blockType)}`;
    super(`${source}: ${detail} (${where}; after event ${eventsBefore})`);
    this.name = 'ScapFormatError';
  }
}

/** Counters of a stream, for metrics and the end-of-run summary. */
export interface ScapReadStats {
  /** Events delivered (the last evt.num). */
  events: number;
  /** Blocks read, of any type. */
  blocks: number;
  /** Uncompressed bytes consumed. */
  bytes: number;
  /** Blocks of a type this reader does not know (skipped, with a warning). */
  unknownBlocks: number;
  /** Events whose code is beyond the event table (a newer driver): skipped, as libscap does. */
  unknownEventTypes: number;
  /** Events whose parameter lengths overflow the event (parameters clamped). */
  malformedEvents: number;
  /** With `convert`: events rewritten to a current layout, withheld (not delivered), left as they
   *  were for lack of a conversion, and exit events whose enter event was missing. */
  converted: number;
  withheld: number;
  unconvertible: number;
  missingEnter: number;
}

export interface ScapParserOptions {
  /** Name of the input in messages (file path, `driver`, ...). */
  source?: string;
  /** Receives every non-event block as a decoded record, in stream order. */
  onRecord?: (record: ScapRecord, offset: number) => void;
  /** Receives warnings (unknown blocks...); default: Peregrine's log at warning level. */
  onWarning?: (message: string) => void;
  /** Largest block accepted (a corrupt length beyond it is reported instead of buffered). Default 256 MiB. */
  maxBlockSize?: number;
  /** Initial working buffer size. Default 1 MiB. */
  initialBufferSize?: number;
  /**
   * Deliver events as Falco 0.44 does (libscap's converter, converter.ts): old layouts converted to
   * current ones, exit events completed with their enter event's parameters, enter events that
   * only fed them withheld; `num` then counts delivered events as Falco's evt.num does. Default
   * false: every event as stored, numbered as sysdig numbers them.
   */
  convert?: boolean;
}

const DEFAULT_MAX_BLOCK = 256 << 20;
const MIN_BLOCK = BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE;

/** Result of ScapParser.advanceToEvent(). */
export const PARSE_EVENT_READY = 0;
export const PARSE_NEED_DATA = 1;
export const PARSE_END = 2;

/**
 * Push parser over a scap byte stream: the caller adds bytes (`push`, or `writable` + `commit` to
 * read straight into the buffer), then takes events with `next()` until it returns null (more
 * bytes needed, or the end after `end()`). Synchronous and allocation-free per event.
 */
export class ScapParser {
  readonly source: string;
  // Counters (see ScapReadStats), kept as plain fields for the hot path.
  private events = 0;
  private blocks = 0;
  private bytes = 0;
  private unknownBlocks = 0;
  private unknownEventTypes = 0;
  private malformedEvents = 0;
  /** The section header, once read. */
  section: SectionHeaderRecord | undefined;

  private buf: Uint8Array;
  private dv: DataView;
  /** Unconsumed bytes are buf[pos, end); buf[0] is at `base` in the stream. */
  private pos = 0;
  private end = 0;
  private base = 0;
  private ended = false;
  private endReason: string | undefined;
  private failure: ScapFormatError | undefined;
  private readonly view = new EventView();
  private readonly onRecord: ScapParserOptions['onRecord'];
  private readonly onWarning: (message: string) => void;
  private readonly maxBlockSize: number;
  private readonly converter: EventConverter | undefined;

  constructor(options: ScapParserOptions = {}) {
    this.source = options.source ?? 'scap stream';
    this.onRecord = options.onRecord;
    this.onWarning = options.onWarning ?? ((m) => log.warning(m));
    this.maxBlockSize = options.maxBlockSize ?? DEFAULT_MAX_BLOCK;
    this.buf = new Uint8Array(options.initialBufferSize ?? 1 << 20);
    this.dv = new DataView(this.buf.buffer);
    this.view.onMalformed = () => {
      this.malformedEvents++;
    };
    if (options.convert) this.converter = new EventConverter((m) => this.onWarning(`${this.source}: ${m}`));
  }

  /** The counters so far (a fresh object). */
  get stats(): ScapReadStats {
    return {
      events: this.events, blocks: this.blocks, bytes: this.bytes, unknownBlocks: this.unknownBlocks,
      unknownEventTypes: this.unknownEventTypes, malformedEvents: this.malformedEvents,
      converted: this.converter?.stats.converted ?? 0, withheld: this.converter?.stats.withheld ?? 0,
      unconvertible: this.converter?.stats.unconvertible ?? 0, missingEnter: this.converter?.stats.missingEnter ?? 0,
    };
  }

  /** Whether finish() was called (no more input will come). */
  get inputEnded(): boolean {
    return this.ended;
  }

  /** Whether finish() was called and every buffered byte has been consumed. */
  get finished(): boolean {
    return this.ended && this.pos === this.end && this.failure === undefined;
  }

  /** Stream offset of the next unconsumed byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /**
   * A region to read new bytes into (at least `minFree` bytes): consumed bytes are dropped first,
   * and the buffer grows when a pending block needs it. Invalidates the current event view.
   */
  writable(minFree: number): Uint8Array {
    const pending = this.pendingBlockLength();
    const needed = Math.max(minFree + (this.end - this.pos), pending);
    if (this.pos > 0 && (this.buf.length - this.end < minFree || this.buf.length < needed)) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    if (this.buf.length - this.end < minFree || this.buf.length < needed) {
      let size = this.buf.length * 2;
      while (size < needed || size - this.end < minFree) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(this.pos, this.end));
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
      this.buf = next;
      this.dv = new DataView(next.buffer);
    }
    return this.buf.subarray(this.end);
  }

  /** Declares that `n` bytes were written at the start of the last `writable()` region. */
  commit(n: number): void {
    this.end += n;
  }

  /** Appends bytes (copied). Invalidates the current event view. */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error(`${this.source}: push() after end()`);
    this.writable(chunk.length).set(chunk);
    this.commit(chunk.length);
  }

  /** No more bytes will come (end of input). `reason` (e.g. a decompression error) is added to a truncation error. */
  finish(reason?: string): void {
    this.ended = true;
    this.endReason = reason;
  }

  /** Length of the block at `pos` if its header is buffered, else 0. */
  private pendingBlockLength(): number {
    if (this.end - this.pos < BLOCK_HEADER_SIZE) return 0;
    const len = this.dv.getUint32(this.pos + 4, true);
    return len <= this.maxBlockSize ? len : 0;
  }

  private fail(offset: number, blockType: number | undefined, detail: string): never {
    this.failure = new ScapFormatError(this.source, offset, blockType, detail, this.events);
    throw this.failure;
  }

  /**
   * Checks the block at `pos`: returns its length when it is complete in the buffer, 0 when more
   * bytes are needed, -1 at the clean end of the input; throws on corruption or truncation.
   */
  private completeBlock(): number {
    const avail = this.end - this.pos;
    if (avail < BLOCK_HEADER_SIZE) {
      if (!this.ended) return 0;
      if (avail === 0) {
        if (this.section === undefined) this.fail(this.base, undefined, 'empty input: not a scap capture');
        return -1;
      }
      this.fail(this.offset, undefined, `truncated capture: ${avail} bytes left, too few for a block header${this.reasonSuffix()}`);
    }
    const type = this.dv.getUint32(this.pos, true);
    const len = this.dv.getUint32(this.pos + 4, true);
    if (this.section === undefined && type !== BLOCK.SHB) {
      this.fail(this.offset, type, 'not a scap capture: it does not start with a section header block');
    }
    if (len < MIN_BLOCK) this.fail(this.offset, type, `corrupt block length ${len} (minimum ${MIN_BLOCK})`);
    if (len > this.maxBlockSize) this.fail(this.offset, type, `corrupt block length ${len} (larger than the ${this.maxBlockSize}-byte limit)`);
    if (len > avail) {
      if (!this.ended) return 0;
      this.fail(this.offset, type, `truncated capture: the block needs ${len} bytes but the input ends after ${avail}${this.reasonSuffix()}`);
    }
    const trailer = this.dv.getUint32(this.pos + len - BLOCK_TRAILER_SIZE, true);
    if (trailer !== len) this.fail(this.offset, type, `corrupt block: length ${len} in the header but ${trailer} in the trailer`);
    return len;
  }

  private reasonSuffix(): string {
    return this.endReason === undefined ? '' : ` (${this.endReason})`;
  }

  /**
   * Consumes non-event blocks until an event block is next (PARSE_EVENT_READY, not consumed),
   * more bytes are needed (PARSE_NEED_DATA) or the input ended (PARSE_END).
   */
  advanceToEvent(): number {
    if (this.failure) throw this.failure;
    for (;;) {
      if (this.end - this.pos >= BLOCK_HEADER_SIZE && this.section !== undefined
        && isEventBlock(this.dv.getUint32(this.pos, true))) {
        return PARSE_EVENT_READY;
      }
      const len = this.completeBlock();
      if (len === 0) return PARSE_NEED_DATA;
      if (len < 0) return PARSE_END;
      const at = this.pos;
      this.pos += len;
      this.blocks++;
      this.bytes += len;
      this.metadataBlock(this.dv.getUint32(at, true), at, len);
    }
  }

  /**
   * The next event, or null when the buffered bytes hold no complete event block (push more) or
   * the input is finished. Non-event blocks on the way go to `onRecord`. Throws ScapFormatError at
   * damage, after every event before it was returned.
   */
  next(): ScapEvent | null {
    if (this.failure) throw this.failure;
    const dv = this.dv;
    for (;;) {
      // Fast path: a complete block whose length is consistent; anything else (need more bytes,
      // end of input, the section header, damage) is sorted out by completeBlock().
      const at = this.pos;
      let len: number;
      if (this.end - at >= BLOCK_HEADER_SIZE && this.section !== undefined) {
        len = dv.getUint32(at + 4, true);
        if (len < MIN_BLOCK || len > this.end - at || dv.getUint32(at + len - BLOCK_TRAILER_SIZE, true) !== len) {
          len = this.completeBlock();
          if (len <= 0) return null;
        }
      } else {
        len = this.completeBlock();
        if (len <= 0) return null;
      }
      const type = dv.getUint32(at, true);
      this.pos = at + len;
      this.blocks++;
      this.bytes += len;
      // Block kinds, the current one first.
      let withFlags: boolean;
      let v2: boolean;
      if (type === BLOCK.EV_V2 || type === BLOCK.EV_V2_LARGE) {
        withFlags = false;
        v2 = true;
      } else if (type === BLOCK.EVF_V2 || type === BLOCK.EVF_V2_LARGE) {
        withFlags = true;
        v2 = true;
      } else if (type === BLOCK.EV || type === BLOCK.EV_INT) {
        withFlags = false;
        v2 = false;
      } else if (type === BLOCK.EVF) {
        withFlags = true;
        v2 = false;
      } else {
        this.metadataBlock(type, at, len);
        continue;
      }
      // Event block body: u16 cpu, [u32 flags], event.
      const body = at + BLOCK_HEADER_SIZE;
      const hdr = body + (withFlags ? 6 : 2);
      const hdrSize = v2 ? EVT_HEADER_SIZE : EVT_HEADER_SIZE_V1;
      const blockEnd = at + len - BLOCK_TRAILER_SIZE;
      if (hdr + hdrSize > blockEnd) this.fail(this.base + at, type, `event block of ${len} bytes is too short for an event header`);
      const code = dv.getUint16(hdr + EVT_TYPE, true);
      let rawLen = dv.getUint32(hdr + EVT_LEN, true);
      if (code >= EVENT_CODE_COUNT) {
        // A newer driver's event: libscap skips these too. Counted, not numbered.
        this.unknownEventTypes++;
        continue;
      }
      const info = EVENT_INFO[code];
      let nparams: number;
      if (v2) {
        nparams = dv.getUint32(hdr + EVT_NPARAMS, true);
        if (rawLen < hdrSize || hdr + rawLen > blockEnd) {
          this.fail(this.base + at, type, `corrupt event: length ${rawLen} does not fit its ${len}-byte block`);
        }
        if (nparams * (info.largePayload ? 4 : 2) > rawLen - hdrSize) {
          this.fail(this.base + at, type, `corrupt event: ${nparams} parameters do not fit its length ${rawLen}`);
        }
      } else {
        // Old captures' headers lack nparams; some old meta events also over-report their length.
        if (code === EVENT_CODE.NOTIFICATION_E || code === EVENT_CODE.INFRASTRUCTURE_EVENT_E) rawLen -= 3;
        if (rawLen < hdrSize || hdr + rawLen > blockEnd) {
          this.fail(this.base + at, type, `corrupt event: length ${rawLen} does not fit its ${len}-byte block`);
        }
        nparams = this.v1ParamCount(hdr, rawLen, code, at, type);
      }
      const view = this.view;
      view.load(this.buf, dv, hdr, v2, code, info, nparams, rawLen);
      view.cpu = dv.getUint16(body, true);
      view.flags = withFlags ? dv.getUint32(body + 2, true) : 0;
      view.blockOffset = this.base + at;
      view.blockType = type;
      if (this.converter !== undefined) {
        const out = this.converter.process(view);
        if (out === null) continue;
        out.num = ++this.events;
        return out;
      }
      view.num = ++this.events;
      return view;
    }
  }

  /**
   * V1 events do not store their parameter count: it is the largest count, up to the table's,
   * whose lengths add up exactly to the event length (libscap's rule).
   */
  private v1ParamCount(hdr: number, rawLen: number, code: number, at: number, type: number): number {
    const dv = this.dv;
    const lens = hdr + EVT_HEADER_SIZE_V1;
    const end = hdr + rawLen;
    for (let n = EVENT_INFO[code].params.length; n >= 0; n--) {
      let p = lens + 2 * n;
      if (p > end) continue;
      for (let i = 0; i < n; i++) p += dv.getUint16(lens + 2 * i, true);
      if (p === end) return n;
      if (p < end) break;
    }
    this.fail(this.base + at, type, `corrupt event: cannot work out the parameter count of a ${EVENT_INFO[code].name} event of ${rawLen} bytes`);
  }

  private metadataBlock(type: number, at: number, len: number): void {
    const body = this.buf.subarray(at + BLOCK_HEADER_SIZE, at + len - BLOCK_TRAILER_SIZE);
    const offset = this.base + at;
    let record: ScapRecord;
    try {
      record = this.decodeMetadata(type, body, offset);
    } catch (e) {
      if (e instanceof ScapFormatError) throw e;
      if (e instanceof BlockDecodeError) {
        this.fail(offset, type, `corrupt block: ${e.message} (at byte ${e.bodyOffset} of its body)`);
      }
      throw e;
    }
    this.onRecord?.(record, offset);
  }

  private decodeMetadata(type: number, body: Uint8Array, offset: number): ScapRecord {
    switch (type) {
      case BLOCK.SHB: {
        if (body.length < SHB_BODY_SIZE) this.fail(offset, type, 'section header block too short');
        const magic = new DataView(body.buffer, body.byteOffset).getUint32(0, true);
        if (magic === SHB_MAGIC_SWAPPED) this.fail(offset, type, 'big-endian capture: byte-swapped captures are not supported');
        if (magic !== SHB_MAGIC) this.fail(offset, type, `invalid byte-order magic 0x${magic.toString(16)}`);
        const section = decodeSectionHeader(body);
        if (section.majorVersion > SCAP_MAJOR_VERSION) {
          this.fail(offset, type, `capture format ${section.majorVersion}.${section.minorVersion} is newer than the supported ${SCAP_MAJOR_VERSION}.${SCAP_MINOR_VERSION}`);
        }
        this.section = section;
        return section;
      }
      case BLOCK.MI: case BLOCK.MI_INT:
        return decodeMachineInfo(body);
      case BLOCK.FDL: case BLOCK.FDL_INT: case BLOCK.FDL_V2:
        return decodeFdList(body, type);
      case BLOCK.UL: case BLOCK.UL_INT: case BLOCK.UL_V2:
        return decodeUserList(body, type);
      case BLOCK.IL: case BLOCK.IL_INT: case BLOCK.IL_V2:
        return decodeInterfaceList(body, type);
      default:
        if (processListVersion(type) > 0) return decodeProcessList(body, type);
        this.unknownBlocks++;
        this.onWarning(`${this.source}: skipping ${blockTypeName(type)} of ${body.length} bytes at byte offset ${offset}`);
        return { kind: 'unknown', blockType: type, length: body.length };
    }
  }
}

// ---- pull reader over files and streams -------------------------------------------------------------------

/** What came before the first event: the state module seeds its tables from it. */
export interface ScapHeader {
  readonly section: SectionHeaderRecord;
  readonly machine?: MachineInfoRecord;
  readonly processes: ProcessRecord[];
  readonly fdLists: FdListRecord[];
  readonly users: UserInfo[];
  readonly groups: GroupInfo[];
  readonly interfaces?: InterfaceListRecord;
  /** Every record, in stream order. */
  readonly records: ScapRecord[];
}

export interface ScapReaderOptions extends ScapParserOptions {
  /** Bytes read per chunk. Default 4 MiB. */
  chunkSize?: number;
  /**
   * Length of the header blocks when the producer knows it (the live driver reports it). Reading
   * the header then ends after these bytes instead of waiting for the first event, which on a
   * live stream may not come for a long time.
   */
  headerBytes?: number;
}

/** Fills a region with input bytes; 0 at the end of the input. */
interface ByteSource {
  read(into: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

class FileSource implements ByteSource {
  constructor(private readonly fh: FileHandle) {}
  async read(into: Uint8Array): Promise<number> {
    const { bytesRead } = await this.fh.read(into, 0, into.length, null);
    return bytesRead;
  }
  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Adapts chunks of an async iterable (streams, gunzip output) to `read(into)`. */
class ChunkSource implements ByteSource {
  private chunk: Uint8Array | undefined;
  private at = 0;
  constructor(private readonly it: AsyncIterator<Uint8Array>, private readonly onClose: () => void) {}
  async read(into: Uint8Array): Promise<number> {
    let n = 0;
    while (n < into.length) {
      if (this.chunk === undefined || this.at >= this.chunk.length) {
        // Hand over what we have before waiting for more (live streams).
        if (n > 0) return n;
        const r = await this.it.next();
        if (r.done) return n;
        this.chunk = r.value instanceof Uint8Array ? r.value : Buffer.from(r.value as string);
        this.at = 0;
        continue;
      }
      const take = Math.min(into.length - n, this.chunk.length - this.at);
      into.set(this.chunk.subarray(this.at, this.at + take), n);
      this.at += take;
      n += take;
    }
    return n;
  }
  async close(): Promise<void> {
    this.onClose();
    await this.it.return?.();
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Pull reader: `open(path)` or `fromStream(stream)` reads up to the first event (the header), then
 * `next()` returns events synchronously until it returns null, when `await fill()` reads more
 * (false at the end). `forEach(cb)` runs that loop.
 */
export class ScapReader {
  readonly parser: ScapParser;
  private headerRecords: ScapRecord[] | undefined = [];
  private _header: ScapHeader | undefined;
  private readonly chunkSize: number;
  private readonly headerBytes: number | undefined;
  private closed = false;

  private constructor(private readonly input: ByteSource, options: ScapReaderOptions) {
    this.chunkSize = options.chunkSize ?? 4 << 20;
    this.headerBytes = options.headerBytes;
    const userOnRecord = options.onRecord;
    this.parser = new ScapParser({
      ...options,
      initialBufferSize: options.initialBufferSize ?? this.chunkSize,
      onRecord: (record, offset) => {
        this.headerRecords?.push(record);
        userOnRecord?.(record, offset);
      },
    });
  }

  /** Opens a capture file, plain or gzip-compressed, and reads its header. */
  static async open(path: string, options: ScapReaderOptions = {}): Promise<ScapReader> {
    const fh = await open(path, 'r');
    let source: ByteSource;
    try {
      const probe = new Uint8Array(2);
      const { bytesRead } = await fh.read(probe, 0, 2, 0);
      if (bytesRead === 2 && probe[0] === GZIP_MAGIC_0 && probe[1] === GZIP_MAGIC_1) {
        await fh.close();
        source = gunzipSource(createReadStream(path, { highWaterMark: 1 << 20 }));
      } else {
        source = new FileSource(fh);
      }
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
    const reader = new ScapReader(source, { source: path, ...options });
    await reader.readHeader();
    return reader;
  }

  /**
   * Reads a scap stream (a pipe from the live driver, a socket, a decompressed file...), plain or
   * gzip, from a Node stream or any async iterable of byte chunks; reads the header first.
   */
  static async fromStream(stream: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, options: ScapReaderOptions = {}): Promise<ScapReader> {
    const it = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    // Peek at the first chunk to detect gzip, then put it back in front.
    const first = await it.next();
    const chunks = (async function* () {
      if (!first.done) yield first.value;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    })();
    const head = first.done ? undefined : first.value;
    const gz = head !== undefined && head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
    const source = gz ? gunzipSource(Readable.from(chunks)) : new ChunkSource(chunks[Symbol.asyncIterator](), () => undefined);
    const reader = new ScapReader(source, options);
    await reader.readHeader();
    return reader;
  }

  /** The records before the first event (available once open()/fromStream() resolved). */
  get header(): ScapHeader {
    if (this._header === undefined) throw new Error('scap header not read yet');
    return this._header;
  }

  get stats(): ScapReadStats {
    return this.parser.stats;
  }

  private async readHeader(): Promise<void> {
    for (;;) {
      const status = this.parser.advanceToEvent();
      if (status !== PARSE_NEED_DATA) break;
      if (this.headerBytes !== undefined && this.parser.offset >= this.headerBytes) break;
      if (!(await this.fill())) {
        this.parser.advanceToEvent(); // reports truncation, or the end of an event-less capture
        break;
      }
    }
    const records = this.headerRecords ?? [];
    this.headerRecords = undefined; // later records go to onRecord only: memory stays flat
    const section = this.parser.section;
    if (section === undefined) throw new ScapFormatError(this.parser.source, 0, undefined, 'no section header', 0);
    const header: ScapHeader = {
      section,
      machine: records.find((r): r is MachineInfoRecord => r.kind === 'machine'),
      processes: records.flatMap((r) => (r.kind === 'processes' ? r.processes : [])),
      fdLists: records.filter((r): r is FdListRecord => r.kind === 'fds'),
      users: records.flatMap((r) => (r.kind === 'users' ? r.users : [])),
      groups: records.flatMap((r) => (r.kind === 'users' ? r.groups : [])),
      interfaces: records.find((r): r is InterfaceListRecord => r.kind === 'interfaces'),
      records,
    };
    this._header = header;
  }

  /** The next buffered event, or null: then call fill(). See event.ts for the view's lifetime. */
  next(): ScapEvent | null {
    return this.parser.next();
  }

  /** Reads the next chunk; false when the input is exhausted (next() then drains or reports truncation). */
  async fill(): Promise<boolean> {
    if (this.parser.inputEnded) return false;
    let n: number;
    try {
      n = await this.input.read(this.parser.writable(this.chunkSize));
    } catch (e) {
      // Decompression or I/O error: deliver what was read, then report it with the offset.
      this.parser.finish(e instanceof Error ? e.message : String(e));
      await this.close().catch(() => undefined);
      return false;
    }
    if (n === 0) {
      this.parser.finish();
      await this.close();
      return false;
    }
    this.parser.commit(n);
    return true;
  }

  /**
   * Calls `onEvent` for every event until the end of the input. The input is released at the end,
   * and also when an error (damaged input, or one thrown by `onEvent`) ends the loop early.
   */
  async forEach(onEvent: (evt: ScapEvent) => void): Promise<ScapReadStats> {
    try {
      for (;;) {
        let evt: ScapEvent | null;
        while ((evt = this.parser.next()) !== null) onEvent(evt);
        if (!(await this.fill())) {
          while ((evt = this.parser.next()) !== null) onEvent(evt);
          return this.stats;
        }
      }
    } catch (e) {
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  /** Releases the input (done automatically at its end). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.input.close();
  }
}

function gunzipSource(input: NodeJS.ReadableStream): ByteSource {
  const gunzip = createGunzip({ chunkSize: 256 << 10 });
  const readable = input as Readable;
  readable.on('error', (e) => gunzip.destroy(e));
  readable.pipe(gunzip);
  const it = gunzip[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ChunkSource(it, () => {
    readable.destroy();
    gunzip.destroy();
  });
}
