// The syscall event source loop: events from a capture file (replay) or, through the same
// interface, from the live driver, turned into stateful syscall events by src/state; the events
// Falco gives to its rules are counted, checked by the drop monitor once per second of event time,
// and dispatched by event type. This is the hot path: no allocation per event, one property read
// per swap-able setting, and Node's event loop gets a turn only between chunks of input.
import type { CompiledRule } from '../engine/loader/index.js';
import { ScapFormatError } from '../scap/reader.js';
import type { CaptureRecorder } from '../sources/live/capture-recorder.js';
import { ScapReplaySource, type ReplayStats } from '../sources/scap-replay.js';
import type { StateStreamOptions } from '../state/stream.js';
import { Delivery, type SyscallEvent } from '../state/syscall-event.js';
import type { SourceCounters, StateCounters } from '../server/metrics.js';
import type { SourceDispatch } from './dispatch.js';
import type { CaptureCounters, SyscallDropMonitor } from './drops.js';
import type { RunOutcome, SourceRunner, YieldClock } from './source-runner.js';

/**
 * A producer of syscall events: the capture replay here, the live driver (src/sources/live) through
 * the same shape. `forEachPaced` delivers events synchronously within a chunk of input and awaits
 * `betweenChunks` between chunks; `onEvent` returns false to stop.
 */
export interface SyscallEventProducer {
  forEachPaced(onEvent: (e: SyscallEvent) => boolean, betweenChunks: () => Promise<void> | undefined): Promise<unknown>;
  /** Cumulative kernel counters (drops); all zero for a capture file, as libscap reports them. */
  captureCounters(): CaptureCounters;
  /** Thread/fd table counters for the metrics. */
  stateCounters(): StateCounters;
  /** Whether events come from the (modern) eBPF driver (drop alerts say so). */
  readonly ebpf: boolean;
  /**
   * A live producer's stream only ends when asked: this ends it after delivering every event
   * already captured (absent for a capture file, which ends by itself).
   */
  stop?(): Promise<void>;
  /** A live producer captures what these rules need from now on (hot reload). */
  reselectForRules?(rules: readonly CompiledRule[]): Promise<unknown>;
  close(): Promise<void>;
}

const NO_KERNEL_COUNTERS: CaptureCounters = Object.freeze({ n_evts: 0, n_drops: 0 });

/** A capture file as a syscall event producer. */
export class ReplayProducer implements SyscallEventProducer {
  readonly ebpf = false;

  private constructor(readonly replay: ScapReplaySource) {}

  /**
   * Opens the capture; throws with Falco's message when it cannot be read. The enter events the
   * converter withholds (old captures) are not delivered: the agent only wants events for rules.
   */
  static async open(path: string, options: StateStreamOptions): Promise<ReplayProducer> {
    try {
      return new ReplayProducer(await ScapReplaySource.open(path, { ...options, skipWithheld: true }));
    } catch (err) {
      const why = err instanceof ScapFormatError ? err.message : (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file' : (err as Error).message;
      throw new Error(`Could not open trace filename ${path} for reading: ${why}`);
    }
  }

  forEachPaced(onEvent: (e: SyscallEvent) => boolean, betweenChunks: () => Promise<void> | undefined): Promise<ReplayStats> {
    return this.replay.forEachPaced(onEvent, betweenChunks);
  }

  captureCounters(): CaptureCounters {
    return NO_KERNEL_COUNTERS;
  }

  stateCounters(): StateCounters {
    return this.replay.stateCounters();
  }

  close(): Promise<void> {
    return this.replay.close();
  }
}

export interface SyscallRunnerOptions {
  /** Stop after this much event time (`-M`), in ns; 0 for no limit. */
  readonly durationNs: number;
  readonly drops: SyscallDropMonitor | undefined;
  readonly counters: SourceCounters;
  readonly clock: YieldClock;
  /** Falco's `capture`: recordings around rule matches (sees every event, and the rules matched). */
  readonly recorder?: CaptureRecorder | undefined;
}

const NO_MATCHES: readonly CompiledRule[] = Object.freeze([]);

export class SyscallSourceRunner implements SourceRunner {
  readonly name = 'syscall';
  private stopping = false;
  /** The drop monitor's `exit` action stopped the run. */
  private dropExit = false;

  constructor(
    private readonly producer: SyscallEventProducer,
    private readonly dispatch: SourceDispatch<SyscallEvent>,
    private readonly options: SyscallRunnerOptions,
  ) {}

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    // A live stream then ends once what was captured before the stop has been evaluated.
    this.producer.stop?.().catch(() => undefined);
  }

  readonly stopReport = (): string | undefined => this.options.drops?.summary();

  async run(): Promise<RunOutcome> {
    const { durationNs, drops, counters, clock, recorder } = this.options;
    const dispatch = this.dispatch;
    // A live producer told to stop still delivers what it captured; a capture file stops at once.
    const drainsOnStop = this.producer.stop !== undefined;
    let firstTs = 0;
    const onEvent = (e: SyscallEvent): boolean => {
      if (e.delivery !== Delivery.Rules) {
        recorder?.onEvent(e, NO_MATCHES);
        return true;
      }
      const evt = e.evt;
      const ts = evt.ts;
      counters.events++;
      if (firstTs === 0) firstTs = ts;
      else if (durationNs > 0 && ts - firstTs >= durationNs) return false;
      if (drops !== undefined && !drops.onEvent(ts, evt)) {
        this.dropExit = true;
        return false;
      }
      const matched = dispatch.process(evt.type, e);
      if (recorder !== undefined) recorder.onEvent(e, matched > 0 ? dispatch.lastMatches : NO_MATCHES);
      return drainsOnStop || !this.stopping;
    };
    try {
      await this.producer.forEachPaced(onEvent, () => (this.stopping ? undefined : clock.due()));
      return this.dropExit ? { error: 'Drop manager internal error' } : {};
    } catch (err) {
      // The events before a damaged part of a capture were processed (and alerted on).
      return { error: err instanceof Error ? err.message : String(err) };
    } finally {
      await this.producer.close().catch(() => undefined);
      await recorder?.close();
    }
  }
}
