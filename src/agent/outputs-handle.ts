// The outputs of a run behind a stable handle: hot reload may rebuild them (a changed output
// setting), while the metrics, the snapshot writer and the event loops keep the same reference.
import type { Alert, AlertFormatter, Outputs, OutputsQueueStats } from '../outputs/index.js';
import type { OutputsQueue } from '../outputs/queue.js';

export class OutputsHandle implements Outputs {
  constructor(private current: Outputs) {}

  get formatter(): AlertFormatter {
    return this.current.formatter;
  }

  get queue(): OutputsQueue {
    return this.current.queue;
  }

  get names(): readonly string[] {
    return this.current.names;
  }

  get stats(): OutputsQueueStats {
    return this.current.stats;
  }

  push(alert: Alert): boolean {
    return this.current.push(alert);
  }

  flush(timeoutMs?: number): Promise<boolean> {
    return this.current.flush(timeoutMs);
  }

  reopen(): Promise<void> {
    return this.current.reopen();
  }

  close(timeoutMs?: number): Promise<void> {
    return this.current.close(timeoutMs);
  }

  /**
   * Sends new alerts to `next` from now on, then delivers what the previous outputs still hold and
   * closes them (bounded by their output_timeout). `next` starts writing once they are closed:
   * both may write to the same standard output or file, and a line must never be cut by another.
   */
  async replace(next: Outputs): Promise<void> {
    const previous = this.current;
    const closed = previous.close();
    next.queue.deliverAfter(closed);
    this.current = next;
    await closed;
  }
}
