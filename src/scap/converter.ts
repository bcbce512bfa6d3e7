// Converts events of older layouts to the current ones, as Falco 0.44's capture reader (libscap's
// savefile converter) does, so that consumers handle one layout per event: current exit events
// carry the enter event's parameters, old event versions become their current type, parameters
// added since are appended (empty or with their default value). Enter events that only fed an
// exit event are kept aside and not delivered, which is why Falco numbers the events of old
// captures differently from sysdig.
//
// Decisions follow the generated table (tables/conversions.ts) keyed by (event code, parameter
// count). Where libscap gives up on the whole capture (no table entry, an enter event of another
// type), Peregrine delivers the event as it is and counts it instead.
import { EF, EVENT_CODE, EVENT_INFO, PT } from './event-table.js';
import { EventView } from './event.js';
import { EVT_HEADER_SIZE, EVT_LEN, EVT_NPARAMS, EVT_TS, EVT_TYPE } from './format.js';
import { CONVERSION_ROWS, type ConversionRow } from './tables/conversions.js';

/** Verdict of the convertibility test (libscap's rules, in order). */
const PASS = 0;
const DROP = 1;
const CONTINUE = 2;

/** Slots of exited threads kept for reuse. */
const SPARE_SLOTS = 64;

/** Conversions of one event in a row before giving up (libscap's bound: execve takes ~15 steps). */
const MAX_CONVERSIONS = 50;

// Instructions as small numbers for the hot path.
const FROM_OLD = 0;
const FROM_ENTER = 1;
const FROM_DEFAULT = 2;
const FROM_EMPTY = 3;
const FROM_CALLBACK = 4;
const INSTR_CODES: Record<string, number> = { old: FROM_OLD, enter: FROM_ENTER, default: FROM_DEFAULT, empty: FROM_EMPTY, callback: FROM_CALLBACK };

// Actions as small numbers for the hot path.
const ACT_PASS = 0;
const ACT_STORE = 1;
const ACT_STORE_AND_PASS = 2;
const ACT_BUILD = 3; // add-params and change-type: a new event is built
const ACTION_CODES: Record<ConversionRow[2], number> = {
  pass: ACT_PASS, store: ACT_STORE, 'store-and-pass': ACT_STORE_AND_PASS, 'add-params': ACT_BUILD, 'change-type': ACT_BUILD,
};

/**
 * One row of the table, with what does not depend on the event worked out once: the table is
 * keyed by (code, parameter count), so the layout of the built event is fixed per row.
 */
interface Conversion {
  action: number;
  /** Event code after the conversion. */
  type: number;
  /** Parameters of the old event copied first (add-params: all of them), before the instructions. */
  keep: number;
  /** Parameters of the built event: keep + instructions. */
  nparams: number;
  /** Bytes per parameter length in the built event. */
  lenWidth: number;
  /** Largest length of each built parameter (longer sources are cut; lengths fit an int32 anyway). */
  caps: Int32Array;
  source: Uint8Array;
  param: Uint8Array;
  /** Per instruction, the value used when its source is missing (or for `default`), and its DataView. */
  missing: Uint8Array[];
  missingDv: DataView[];
  callback: (string | undefined)[];
}

/** Byte size of fixed-size parameter types (their default value's size), 0 for variable ones. */
function fixedSize(type: number): number {
  switch (type) {
    case PT.INT8: case PT.UINT8: case PT.FLAGS8: case PT.ENUMFLAGS8: case PT.SIGTYPE:
      return 1;
    case PT.INT16: case PT.UINT16: case PT.FLAGS16: case PT.ENUMFLAGS16: case PT.SYSCALLID: case PT.PORT:
      return 2;
    case PT.INT32: case PT.UINT32: case PT.FLAGS32: case PT.ENUMFLAGS32: case PT.UID: case PT.GID: case PT.MODE:
    case PT.SIGSET: case PT.FD32: case PT.PID32: case PT.IPV4ADDR:
      return 4;
    case PT.INT64: case PT.UINT64: case PT.RELTIME: case PT.ABSTIME: case PT.ERRNO: case PT.FD: case PT.PID:
      return 8;
    case PT.IPV6ADDR:
      return 16;
    default:
      return 0;
  }
}

/** Largest length a parameter of this type may have in an event with `lenWidth`-byte lengths. */
function maxLength(type: number, lenWidth: number): number {
  const fixed = fixedSize(type);
  if (fixed > 0) return fixed;
  return lenWidth === 2 ? 0xffff : 0xffffffff;
}

/** Per event code, the largest length of each of its parameters (conversions cap what they copy). */
const PARAM_MAX_LEN: Float64Array[] = EVENT_INFO.map((info) =>
  Float64Array.from(info.params, (p) => maxLength(p.type, info.largePayload ? 4 : 2)));

/**
 * Copies bytes between event buffers: 4 at a time through their DataViews for the short runs
 * parameters mostly are, one native copy for long ones (a subarray costs more than it saves below
 * that).
 */
function copyBytes(dst: Uint8Array, dstDv: DataView, at: number, src: Uint8Array, srcDv: DataView, from: number, len: number): void {
  if (len > 128) {
    dst.set(src.subarray(from, from + len), at);
    return;
  }
  let k = 0;
  for (; k + 4 <= len; k += 4) dstDv.setUint32(at + k, srcDv.getUint32(from + k, true), true);
  for (; k < len; k++) dst[at + k] = src[from + k];
}

const EMPTY = new Uint8Array(0);
const EMPTY_DV = new DataView(EMPTY.buffer);

/** The default value of each parameter type: zeros of its fixed size, UID/GID "none" (all ones). */
const DEFAULTS: Uint8Array[] = [];
for (let t = 0; t <= PT.MAX; t++) {
  DEFAULTS[t] = new Uint8Array(fixedSize(t)).fill(t === PT.UID || t === PT.GID ? 0xff : 0);
}
/** DataViews of the default values (and of EMPTY), for copyBytes. */
const DEFAULT_DVS = new Map<Uint8Array, DataView>([...DEFAULTS, EMPTY].map((d) => [d, new DataView(d.buffer)]));

// Per event code: the verdict for events carrying the table's parameter count or more, and that count.
const VERDICT_CURRENT = new Uint8Array(EVENT_INFO.length);
const VERDICT_FEWER = new Uint8Array(EVENT_INFO.length);
for (const info of EVENT_INFO) {
  const f = info.flags;
  let current: number;
  let fewer: number;
  if (f & EF.UNUSED) {
    current = fewer = DROP;
  } else if (!(f & EF.CONVERTER_MANAGED)) {
    // Old enter events outside the converter are dropped; old exit events are always managed.
    current = fewer = f & EF.OLD_VERSION && info.isEnter ? DROP : PASS;
  } else if (info.isEnter || f & EF.OLD_VERSION) {
    current = fewer = CONTINUE;
  } else {
    // Events with more parameters than the table (a newer driver) pass as they are.
    current = PASS;
    fewer = CONTINUE;
  }
  VERDICT_CURRENT[info.code] = current;
  VERDICT_FEWER[info.code] = fewer;
}

/** Parameter count of each event code in the table. */
const TABLE_NPARAMS = Uint16Array.from(EVENT_INFO, (info) => info.params.length);

function verdict(type: number, nparams: number): number {
  return nparams < TABLE_NPARAMS[type] ? VERDICT_FEWER[type] : VERDICT_CURRENT[type];
}

/** Parameter counts the table is indexed by are below this (libscap's rows go up to 30). */
const MAX_ROW_PARAMS = 64;
/** The table as one dense array indexed by code * MAX_ROW_PARAMS + parameter count. */
const CONVERSIONS: (Conversion | undefined)[] = new Array<Conversion | undefined>(EVENT_INFO.length * MAX_ROW_PARAMS).fill(undefined);

function conversionOf(code: number, nparams: number): Conversion | undefined {
  return nparams < MAX_ROW_PARAMS ? CONVERSIONS[code * MAX_ROW_PARAMS + nparams] : undefined;
}
for (const [code, nparams, action, desired, instrs] of CONVERSION_ROWS) {
  const type = action === 'change-type' ? desired! : code;
  const info = EVENT_INFO[type];
  const lenWidth = info.largePayload ? 4 : 2;
  const keep = action === 'add-params' ? nparams : 0;
  const total = keep + instrs.length;
  const caps = PARAM_MAX_LEN[type];
  const missing = instrs.map((x, k) => (x[0] !== 'default' && x[2] ? EMPTY : DEFAULTS[info.params[keep + k]?.type ?? PT.BYTEBUF]));
  if (nparams >= MAX_ROW_PARAMS) throw new Error(`conversion table row ${code}/${nparams}: too many parameters`);
  CONVERSIONS[code * MAX_ROW_PARAMS + nparams] = {
    action: ACTION_CODES[action],
    type,
    keep,
    nparams: total,
    lenWidth,
    caps: Int32Array.from({ length: total }, (_, i) => Math.min(i < caps.length ? caps[i] : maxLength(PT.BYTEBUF, lenWidth), 0x7fffffff)),
    source: Uint8Array.from(instrs, (x) => INSTR_CODES[x[0]]),
    param: Uint8Array.from(instrs, (x) => x[1]),
    // A missing source (or an explicit default): the type's default value, or empty if flagged.
    missing,
    missingDv: missing.map((d) => DEFAULT_DVS.get(d)!),
    callback: instrs.map((x) => x[3]),
  };
}

export interface ConverterStats {
  /** Events rewritten to a current layout. */
  converted: number;
  /** Enter events kept for their exit event, and unused or obsolete events: not delivered. */
  withheld: number;
  /** Events with no conversion in the table, delivered as they were (libscap would stop there). */
  unconvertible: number;
  /** Exit events whose stored enter event was missing or of another type: parameters left empty/default. */
  missingEnter: number;
}

/** A buffer for building one event. */
class EventBuilder {
  bytes = new Uint8Array(1024);
  dv = new DataView(this.bytes.buffer);
  /** The same bytes as 16-bit words: the 2-byte parameter lengths start at an even offset. */
  words = new Uint16Array(this.bytes.buffer);

  /** Room for an event of n bytes (the previous content is not kept). */
  ensure(n: number): void {
    if (n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < n) size *= 2;
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
    this.words = new Uint16Array(this.bytes.buffer);
  }
}

/** Words of a Uint16Array are little-endian (as the scap format) on this machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the first 2-byte parameter length in EventBuilder.words. */
const LENGTHS_WORD = EVT_HEADER_SIZE / 2;

/** The enter event a thread is in, kept in the V2 layout until its exit event takes its parameters. */
class StoredEnter extends EventBuilder {
  /** Event code, or -1 when the slot is free. */
  type = -1;
  nparams = 0;
  /** Parameter boundaries: parameter i is bytes[offs[i], offs[i+1]). */
  offs = new Int32Array(33);
}

export class EventConverter {
  readonly stats: ConverterStats = { converted: 0, withheld: 0, unconvertible: 0, missingEnter: 0 };
  /** Per thread, the slot of its last enter event (reused from one syscall to the next). */
  private readonly stored = new Map<number, StoredEnter>();
  // Two builders alternate: one holds the event being converted, the other receives the result.
  private readonly builders = [new EventBuilder(), new EventBuilder()];
  private readonly views = [new EventView(), new EventView()];
  private readonly warned = new Set<number>();
  /** Slots of exited threads, for reuse. */
  private readonly spare: StoredEnter[] = [];
  // The last slot looked up: an exit event mostly follows its enter event directly.
  private lastTid = -1;
  private lastSlot: StoredEnter | undefined = undefined;
  // Sources of the parameters of the event being built: buffer and its DataView, start, length.
  private readonly srcBuf: Uint8Array[] = [];
  private readonly srcDv: DataView[] = [];
  private srcStart = new Int32Array(64);
  private srcLen = new Int32Array(64);

  constructor(private readonly onWarning: (message: string) => void = () => undefined) {}

  /**
   * The event as Falco 0.44 sees it: the input view itself, a view of the converted event (valid
   * under the same lifetime rule), or null when the event is not delivered.
   */
  process(evt: EventView): EventView | null {
    const type = evt.type;
    // A thread's exit ends any syscall it had entered: drop what was kept for it (bounded memory).
    if (type === EVENT_CODE.PROCEXIT_1_E || type === EVENT_CODE.PROCEXIT_E) this.release(evt.tid);
    let v = verdict(type, evt.nparams);
    if (v === PASS) return evt;
    if (v === DROP) {
      this.stats.withheld++;
      return null;
    }
    let cur = evt;
    let which = 0;
    for (let n = 0; n < MAX_CONVERSIONS; n++) {
      const conv = conversionOf(cur.type, cur.nparams);
      if (conv === undefined) {
        this.stats.unconvertible++;
        this.warnOnce(cur.type * 256 + cur.nparams, `no conversion for ${cur.info.enumName} events with ${cur.nparams} parameters: delivered as they are`);
        return cur;
      }
      switch (conv.action) {
        case ACT_STORE:
          this.store(cur);
          this.stats.withheld++;
          return null;
        case ACT_PASS:
          return cur === evt ? evt : this.finish(cur, evt);
        case ACT_STORE_AND_PASS:
          this.store(cur);
          return cur === evt ? evt : this.finish(cur, evt);
        default:
          break;
      }
      cur = this.build(cur, conv, which);
      which ^= 1;
      this.stats.converted++;
      v = verdict(cur.type, cur.nparams);
      if (v === PASS) return this.finish(cur, evt);
      if (v === DROP) {
        this.stats.withheld++;
        return null;
      }
    }
    this.stats.unconvertible++;
    this.warnOnce(-1, `conversion of a ${evt.info.enumName} event did not settle after ${MAX_CONVERSIONS} steps`);
    return evt;
  }

  /** Builds the converted event into builders[which] and returns a view of it. */
  private build(cur: EventView, conv: Conversion, which: number): EventView {
    const type = conv.type;
    const lenWidth = conv.lenWidth;
    const keep = conv.keep;
    const ninstr = conv.source.length;
    const nparams = conv.nparams;
    if (nparams > this.srcStart.length) {
      this.srcStart = new Int32Array(nparams);
      this.srcLen = new Int32Array(nparams);
    }
    const srcBuf = this.srcBuf;
    const srcDv = this.srcDv;
    const srcStart = this.srcStart;
    const srcLen = this.srcLen;
    const curOffs = cur.offsets();
    const curBuf = cur.buf;
    const curDv = cur.dv;
    // Kept parameters are contiguous in the old event: copied below as one block.
    for (let i = 0; i < keep; i++) {
      srcStart[i] = curOffs[i]!;
      srcLen[i] = curOffs[i + 1]! - curOffs[i]!;
    }
    const keptFrom = keep > 0 ? srcStart[0]! : 0;
    let enter = this.slotOf(cur.tid);
    if (enter !== undefined && enter.type !== cur.type - 1) enter = undefined;
    let usedEnter = false;
    const source = conv.source;
    const param = conv.param;
    for (let k = 0; k < ninstr; k++) {
      const i = keep + k;
      const p = param[k]!;
      switch (source[k]) {
        case FROM_OLD:
          if (p < cur.nparams) {
            srcBuf[i] = curBuf;
            srcDv[i] = curDv;
            srcStart[i] = curOffs[p]!;
            srcLen[i] = curOffs[p + 1]! - curOffs[p]!;
            continue;
          }
          break;
        case FROM_ENTER:
          if (enter !== undefined && p < enter.nparams) {
            srcBuf[i] = enter.bytes;
            srcDv[i] = enter.dv;
            srcStart[i] = enter.offs[p]!;
            srcLen[i] = enter.offs[p + 1]! - enter.offs[p]!;
            usedEnter = true;
            continue;
          }
          this.stats.missingEnter++;
          break;
        case FROM_CALLBACK: {
          const value = conv.callback[k] === 'container-json' ? containerJson(cur) : undefined;
          if (value !== undefined) {
            srcBuf[i] = value;
            srcDv[i] = new DataView(value.buffer, value.byteOffset, value.byteLength);
            srcStart[i] = 0;
            srcLen[i] = value.length;
            continue;
          }
          break;
        }
        case FROM_EMPTY:
          srcBuf[i] = EMPTY;
          srcDv[i] = EMPTY_DV;
          srcStart[i] = 0;
          srcLen[i] = 0;
          continue;
        default: // FROM_DEFAULT
          break;
      }
      // Missing source, or an explicit default.
      const def = conv.missing[k]!;
      srcBuf[i] = def;
      srcDv[i] = conv.missingDv[k]!;
      srcStart[i] = 0;
      srcLen[i] = def.length;
    }

    const caps = conv.caps;
    const dataStart = EVT_HEADER_SIZE + nparams * lenWidth;
    let size = dataStart;
    for (let i = 0; i < nparams; i++) {
      if (srcLen[i]! > caps[i]!) srcLen[i] = caps[i]!;
      size += srcLen[i]!;
    }
    const b = this.builders[which]!;
    b.ensure(size);
    const bytes = b.bytes;
    const dv = b.dv;
    // ts and tid as they were
    for (let w = 0; w < 16; w += 4) dv.setUint32(EVT_TS + w, curDv.getUint32(cur.hdr + EVT_TS + w, true), true);
    dv.setUint32(EVT_LEN, size, true);
    dv.setUint16(EVT_TYPE, type, true);
    dv.setUint32(EVT_NPARAMS, nparams, true);
    let keptLen = 0;
    for (let i = 0; i < keep; i++) keptLen += srcLen[i]!;
    let data = dataStart + keptLen;
    if (lenWidth === 2 && LITTLE_ENDIAN) {
      const words = b.words;
      for (let i = 0; i < nparams; i++) words[LENGTHS_WORD + i] = srcLen[i]!;
    } else if (lenWidth === 2) {
      for (let i = 0; i < nparams; i++) dv.setUint16(EVT_HEADER_SIZE + 2 * i, srcLen[i]!, true);
    } else {
      for (let i = 0; i < nparams; i++) dv.setUint32(EVT_HEADER_SIZE + 4 * i, srcLen[i]!, true);
    }
    if (keep > 0) copyBytes(bytes, dv, dataStart, curBuf, curDv, keptFrom, keptLen);
    for (let i = keep; i < nparams; i++) {
      const len = srcLen[i]!;
      copyBytes(bytes, dv, data, srcBuf[i]!, srcDv[i]!, srcStart[i]!, len);
      data += len;
    }
    if (usedEnter) enter!.type = -1; // the enter event is consumed
    const out = this.views[which]!;
    out.load(bytes, dv, 0, true, type, EVENT_INFO[type], nparams, size);
    out.presetOffsets(srcLen);
    return out;
  }

  /** The slot of a thread, if it has one. */
  private slotOf(tid: number): StoredEnter | undefined {
    if (tid === this.lastTid) return this.lastSlot;
    const slot = this.stored.get(tid);
    this.lastTid = tid;
    this.lastSlot = slot;
    return slot;
  }

  /** Frees the slot of an exited thread, keeping a few for new threads (a buffer is costly to make). */
  private release(tid: number): void {
    const slot = this.stored.get(tid);
    if (slot === undefined) return;
    this.stored.delete(tid);
    if (tid === this.lastTid) this.lastSlot = undefined;
    if (this.spare.length < SPARE_SLOTS) {
      slot.type = -1;
      this.spare.push(slot);
    }
  }

  /** Keeps an enter event (V2 layout) in its thread's slot until the exit event takes it. */
  private store(evt: EventView): void {
    let slot = this.slotOf(evt.tid);
    if (slot === undefined) {
      slot = this.spare.pop() ?? new StoredEnter();
      this.stored.set(evt.tid, slot);
      this.lastSlot = slot;
    }
    const n = evt.nparams;
    const offs = evt.offsets();
    const paramsStart = evt.hdr + evt.hdrSize;
    const paramBytes = evt.end - paramsStart;
    slot.ensure(EVT_HEADER_SIZE + paramBytes);
    if (n + 1 > slot.offs.length) slot.offs = new Int32Array(n + 1);
    copyBytes(slot.bytes, slot.dv, EVT_HEADER_SIZE, evt.buf, evt.dv, paramsStart, paramBytes);
    // The same boundaries, relative to the slot's copy.
    const shift = EVT_HEADER_SIZE - paramsStart;
    for (let i = 0; i <= n; i++) slot.offs[i] = offs[i]! + shift;
    slot.type = evt.type;
    slot.nparams = n;
  }

  private finish(out: EventView, from: EventView): EventView {
    out.cpu = from.cpu;
    out.flags = from.flags;
    out.blockOffset = from.blockOffset;
    out.blockType = from.blockType;
    return out;
  }

  private warnOnce(key: number, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning(message);
  }

  /** Number of threads with a stored enter event (for memory accounting). */
  get storedEvents(): number {
    return this.stored.size;
  }
}


/** The old container event (id, type, name, image) as the JSON its successor carries. */
function containerJson(evt: EventView): Uint8Array | undefined {
  if (evt.type !== EVENT_CODE.CONTAINER_E || evt.nparams < 4) return undefined;
  const id = evt.str(0) ?? '';
  const type = evt.uint(1);
  const name = evt.str(2) ?? '';
  const image = evt.str(3) ?? '';
  if (type === undefined) return undefined;
  // Same text as libscap builds (strings are inserted without escaping there too).
  const json = `{"id":"${id}","type":${type},"name":"${name}","image":"${image}"}`;
  return new Uint8Array(Buffer.from(json + '\0', 'utf8'));
}
