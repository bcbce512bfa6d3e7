// `syscall_event_drops` and `syscall_event_timeouts`, with Falco's semantics and messages
// (event_drops.cpp, process_events.cpp):
// - Once per second of event time, the source's counters are compared with the previous check;
//   when events were dropped in that second and drops/events exceeds `threshold`, a drop is
//   counted and, if the token bucket (`rate` tokens per second, at most `max_burst`) allows, the
//   configured actions run: `log` (debug log line), `alert` ("Falco internal: syscall event
//   drop" with the counters as output fields), `exit` (critical log, then the run stops with an
//   error), `ignore` (nothing).
// - `simulate_drops` pretends one drop per check, with threshold 0 (Falco's test mode).
// - At the end of the run the counts are printed on stderr ("Syscall event drop monitoring").
// - `syscall_event_timeouts.max_consecutives` consecutive reads without an event (live sources
//   only) raise "Falco internal: timeouts notification".
import type { SyscallDropAction } from '../cli/config/types.js';
import { internalAlert, syscallEventDropAlert, type Alert, type SyscallDropDelta } from '../outputs/alert.js';
import { Priority } from '../engine/priority.js';
import { log } from '../util/log.js';

const NS_PER_S = 1_000_000_000;

/**
 * libsinsp's token bucket: `rate` tokens per second up to `maxTokens`, starting full. Time is the
 * event time in ns; a time before the last one (libsinsp's unsigned arithmetic wraps) refills it.
 */
export class TokenBucket {
  private tokens: number;
  private lastSeen: number | undefined;

  constructor(private readonly rate: number, private readonly maxTokens: number) {
    this.tokens = maxTokens;
  }

  claim(now: number): boolean {
    if (this.lastSeen === undefined || now < this.lastSeen) {
      // libsinsp starts the clock at the wall-clock time of its creation: the first claim at a
      // (replayed) event time, or any step back, wraps around and refills the bucket.
      this.tokens = this.maxTokens;
    } else {
      this.tokens = Math.min(this.maxTokens, this.tokens + this.rate * ((now - this.lastSeen) / NS_PER_S));
    }
    this.lastSeen = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Cumulative kernel-side counters of a syscall source (libscap's scap_stats names). */
export type CaptureCounters = SyscallDropDelta;

const DELTA_KEYS: readonly (keyof SyscallDropDelta)[] = [
  'n_evts', 'n_drops', 'n_drops_buffer', 'n_drops_buffer_clone_fork_exit', 'n_drops_buffer_execve_exit',
  'n_drops_buffer_connect_exit', 'n_drops_buffer_open_exit', 'n_drops_buffer_dir_file_exit',
  'n_drops_buffer_other_interest_exit', 'n_drops_buffer_close_exit', 'n_drops_buffer_proc_exit',
  'n_drops_scratch_map', 'n_drops_pf', 'n_drops_bug',
];

export interface DropMonitorSettings {
  readonly threshold: number;
  readonly actions: readonly SyscallDropAction[];
  readonly rate: number;
  readonly max_burst: number;
  readonly simulate_drops: boolean;
}

/** The event-drop manager of one syscall source. */
export class SyscallDropMonitor {
  /** Seconds (of event time) in which drops exceeded the threshold. */
  detected = 0;
  /** Times the actions ran (the token bucket allowed it). */
  actionsTaken = 0;
  private nextCheckTs = 0;
  private last: SyscallDropDelta;
  private readonly bucket: TokenBucket;
  private readonly threshold: number;
  private readonly actions: ReadonlySet<SyscallDropAction>;

  constructor(
    private readonly settings: DropMonitorSettings,
    /** Reads the source's cumulative counters. */
    private readonly counters: () => CaptureCounters,
    /** Where the `alert` action sends its alert. */
    private readonly alert: (alert: Alert) => void,
    /** Whether the source is the (modern) eBPF driver, for the alert's `ebpf_enabled`. */
    private readonly ebpf: boolean,
  ) {
    this.bucket = new TokenBucket(settings.rate, settings.max_burst);
    this.threshold = settings.simulate_drops ? 0 : settings.threshold;
    this.actions = new Set(settings.actions);
    // A copy: providers may update one object in place.
    this.last = { ...counters() };
  }

  /**
   * Called with each event's time (ns, as a number: sub-microsecond precision is not needed for
   * one-second checks) and the event, whose exact time an alert carries. Returns false when the
   * `exit` action asks the run to stop.
   */
  onEvent(ts: number, evt: { readonly tsBig: bigint }): boolean {
    if (this.nextCheckTs === 0) {
      this.nextCheckTs = ts + NS_PER_S;
      return true;
    }
    if (ts <= this.nextCheckTs) return true;
    return this.check(ts, evt);
  }

  private check(ts: number, evt: { readonly tsBig: bigint }): boolean {
    this.nextCheckTs = ts + NS_PER_S;
    const now = this.counters();
    // The common case, no new drops: nothing else to compute (the counters stay the reference).
    if (now.n_drops === this.last.n_drops && !this.settings.simulate_drops) {
      if (now.n_evts !== this.last.n_evts) this.last = { ...now };
      return true;
    }
    const delta: SyscallDropDelta = { n_evts: 0, n_drops: 0 };
    for (const key of DELTA_KEYS) delta[key] = (now[key] ?? 0) - (this.last[key] ?? 0);
    // A copy: providers may update one object in place.
    this.last = { ...now };
    if (this.settings.simulate_drops) {
      log.info('Simulating syscall event drop');
      delta.n_drops++;
    }
    if (delta.n_drops <= 0) return true;
    // n_evts includes the drops; 0 events (a replay) makes the ratio infinite, as in Falco.
    const ratio = delta.n_drops / delta.n_evts;
    if (!(ratio > this.threshold)) return true;
    this.detected++;
    if (!this.bucket.claim(ts)) {
      log.debug('Syscall event drop but token bucket depleted, skipping actions');
      return true;
    }
    this.actionsTaken++;
    return this.perform(delta, evt.tsBig);
  }

  /** Runs the actions in Falco's order (ignore, log, alert, exit). */
  private perform(delta: SyscallDropDelta, time: bigint): boolean {
    const message = `Falco internal: syscall event drop. ${delta.n_drops} system calls dropped in last second.`;
    let proceed = true;
    if (this.actions.has('log')) log.debug(message);
    if (this.actions.has('alert')) this.alert(syscallEventDropAlert(delta, this.ebpf, time));
    if (this.actions.has('exit')) {
      log.critical(message);
      log.critical('Exiting.');
      proceed = false;
    }
    return proceed;
  }

  /** What Falco prints on stderr when a syscall source stops. */
  summary(): string {
    return 'Syscall event drop monitoring:\n' +
      `   - event drop detected: ${this.detected} occurrences\n` +
      `   - num times actions taken: ${this.actionsTaken}\n`;
  }
}

export const TIMEOUTS_NOTIFICATION_RULE = 'Falco internal: timeouts notification';

/**
 * Counts reads that returned no event (live sources); past `maxConsecutives` in a row, returns the
 * "timeouts notification" alert and starts counting again.
 */
export class TimeoutMonitor {
  private consecutive = 0;

  constructor(private readonly maxConsecutives: number) {}

  /** An event arrived. */
  reset(): void {
    this.consecutive = 0;
  }

  /** A read timed out; `lastEventTime` is the first event's time text, or undefined. */
  onTimeout(lastEventTime: string | undefined): Alert | undefined {
    if (++this.consecutive <= this.maxConsecutives) return undefined;
    this.consecutive = 0;
    return internalAlert(TIMEOUTS_NOTIFICATION_RULE,
      `${TIMEOUTS_NOTIFICATION_RULE}. ${this.maxConsecutives} consecutive timeouts without event.`,
      Priority.Debug, { last_event_time: lastEventTime ?? 'none' });
  }
}
