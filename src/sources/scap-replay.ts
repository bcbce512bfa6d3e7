// Replay of a .scap capture as a syscall event source: reads the capture (plain or gzip), seeds
// the system state from its process/fd/user/interface lists, then yields every event with its
// thread and fd attached, saying whether Falco 0.44 would give it to its rules.
//
// Delivery follows Falco's capture mode: every event that reaches libsinsp's state engine is
// evaluated, except the enter events libsinsp only keeps for their exit (open, connect, execve
// families) and the container/user events consumed while the capture is opened. In capture mode
// Falco does NOT skip the high-volume I/O syscalls (read, write, ...): that selection only tells
// the live driver what to capture. `ignoreIoSyscalls` applies the live selection to a replay.
import { ScapReader, type ScapReadStats } from '../scap/reader.js';
import { EVENT_INFO } from '../scap/event-table.js';
import { Delivery, type SyscallEvent } from '../state/syscall-event.js';
import { StateStream, type StateStreamOptions, type StreamCounters } from '../state/stream.js';
import type { StateCounters } from '../server/metrics.js';

/**
 * Syscalls Falco leaves out of its live selection unless `base_syscalls.all` (Falco's
 * ignored_sc_set: the I/O syscalls outside libsinsp's state set), as `falco -i` lists them.
 */
export const IGNORED_IO_SYSCALLS: ReadonlySet<string> = new Set([
  'pread', 'preadv', 'pwrite', 'pwritev', 'read', 'readv', 'recv', 'send', 'sendfile', 'write', 'writev',
]);

export interface ScapReplayOptions extends StateStreamOptions {
  /**
   * Do not give rules the I/O syscalls Falco's live mode does not capture by default
   * (IGNORED_IO_SYSCALLS); they still update the state. Off by default: Falco's replay evaluates
   * them.
   */
  ignoreIoSyscalls?: boolean;
  /** Bytes read per chunk (see ScapReader). */
  chunkSize?: number;
  /**
   * Do not deliver the enter events the capture converter withholds (Delivery.Dropped: old
   * captures' enter events that Falco never sees); they are still counted. Saves their thread
   * and fd lookups and a callback each: what a consumer of rule events wants. Default false
   * (inspect shows them).
   */
  skipWithheld?: boolean;
}

/** Counters for metrics and the end-of-run summary. */
export interface ReplayStats {
  readonly reader: ScapReadStats;
  readonly stream: StreamCounters;
  /** Threads in the table now, and what the table had to drop. */
  readonly threads: number;
  readonly threadsDroppedFullTable: number;
  readonly threadPlaceholders: number;
  readonly fdsAdded: number;
  readonly fdsRemoved: number;
  readonly fdsDroppedFullTable: number;
  /** Exit events whose enter event was missing (capture started mid-syscall, drops). */
  readonly enterEventsMissing: number;
  readonly containers: number;
  readonly users: number;
  readonly groups: number;
}

/** The counters of a stream of syscall events with state (a replay's, or a live capture's). */
export function streamStats(reader: ScapReadStats, stream: StateStream): ReplayStats {
  const s = stream.state;
  const tc = s.threads.counters;
  const fc = s.threads.fdCounters;
  const ug = s.users.size;
  return {
    reader,
    stream: stream.counters,
    threads: s.threads.size,
    threadsDroppedFullTable: tc.droppedFullTable,
    threadPlaceholders: tc.placeholders,
    fdsAdded: fc.added,
    fdsRemoved: fc.removed,
    fdsDroppedFullTable: fc.droppedFullTable,
    enterEventsMissing: stream.parser.counters.retrieveDrops,
    containers: s.containerInfos.size,
    users: ug.users,
    groups: ug.groups,
  };
}

/** A stream's thread and fd table counters under libsinsp's names (the metrics' state counters). */
export function streamStateCounters(stream: StateStream): StateCounters {
  const s = stream.state;
  const tc = s.threads.counters;
  const fc = s.threads.fdCounters;
  let fds = 0;
  for (const t of s.threads.values()) fds += t.ownFdTable.size;
  const pc = stream.parser.counters;
  return {
    n_threads: s.threads.size,
    n_fds: fds,
    n_added_fds: fc.added,
    n_removed_fds: fc.removed,
    n_failed_thread_lookups: tc.failedLookups,
    n_added_threads: tc.added,
    n_removed_threads: tc.removed,
    n_drops_full_threadtable: tc.droppedFullTable,
    n_store_evts_drops: pc.storeDrops,
    n_retrieve_evts_drops: pc.retrieveDrops,
  };
}

export class ScapReplaySource {
  private readonly ignoreIo: boolean;
  private readonly ioCodes: Uint8Array;
  private readonly skipWithheld: boolean;

  private constructor(readonly path: string, readonly reader: ScapReader, readonly stream: StateStream, opts: ScapReplayOptions) {
    this.ignoreIo = opts.ignoreIoSyscalls ?? false;
    this.skipWithheld = opts.skipWithheld ?? false;
    stream.resolveWithheld = !this.skipWithheld;
    this.ioCodes = new Uint8Array(EVENT_INFO.length);
    for (const info of EVENT_INFO) if (IGNORED_IO_SYSCALLS.has(info.name)) this.ioCodes[info.code] = 1;
  }

  /** Opens a capture and seeds the state from its header. Throws ScapFormatError for bad input. */
  static async open(path: string, opts: ScapReplayOptions = {}): Promise<ScapReplaySource> {
    const reader = await ScapReader.open(path, { chunkSize: opts.chunkSize });
    const stream = new StateStream({ ...opts, isCapture: true });
    stream.seed(reader.header);
    return new ScapReplaySource(path, reader, stream, opts);
  }

  private deliver(e: SyscallEvent): SyscallEvent {
    if (this.ignoreIo && e.delivery === Delivery.Rules && this.ioCodes[e.evt.type] === 1) {
      e.delivery = Delivery.StateOnly;
      this.stream.counters.forRules--;
    }
    return e;
  }

  /**
   * Calls `onEvent` for every event of the capture, in order (the event object is reused: keep
   * values, not the object). Resolves with the statistics at the end; rejects with the reader's
   * ScapFormatError after delivering every event before the damage.
   */
  async forEach(onEvent: (e: SyscallEvent) => void): Promise<ReplayStats> {
    const stream = this.stream;
    if (this.skipWithheld) {
      await this.reader.forEach((view) => {
        const e = stream.push(view);
        if (e.delivery !== Delivery.Dropped) onEvent(this.deliver(e));
      });
    } else {
      await this.reader.forEach((view) => onEvent(this.deliver(stream.push(view))));
    }
    return this.stats();
  }

  /**
   * Like forEach for consumers that must pace themselves (a slow output): `onEvent` returns false
   * to stop early, and `betweenChunks` runs (and is awaited when it returns a promise) after each
   * chunk of the capture has been delivered.
   */
  async forEachPaced(
    onEvent: (e: SyscallEvent) => boolean,
    betweenChunks: () => Promise<void> | undefined,
  ): Promise<ReplayStats> {
    const reader = this.reader;
    const stream = this.stream;
    for (;;) {
      let view;
      while ((view = reader.next()) !== null) {
        const e = stream.push(view);
        if (this.skipWithheld && e.delivery === Delivery.Dropped) continue;
        if (!onEvent(this.deliver(e))) return this.stats();
      }
      const wait = betweenChunks();
      if (wait !== undefined) await wait;
      if (!(await reader.fill())) {
        while ((view = reader.next()) !== null) {
          const e = stream.push(view);
          if (this.skipWithheld && e.delivery === Delivery.Dropped) continue;
          if (!onEvent(this.deliver(e))) return this.stats();
        }
        return this.stats();
      }
    }
  }

  /** Only the events Falco gives to rules (withheld ones are not even looked at). */
  async forEachForRules(onEvent: (e: SyscallEvent) => void): Promise<ReplayStats> {
    const stream = this.stream;
    stream.resolveWithheld = false;
    try {
      await this.reader.forEach((view) => {
        const e = stream.push(view);
        if (e.delivery !== Delivery.Rules) return;
        this.deliver(e);
        if (e.delivery === Delivery.Rules) onEvent(e);
      });
    } finally {
      stream.resolveWithheld = !this.skipWithheld;
    }
    return this.stats();
  }

  /** Async iteration over every event (slower than forEach: one promise per chunk). */
  async *[Symbol.asyncIterator](): AsyncGenerator<SyscallEvent> {
    for (;;) {
      let view;
      while ((view = this.reader.next()) !== null) {
        const e = this.stream.push(view);
        if (!(this.skipWithheld && e.delivery === Delivery.Dropped)) yield this.deliver(e);
      }
      if (!(await this.reader.fill())) {
        while ((view = this.reader.next()) !== null) {
          const e = this.stream.push(view);
          if (!(this.skipWithheld && e.delivery === Delivery.Dropped)) yield this.deliver(e);
        }
        return;
      }
    }
  }

  stats(): ReplayStats {
    return streamStats(this.reader.stats, this.stream);
  }

  /** Thread and fd table counters under libsinsp's names (the metrics' state counters). */
  stateCounters(): StateCounters {
    return streamStateCounters(this.stream);
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

