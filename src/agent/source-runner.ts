// What the agent runs for each enabled event source: a loop that takes events from the source,
// counts them, and hands each to the source's dispatch, until the source ends, the run's duration
// is reached, or stop() is called. Several runners work at once (one per source, as Falco's
// threads do); they share Node's event loop and give it a turn regularly, so that outputs,
// signals, the web server and the other sources progress while one is busy.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SourceCounters } from '../server/metrics.js';
import type { SourceDispatch } from './dispatch.js';

/** How a runner ended. */
export interface RunOutcome {
  /** A fatal error (Falco prints it as `Error: <message>` and exits 1). */
  readonly error?: string;
}

export interface SourceRunner {
  /** The event source (`syscall`, `k8s_audit`, ...). */
  readonly name: string;
  /** Processes events until the end; never rejects (failures come back as `error`). */
  run(): Promise<RunOutcome>;
  /** Asks the loop to stop after the current event; run() then resolves. */
  stop(): void;
  /** Prints what Falco prints when the source stops (e.g. the drop statistics), if anything. */
  readonly stopReport?: () => string | undefined;
}

/** Gives Node's event loop a turn at most every this many ms of continuous processing. */
export const YIELD_INTERVAL_MS = 20;

/**
 * Decides when a busy loop yields: after YIELD_INTERVAL_MS of work, or at once when alerts wait
 * for delivery (so outputs keep up while the loop runs). Cheap enough to call for every event.
 */
export class YieldClock {
  private last = performance.now();

  constructor(private readonly pending: () => number = () => 0) {}

  /** A promise to await when it is time to yield; undefined otherwise. */
  due(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.last < YIELD_INTERVAL_MS && this.pending() === 0) return undefined;
    this.last = now;
    return nextTurn().then(() => {
      this.last = performance.now();
    });
  }
}

/** An event of a plugin source (k8s_audit, ...): the source's event objects carry their time. */
export interface TimedEvent {
  readonly ts: bigint;
}

/** A plugin event source as opened from its plugin's configuration. */
export interface PluginEventSource<E extends TimedEvent> extends AsyncIterable<E> {
  /** Stops producing; the iterator then ends after the events already accepted. */
  stop(): Promise<void>;
}

/**
 * Runs a plugin source: every event it yields is evaluated (plugin sources have one event type,
 * code 0). Ends when the source ends (a file read to its end) or on stop().
 */
export class PluginSourceRunner<E extends TimedEvent> implements SourceRunner {
  private stopping = false;
  private iterator: AsyncIterator<E> | undefined;

  constructor(
    readonly name: string,
    private readonly source: PluginEventSource<E>,
    private readonly dispatch: SourceDispatch<E>,
    private readonly counters: SourceCounters,
    private readonly clock: YieldClock,
    /** Stop after this much event time (`-M`); 0 for no limit. */
    private readonly durationNs: bigint,
  ) {}

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    // Ends a source that waits for input (webhook, followed file).
    void this.source.stop().catch(() => undefined);
  }

  async run(): Promise<RunOutcome> {
    const dispatch = this.dispatch;
    const counters = this.counters;
    let firstTs = -1n;
    try {
      this.iterator = this.source[Symbol.asyncIterator]();
      while (!this.stopping) {
        const r = await this.iterator.next();
        if (r.done) break;
        const evt = r.value;
        counters.events++;
        if (firstTs < 0n) firstTs = evt.ts;
        else if (this.durationNs > 0n && evt.ts - firstTs >= this.durationNs) break;
        dispatch.process(0, evt);
        const wait = this.clock.due();
        if (wait !== undefined) await wait;
      }
      return {};
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    } finally {
      await this.source.stop().catch(() => undefined);
    }
  }
}

/**
 * The syscall source of `engine.kind: nodriver`: no events at all, as Falco's nodriver engine
 * (event sources come from plugins). Runs until stopped.
 */
export class IdleSourceRunner implements SourceRunner {
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(readonly name: string) {}

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(): Promise<RunOutcome> {
    if (this.stopped) return {};
    // A pending promise alone does not keep Node running: a timer does, until stop().
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      await new Promise<void>((resolve) => (this.wake = resolve));
    } finally {
      clearInterval(keepAlive);
    }
    return {};
  }
}
