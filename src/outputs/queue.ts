// The outputs queue: the rules engine hands alerts over with push(), which never waits; a worker
// on the event loop formats them and sends them to every output. As in Falco:
// - `outputs_queue.capacity` bounds the number of waiting alerts (0 = unbounded, the default);
//   an alert that does not fit is dropped, counted, and the first drop is logged
//   ("Outputs queue out of memory. Drop event and continue on ...");
// - an output that takes longer than `output_timeout` ms is reported at critical level
//   ("\"<name>\" output timeout, all output channels are blocked"), and delivery goes on waiting;
// - on shutdown, alerts still queued after `output_timeout` are discarded with a notice.
// Unlike Falco's single worker thread, the outputs of one batch run concurrently, so a slow HTTP
// endpoint does not add its delay to stdout's. Each output still receives alerts in order.
//
// The worker only runs when the event loop gets a turn: a producer that processes events in a
// long synchronous loop must yield (e.g. `await setImmediate()` every few thousand events) for
// alerts to flow; meanwhile they wait in the queue (or are dropped when it is bounded).
import { log } from '../util/log.js';
import type { Alert } from './alert.js';
import type { AlertFormatter } from './format.js';
import { DeliveryError, describeError, withTimeout, type AlertOutput, type OutputMessage } from './output.js';

export interface OutputsQueueOptions {
  /** `outputs_queue.capacity` (default 0 = unbounded): most alerts waiting for delivery. */
  readonly capacity: number;
  /** `output_timeout` (default 2000 ms): an output busy longer than this is reported, and
   *  close() discards what is still queued after this long. */
  readonly outputTimeoutMs: number;
  /** Most alerts handed to the outputs at once (default 256). */
  readonly maxBatch?: number;
}

/** Why alerts were dropped. */
export type DropReason = 'queue_full' | 'shutdown';

export interface OutputChannelStats {
  /** Alerts this output accepted. */
  delivered: number;
  /** Alerts in batches that failed. */
  failed: number;
  /** Failed sends (batches). */
  errors: number;
  /** Times the output exceeded output_timeout. */
  timeouts: number;
}

export interface OutputsQueueStats {
  /** Alerts accepted by push(). */
  enqueued: number;
  /** Alerts that went through the outputs (whatever each output made of them). */
  processed: number;
  /** Alerts dropped, by reason. */
  readonly drops: Record<DropReason, number>;
  /** Per output name. */
  readonly outputs: Record<string, OutputChannelStats>;
}

type Control = { readonly control: 'flush' | 'reopen'; readonly done: () => void };
type Item = Alert | Control;

const isControl = (item: Item): item is Control => (item as Control).control !== undefined;

/** FIFO with O(1) push and shift (an array with a moving head, compacted now and then). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/** Logs an output's errors without flooding: a repeated message at most every 10 s. */
class ErrorReporter {
  private last = '';
  private lastAt = 0;
  private suppressed = 0;

  report(output: string, message: string): void {
    const now = Date.now();
    if (message === this.last && now - this.lastAt < 10_000) {
      this.suppressed++;
      return;
    }
    const note = this.suppressed > 0 ? ` (${this.suppressed} similar errors not logged)` : '';
    log.error(`${output}: ${message}${note}`);
    this.last = message;
    this.lastAt = now;
    this.suppressed = 0;
  }
}

export class OutputsQueue {
  readonly stats: OutputsQueueStats;
  private readonly fifo = new Fifo<Item>();
  private queuedAlerts = 0;
  private readonly capacity: number;
  private readonly maxBatch: number;
  private readonly reporters = new Map<string, ErrorReporter>();
  private scheduled = false;
  private draining = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private gate: Promise<unknown> | undefined;

  constructor(
    private readonly outputs: readonly AlertOutput[],
    private readonly formatter: AlertFormatter,
    private readonly options: OutputsQueueOptions,
  ) {
    this.capacity = options.capacity > 0 ? options.capacity : Number.POSITIVE_INFINITY;
    this.maxBatch = options.maxBatch ?? 256;
    const perOutput: Record<string, OutputChannelStats> = {};
    for (const output of outputs) {
      perOutput[output.name] = { delivered: 0, failed: 0, errors: 0, timeouts: 0 };
      this.reporters.set(output.name, new ErrorReporter());
    }
    this.stats = { enqueued: 0, processed: 0, drops: { queue_full: 0, shutdown: 0 }, outputs: perOutput };
  }

  /** Alerts waiting for delivery. */
  get size(): number {
    return this.queuedAlerts;
  }

  /** Total alerts dropped for any reason. */
  get dropped(): number {
    return this.stats.drops.queue_full + this.stats.drops.shutdown;
  }

  /**
   * Hands an alert over for delivery; returns false when it was dropped (queue full or closed).
   * Never waits. The alert must not be changed afterwards.
   */
  push(alert: Alert): boolean {
    if (this.closed) {
      this.stats.drops.shutdown++;
      return false;
    }
    if (this.queuedAlerts >= this.capacity) {
      if (this.stats.drops.queue_full === 0) {
        log.error('Outputs queue out of memory. Drop event and continue on ...');
      }
      this.stats.drops.queue_full++;
      return false;
    }
    this.fifo.push(alert);
    this.queuedAlerts++;
    this.stats.enqueued++;
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.draining || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      if (this.gate) {
        await this.gate.catch(() => undefined);
        this.gate = undefined;
      }
      while (this.fifo.length > 0) {
        const first = this.fifo.peek()!;
        if (isControl(first)) {
          this.fifo.shift();
          await this.runControl(first);
          continue;
        }
        const batch: Alert[] = [];
        while (batch.length < this.maxBatch && this.fifo.length > 0 && !isControl(this.fifo.peek()!)) {
          batch.push(this.fifo.shift() as Alert);
        }
        this.queuedAlerts -= batch.length;
        await this.deliver(batch);
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async deliver(batch: readonly Alert[]): Promise<void> {
    const messages: OutputMessage[] = [];
    for (const alert of batch) {
      try {
        messages.push({ alert, text: this.formatter.format(alert) });
      } catch (err) {
        log.error(`outputs: cannot format the alert of rule "${alert.rule}": ${describeError(err)}`);
      }
    }
    this.stats.processed += batch.length;
    if (messages.length === 0) return;
    await Promise.all(this.outputs.map((output) => this.sendTo(output, messages)));
  }

  private async sendTo(output: AlertOutput, messages: readonly OutputMessage[]): Promise<void> {
    const stats = this.stats.outputs[output.name]!;
    const watchdog = setTimeout(() => {
      stats.timeouts++;
      log.critical(`"${output.name}" output timeout, all output channels are blocked`);
    }, this.options.outputTimeoutMs);
    watchdog.unref();
    try {
      await output.send(messages);
      stats.delivered += messages.length;
    } catch (err) {
      const failed = err instanceof DeliveryError ? err.failedAlerts : messages.length;
      stats.errors++;
      stats.failed += failed;
      stats.delivered += messages.length - failed;
      this.reporters.get(output.name)!.report(output.name, describeError(err));
    } finally {
      clearTimeout(watchdog);
    }
  }

  private async runControl(item: Control): Promise<void> {
    await Promise.all(this.outputs.map(async (output) => {
      try {
        await (item.control === 'flush' ? output.flush() : output.reopen());
      } catch (err) {
        this.stats.outputs[output.name]!.errors++;
        this.reporters.get(output.name)!.report(output.name, describeError(err));
      }
    }));
    item.done();
  }

  /** Queues a control step behind the alerts already queued; resolves once it has run. */
  private enqueueControl(control: Control['control']): Promise<void> {
    return new Promise((resolve) => {
      this.fifo.push({ control, done: resolve });
      this.schedule();
    });
  }

  /**
   * Waits until every alert queued so far has been delivered and the outputs have written out what
   * they buffer. Resolves true, or false when `timeoutMs` passed first (delivery goes on).
   */
  async flush(timeoutMs: number = this.options.outputTimeoutMs): Promise<boolean> {
    return withTimeout(this.enqueueControl('flush'), timeoutMs);
  }

  /** Closes and reopens the outputs' files and programs after the alerts queued so far (SIGUSR1). */
  reopen(): Promise<void> {
    return this.enqueueControl('reopen');
  }

  /**
   * Holds delivery (alerts are still accepted and queued) until `gate` settles. Used when outputs
   * are rebuilt: the new ones write only after the old ones have delivered what they held, so two
   * writers never share a file or standard output at once and alerts stay in order.
   */
  deliverAfter(gate: Promise<unknown>): void {
    this.gate = gate;
  }

  /** Resolves when the worker has nothing left to do. */
  private idle(): Promise<void> {
    if (!this.draining && !this.scheduled && this.fifo.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting alerts, delivers what is queued, flushes and closes the outputs. Alerts still
   * queued after `timeoutMs` (default output_timeout) are discarded and counted, as Falco does.
   */
  async close(timeoutMs: number = this.options.outputTimeoutMs): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const delivered = await withTimeout(this.enqueueControl('flush').then(() => this.idle()), timeoutMs);
    if (!delivered) {
      log.notice('output channels still blocked, discarding all remaining notifications');
      const rest = this.fifo.clear();
      for (const item of rest) {
        if (isControl(item)) item.done();
        else this.stats.drops.shutdown++;
      }
      this.queuedAlerts = 0;
    }
    await Promise.all(this.outputs.map(async (output) => {
      try {
        const closed = await withTimeout(output.close(), timeoutMs);
        if (!closed) log.warning(`${output.name}: output did not close within ${timeoutMs} ms`);
      } catch (err) {
        this.reporters.get(output.name)!.report(output.name, describeError(err));
      }
    }));
  }
}
