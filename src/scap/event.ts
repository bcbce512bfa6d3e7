// The event view: one reusable object per stream that points into the bytes of the current event.
//
// LIFETIME: a view is valid until the next call to the reader's next() (or to fill()/push(), which
// may move the buffered bytes). Keep nothing from it across events except values you decoded
// (numbers, strings) or a detached() copy. The reader sets the header fields; everything else is
// decoded only when asked: parameter offsets are computed on the first parameter access, into a
// preallocated Int32Array, and strings are decoded only by str()/strList().
import type { IpAddr } from '../fields/types.js';
import { EVENT_INFO, PT, type EventInfo, type ParamInfo } from './event-table.js';
import { EVT_HEADER_SIZE, EVT_HEADER_SIZE_V1, EVT_TID, EVT_TS } from './format.js';

/** Socket families as the driver encodes them (PPM_AF_*). */
export const AF = { UNSPEC: 0, UNIX: 1, INET: 2, INET6: 10 } as const;

/** A decoded PT_SOCKADDR parameter. */
export interface SockAddr {
  readonly family: number;
  /** INET: uint32 number; INET6: 16 bytes. */
  readonly ip?: IpAddr;
  readonly port?: number;
  /** UNIX: the socket path. */
  readonly path?: string;
}

/** A decoded PT_SOCKTUPLE parameter (source → destination). */
export interface SockTuple {
  readonly family: number;
  readonly sip?: IpAddr;
  readonly sport?: number;
  readonly dip?: IpAddr;
  readonly dport?: number;
  /** UNIX: kernel socket addresses of both ends, and the path. */
  readonly source?: bigint;
  readonly dest?: bigint;
  readonly path?: string;
}

/** One entry of a PT_FDLIST parameter (poll's fds). */
export interface FdListEntry {
  readonly fd: number;
  readonly flags: number;
}

/** What consumers see of an event. See the lifetime rule at the top of this file. */
export interface ScapEvent {
  /** 1-based number of the event in the stream, counting every event delivered (evt.num). */
  readonly num: number;
  /** Event code (EVENT_CODE.*). */
  readonly type: number;
  /** The event's table entry (name, direction, category, parameter descriptions). */
  readonly info: EventInfo;
  /** Timestamp in ns since epoch as a number: ~256 ns precision at current dates; use tsBig for exact. */
  readonly ts: number;
  /** Exact timestamp (allocates a bigint; evt.rawtime). */
  readonly tsBig: bigint;
  readonly tid: number;
  /** Number of parameters the event carries (may differ from the table across versions). */
  readonly nparams: number;
  /** Event length in bytes in the current (V2) layout, header included. */
  readonly length: number;
  readonly cpu: number;
  /** Event block flags (EVF blocks), else 0. */
  readonly flags: number;
  /** Byte offset of the event's block in the (uncompressed) stream. */
  readonly blockOffset: number;
  readonly blockType: number;
  /** Whether parameter lengths overflowed the event (the parameters were clamped; counted by the reader). */
  readonly malformed: boolean;

  /** Index of a parameter by its table name, -1 if absent from this event. */
  paramIndex(name: string): number;
  /** The table description of parameter i (undefined beyond the table: newer captures). */
  paramInfo(i: number): ParamInfo | undefined;
  paramLength(i: number): number;
  /** Whether parameter i is present in the event with zero length (an "empty" parameter). */
  isEmpty(i: number): boolean;
  /** Signed integer of whatever width (1/2/4/8 bytes) the parameter has; undefined if absent/empty. */
  int(i: number): number | undefined;
  /** Unsigned integer of whatever width the parameter has. */
  uint(i: number): number | undefined;
  /** Exact 64-bit value (allocates). */
  bigint(i: number, signed?: boolean): bigint | undefined;
  double(i: number): number | undefined;
  /** A C string parameter up to its first NUL (undefined when absent or empty). */
  str(i: number): string | undefined;
  /** NUL-separated strings (args, env, cgroups). */
  strList(i: number): string[] | undefined;
  /** The parameter bytes as a subarray of the event (valid under the lifetime rule). */
  bytes(i: number): Uint8Array | undefined;
  sockaddr(i: number): SockAddr | undefined;
  socktuple(i: number): SockTuple | undefined;
  fdlist(i: number): FdListEntry[] | undefined;
  /** Parameter i decoded by its table type: the raw value behind `evt.rawarg.X`. */
  value(i: number): ParamValue | undefined;
  /** The event's bytes as stored (V1 events keep their 22-byte header). */
  raw(): Uint8Array;
  /** Byte range of the parameter-length array and data (from the first length to the event end). */
  readonly paramsOffset: number;
  /** Bytes of all parameters from the length array on: what the writer copies after the header. */
  paramBytes(): Uint8Array;
  /** An independent copy that stays valid after the stream moves on. */
  detach(): ScapEvent;
}

/** A decoded parameter: numbers, bigints for 64-bit absolute/relative times, strings, bytes, lists. */
export type ParamValue = number | bigint | string | boolean | Uint8Array | SockAddr | SockTuple | readonly FdListEntry[] | readonly string[];

const MAX_PARAMS_INITIAL = 64;

// How value() decodes each PT type (indexed by PT code): the common kinds inline, the rest in decodeTyped.
const KIND_OTHER = 0;
const KIND_SIGNED = 1;
const KIND_UNSIGNED = 2;
const KIND_STRING = 3;
const KIND_BYTES = 4;
const TYPE_KIND = new Uint8Array(PT.MAX + 1);
for (const t of [PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.ERRNO, PT.FD, PT.PID, PT.FD32, PT.PID32]) TYPE_KIND[t] = KIND_SIGNED;
for (const t of [PT.UINT8, PT.UINT16, PT.UINT32, PT.UINT64, PT.SYSCALLID, PT.SIGTYPE, PT.PORT, PT.L4PROTO, PT.SOCKFAMILY,
  PT.FLAGS8, PT.FLAGS16, PT.FLAGS32, PT.ENUMFLAGS8, PT.ENUMFLAGS16, PT.ENUMFLAGS32, PT.UID, PT.GID, PT.MODE, PT.SIGSET]) {
  TYPE_KIND[t] = KIND_UNSIGNED;
}
for (const t of [PT.CHARBUF, PT.FSPATH, PT.FSRELPATH]) TYPE_KIND[t] = KIND_STRING;
TYPE_KIND[PT.BYTEBUF] = KIND_BYTES;
void KIND_OTHER;

/**
 * Node's native UTF-8 decoder behind Buffer#toString, callable on any Uint8Array: a third faster
 * than TextDecoder on the short strings events carry. Invalid sequences become U+FFFD either way.
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice;

/** The reusable view the reader fills for every event. */
export class EventView implements ScapEvent {
  num = 0;
  type = 0;
  info: EventInfo = EVENT_INFO[0];
  ts = 0;
  tid = 0;
  nparams = 0;
  length = 0;
  cpu = 0;
  flags = 0;
  blockOffset = 0;
  blockType = 0;

  /** Current buffer and a DataView over it (replaced together by the reader on refill). */
  buf: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(new ArrayBuffer(0));
  /** Offset of the event header in buf, its size (26, or 22 for V1), the event end. */
  hdr = 0;
  hdrSize = EVT_HEADER_SIZE;
  end = 0;
  /** Bytes per parameter length: 2, or 4 for EF_LARGE_PAYLOAD events. */
  lenWidth = 2;

  /** Boundaries of the parameters (param i = [offs[i], offs[i+1])), valid when offsetsReady. */
  private offs = new Int32Array(MAX_PARAMS_INITIAL + 1);
  private offsetsReady = false;
  private malformedFlag = false;
  /** Called once per event whose parameter lengths overflow it (the reader counts them). */
  onMalformed: (() => void) | undefined = undefined;

  /** Points the view at the event whose header starts at `hdr` (called by the reader). */
  load(buf: Uint8Array, dv: DataView, hdr: number, v2: boolean, type: number, info: EventInfo, nparams: number, rawLen: number): void {
    this.buf = buf;
    this.dv = dv;
    this.hdr = hdr;
    this.hdrSize = v2 ? EVT_HEADER_SIZE : EVT_HEADER_SIZE_V1;
    this.end = hdr + rawLen;
    this.length = v2 ? rawLen : rawLen + 4;
    this.type = type;
    this.info = info;
    this.lenWidth = info.largePayload ? 4 : 2;
    this.nparams = nparams;
    this.ts = dv.getUint32(hdr + EVT_TS + 4, true) * 0x100000000 + dv.getUint32(hdr + EVT_TS, true);
    this.tid = dv.getInt32(hdr + EVT_TID + 4, true) * 0x100000000 + dv.getUint32(hdr + EVT_TID, true);
    this.offsetsReady = false;
    this.malformedFlag = false;
  }

  get tsBig(): bigint {
    return this.dv.getBigUint64(this.hdr + EVT_TS, true);
  }

  get malformed(): boolean {
    if (!this.offsetsReady) this.computeOffsets();
    return this.malformedFlag;
  }

  get paramsOffset(): number {
    return this.hdr + this.hdrSize;
  }

  private computeOffsets(): void {
    const n = this.nparams;
    if (n + 1 > this.offs.length) this.offs = new Int32Array(n + 1);
    const offs = this.offs;
    const dv = this.dv;
    const end = this.end;
    const lens = this.hdr + this.hdrSize;
    let pos = lens + n * this.lenWidth;
    if (this.lenWidth === 2) {
      for (let i = 0; i < n; i++) {
        offs[i] = pos;
        pos += dv.getUint16(lens + 2 * i, true);
      }
    } else {
      for (let i = 0; i < n; i++) {
        offs[i] = pos;
        pos += dv.getUint32(lens + 4 * i, true);
      }
    }
    offs[n] = pos;
    if (pos > end) {
      // Lengths overflow the event: clamp so no parameter reads past the event, and flag it.
      for (let i = 0; i <= n; i++) if (offs[i] > end) offs[i] = end;
      this.malformedFlag = true;
      this.onMalformed?.();
    }
    this.offsetsReady = true;
  }

  /**
   * The parameter boundaries (parameter i is bytes [offsets[i], offsets[i+1]) of `buf`), computed
   * if needed. The array is the view's own: read it before the view moves, never write it.
   */
  offsets(): Int32Array {
    if (!this.offsetsReady) this.computeOffsets();
    return this.offs;
  }

  /**
   * For an event built in place (the converter): its parameter lengths are known, so the
   * boundaries are set from them instead of being read back. `lengths[i]` for i < nparams.
   */
  presetOffsets(lengths: Int32Array): void {
    const n = this.nparams;
    if (n + 1 > this.offs.length) this.offs = new Int32Array(n + 1);
    const offs = this.offs;
    let pos = this.hdr + this.hdrSize + n * this.lenWidth;
    for (let i = 0; i < n; i++) {
      offs[i] = pos;
      pos += lengths[i]!;
    }
    offs[n] = pos;
    this.offsetsReady = true;
  }

  paramIndex(name: string): number {
    const i = this.info.paramIndex(name);
    return i < this.nparams ? i : -1;
  }

  paramInfo(i: number): ParamInfo | undefined {
    return this.info.params[i];
  }

  paramLength(i: number): number {
    if (i < 0 || i >= this.nparams) return 0;
    if (!this.offsetsReady) this.computeOffsets();
    return this.offs[i + 1] - this.offs[i];
  }

  isEmpty(i: number): boolean {
    return i >= 0 && i < this.nparams && this.paramLength(i) === 0;
  }

  /** Offset of parameter i in `buf`, or -1 when absent. */
  paramOffset(i: number): number {
    return this.start(i);
  }

  /** Start offset of parameter i, or -1 when absent. */
  private start(i: number): number {
    if (i < 0 || i >= this.nparams) return -1;
    if (!this.offsetsReady) this.computeOffsets();
    return this.offs[i];
  }

  int(i: number): number | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const dv = this.dv;
    switch (this.offs[i + 1] - s) {
      case 8: return dv.getInt32(s + 4, true) * 0x100000000 + dv.getUint32(s, true);
      case 4: return dv.getInt32(s, true);
      case 2: return dv.getInt16(s, true);
      case 1: return dv.getInt8(s);
      default: return undefined;
    }
  }

  uint(i: number): number | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const dv = this.dv;
    switch (this.offs[i + 1] - s) {
      case 8: return dv.getUint32(s + 4, true) * 0x100000000 + dv.getUint32(s, true);
      case 4: return dv.getUint32(s, true);
      case 2: return dv.getUint16(s, true);
      case 1: return dv.getUint8(s);
      default: return undefined;
    }
  }

  bigint(i: number, signed = false): bigint | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const len = this.offs[i + 1] - s;
    if (len === 8) return signed ? this.dv.getBigInt64(s, true) : this.dv.getBigUint64(s, true);
    const v = signed ? this.int(i) : this.uint(i);
    return v === undefined ? undefined : BigInt(v);
  }

  double(i: number): number | undefined {
    const s = this.start(i);
    if (s < 0 || this.offs[i + 1] - s !== 8) return undefined;
    return this.dv.getFloat64(s, true);
  }

  str(i: number): string | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const e = this.offs[i + 1];
    if (e === s) return undefined;
    const buf = this.buf;
    let z = s;
    while (z < e && buf[z] !== 0) z++;
    return utf8Slice.call(buf, s, z);
  }

  strList(i: number): string[] | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    let e = this.offs[i + 1];
    if (e === s) return [];
    if (this.buf[e - 1] === 0) e--;
    return utf8Slice.call(this.buf, s, e).split('\0');
  }

  bytes(i: number): Uint8Array | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    return this.buf.subarray(s, this.offs[i + 1]);
  }

  sockaddr(i: number): SockAddr | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const len = this.offs[i + 1] - s;
    if (len === 0) return undefined;
    const family = this.buf[s];
    const dv = this.dv;
    if (family === AF.INET && len >= 7) {
      return { family, ip: dv.getUint32(s + 1, false), port: dv.getUint16(s + 5, true) };
    }
    if (family === AF.INET6 && len >= 19) {
      return { family, ip: this.buf.slice(s + 1, s + 17), port: dv.getUint16(s + 17, true) };
    }
    if (family === AF.UNIX) {
      return { family, path: cstr(this.buf, s + 1, s + len) };
    }
    return { family };
  }

  socktuple(i: number): SockTuple | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const len = this.offs[i + 1] - s;
    if (len === 0) return undefined;
    const family = this.buf[s];
    const dv = this.dv;
    if (family === AF.INET && len >= 13) {
      return {
        family,
        sip: dv.getUint32(s + 1, false), sport: dv.getUint16(s + 5, true),
        dip: dv.getUint32(s + 7, false), dport: dv.getUint16(s + 11, true),
      };
    }
    if (family === AF.INET6 && len >= 37) {
      return {
        family,
        sip: this.buf.slice(s + 1, s + 17), sport: dv.getUint16(s + 17, true),
        dip: this.buf.slice(s + 19, s + 35), dport: dv.getUint16(s + 35, true),
      };
    }
    if (family === AF.UNIX && len >= 17) {
      return {
        family,
        source: dv.getBigUint64(s + 1, true),
        dest: dv.getBigUint64(s + 9, true),
        path: cstr(this.buf, s + 17, s + len),
      };
    }
    return { family };
  }

  fdlist(i: number): FdListEntry[] | undefined {
    const s = this.start(i);
    if (s < 0) return undefined;
    const len = this.offs[i + 1] - s;
    if (len < 2) return undefined;
    const dv = this.dv;
    const count = dv.getUint16(s, true);
    const out: FdListEntry[] = [];
    for (let k = 0, p = s + 2; k < count && p + 10 <= s + len; k++, p += 10) {
      out.push({ fd: dv.getInt32(p + 4, true) * 0x100000000 + dv.getUint32(p, true), flags: dv.getInt16(p + 8, true) });
    }
    return out;
  }

  value(i: number): ParamValue | undefined {
    if (i < 0 || i >= this.nparams) return undefined;
    if (!this.offsetsReady) this.computeOffsets();
    const s = this.offs[i];
    const e = this.offs[i + 1];
    const type = this.info.paramTypes[i];
    if (s === e || type === undefined) return undefined;
    const dv = this.dv;
    // Fast paths by kind of type; everything else goes through decodeTyped.
    switch (TYPE_KIND[type]) {
      case KIND_SIGNED:
        switch (e - s) {
          case 8: return dv.getInt32(s + 4, true) * 0x100000000 + dv.getUint32(s, true);
          case 4: return dv.getInt32(s, true);
          case 2: return dv.getInt16(s, true);
          case 1: return dv.getInt8(s);
          default: return undefined;
        }
      case KIND_UNSIGNED:
        switch (e - s) {
          case 8: return dv.getUint32(s + 4, true) * 0x100000000 + dv.getUint32(s, true);
          case 4: return dv.getUint32(s, true);
          case 2: return dv.getUint16(s, true);
          case 1: return dv.getUint8(s);
          default: return undefined;
        }
      case KIND_STRING:
        return cstr(this.buf, s, e);
      case KIND_BYTES:
        return this.buf.subarray(s, e);
      default:
        return decodeTyped(this, i, type, s, e, this.info.params[i]);
    }
  }

  raw(): Uint8Array {
    return this.buf.subarray(this.hdr, this.end);
  }

  paramBytes(): Uint8Array {
    return this.buf.subarray(this.hdr + this.hdrSize, this.end);
  }

  detach(): ScapEvent {
    const copy = new EventView();
    const bytes = this.buf.slice(this.hdr, this.end);
    copy.load(bytes, new DataView(bytes.buffer), 0, this.hdrSize === EVT_HEADER_SIZE, this.type, this.info, this.nparams, this.end - this.hdr);
    copy.num = this.num;
    copy.cpu = this.cpu;
    copy.flags = this.flags;
    copy.blockOffset = this.blockOffset;
    copy.blockType = this.blockType;
    return copy;
  }
}

function cstr(buf: Uint8Array, s: number, e: number): string {
  let z = s;
  while (z < e && buf[z] !== 0) z++;
  return utf8Slice.call(buf, s, z);
}

/** Decodes the bytes [s, e) of parameter i by PT type. */
function decodeTyped(evt: EventView, i: number, type: number, s: number, e: number, p: ParamInfo): ParamValue | undefined {
  switch (type) {
    case PT.INT8: case PT.INT16: case PT.INT32: case PT.INT64: case PT.ERRNO: case PT.FD: case PT.PID:
    case PT.FD32: case PT.PID32:
      return evt.int(i);
    case PT.UINT8: case PT.UINT16: case PT.UINT32: case PT.UINT64: case PT.SYSCALLID: case PT.SIGTYPE:
    case PT.PORT: case PT.L4PROTO: case PT.SOCKFAMILY: case PT.FLAGS8: case PT.FLAGS16: case PT.FLAGS32:
    case PT.ENUMFLAGS8: case PT.ENUMFLAGS16: case PT.ENUMFLAGS32: case PT.UID: case PT.GID: case PT.MODE:
    case PT.SIGSET:
      return evt.uint(i);
    case PT.RELTIME: case PT.ABSTIME:
      return evt.bigint(i);
    case PT.BOOL:
      return evt.uint(i) !== 0;
    case PT.DOUBLE:
      return evt.double(i);
    case PT.CHARBUF: case PT.FSPATH: case PT.FSRELPATH:
      return evt.str(i);
    case PT.BYTEBUF:
      return evt.bytes(i);
    case PT.SOCKADDR:
      return evt.sockaddr(i);
    case PT.SOCKTUPLE:
      return evt.socktuple(i);
    case PT.FDLIST:
      return evt.fdlist(i);
    case PT.IPV4ADDR:
      return e - s === 4 ? evt.dv.getUint32(s, false) : undefined;
    case PT.IPV6ADDR:
      return e - s === 16 ? evt.buf.slice(s, e) : undefined;
    case PT.IPADDR:
      return e - s === 4 ? evt.dv.getUint32(s, false) : e - s === 16 ? evt.buf.slice(s, e) : undefined;
    case PT.DYN: {
      const variant = p.dynamic?.[evt.buf[s]];
      if (variant === undefined) return evt.bytes(i);
      // The value follows the selector byte: decode it as a sub-parameter of the variant's type.
      return decodeDynamic(evt, s + 1, e, variant.type);
    }
    default:
      return evt.bytes(i);
  }
}

function decodeDynamic(evt: EventView, s: number, e: number, type: number): ParamValue | undefined {
  const dv = evt.dv;
  const len = e - s;
  switch (type) {
    case PT.INT64: case PT.ERRNO: case PT.FD: case PT.PID:
      return len === 8 ? dv.getInt32(s + 4, true) * 0x100000000 + dv.getUint32(s, true) : undefined;
    case PT.UINT64:
      return len === 8 ? dv.getUint32(s + 4, true) * 0x100000000 + dv.getUint32(s, true) : undefined;
    case PT.UINT32:
      return len === 4 ? dv.getUint32(s, true) : undefined;
    case PT.SIGTYPE:
      return len >= 1 ? evt.buf[s] : undefined;
    case PT.RELTIME:
      return len === 8 ? dv.getBigUint64(s, true) : undefined;
    case PT.CHARBUF:
      return cstr(evt.buf, s, e);
    default:
      return evt.buf.subarray(s, e);
  }
}
