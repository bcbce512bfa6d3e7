// A single-consumer queue between producers that push (webhook requests, a followed file) and
// the event loop that pulls with an async iterator. Producers that must not run ahead of the
// consumer wait for room (the webhook then answers its request only once its events fit), so a
// slow rules engine slows the senders down instead of growing memory without bound.
export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private consumer: ((result: IteratorResult<T>) => void) | undefined;
  private roomWaiters: ((open: boolean) => void)[] = [];
  private closedFlag = false;

  /** `highWater`: queued items at which producers start waiting. */
  constructor(private readonly highWater: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Adds items (ignored once closed: the caller checks `closed` first and counts what it refuses). */
  push(item: T): void {
    if (this.closedFlag) return;
    const consumer = this.consumer;
    if (consumer !== undefined && this.size === 0) {
      this.consumer = undefined;
      consumer({ value: item, done: false });
      return;
    }
    this.items.push(item);
  }

  /** Resolves true when the queue has room, false when it was closed meanwhile. */
  waitForRoom(): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(false);
    if (this.size < this.highWater) return Promise.resolve(true);
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** The next item; done once the queue is closed and drained. */
  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.items[this.head]!;
      this.items[this.head] = undefined as unknown as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.releaseRoomWaiters();
      return Promise.resolve({ value, done: false });
    }
    if (this.closedFlag) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.consumer = resolve;
    });
  }

  /** No more items: the consumer gets what is queued, then the end; waiting producers are released. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    consumer?.({ value: undefined, done: true });
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w(false);
  }

  private releaseRoomWaiters(): void {
    while (this.roomWaiters.length > 0 && this.size < this.highWater) this.roomWaiters.shift()!(true);
  }
}
