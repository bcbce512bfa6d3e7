// Writes scap captures that Falco, sysdig (0.29.3 and later) and Peregrine read: a section header,
// then machine info, interface, user, process and fd lists from records the caller gives, then
// events from event views or raw event bytes. Blocks use the newest layouts (PL_V9, FDL_V2,
// IL_V2, UL_V2, EV_V2/EVF_V2, and the _LARGE event blocks for EF_LARGE_PAYLOAD events), as libscap
// writes them. Events read from old (V1) blocks are rewritten with the V2 header.
//
// Bytes are gathered in a buffer and handed to the output stream in large writes; writeEvent() is
// synchronous. When the output falls behind, `backpressure` turns true: await drain() then.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import {
  encodeFdList, encodeInterfaceList, encodeMachineInfo, encodeProcessList, encodeSectionHeader, encodeUserList,
} from './blocks.js';
import { EVENT_INFO } from './event-table.js';
import type { ScapEvent } from './event.js';
import {
  BLOCK, BLOCK_HEADER_SIZE, BLOCK_TRAILER_SIZE, EVT_HEADER_SIZE, EVT_HEADER_SIZE_V1, EVT_LEN, EVT_NPARAMS, EVT_TS,
  EVT_TYPE, paddedLength,
} from './format.js';
import type {
  FdInfo, GroupInfo, Ipv4Interface, Ipv6Interface, MachineInfoRecord, ProcessRecord, ScapRecord, SectionOption,
  UserInfo,
} from './records.js';
import type { ScapHeader } from './reader.js';

export interface ScapWriterOptions {
  /** gzip-compress the output (Falco and sysdig read both). Default: true when the path ends in .gz. */
  gzip?: boolean;
  /** zlib level 1..9 when compressing. Default 6. */
  compressionLevel?: number;
  /** pcapng options of the section header (comments...). */
  sectionOptions?: readonly SectionOption[];
  /** Bytes gathered before a write to the output. Default 1 MiB. */
  bufferSize?: number;
}

export class ScapWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private len = 0;
  private closed = false;
  private outputError: Error | undefined;
  /** Events written so far. */
  events = 0;
  /** Bytes written so far (uncompressed). */
  bytes = 0;

  private constructor(private readonly out: Writable, private readonly finalTarget: Writable, options: ScapWriterOptions) {
    this.buf = new Uint8Array(options.bufferSize ?? 1 << 20);
    this.dv = new DataView(this.buf.buffer);
    const onError = (e: Error): void => {
      this.outputError ??= e;
    };
    out.on('error', onError);
    if (finalTarget !== out) finalTarget.on('error', onError);
    this.block(BLOCK.SHB, encodeSectionHeader(options.sectionOptions ?? []));
  }

  /** Creates (truncates) a capture file. */
  static create(path: string, options: ScapWriterOptions = {}): ScapWriter {
    const file = createWriteStream(path);
    const gzip = options.gzip ?? path.endsWith('.gz');
    if (!gzip) return new ScapWriter(file, file, options);
    const z = createGzip({ level: options.compressionLevel ?? 6 });
    z.pipe(file);
    return new ScapWriter(z, file, options);
  }

  /** Writes a capture to any writable stream (a pipe, a socket...). The stream is ended by close(). */
  static toStream(stream: Writable, options: ScapWriterOptions = {}): ScapWriter {
    if (!options.gzip) return new ScapWriter(stream, stream, options);
    const z = createGzip({ level: options.compressionLevel ?? 6 });
    z.pipe(stream);
    return new ScapWriter(z, stream, options);
  }

  /** True when the output has more queued than it wants: await drain() before writing on. */
  get backpressure(): boolean {
    return this.out.writableNeedDrain;
  }

  async drain(): Promise<void> {
    this.throwIfFailed();
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  private throwIfFailed(): void {
    if (this.outputError) throw this.outputError;
    if (this.closed) throw new Error('scap writer is closed');
  }

  /** Room for `n` more bytes in the buffer, handing the gathered bytes to the output if needed. */
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.flushBuffer();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.dv = new DataView(this.buf.buffer);
    }
  }

  private flushBuffer(): void {
    if (this.len === 0) return;
    // The stream keeps the chunk: hand it this buffer and continue in a fresh one.
    this.out.write(this.buf.subarray(0, this.len));
    this.bytes += this.len;
    this.buf = new Uint8Array(this.buf.length);
    this.dv = new DataView(this.buf.buffer);
    this.len = 0;
  }

  /** Appends a whole block: header, body, zero padding to 4 bytes, trailer. */
  private block(type: number, body: Uint8Array): void {
    this.throwIfFailed();
    const total = paddedLength(BLOCK_HEADER_SIZE + body.length + BLOCK_TRAILER_SIZE);
    this.reserve(total);
    const at = this.len;
    this.dv.setUint32(at, type, true);
    this.dv.setUint32(at + 4, total, true);
    this.buf.set(body, at + BLOCK_HEADER_SIZE);
    this.buf.fill(0, at + BLOCK_HEADER_SIZE + body.length, at + total - BLOCK_TRAILER_SIZE);
    this.dv.setUint32(at + total - BLOCK_TRAILER_SIZE, total, true);
    this.len += total;
  }

  writeMachineInfo(m: Omit<MachineInfoRecord, 'kind'>): void {
    this.block(BLOCK.MI, encodeMachineInfo(m));
  }

  writeInterfaces(ipv4: readonly Ipv4Interface[], ipv6: readonly Ipv6Interface[]): void {
    this.block(BLOCK.IL_V2, encodeInterfaceList(ipv4, ipv6));
  }

  writeUsers(users: readonly UserInfo[], groups: readonly GroupInfo[]): void {
    this.block(BLOCK.UL_V2, encodeUserList(users, groups));
  }

  writeProcesses(processes: readonly ProcessRecord[]): void {
    if (processes.length > 0) this.block(BLOCK.PL_V9, encodeProcessList(processes));
  }

  writeFds(tid: number, fds: readonly FdInfo[]): void {
    this.block(BLOCK.FDL_V2, encodeFdList(tid, fds));
  }

  /** Writes a record as read by the reader (section headers and unknown blocks are not repeated). */
  writeRecord(r: ScapRecord): void {
    switch (r.kind) {
      case 'machine': this.writeMachineInfo(r); break;
      case 'interfaces': this.writeInterfaces(r.ipv4, r.ipv6); break;
      case 'users': this.writeUsers(r.users, r.groups); break;
      case 'processes': this.writeProcesses(r.processes); break;
      case 'fds': this.writeFds(r.tid, r.fds); break;
      case 'section': case 'unknown': break;
    }
  }

  /** Writes everything a reader collected before the first event, in its order. */
  writeHeader(header: ScapHeader): void {
    for (const r of header.records) this.writeRecord(r);
  }

  /**
   * Writes an event from a view (the reader's, or a detached copy), in the V2 layout, keeping its
   * cpu and flags. `ts` replaces the timestamp (capture synthesis, shifted replays).
   */
  writeEvent(evt: ScapEvent, ts?: bigint): void {
    this.throwIfFailed();
    const raw = evt.raw();
    // V1 events (old captures) lack the u32 nparams after the type: their raw bytes are 4 shorter.
    const v1 = raw.length !== evt.length;
    const evtLen = evt.length;
    const large = EVENT_INFO[evt.type].largePayload;
    const withFlags = evt.flags !== 0;
    const prefix = withFlags ? 6 : 2;
    const total = paddedLength(BLOCK_HEADER_SIZE + prefix + evtLen + BLOCK_TRAILER_SIZE);
    this.reserve(total);
    const dv = this.dv;
    const at = this.len;
    dv.setUint32(at, withFlags ? (large ? BLOCK.EVF_V2_LARGE : BLOCK.EVF_V2) : (large ? BLOCK.EV_V2_LARGE : BLOCK.EV_V2), true);
    dv.setUint32(at + 4, total, true);
    dv.setUint16(at + 8, evt.cpu, true);
    if (withFlags) dv.setUint32(at + 10, evt.flags, true);
    const hdr = at + BLOCK_HEADER_SIZE + prefix;
    if (v1) {
      this.buf.set(raw.subarray(0, EVT_NPARAMS), hdr);
      dv.setUint32(hdr + EVT_LEN, evtLen, true);
      dv.setUint32(hdr + EVT_NPARAMS, evt.nparams, true);
      this.buf.set(raw.subarray(EVT_HEADER_SIZE_V1), hdr + EVT_HEADER_SIZE);
    } else {
      this.buf.set(raw, hdr);
    }
    if (ts !== undefined) dv.setBigUint64(hdr + EVT_TS, ts, true);
    this.buf.fill(0, hdr + evtLen, at + total - BLOCK_TRAILER_SIZE);
    dv.setUint32(at + total - BLOCK_TRAILER_SIZE, total, true);
    this.len += total;
    this.events++;
  }

  /**
   * Writes an event given as bytes in the V2 layout (26-byte header with nparams, lengths, data),
   * e.g. produced by the live driver. The length field of the header must match the byte count.
   */
  writeRawEvent(event: Uint8Array, cpu: number, flags = 0): void {
    this.throwIfFailed();
    const view = new DataView(event.buffer, event.byteOffset, event.byteLength);
    if (event.length < EVT_HEADER_SIZE || view.getUint32(EVT_LEN, true) !== event.length) {
      throw new Error(`raw event of ${event.length} bytes does not match its header length`);
    }
    const info = EVENT_INFO[view.getUint16(EVT_TYPE, true)];
    const large = info?.largePayload ?? false;
    const prefix = flags !== 0 ? 6 : 2;
    const total = paddedLength(BLOCK_HEADER_SIZE + prefix + event.length + BLOCK_TRAILER_SIZE);
    this.reserve(total);
    const dv = this.dv;
    const at = this.len;
    dv.setUint32(at, flags !== 0 ? (large ? BLOCK.EVF_V2_LARGE : BLOCK.EVF_V2) : (large ? BLOCK.EV_V2_LARGE : BLOCK.EV_V2), true);
    dv.setUint32(at + 4, total, true);
    dv.setUint16(at + 8, cpu, true);
    if (flags !== 0) dv.setUint32(at + 10, flags, true);
    this.buf.set(event, at + BLOCK_HEADER_SIZE + prefix);
    this.buf.fill(0, at + BLOCK_HEADER_SIZE + prefix + event.length, at + total - BLOCK_TRAILER_SIZE);
    dv.setUint32(at + total - BLOCK_TRAILER_SIZE, total, true);
    this.len += total;
    this.events++;
  }

  /** Hands buffered bytes to the output now (e.g. before a pause in a live capture). */
  flush(): void {
    this.throwIfFailed();
    this.flushBuffer();
  }

  /** Writes what is buffered, ends the output and waits until it is fully written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushBuffer();
    this.closed = true;
    const finished = once(this.finalTarget, 'finish');
    this.out.end();
    await finished;
    if (this.outputError) throw this.outputError;
  }
}
