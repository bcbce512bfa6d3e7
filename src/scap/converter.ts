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

/** Conversions of one event in a row before giving up (libscap's bound: execve takes ~15 steps). */
const MAX_CONVERSIONS = 50;

// Instructions as small numbers for the hot path.
const FROM_OLD = 0;
const FROM_ENTER = 1;
const FROM_DEFAULT = 2;
const FROM_EMPTY = 3;
const FROM_CALLBACK = 4;
const INSTR_CODES: Record<string, number> = { old: FROM_OLD, enter: FROM_ENTER, default: FROM_DEFAULT, empty: FROM_EMPTY, callback: FROM_CALLBACK };

interface Conversion {
  action: ConversionRow[2];
  /** Event code after the conversion. */
  type: number;
  /** Parameters copied from the old event before the instructions (add-params), else 0. */
  keep: boolean;
  source: Uint8Array;
  param: Uint8Array;
  fallbackEmpty: Uint8Array;
  callback: (string | undefined)[];
}

/** CONVERSIONS[code][nparams]: the table, indexed for the hot path. */
const CONVERSIONS: (Conversion | undefined)[][] = [];
for (const [code, nparams, action, desired, instrs] of CONVERSION_ROWS) {
  (CONVERSIONS[code] ??= [])[nparams] = {
    action,
    type: action === 'change-type' ? desired! : code,
    keep: action === 'add-params',
    source: Uint8Array.from(instrs, (x) => INSTR_CODES[x[0]]),
    param: Uint8Array.from(instrs, (x) => x[1]),
    fallbackEmpty: Uint8Array.from(instrs, (x) => (x[2] ? 1 : 0)),
    callback: instrs.map((x) => x[3]),
  };
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

/** Copies bytes; short runs (most parameters are 8 bytes) by hand, avoiding a subarray object. */
function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, from: number, len: number): void {
  if (len <= 16) {
    for (let k = 0; k < len; k++) dst[at + k] = src[from + k];
  } else {
    dst.set(src.subarray(from, from + len), at);
  }
}

/** The default value of each parameter type: zeros of its fixed size, UID/GID "none" (all ones). */
const DEFAULTS: Uint8Array[] = [];
for (let t = 0; t <= PT.MAX; t++) {
  DEFAULTS[t] = new Uint8Array(fixedSize(t)).fill(t === PT.UID || t === PT.GID ? 0xff : 0);
}

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

function verdict(type: number, nparams: number): number {
  return nparams < EVENT_INFO[type].params.length ? VERDICT_FEWER[type] : VERDICT_CURRENT[type];
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

  /** Room for an event of n bytes (the previous content is not kept). */
  ensure(n: number): void {
    if (n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < n) size *= 2;
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
}

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
  // Sources of the parameters of the event being built: buffer, start, length (reused).
  private readonly srcBuf: Uint8Array[] = [];
  private srcStart = new Int32Array(64);
  private srcLen = new Int32Array(64);

  constructor(private readonly onWarning: (message: string) => void = () => undefined) {}

  /**
   * The event as Falco 0.44 sees it: the input view itself, a view of the converted event (valid
   * under the same lifetime rule), or null when the event is not delivered.
   */
  process(evt: EventView): EventView | null {
    // A thread's exit ends any syscall it had entered: drop what was kept for it (bounded memory).
    if (evt.type === EVENT_CODE.PROCEXIT_1_E || evt.type === EVENT_CODE.PROCEXIT_E) this.stored.delete(evt.tid);
    let v = verdict(evt.type, evt.nparams);
    if (v === PASS) return evt;
    if (v === DROP) {
      this.stats.withheld++;
      return null;
    }
    let cur = evt;
    let which = 0;
    for (let n = 0; n < MAX_CONVERSIONS; n++) {
      const conv = CONVERSIONS[cur.type]?.[cur.nparams];
      if (conv === undefined) {
        this.stats.unconvertible++;
        this.warnOnce(cur.type * 256 + cur.nparams, `no conversion for ${cur.info.enumName} events with ${cur.nparams} parameters: delivered as they are`);
        return cur;
      }
      switch (conv.action) {
        case 'store':
          this.store(cur);
          this.stats.withheld++;
          return null;
        case 'pass':
          return cur === evt ? evt : this.finish(cur, evt);
        case 'store-and-pass':
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
    const info = EVENT_INFO[type];
    const lenWidth = info.largePayload ? 4 : 2;
    const keep = conv.keep ? cur.nparams : 0;
    const ninstr = conv.source.length;
    const nparams = keep + ninstr;
    if (nparams > this.srcStart.length) {
      this.srcStart = new Int32Array(nparams);
      this.srcLen = new Int32Array(nparams);
    }
    const srcBuf = this.srcBuf;
    const srcStart = this.srcStart;
    const srcLen = this.srcLen;
    for (let i = 0; i < keep; i++) {
      srcBuf[i] = cur.buf;
      srcStart[i] = cur.paramOffset(i);
      srcLen[i] = cur.paramLength(i);
    }
    // Kept parameters are contiguous in the old event: copied below as one block.
    const keptFrom = keep > 0 ? srcStart[0] : 0;
    let enter = this.stored.get(cur.tid);
    if (enter !== undefined && enter.type !== cur.type - 1) enter = undefined;
    let usedEnter = false;
    for (let k = 0; k < ninstr; k++) {
      const i = keep + k;
      const param = conv.param[k];
      let found = true;
      switch (conv.source[k]) {
        case FROM_OLD:
          if (param < cur.nparams) {
            srcBuf[i] = cur.buf;
            srcStart[i] = cur.paramOffset(param);
            srcLen[i] = cur.paramLength(param);
          } else {
            found = false;
          }
          break;
        case FROM_ENTER:
          if (enter !== undefined && param < enter.nparams) {
            srcBuf[i] = enter.bytes;
            srcStart[i] = enter.offs[param];
            srcLen[i] = enter.offs[param + 1] - enter.offs[param];
            usedEnter = true;
          } else {
            found = false;
            this.stats.missingEnter++;
          }
          break;
        case FROM_CALLBACK: {
          const value = conv.callback[k] === 'container-json' ? containerJson(cur) : undefined;
          if (value !== undefined) {
            srcBuf[i] = value;
            srcStart[i] = 0;
            srcLen[i] = value.length;
          } else {
            found = false;
          }
          break;
        }
        case FROM_DEFAULT:
          found = false;
          break;
        default:
          srcBuf[i] = EMPTY;
          srcStart[i] = 0;
          srcLen[i] = 0;
          break;
      }
      if (!found) {
        // Missing source (or an explicit default): the type's default value, or empty if flagged.
        const def = conv.source[k] !== FROM_DEFAULT && conv.fallbackEmpty[k] ? EMPTY : DEFAULTS[info.params[i]?.type ?? PT.BYTEBUF];
        srcBuf[i] = def;
        srcStart[i] = 0;
        srcLen[i] = def.length;
      }
    }

    const b = this.builders[which];
    let size = EVT_HEADER_SIZE + nparams * lenWidth;
    const caps = PARAM_MAX_LEN[type];
    for (let i = 0; i < nparams; i++) {
      const cap = i < caps.length ? caps[i] : maxLength(PT.BYTEBUF, lenWidth);
      if (srcLen[i] > cap) srcLen[i] = cap;
      size += srcLen[i];
    }
    b.ensure(size);
    const bytes = b.bytes;
    const dv = b.dv;
    // ts and tid as they were
    const cdv = cur.dv;
    for (let w = 0; w < 16; w += 4) dv.setUint32(EVT_TS + w, cdv.getUint32(cur.hdr + EVT_TS + w, true), true);
    dv.setUint32(EVT_LEN, size, true);
    dv.setUint16(EVT_TYPE, type, true);
    dv.setUint32(EVT_NPARAMS, nparams, true);
    const dataStart = EVT_HEADER_SIZE + nparams * lenWidth;
    let data = dataStart;
    for (let i = 0; i < nparams; i++) {
      const len = srcLen[i];
      if (lenWidth === 2) dv.setUint16(EVT_HEADER_SIZE + 2 * i, len, true);
      else dv.setUint32(EVT_HEADER_SIZE + 4 * i, len, true);
      if (i >= keep) copyBytes(bytes, data, srcBuf[i], srcStart[i], len);
      data += len;
    }
    if (keep > 0) {
      let keptLen = 0;
      for (let i = 0; i < keep; i++) keptLen += srcLen[i];
      copyBytes(bytes, dataStart, cur.buf, keptFrom, keptLen);
    }
    if (usedEnter) enter!.type = -1; // the enter event is consumed
    const out = this.views[which];
    out.load(bytes, dv, 0, true, type, info, nparams, size);
    return out;
  }

  /** Keeps an enter event (V2 layout) in its thread's slot until the exit event takes it. */
  private store(evt: EventView): void {
    let slot = this.stored.get(evt.tid);
    if (slot === undefined) {
      slot = new StoredEnter();
      this.stored.set(evt.tid, slot);
    }
    const n = evt.nparams;
    const paramBytes = evt.end - (evt.hdr + evt.hdrSize);
    slot.ensure(EVT_HEADER_SIZE + paramBytes);
    if (n + 1 > slot.offs.length) slot.offs = new Int32Array(n + 1);
    copyBytes(slot.bytes, EVT_HEADER_SIZE, evt.buf, evt.hdr + evt.hdrSize, paramBytes);
    let off = EVT_HEADER_SIZE + n * evt.lenWidth;
    for (let i = 0; i < n; i++) {
      slot.offs[i] = off;
      off += evt.paramLength(i);
    }
    slot.offs[n] = off;
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

const EMPTY = new Uint8Array(0);

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
