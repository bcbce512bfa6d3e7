// The live syscall source: Falco's `modern_ebpf` engine. The eBPF driver's scap stream goes
// through the capture reader and the state engine, and comes out as the same stateful events a
// capture replay yields (src/sources/scap-replay.ts), with the same methods, so everything
// downstream (rules, outputs, the rule-triggered recorder) is shared.
//
//   driver (selected syscalls) ─stream─▶ ScapReader ─▶ StateStream ─▶ SyscallEvent ─▶ caller
//                                          header ──seed──▶ state ◀── /proc (unknown threads)
//                                                                 ◀── /etc/passwd, /etc/group
//
// - The capture selection is computed from the event types of the loaded rules plus Falco's
//   `base_syscalls` (syscall-selection.ts), and recomputed on hot reload (`reselect`), without
//   restarting the driver.
// - The state is seeded from the process, fd, user and interface lists the driver writes at
//   start; threads that are still unknown are looked up in /proc (ProcThreadSource), host users
//   and groups are refreshed when /etc/passwd or /etc/group change (HostUserDirectory).
// - Drops are the driver's kernel counters, under libscap's names (`kernelCounters()`), for the
//   `syscall_event_drops` monitor and the metrics; state counters under libsinsp's names.
// - The driver dying ends the iteration with its DriverError (after every event it delivered);
//   a stall is logged and reported to 'warning' listeners; `stop()` ends the iteration cleanly.
import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PeregrineConfig } from '../../cli/config/types.js';
import type { StateCounters } from '../../server/metrics.js';
import { HostUserDirectory } from '../../state/host-users.js';
import { ProcThreadSource, type ProcLookupCounters } from '../../state/proc-threads.js';
import { StateStream, type StateStreamOptions } from '../../state/stream.js';
import type { SyscallEvent } from '../../state/syscall-event.js';
import { Delivery } from '../../state/syscall-event.js';
import { log } from '../../util/log.js';
import { streamStateCounters, streamStats, type ReplayStats } from '../scap-replay.js';
import { DriverError, totalDrops, type DriverOptions, type DriverStats, type SelectionResult } from './driver-process.js';
import { startLiveCapture, type LiveCapture } from './live-capture.js';
import { eventCodesToEventTypes, type BaseSyscallsConfig, type SyscallSelection } from './syscall-selection.js';
import { ruleEventTypeNames } from './rule-event-types.js';
import type { CompiledRule } from '../../engine/loader/index.js';

export interface LiveSourceOptions extends Omit<StateStreamOptions, 'isCapture' | 'threadSource' | 'userDirectory' | 'selfPid'> {
  /** Event-type names the loaded syscall rules can match (see eventCodesToEventTypes). */
  readonly rulesEventTypes: Iterable<string>;
  readonly pluginEventTypes?: Iterable<string>;
  /** falco.yaml's base_syscalls. */
  readonly baseSyscalls?: BaseSyscallsConfig;
  /** Driver settings (binary, ring buffer, snaplen, wrapper...). */
  readonly driver?: Omit<DriverOptions, 'syscalls'>;
  /** Root of the host's file systems for /proc and /etc lookups (Falco's HOST_ROOT); default $HOST_ROOT or "/". */
  readonly hostRoot?: string;
  /** How often /etc/passwd and /etc/group are checked for changes; default 2000 ms (0: never). */
  readonly userRefreshMs?: number;
  /** Bound on /proc lookups of unknown threads per second (default unlimited, as Falco). */
  readonly maxProcLookupsPerSecond?: number;
}

/** Counters of a live run: those of a replay plus the driver's and the live lookups'. */
export interface LiveStats extends ReplayStats {
  /** The driver's latest statistics (undefined before its first report). */
  readonly driver: DriverStats | undefined;
  readonly procLookups: ProcLookupCounters;
  /** Times /etc/passwd or /etc/group were found changed and re-read. */
  readonly userReloads: number;
}

/**
 * Sizes of Falco's `buf_size_preset` indexes in MiB (index 0 is not a size: the driver's default
 * is used).
 */
const BUF_SIZE_PRESET_MIB = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * The ring buffer for `engine.modern_ebpf`: Falco gives every `cpus_for_each_buffer` CPUs one
 * buffer of the preset's size; Peregrine's driver has one buffer shared by all CPUs, sized as the
 * sum (a power of two, as the kernel requires).
 */
export function ringBufferMiB(modernEbpf: PeregrineConfig['engine']['modern_ebpf'], onlineCpus = cpus().length): number | undefined {
  const per = BUF_SIZE_PRESET_MIB[modernEbpf.buf_size_preset] ?? 0;
  if (per === 0) return undefined;
  const every = modernEbpf.cpus_for_each_buffer <= 0 ? onlineCpus : Math.min(modernEbpf.cpus_for_each_buffer, onlineCpus);
  const buffers = Math.max(1, Math.ceil(onlineCpus / Math.max(1, every)));
  let total = 1;
  while (total < per * buffers) total *= 2;
  return total;
}

/** Live source options from a configuration (everything but the rules' event types). */
export function liveSourceOptionsFromConfig(config: PeregrineConfig): Omit<LiveSourceOptions, 'rulesEventTypes'> {
  const libs = config.falco_libs;
  const ring = ringBufferMiB(config.engine.modern_ebpf);
  return {
    baseSyscalls: config.base_syscalls,
    threadTableSize: libs.thread_table_size,
    purge: { intervalS: libs.thread_table_auto_purging_interval_s, threadTimeoutS: libs.thread_table_auto_purging_thread_timeout_s },
    bufferFormat: config.buffer_format_base64 ? 'base64' : 'normal',
    driver: {
      snaplen: libs.snaplen,
      dropFailedExit: config.engine.modern_ebpf.drop_failed_exit,
      ...(ring !== undefined ? { ringBufferMiB: ring } : {}),
    },
  };
}

/**
 * The event-type names to capture for the enabled syscall rules (their names, precise for generic
 * syscalls: see rule-event-types.ts) or, less precisely, for the event codes rulesets report.
 */
export function rulesEventTypesOf(rules: ReadonlySet<number> | Iterable<CompiledRule>): string[] {
  return rules instanceof Set ? eventCodesToEventTypes(rules as ReadonlySet<number>) : ruleEventTypeNames(rules as Iterable<CompiledRule>);
}

/**
 * Opens the live source for a configuration and the enabled syscall rules (or the event codes
 * they need: `enabledCodes()`): the agent's `engine.kind: modern_ebpf`. The agent logs the open
 * lines itself when `logOpen` is false.
 */
export function openLiveSyscallSource(
  config: PeregrineConfig, rules: ReadonlySet<number> | Iterable<CompiledRule>, opts: { logOpen?: boolean } = {},
): Promise<LiveSyscallSource> {
  const base = liveSourceOptionsFromConfig(config);
  // Falco's line (its size is per buffer; Peregrine's one shared buffer is the sum, the same in the
  // default configuration).
  const mib = base.driver?.ringBufferMiB ?? 16;
  log.info(`The chosen syscall buffer dimension is: ${mib * 1024 * 1024} bytes (${mib} MBs)`);
  if (base.driver?.dropFailedExit === true) log.info('Failed syscall exit events are dropped in the kernel driver');
  return LiveSyscallSource.open({
    ...base,
    rulesEventTypes: rulesEventTypesOf(rules),
    driver: { ...base.driver, ...(opts.logOpen !== undefined ? { logOpen: opts.logOpen } : {}) },
  });
}

/**
 * A running live capture with state. Events: 'warning' (DriverError 'stalled': the driver stopped
 * reporting; capture may be incomplete), 'stats' (DriverStats, each time the driver reports).
 */
export class LiveSyscallSource extends EventEmitter {
  private failure: DriverError | undefined;
  private userTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** An iteration is reading the stream (otherwise stop() drains it so the driver can finish). */
  private reading = false;
  private draining: Promise<void> | undefined;

  private constructor(
    readonly capture: LiveCapture,
    readonly stream: StateStream,
    readonly threadSource: ProcThreadSource,
    readonly users: HostUserDirectory,
    userRefreshMs: number,
  ) {
    super();
    const driver = capture.driver;
    driver.on('error', (err: DriverError) => {
      if (err.code === 'stalled') {
        log.error(err.message);
        this.emit('warning', err);
        return;
      }
      this.failure ??= err;
      log.error(err.message);
    });
    driver.on('stats', (s: DriverStats) => this.emit('stats', s));
    if (userRefreshMs > 0) {
      this.userTimer = setInterval(() => this.refreshUsers(), userRefreshMs);
      this.userTimer.unref();
    }
  }

  /**
   * Starts the driver with the syscalls the rules need and seeds the state from its initial lists.
   * Throws DriverError: 'capabilities' (its message names what is missing and how to run),
   * 'binary' (driver not built), 'start' (load or attach failure).
   */
  static async open(opts: LiveSourceOptions): Promise<LiveSyscallSource> {
    log.debug("Opening event source 'syscall'");
    const hostRoot = opts.hostRoot ?? process.env.HOST_ROOT ?? '/';
    const threadSource = new ProcThreadSource({
      hostRoot, ...(opts.maxProcLookupsPerSecond !== undefined ? { maxLookupsPerSecond: opts.maxProcLookupsPerSecond } : {}),
    });
    const users = new HostUserDirectory({ hostRoot });
    const capture = await startLiveCapture({
      ...opts.driver,
      rulesEventTypes: opts.rulesEventTypes,
      ...(opts.pluginEventTypes !== undefined ? { pluginEventTypes: opts.pluginEventTypes } : {}),
      ...(opts.baseSyscalls !== undefined ? { baseSyscalls: opts.baseSyscalls } : {}),
    });
    const stream = new StateStream({
      ...opts,
      isCapture: false,
      threadSource,
      userDirectory: users,
      selfPid: process.pid,
    });
    threadSource.attach(stream.state);
    stream.seed(capture.reader.header);
    // From here on the files are the authority for host accounts (the list in the stream was read
    // from the same files a moment ago).
    users.applyTo(stream.state.users);
    log.debug(`Live capture: ${capture.reader.header.processes.length} threads and ` +
      `${capture.reader.header.fdLists.length} fd tables listed at start, ${capture.selection.syscalls.length} syscalls selected`);
    return new LiveSyscallSource(capture, stream, threadSource, users, opts.userRefreshMs ?? 2000);
  }

  /** The syscalls captured now (and Falco's log lines about them). */
  get selection(): SyscallSelection {
    return this.capture.selection;
  }

  /** Captures what new rules need (hot reload), without restarting the driver. */
  reselect(rulesEventTypes: Iterable<string>, pluginEventTypes?: Iterable<string>): Promise<SelectionResult> {
    return this.capture.reselect(rulesEventTypes, pluginEventTypes);
  }

  /**
   * reselect() for the enabled rules (or their event codes, `enabledCodes()`), for a hot reload, which
   * should not hang on the driver: while a flood of events keeps the driver busy delivering them,
   * it reads commands late. After `timeoutMs` this resolves undefined (and says so); the driver
   * still applies the selection when it reads the command.
   */
  async reselectForRules(rules: ReadonlySet<number> | Iterable<CompiledRule>, timeoutMs = 5000): Promise<SelectionResult | undefined> {
    const applied = this.reselect(rulesEventTypesOf(rules));
    const result = await Promise.race([applied, sleep(timeoutMs, undefined, { ref: false })]);
    if (result === undefined) {
      log.warning(`The eBPF driver has not confirmed the new syscall selection within ${Math.round(timeoutMs / 1000)} s ` +
        '(it is busy delivering events); it applies it as soon as it reads it');
    }
    return result;
  }

  /** Re-reads the host's account files when they changed and updates the user table. */
  refreshUsers(): boolean {
    if (!this.users.refresh()) return false;
    this.users.applyTo(this.stream.state.users);
    log.debug(`Host users and groups reloaded from ${this.users.passwdFile} and ${this.users.groupFile}`);
    return true;
  }

  /**
   * The stream ended. Unless stop() asked for it, the driver is going away: wait until its exit
   * is known, so that the iteration ends with its error rather than as a clean stop.
   */
  private async endOfStream(): Promise<LiveStats> {
    if (!this.stopped && this.failure === undefined) {
      const driver = this.capture.driver;
      const exited = await Promise.race([driver.waitExit().then(() => true), sleep(5000, undefined, { ref: false }).then(() => false)]);
      if (this.failure === undefined && !this.stopped) {
        this.failure = new DriverError('exited', exited
          ? `The eBPF driver (pid ${driver.pid}) ended its stream; live capture has stopped`
          : `The eBPF driver (pid ${driver.pid}) closed its stream without exiting; live capture has stopped`);
        log.error(this.failure.message);
      }
    }
    if (this.failure) throw this.failure;
    return this.stats();
  }

  /**
   * Calls `onEvent` for every event until the capture stops (the event object is reused: keep
   * values, not the object). Resolves with the statistics after `stop()`; rejects with the
   * DriverError when the driver died, after delivering everything it sent.
   */
  async forEach(onEvent: (e: SyscallEvent) => void): Promise<LiveStats> {
    const stream = this.stream;
    this.reading = true;
    try {
      await this.capture.reader.forEach((view) => onEvent(stream.push(view)));
    } finally {
      this.readingDone();
    }
    return await this.endOfStream();
  }

  /** Only the events Falco gives to rules. */
  async forEachForRules(onEvent: (e: SyscallEvent) => void): Promise<LiveStats> {
    return this.forEach((e) => {
      if (e.delivery === Delivery.Rules) onEvent(e);
    });
  }

  /**
   * For consumers that pace themselves (slow outputs): `onEvent` returns false to stop reading
   * (the driver keeps running: call stop()), and `betweenChunks` runs after each chunk read from
   * the driver. While the consumer waits, the driver's buffer fills and the kernel counts drops.
   */
  async forEachPaced(onEvent: (e: SyscallEvent) => boolean, betweenChunks: () => Promise<void> | undefined): Promise<LiveStats> {
    this.reading = true;
    try {
      return await this.pacedLoop(onEvent, betweenChunks);
    } finally {
      this.readingDone();
    }
  }

  private async pacedLoop(onEvent: (e: SyscallEvent) => boolean, betweenChunks: () => Promise<void> | undefined): Promise<LiveStats> {
    const reader = this.capture.reader;
    const stream = this.stream;
    for (;;) {
      let view;
      while ((view = reader.next()) !== null) {
        if (!onEvent(stream.push(view))) return this.stats();
      }
      const wait = betweenChunks();
      if (wait !== undefined) await wait;
      if (!(await reader.fill())) {
        while ((view = reader.next()) !== null) {
          if (!onEvent(stream.push(view))) return this.stats();
        }
        return await this.endOfStream();
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SyscallEvent> {
    const reader = this.capture.reader;
    this.reading = true;
    try {
      for (;;) {
        let view;
        while ((view = reader.next()) !== null) yield this.stream.push(view);
        if (!(await reader.fill())) {
          while ((view = reader.next()) !== null) yield this.stream.push(view);
          await this.endOfStream();
          return;
        }
      }
    } finally {
      this.readingDone();
    }
  }

  /**
   * Stops capturing: the driver delivers what it already captured, then ends the stream, which
   * ends the iteration. Safe to call more than once.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.userTimer) clearInterval(this.userTimer);
    // Nobody reads the stream any more (the consumer stopped early): discard the rest, or the
    // driver would wait on a full pipe to deliver it.
    if (!this.reading) this.draining ??= this.discardRest();
    await this.capture.stop();
    await this.draining;
  }

  /** An iteration ended; if it ended early after stop(), the rest of the stream is discarded. */
  private readingDone(): void {
    this.reading = false;
    if (this.stopped) this.draining ??= this.discardRest();
  }

  private async discardRest(): Promise<void> {
    const reader = this.capture.reader;
    try {
      for (;;) {
        while (reader.next() !== null) { /* discarded */ }
        if (!(await reader.fill())) break;
      }
      while (reader.next() !== null) { /* discarded */ }
    } catch {
      // a damaged end of stream does not matter to a consumer that has stopped
    }
  }

  /** Stops and releases everything (the driver has detached when this resolves). */
  async close(): Promise<void> {
    await this.stop();
    await this.capture.driver.waitExit();
    await this.capture.reader.close();
  }

  /** Why the capture ended abnormally (the driver died), if it did. */
  get error(): DriverError | undefined {
    return this.failure;
  }

  stats(): LiveStats {
    return {
      ...streamStats(this.capture.reader.stats, this.stream),
      driver: this.capture.driver.stats,
      procLookups: { ...this.threadSource.counters },
      userReloads: this.users.reloads,
    };
  }

  /**
   * The driver's counters as libscap names them for the modern eBPF engine (`n_evts` includes the
   * dropped events, as libscap's does; Falco's drop ratio is n_drops / n_evts). Peregrine's driver
   * counts buffer-full drops by class, not by syscall, so the per-syscall `n_drops_buffer_*_exit`
   * counters are not reported.
   */
  kernelCounters(): Record<string, number> {
    const d = this.capture.driver.stats;
    if (d === undefined) return {};
    const drops = totalDrops(d);
    return {
      n_evts: d.events + drops,
      n_drops_buffer_total: d.drops.buffer_full,
      n_drops_scratch_map: d.drops.too_large + d.drops.no_scratch,
      n_drops: drops,
    };
  }

  /**
   * The cumulative counters the `syscall_event_drops` monitor compares once per second, under
   * libscap's scap_stats names (the per-syscall buffer drop counters are not known here).
   */
  captureCounters(): { n_evts: number; n_drops: number; n_drops_buffer: number; n_drops_scratch_map: number; n_drops_pf: number; n_drops_bug: number } {
    const k = this.kernelCounters();
    return {
      n_evts: k.n_evts ?? 0,
      n_drops: k.n_drops ?? 0,
      n_drops_buffer: k.n_drops_buffer_total ?? 0,
      n_drops_scratch_map: k.n_drops_scratch_map ?? 0,
      n_drops_pf: 0,
      n_drops_bug: 0,
    };
  }

  /** Events come from the (modern) eBPF driver: drop alerts say so (`ebpf_enabled`). */
  readonly ebpf = true;

  /** Thread and fd table counters under libsinsp's names (the metrics' state counters). */
  stateCounters(): StateCounters {
    return streamStateCounters(this.stream);
  }

  /** Falco's `-v` end-of-run lines for the syscall source. */
  verboseSummary(): string {
    const k = this.kernelCounters();
    return `Driver Events:${k.n_evts ?? 0}\nDriver Drops:${k.n_drops ?? 0}\n`;
  }
}
