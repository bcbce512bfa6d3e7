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
import { EVT_HEADER_SIZE, EVT_LEN, EVT_NPARAMS, EVT_TID, EVT_TS, EVT_TYPE } from './format.js';
import { CONVERSION_ROWS, type ConversionRow } from './tables/conversions.js';

/** Verdict of the convertibility test (libscap's rules, in order). */
const PASS = 0;
const DROP = 1;
const CONTINUE = 2;

/** Conversions of one event in a row before giving up (libscap's bound: execve takes ~15 steps). */
const MAX_CONVERSIONS = 50;

const ROWS = new Map<number, ConversionRow>(CONVERSION_ROWS.map((r) => [r[0] * 256 + r[1], r]));

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

function verdict(type: number, nparams: number): number {
  const info = EVENT_INFO[type];
  const flags = info.flags;
  if (flags & EF.UNUSED) return DROP;
  if (!(flags & EF.CONVERTER_MANAGED)) {
    if (!(flags & EF.OLD_VERSION)) return PASS;
    // Old enter events outside the converter are dropped; old exit events are always managed.
    return info.isEnter ? DROP : PASS;
  }
  if (info.isEnter) return CONTINUE;
  // Events with more parameters than the table (a newer driver) pass as they are.
  if (flags & EF.OLD_VERSION || nparams < info.params.length) return CONTINUE;
  return PASS;
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
  len = 0;

  /** Room for an event of n bytes (the previous content is not kept). */
  ensure(n: number): void {
    if (n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < n) size *= 2;
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
}

export class EventConverter {
  readonly stats: ConverterStats = { converted: 0, withheld: 0, unconvertible: 0, missingEnter: 0 };
  /** The last stored enter event of each thread, in the current (V2) layout. */
  private readonly stored = new Map<number, Uint8Array>();
  // Two builders alternate: one holds the event being converted, the other receives the result.
  private builders = [new EventBuilder(), new EventBuilder()];
  private readonly views = [new EventView(), new EventView()];
  private readonly warned = new Set<number>();

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
      const row = ROWS.get(cur.type * 256 + cur.nparams);
      if (row === undefined) {
        this.stats.unconvertible++;
        this.warnOnce(cur.type * 256 + cur.nparams, `no conversion for ${cur.info.enumName} events with ${cur.nparams} parameters: delivered as they are`);
        return cur;
      }
      const [, , action, desired, instrs] = row;
      switch (action) {
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
      const type = action === 'change-type' ? desired! : cur.type;
      const info = EVENT_INFO[type];
      const lenWidth = info.largePayload ? 4 : 2;
      const keep = action === 'add-params' ? cur.nparams : 0;
      const nparams = keep + instrs.length;
      // Gather the parameters (kept ones, then one per instruction), then build the event.
      const params: Uint8Array[] = [];
      for (let i = 0; i < keep; i++) params.push(cur.bytes(i)!);
      let usedEnter = false;
      const enter = this.stored.get(cur.tid);
      for (let k = 0; k < instrs.length; k++) {
        const paramType = info.params[keep + k]?.type ?? PT.BYTEBUF;
        const [source, param, fallbackEmpty, callback] = instrs[k];
        let src: Uint8Array | undefined;
        if (source === 'old') {
          src = cur.bytes(param);
        } else if (source === 'enter') {
          if (enter !== undefined && new DataView(enter.buffer, enter.byteOffset).getUint16(EVT_TYPE, true) === cur.type - 1) {
            src = paramOf(enter, param);
            usedEnter = true;
          }
          if (src === undefined) this.stats.missingEnter++;
        } else if (source === 'callback') {
          src = callback === 'container-json' ? containerJson(cur) : undefined;
        } else if (source === 'default') {
          src = defaultValue(paramType);
        } else {
          src = EMPTY;
        }
        if (src === undefined) src = fallbackEmpty ? EMPTY : defaultValue(paramType);
        params.push(src);
      }
      if (usedEnter) this.stored.delete(cur.tid);

      const b = this.builders[which];
      let size = EVT_HEADER_SIZE + nparams * lenWidth;
      for (let i = 0; i < nparams; i++) {
        const cap = maxLength(info.params[i]?.type ?? PT.BYTEBUF, lenWidth);
        if (params[i].length > cap) params[i] = params[i].subarray(0, cap);
        size += params[i].length;
      }
      b.ensure(size);
      b.bytes.set(cur.buf.subarray(cur.hdr + EVT_TS, cur.hdr + EVT_TID + 8), EVT_TS);
      b.dv.setUint32(EVT_LEN, size, true);
      b.dv.setUint16(EVT_TYPE, type, true);
      b.dv.setUint32(EVT_NPARAMS, nparams, true);
      let data = EVT_HEADER_SIZE + nparams * lenWidth;
      for (let i = 0; i < nparams; i++) {
        const len = params[i].length;
        if (lenWidth === 2) b.dv.setUint16(EVT_HEADER_SIZE + 2 * i, len, true);
        else b.dv.setUint32(EVT_HEADER_SIZE + 4 * i, len, true);
        b.bytes.set(params[i], data);
        data += len;
      }
      b.len = data;
      const out = this.views[which];
      out.load(b.bytes, b.dv, 0, true, type, info, nparams, data);
      this.stats.converted++;
      cur = out;
      which ^= 1;
      v = verdict(type, nparams);
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

  private store(evt: EventView): void {
    const bytes = new Uint8Array(EVT_HEADER_SIZE + (evt.end - evt.hdr - evt.hdrSize));
    const dv = new DataView(bytes.buffer);
    bytes.set(evt.buf.subarray(evt.hdr, evt.hdr + EVT_NPARAMS), 0);
    dv.setUint32(EVT_LEN, bytes.length, true);
    dv.setUint32(EVT_NPARAMS, evt.nparams, true);
    bytes.set(evt.paramBytes(), EVT_HEADER_SIZE);
    this.stored.set(evt.tid, bytes);
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

/** The default value of a parameter type: zeros of its fixed size, UID/GID "none" (all ones). */
function defaultValue(type: number): Uint8Array {
  const size = fixedSize(type);
  const b = new Uint8Array(size);
  if (type === PT.UID || type === PT.GID) b.fill(0xff);
  return b;
}

/** Parameter `i` of a stored event in the V2 layout. */
function paramOf(event: Uint8Array, i: number): Uint8Array | undefined {
  const dv = new DataView(event.buffer, event.byteOffset, event.byteLength);
  const type = dv.getUint16(EVT_TYPE, true);
  const n = dv.getUint32(EVT_NPARAMS, true);
  if (i >= n) return undefined;
  const width = EVENT_INFO[type].largePayload ? 4 : 2;
  let at = EVT_HEADER_SIZE + n * width;
  let len = 0;
  for (let k = 0; k <= i; k++) {
    at += len;
    len = width === 2 ? dv.getUint16(EVT_HEADER_SIZE + 2 * k, true) : dv.getUint32(EVT_HEADER_SIZE + 4 * k, true);
  }
  return at + len <= event.length ? event.subarray(at, at + len) : undefined;
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
  return Buffer.from(json + '\0', 'utf8');
}
