// The thread table (libsinsp's thread manager): lookup with a one-entry cache, creation of
// placeholder threads for unknown tids, insertion with parent/group links, removal with
// re-parenting of orphans, a size bound and counters for what could not be kept.
import { ThreadGroup, ThreadInfo } from './threads.js';
import type { FdCounters } from './fds.js';

export interface ThreadTableCounters {
  added: number;
  removed: number;
  /** Threads not added because the table was full (Falco's n_drops_full_threadtable). */
  droppedFullTable: number;
  /** Lookups of tids not in the table. */
  failedLookups: number;
  /** Placeholder entries created for tids seen before any information about them. */
  placeholders: number;
  /** Threads removed by the inactivity purge. */
  purged: number;
}

/** Where a thread unknown to the table can be looked up (the live /proc); none in replay. */
export interface ThreadSource {
  /** Builds the thread `tid` (with its fds) or returns undefined. */
  fetch(tid: number, table: ThreadTable): ThreadInfo | undefined;
  /** Whether a thread is still alive (inactivity purge). */
  isAlive?(pid: number, tid: number): boolean;
}

export interface ThreadTableOptions {
  /** Most threads kept (Falco falco_libs.thread_table_size, default 262144). */
  maxSize?: number;
  /** Our own pid (live): always admitted even when the table is full. */
  selfPid?: number;
  source?: ThreadSource;
}

export const DEFAULT_THREAD_TABLE_SIZE = 262144;

const RECENTLY_EXITED_SIZE = 8192;
const RECENTLY_EXITED_MAX_AGE_NS = 2_000_000_000;

export class ThreadTable {
  private readonly threads = new Map<number, ThreadInfo>();
  private readonly groups = new Map<number, ThreadGroup>();
  private lastTid = -1;
  private lastThread: ThreadInfo | undefined;
  readonly maxSize: number;
  private readonly selfPid: number;
  private readonly source: ThreadSource | undefined;
  readonly counters: ThreadTableCounters = {
    added: 0, removed: 0, droppedFullTable: 0, failedLookups: 0, placeholders: 0, purged: 0,
  };
  readonly fdCounters: FdCounters = { added: 0, removed: 0, droppedFullTable: 0 };
  /** Timestamp of the event being processed (lookups stamp threads with it). */
  now = 0;
  // Ring of recently exited (ptid, tid) with their exit time, to ignore late clone returns.
  private readonly exitedKeys = new Float64Array(RECENTLY_EXITED_SIZE).fill(-1);
  private readonly exitedTs = new Float64Array(RECENTLY_EXITED_SIZE);
  private exitedNext = 0;
  /** Key → its latest slot in the ring. */
  private readonly exitedIndex = new Map<number, number>();
  /** Server ports bound by sockets of the seeded fd lists (fixes their direction). */
  readonly serverPorts = new Set<number>();

  constructor(opts: ThreadTableOptions = {}) {
    this.maxSize = opts.maxSize ?? DEFAULT_THREAD_TABLE_SIZE;
    this.selfPid = opts.selfPid ?? -1;
    this.source = opts.source;
  }

  get size(): number {
    return this.threads.size;
  }

  values(): IterableIterator<ThreadInfo> {
    return this.threads.values();
  }

  newThread(tid: number): ThreadInfo {
    return new ThreadInfo(tid, this.fdCounters);
  }

  /** The thread `tid` without any side effect (no cache, no counters). */
  peek(tid: number): ThreadInfo | undefined {
    return this.threads.get(tid);
  }

  /** Finds a thread; unless `lookupOnly`, remembers it for the next lookup and stamps it. */
  find(tid: number, lookupOnly = true): ThreadInfo | undefined {
    if (this.lastTid >= 0 && tid === this.lastTid && this.lastThread !== undefined) {
      this.lastThread.lastAccessTs = this.now;
      return this.lastThread;
    }
    const t = this.threads.get(tid);
    if (t === undefined) {
      this.counters.failedLookups++;
      return undefined;
    }
    if (!lookupOnly) {
      this.lastTid = tid;
      this.lastThread = t;
      t.lastAccessTs = this.now;
    }
    return t;
  }

  /**
   * Finds a thread, or fetches it from the thread source, or, failing that, adds a placeholder
   * (unknown process, no parent) so that the tid is looked up only once. Undefined only when the
   * table is full.
   */
  get(tid: number, lookupOnly = true): ThreadInfo | undefined {
    const found = this.find(tid, lookupOnly);
    if (found !== undefined) return found;
    if (this.threads.size >= this.maxSize && tid !== this.selfPid) return undefined;
    const fetched = this.source?.fetch(tid, this);
    if (fetched !== undefined) {
      this.add(fetched, true);
    } else {
      const t = this.newThread(tid);
      t.pid = -1;
      t.ptid = -1;
      t.reaperTid = -1;
      t.comm = '<NA>';
      t.exe = '<NA>';
      this.counters.placeholders++;
      this.add(t, true);
    }
    return this.find(tid, lookupOnly);
  }

  /** Adds (or replaces) a thread; false when the table is full. */
  add(t: ThreadInfo, createDependencies: boolean): boolean {
    if (this.threads.size >= this.maxSize && t.pid !== this.selfPid) {
      this.counters.droppedFullTable++;
      return false;
    }
    if (createDependencies) this.createDependencies(t);
    this.counters.added++;
    if (this.lastTid === t.tid) {
      this.lastTid = -1;
      this.lastThread = undefined;
    }
    const previous = this.threads.get(t.tid);
    if (previous !== undefined && previous !== t) previous.removed = true;
    t.removed = false;
    this.threads.set(t.tid, t);
    return true;
  }

  /** Links a thread to its process group and parent (libsinsp create_thread_dependencies). */
  createDependencies(t: ThreadInfo): void {
    if (t.isInvalid() || t.group !== undefined) return;
    const reaper = t.pid === 1 || t.vpid === 1;
    let g = this.groups.get(t.pid);
    if (g === undefined) {
      g = new ThreadGroup(t.pid, reaper, t);
      this.groups.set(t.pid, g);
    } else {
      g.add(t, t.isMainThread());
    }
    t.group = g;
    if (t.pid === 1) return;
    const parent = this.find(t.ptid, true);
    if (parent === undefined || parent.isInvalid()) {
      t.ptid = 0;
      return;
    }
    parent.addChild(t);
  }

  /** After seeding from a process list: link every thread (libsinsp does it in one pass). */
  createAllDependencies(): void {
    for (const t of this.threads.values()) this.createDependencies(t);
  }

  group(pid: number): ThreadGroup | undefined {
    return this.groups.get(pid);
  }

  private removeChildFromParent(ptid: number): void {
    const parent = this.find(ptid, true);
    if (parent === undefined) return;
    parent.notExpiredChildren--;
    if (parent.children.length - parent.notExpiredChildren >= 10) parent.cleanExpiredChildren();
  }

  private erase(tid: number): void {
    const t = this.threads.get(tid);
    if (t !== undefined) {
      t.removed = true;
      this.threads.delete(tid);
      this.counters.removed++;
    }
  }

  /** Where orphans of an exiting thread go (libsinsp find_new_reaper, after the kernel's). */
  findNewReaper(t: ThreadInfo): ThreadInfo | undefined {
    const g = t.group;
    if (g !== undefined && g.aliveCount > 0) {
      for (const th of g.threads) if (!th.removed && !th.isDead() && th !== t) return th;
    }
    const seen = new Set<number>([t.tid]);
    let parent = this.find(t.ptid, true);
    while (parent !== undefined) {
      if (seen.has(parent.tid)) break; // loop in the parent chain
      seen.add(parent.tid);
      if (parent.isInPidNamespace() !== t.isInPidNamespace()) break;
      const pg = parent.group;
      if (pg !== undefined && pg.reaper && pg.aliveCount > 0) {
        for (const th of pg.threads) if (!th.removed && !th.isDead()) return th;
      }
      parent = this.find(parent.ptid, true);
    }
    return undefined;
  }

  /** Removes a thread: marks it dead, re-parents its children, drops its process when empty. */
  remove(tid: number): void {
    const t = this.threads.get(tid);
    if (t === undefined) {
      this.counters.failedLookups++;
      return;
    }
    if (t.isInvalid() || t.group === undefined) {
      this.removeChildFromParent(t.ptid);
      this.erase(tid);
      this.lastTid = -1;
      this.lastThread = undefined;
      return;
    }
    const g = t.group;
    if (!t.isDead()) {
      g.decrementAlive();
      t.setDead();
    }
    if (t.children.length > 0) {
      let reaper: ThreadInfo | undefined;
      if (t.reaperTid > 0) reaper = this.get(t.reaperTid, true);
      if (reaper === undefined || reaper.isInvalid()) reaper = this.findNewReaper(t);
      if (reaper !== undefined) {
        t.reaperTid = reaper.tid;
        if (reaper.pid !== t.pid && reaper.group !== undefined) reaper.group.reaper = true;
      }
      t.assignChildrenToReaper(reaper);
    }
    if (g.aliveCount === 0) {
      this.removeChildFromParent(t.ptid);
      this.groups.delete(t.pid);
      this.erase(t.pid);
    }
    if (!t.isMainThread()) {
      this.removeChildFromParent(t.ptid);
      this.erase(tid);
    }
    this.lastTid = -1;
    this.lastThread = undefined;
  }

  /** Remembers that `tid` (child of `ptid`) exited at `ts`. */
  recordRecentlyExited(tid: number, ptid: number, ts: number): void {
    const slot = this.exitedNext;
    const old = this.exitedKeys[slot]!;
    if (old !== -1 && this.exitedIndex.get(old) === slot) this.exitedIndex.delete(old);
    const key = exitKey(ptid, tid);
    this.exitedKeys[slot] = key;
    this.exitedTs[slot] = ts;
    this.exitedIndex.set(key, slot);
    this.exitedNext = (slot + 1) % RECENTLY_EXITED_SIZE;
  }

  /** Whether `tid` (child of `ptid`) exited less than 2 s before `ts`. */
  hasRecentlyExited(tid: number, ptid: number, ts: number): boolean {
    // The latest exit of that (ptid, tid) decides.
    const slot = this.exitedIndex.get(exitKey(ptid, tid));
    if (slot === undefined) return false;
    const exitTs = this.exitedTs[slot]!;
    return ts >= exitTs && ts - exitTs < RECENTLY_EXITED_MAX_AGE_NS;
  }

  /** The process `n` generations above `t`'s process (n = 1: the parent). */
  ancestorProcess(t: ThreadInfo, n = 1): ThreadInfo | undefined {
    let mt = t.mainThread();
    for (let i = 0; i < n; i++) {
      if (mt === undefined) return undefined;
      const p = this.find(mt.ptid, true);
      if (p === undefined) return undefined;
      mt = p.mainThread();
    }
    return mt;
  }

  /**
   * Visits the ancestors of `t` (parent first) until `visit` returns false; stops on loops in
   * the parent chain (libsinsp traverse_parent_state, with its tortoise-and-hare check).
   */
  forEachAncestor(t: ThreadInfo, visit: (p: ThreadInfo) => boolean): void {
    let slow = this.find(t.ptid, true);
    let fast = slow === undefined ? undefined : this.find(slow.ptid, true);
    while (slow !== undefined && slow.tid !== -1) {
      if (!visit(slow)) break;
      slow = this.find(slow.ptid, true);
      for (let i = 0; i < 2; i++) {
        fast = fast === undefined ? undefined : this.find(fast.ptid, true);
        if (slow !== undefined && (slow === fast || slow.tid === slow.ptid)) return;
      }
    }
  }

  /**
   * The oldest ancestor whose id (`idOf`) equals `t`'s own (session leader, process group leader).
   * For virtual ids in a pid namespace the table cannot be indexed by id and the parent chain is
   * walked instead.
   */
  oldestMatchingAncestor(t: ThreadInfo, idOf: (x: ThreadInfo) => number, isVirtualId: boolean): ThreadInfo | undefined {
    const id = idOf(t);
    if (id === -1) return undefined;
    if (!isVirtualId || !t.isInPidNamespace()) {
      const leader = this.find(id, true);
      if (leader !== undefined) return leader;
    }
    let leader: ThreadInfo | undefined;
    this.forEachAncestor(t, (p) => {
      if (idOf(p) !== id) return false;
      leader = p;
      return true;
    });
    return leader;
  }

  /** Purges threads not seen for `timeoutNs` that the source says are gone, and placeholders. */
  purgeInactive(timeoutNs: number): number {
    const doomed: number[] = [];
    for (const t of this.threads.values()) {
      if (t.isInvalid()) {
        doomed.push(t.tid);
      } else if (this.now > t.lastAccessTs + timeoutNs && this.source?.isAlive?.(t.pid, t.tid) !== true) {
        doomed.push(t.tid);
      }
    }
    for (const tid of doomed) {
      if (this.threads.has(tid)) {
        this.remove(tid);
        this.counters.purged++;
      }
    }
    return doomed.length;
  }

  clear(): void {
    for (const t of this.threads.values()) t.removed = true;
    this.threads.clear();
    this.groups.clear();
    this.lastTid = -1;
    this.lastThread = undefined;
  }
}

function exitKey(ptid: number, tid: number): number {
  // (ptid, tid) as libsinsp's 64-bit key from their low 32 bits; fits a double exactly.
  return (ptid >>> 0) * 4294967296 + (tid >>> 0);
}
