// Turns a stream of scap events into stateful syscall events, as Falco 0.44 processes a capture:
// seed the state from the capture's initial lists, convert old event layouts (dropping the enter
// events the converter keeps aside), number the events that reach the state engine, attach
// thread and fd, update the state, and tell which events Falco gives to its rules.
import { EVENT_CODE, EVENT_INFO, EC, EF, genericSyscallName } from '../scap/event-table.js';
import { EventView, type ScapEvent } from '../scap/event.js';
import { EVT_HEADER_SIZE, EVT_LEN, EVT_NPARAMS, EVT_TID, EVT_TS, EVT_TYPE } from '../scap/format.js';
import type { ScapHeader } from '../scap/reader.js';
import { ConversionError, RawEvent, ScapConverter, convertibility, ConversionResult } from './converter.js';
import { StateParser, enterFdParam, exitFdParam } from './parser.js';
import type { EventParams } from './params.js';
import { SystemState, type SystemStateOptions } from './system-state.js';
import { Delivery, SyscallEvent, ViewParams, type StreamInfo } from './syscall-event.js';
import { log } from '../util/log.js';

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

export interface StreamCounters {
  /** Events read from the input. */
  read: number;
  /** Events that reached the state engine (the last evt.num). */
  processed: number;
  /** Events given to rules. */
  forRules: number;
  /** Old-format events converted to the current layout. */
  converted: number;
  /** Enter events the converter kept aside (old captures; not numbered). */
  droppedByConverter: number;
  /** Events the converter could not convert (shown as dropped; Falco stops at the first). */
  conversionErrors: number;
  /** Events read, by event type name and direction (`open>`, `open<`; generic events under their syscall). */
  byType: Map<string, number>;
}

export interface StateStreamOptions extends SystemStateOptions {
  /** Host name reported by evt.hostname when the capture has no machine information. */
  hostname?: string;
  /** Whether the input is a capture file (true) or a live stream. */
  isCapture?: boolean;
  /**
   * Purging of threads not seen for a while (live only, as in libsinsp; Falco's
   * falco_libs.thread_table_auto_purging_interval_s / _thread_timeout_s, 300 s each by default).
   * Threads whose exit was seen are always removed.
   */
  purge?: { intervalS: number; threadTimeoutS: number };
}

/** Writes the event's bytes in the current (V2) layout: header plus parameters. */
function v2Bytes(view: ScapEvent): Uint8Array {
  const params = view.paramBytes();
  const out = new Uint8Array(EVT_HEADER_SIZE + params.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(EVT_TS, view.tsBig, true);
  dv.setBigInt64(EVT_TID, BigInt(view.tid), true);
  dv.setUint32(EVT_LEN, out.length, true);
  dv.setUint16(EVT_TYPE, view.type, true);
  dv.setUint32(EVT_NPARAMS, view.nparams, true);
  out.set(params, EVT_HEADER_SIZE);
  return out;
}

/** A reusable view over owned bytes (converted events, stored enter events). */
class OwnedView {
  readonly view = new EventView();
  readonly params = new ViewParams();

  constructor() {
    this.params.view = this.view;
  }

  load(bytes: Uint8Array, like?: ScapEvent): EventView {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nparams = dv.getUint32(EVT_NPARAMS, true);
    const type = dv.getUint16(EVT_TYPE, true);
    this.view.load(bytes, dv, 0, true, type, EVENT_INFO[type]!, nparams, bytes.length);
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
  readonly converter = new ScapConverter();
  readonly info: StreamInfo;
  readonly event: SyscallEvent;
  readonly counters: StreamCounters = {
    read: 0, processed: 0, forRules: 0, converted: 0, droppedByConverter: 0, conversionErrors: 0,
    byType: new Map(),
  };
  private readonly converted = new OwnedView();
  private readonly stored = new OwnedView();
  /** Still at the start, where container and user events are consumed during opening. */
  private atStart = true;
  private seq = 0;
  private conversionErrorReported = false;
  private readonly purgeIntervalNs: number;
  private readonly purgeTimeoutNs: number;
  private lastPurgeTs = 0;

  constructor(opts: StateStreamOptions = {}) {
    this.state = new SystemState(opts);
    this.info = { firstEventTs: 0n, hostname: opts.hostname ?? '', isCapture: opts.isCapture ?? true };
    this.parser = new StateParser(this.state, (bytes: Uint8Array): EventParams => {
      this.stored.load(bytes);
      return this.stored.params;
    });
    this.parser.copyRaw = (evt: EventParams) => v2Bytes((evt as ViewParams).view);
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

    let evt: ScapEvent = view;
    if (convertibility(view.type, view.nparams) !== ConversionResult.Pass) {
      let res: RawEvent | undefined | 'unchanged';
      try {
        res = this.converter.convert(() => RawEvent.decode(v2Bytes(view)), view.type, view.nparams);
      } catch (err) {
        if (!(err instanceof ConversionError)) throw err;
        c.conversionErrors++;
        if (!this.conversionErrorReported) {
          this.conversionErrorReported = true;
          log.warning(`event ${view.num} (${EVENT_INFO[view.type]?.name}): ${err.message}; such events are skipped and counted`);
        }
        return this.dropped(view);
      }
      if (res === undefined) return this.dropped(view);
      if (res !== 'unchanged') {
        c.converted++;
        evt = this.converted.load(res.encode(), view);
      }
    }
    // Counted in its converted form: a converted generic exit knows its syscall.
    this.countType(evt);
    e.evt = evt;
    e.params.view = evt;
    e.num = ++c.processed;
    const type = evt.type;
    if (this.info.firstEventTs === 0n && (EVENT_INFO[type]!.category & EC.METAEVENT) === 0) {
      this.info.firstEventTs = evt.tsBig;
    }
    let delivery = Delivery.Rules;
    if (this.atStart) {
      if (INITIAL_STATE_EVENTS.has(type)) delivery = Delivery.StateOnly;
      else this.atStart = false;
    }
    if (STATE_ONLY_ENTER_EVENTS.has(type)) delivery = Delivery.StateOnly;

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
  private dropped(view: ScapEvent): SyscallEvent {
    const e = this.event;
    this.countType(view);
    this.counters.droppedByConverter++;
    e.clear();
    e.evt = view;
    e.params.view = view;
    e.num = 0;
    e.delivery = Delivery.Dropped;
    e.droppedFd = -1;
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
    const info = EVENT_INFO[view.type];
    let name: string;
    if (info === undefined) name = `<unknown ${view.type}>`;
    else if (view.type === EVENT_CODE.GENERIC_E || view.type === EVENT_CODE.GENERIC_X) name = genericName(view, this.info.isCapture);
    else name = info.name;
    const key = info === undefined ? name : name + info.dir;
    const m = this.counters.byType;
    m.set(key, (m.get(key) ?? 0) + 1);
  }

}


/**
 * The syscall a generic event stands for (its ID parameter; in captures, the native number when
 * the ID is unknown, as libsinsp resolves generic exit events), so counters say "mprotect", not
 * "syscall".
 */
function genericName(view: ScapEvent, isCapture: boolean): string {
  if (view.nparams < 1 || view.paramLength(0) === 0) return 'syscall';
  const sc = view.uint(0) ?? 0;
  const native = isCapture && sc === 0 && view.nparams > 1 && view.paramLength(1) !== 0 ? view.uint(1) : undefined;
  return genericSyscallName(sc, native);
}
