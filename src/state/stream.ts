// Turns a stream of scap events into stateful syscall events, as Falco 0.44 processes a capture:
// seed the state from the capture's initial lists, convert old event layouts with libscap's
// converter (src/scap/converter.ts; the enter events it withholds are still shown, as Dropped),
// number the events that reach the state engine, attach thread and fd, update the state, and tell
// which events Falco gives to its rules.
import { EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO, EC, EF, ppmScName, syscallByNumber } from '../scap/event-table.js';
import { EventView, type ScapEvent } from '../scap/event.js';
import { EVT_HEADER_SIZE, EVT_HEADER_SIZE_V1, EVT_LEN, EVT_NPARAMS, EVT_TYPE } from '../scap/format.js';
import type { ScapHeader } from '../scap/reader.js';
import { EventConverter, type ConverterStats } from '../scap/converter.js';
import { StateParser, enterFdParam, exitFdParam } from './parser.js';
import type { EventParams } from './params.js';
import { SystemState, type SystemStateOptions } from './system-state.js';
import { Delivery, SyscallEvent, ViewParams, type StreamInfo } from './syscall-event.js';
import { log } from '../util/log.js';
import type { BufferFormat } from '../fields/render.js';

/** Events at the start of a capture that libsinsp consumes while opening it (never given to rules). */
const INITIAL_STATE_EVENTS: ReadonlySet<number> = new Set([
  EVENT_CODE.CONTAINER_JSON_2_E, EVENT_CODE.USER_ADDED_E, EVENT_CODE.USER_DELETED_E,
  EVENT_CODE.GROUP_ADDED_E, EVENT_CODE.GROUP_DELETED_E, EVENT_CODE.ASYNCEVENT_E,
]);

/**
 * Enter events libsinsp keeps for their exit and then filters out: they are numbered and parsed
 * but Falco's rules never see them.
 */
const STATE_ONLY_ENTER_EVENTS: ReadonlySet<number> = new Set([
  EVENT_CODE.SYSCALL_OPEN_E, EVENT_CODE.SYSCALL_OPENAT_2_E, EVENT_CODE.SYSCALL_OPENAT2_E,
  EVENT_CODE.SYSCALL_CREAT_E, EVENT_CODE.SOCKET_CONNECT_E, EVENT_CODE.SYSCALL_EXECVE_19_E,
  EVENT_CODE.SYSCALL_EXECVEAT_E,
]);

/** Counters of a stream, for metrics and the end-of-run summary. */
/** STATE_ONLY_ENTER_EVENTS by event code. */
const STATE_ONLY_ENTER = new Uint8Array(EVENT_CODE_COUNT);
for (const code of STATE_ONLY_ENTER_EVENTS) STATE_ONLY_ENTER[code] = 1;

export class StreamCounters {
  /** Events read from the input. */
  read = 0;
  /** Events that reached the state engine (the last evt.num). */
  processed = 0;
  /** Events given to rules. */
  forRules = 0;
  /** Old-format events converted to the current layout. */
  converted = 0;
  /** Enter events the converter kept aside (old captures; not numbered). */
  droppedByConverter = 0;
  /**
   * The converter's own counters: `unconvertible` events (no conversion known: passed on as they
   * are, where Falco stops reading) and exits whose enter event was `missingEnter`.
   */
  converter: ConverterStats = { converted: 0, withheld: 0, unconvertible: 0, missingEnter: 0 };
  /** Events by event code; generic events by syscall (ppm_sc code * 2 + exit) in genericCounts. */
  readonly typeCounts = new Float64Array(EVENT_CODE_COUNT);
  /** Generic events by key + 1 (key -1: no syscall ID). */
  readonly genericCounts = new Float64Array(GENERIC_KEYS + 1);
  /** Events of codes beyond the event table, by code. */
  readonly unknownCounts = new Map<number, number>();

  /** Events read, by event type name and direction (`open>`, `open<`; generic events under their syscall). */
  get byType(): Map<string, number> {
    const m = new Map<string, number>();
    const add = (key: string, n: number): void => {
      if (n > 0) m.set(key, (m.get(key) ?? 0) + n);
    };
    for (let code = 0; code < EVENT_CODE_COUNT; code++) {
      if (code !== EVENT_CODE.GENERIC_E && code !== EVENT_CODE.GENERIC_X) add(EVENT_INFO[code]!.name + EVENT_INFO[code]!.dir, this.typeCounts[code]!);
    }
    this.genericCounts.forEach((n, i) => {
      if (n === 0) return;
      const key = i - 1;
      const name = key < 0 ? 'syscall' : (ppmScName(key >> 1) ?? 'unknown');
      add(name + (key < 0 ? '' : (key & 1) === 1 ? '<' : '>'), n);
    });
    for (const [code, n] of this.unknownCounts) add(`<unknown ${code}>`, n);
    return m;
  }
}

export interface StateStreamOptions extends SystemStateOptions {
  /** Host name reported by evt.hostname when the capture has no machine information. */
  hostname?: string;
  /** Whether the input is a capture file (true) or a live stream. */
  isCapture?: boolean;
  /** How byte buffers print in parameters (Falco's buffer_format_base64). */
  bufferFormat?: BufferFormat;
  /**
   * Purging of threads not seen for a while (live only, as in libsinsp; Falco's
   * falco_libs.thread_table_auto_purging_interval_s / _thread_timeout_s, 300 s each by default).
   * Threads whose exit was seen are always removed.
   */
  purge?: { intervalS: number; threadTimeoutS: number };
}

/**
 * Copies the event's bytes in the current (V2) layout (header plus parameters) into `into` when
 * it is large enough, else into a new buffer; the length is in the header.
 */
function v2Bytes(view: ScapEvent, into?: Uint8Array): Uint8Array {
  const raw = view.raw();
  const hdrSize = raw.length === view.length ? EVT_HEADER_SIZE : EVT_HEADER_SIZE_V1;
  const size = EVT_HEADER_SIZE + raw.length - hdrSize;
  const out = into !== undefined && into.length >= size ? into : new Uint8Array(Math.max(size, 128));
  out.set(raw.subarray(0, 16), 0); // ts, tid
  setU32(out, EVT_LEN, size);
  out[EVT_TYPE] = view.type & 0xff;
  out[EVT_TYPE + 1] = view.type >>> 8;
  setU32(out, EVT_NPARAMS, view.nparams);
  out.set(raw.subarray(hdrSize), EVT_HEADER_SIZE);
  return out;
}

/** A little-endian u32 (no DataView to make for a few header bytes). */
function setU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}

/** A reusable view over owned bytes (the enter events the parsers store for their exits). */
class OwnedView {
  readonly view = new EventView();
  readonly params = new ViewParams();
  // DataViews of the last two buffers loaded (a thread's stored event is often read twice).
  private bufA: Uint8Array | undefined;
  private dvA: DataView | undefined;
  private bufB: Uint8Array | undefined;
  private dvB: DataView | undefined;

  constructor() {
    this.params.view = this.view;
  }

  private dataView(buf: Uint8Array): DataView {
    if (buf === this.bufA) return this.dvA!;
    if (buf === this.bufB) return this.dvB!;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.bufB = this.bufA;
    this.dvB = this.dvA;
    this.bufA = buf;
    this.dvA = dv;
    return dv;
  }

  /** Loads the V2-layout event at `start` in `buf` (its length from its header). */
  load(buf: Uint8Array, start = 0, like?: ScapEvent): EventView {
    const dv = this.dataView(buf);
    const len = dv.getUint32(start + EVT_LEN, true);
    const nparams = dv.getUint32(start + EVT_NPARAMS, true);
    const type = dv.getUint16(start + EVT_TYPE, true);
    this.view.load(buf, dv, start, true, type, EVENT_INFO[type]!, nparams, len);
    if (like !== undefined) {
      this.view.num = like.num;
      this.view.cpu = like.cpu;
      this.view.flags = like.flags;
      this.view.blockOffset = like.blockOffset;
      this.view.blockType = like.blockType;
    }
    return this.view;
  }
}

export class StateStream {
  readonly state: SystemState;
  readonly parser: StateParser;
  readonly converter = new EventConverter((message) => log.warning(message));
  readonly info: StreamInfo;
  readonly event: SyscallEvent;
  readonly counters = new StreamCounters();
  private readonly stored = new OwnedView();
  /**
   * Whether events the converter withholds (Delivery.Dropped) get their thread and fd looked up,
   * as inspect shows them. Consumers of rule events never look at them: false saves the lookups.
   */
  resolveWithheld = true;
  /** Still at the start, where container and user events are consumed during opening. */
  private atStart = true;
  /** No event has set info.firstEventTs yet. */
  private noFirstTs = true;
  private seq = 0;
  private readonly purgeIntervalNs: number;
  private readonly purgeTimeoutNs: number;
  private lastPurgeTs = 0;

  constructor(opts: StateStreamOptions = {}) {
    this.state = new SystemState(opts);
    this.counters.converter = this.converter.stats;
    this.info = {
      firstEventTs: 0n, hostname: opts.hostname ?? '', isCapture: opts.isCapture ?? true,
      bufferFormat: opts.bufferFormat ?? 'normal',
    };
    this.parser = new StateParser(this.state, (bytes: Uint8Array): EventParams => {
      this.stored.load(bytes);
      return this.stored.params;
    });
    this.parser.copyRaw = (evt: EventParams, into?: Uint8Array) => v2Bytes((evt as ViewParams).view, into);
    this.event = new SyscallEvent(this.state, this.info);
    const live = !(opts.isCapture ?? true);
    this.purgeIntervalNs = live ? (opts.purge?.intervalS ?? 300) * 1e9 : 0;
    this.purgeTimeoutNs = (opts.purge?.threadTimeoutS ?? 300) * 1e9;
  }

  /** Inactive-thread purge, at most once per interval of event time (libsinsp's schedule). */
  private maybePurge(ts: number): void {
    if (this.lastPurgeTs === 0) {
      this.lastPurgeTs = ts - this.purgeIntervalNs + Math.min(this.purgeIntervalNs, 30e9);
      return;
    }
    if (ts <= this.lastPurgeTs + this.purgeIntervalNs) return;
    this.lastPurgeTs = ts;
    this.state.threads.purgeInactive(this.purgeTimeoutNs);
  }

  /** Seeds the state from what a capture (or the live loader) records before its events. */
  seed(header: ScapHeader): void {
    const s = this.state;
    if (header.machine !== undefined) {
      s.bootTsEpoch = header.machine.bootTsEpoch;
      if (header.machine.hostname !== '') this.info.hostname = header.machine.hostname;
    }
    for (const p of header.processes) s.seedProcess(p);
    for (const list of header.fdLists) for (const fd of list.fds) s.seedFd(list.tid, fd);
    s.linkSeededThreads();
    if (header.interfaces !== undefined) s.seedInterfaces(header.interfaces.ipv4, header.interfaces.ipv6);
    s.seedUsers(header.users, header.groups);
    s.fixSeededSockets();
  }

  /**
   * Processes the next event of the input. Returns the stateful event (the shared `event` object,
   * valid until the next call); its `delivery` says whether Falco would evaluate rules on it.
   */
  push(view: ScapEvent): SyscallEvent {
    const e = this.event;
    const c = this.counters;
    c.read++;
    e.seq = ++this.seq;
    e.fileNum = view.num;

    // Readers and live sources deliver EventViews (the one ScapEvent implementation).
    if (!(view instanceof EventView)) throw new TypeError('StateStream.push needs the reader\'s EventView');
    const evt = this.converter.process(view);
    if (evt === null) return this.dropped(view);
    if (evt !== view) c.converted++;
    // Counted in its converted form: a converted generic exit knows its syscall.
    this.countType(evt);
    e.evt = evt;
    e.params.view = evt;
    e.num = ++c.processed;
    const type = evt.type;
    if (this.noFirstTs && (EVENT_INFO[type]!.category & EC.METAEVENT) === 0) {
      this.info.firstEventTs = evt.tsBig;
      this.noFirstTs = false;
    }
    let delivery = Delivery.Rules;
    if (this.atStart) {
      if (INITIAL_STATE_EVENTS.has(type)) delivery = Delivery.StateOnly;
      else this.atStart = false;
    }
    if (STATE_ONLY_ENTER[type] === 1) delivery = Delivery.StateOnly;

    const p = this.parser;
    p.eventNum = e.num;
    p.beforeEvent(evt.ts);
    if (this.purgeIntervalNs > 0) this.maybePurge(evt.ts);
    p.reset(e.params, e);
    p.process(e.params, e);
    p.afterEvent(e.params, e);
    e.delivery = delivery;
    if (delivery === Delivery.Rules) c.forRules++;
    return e;
  }

  /** An event the converter dropped: shown by inspect with its thread, never parsed. */
  private dropped(view: EventView): SyscallEvent {
    const e = this.event;
    this.countType(view);
    this.counters.droppedByConverter++;
    e.clear();
    e.evt = view;
    e.params.view = view;
    e.num = 0;
    e.delivery = Delivery.Dropped;
    e.droppedFd = -1;
    if (!this.resolveWithheld) return e;
    const t = this.state.threads.peek(view.tid);
    e.thread = t;
    const info = EVENT_INFO[view.type];
    if (t !== undefined && info !== undefined && (info.flags & EF.USES_FD) !== 0) {
      const at = info.isEnter ? enterFdParam(view.type) : exitFdParam(view.type);
      const fd = at >= 0 && at < view.nparams && view.paramLength(at) !== 0 ? view.int(at) : undefined;
      if (fd !== undefined) {
        e.droppedFd = fd;
        e.fd = t.fdTable()?.find(fd);
      }
    }
    return e;
  }

  private countType(view: ScapEvent): void {
    const type = view.type;
    const c = this.counters;
    if (type >= EVENT_CODE_COUNT) {
      c.unknownCounts.set(type, (c.unknownCounts.get(type) ?? 0) + 1);
    } else if (type === EVENT_CODE.GENERIC_E || type === EVENT_CODE.GENERIC_X) {
      c.genericCounts[genericKey(view, this.info.isCapture) + 1]!++;
    } else {
      c.typeCounts[type]!++;
    }
  }


}


/**
 * The syscall a generic event stands for, as ppm_sc code * 2 + 1 for exits (-1 without an ID):
 * its ID parameter, or in captures its native number when the ID is unknown, as libsinsp resolves
 * generic exit events. Counters then say "mprotect", not "syscall".
 */
function genericKey(view: ScapEvent, isCapture: boolean): number {
  if (view.nparams < 1 || view.paramLength(0) === 0) return -1;
  let sc = view.uint(0) ?? 0;
  if (isCapture && sc === 0 && view.nparams > 1 && view.paramLength(1) !== 0) {
    sc = syscallByNumber(view.uint(1) ?? -1)?.ppmSc ?? 0;
  }
  // ppm_sc codes are 16-bit
  return (sc & 0xffff) * 2 + (view.type & 1);
}

/** Keys of genericKey: two per 16-bit ppm_sc code. */
const GENERIC_KEYS = 0x10000 * 2;
