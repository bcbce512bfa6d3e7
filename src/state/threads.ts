// Threads and processes: one ThreadInfo per thread id, grouped by process (thread group), linked to
// parents and children, with libsinsp's semantics (a process is its main thread; non-main threads
// share the main thread's fds, cwd and environment; orphans are re-parented to a reaper when their
// parent exits). The table has a size bound (Falco's falco_libs.thread_table_size) and counts
// what it had to drop.
import { CL, CAPABILITY_NAMES } from './constants.js';
import { FdInfo, FdTable, type FdCounters } from './fds.js';
import { concatenatePaths, sanitizeString } from './paths.js';

const UINT32_NONE = 0xffffffff;

/** Thread group: the threads of one process and whether it reaps orphans (init, subreapers). */
export class ThreadGroup {
  /** Threads of the group; the main thread, when known, is first. Removed ones are skipped. */
  readonly threads: ThreadInfo[];
  aliveCount = 1;

  constructor(readonly pid: number, public reaper: boolean, first: ThreadInfo) {
    this.threads = [first];
  }

  add(thread: ThreadInfo, main: boolean): void {
    if (main) this.threads.unshift(thread);
    else this.threads.push(thread);
    this.aliveCount++;
  }

  decrementAlive(): void {
    this.aliveCount--;
    // Drop references to removed threads once enough of them piled up (libsinsp keeps 11).
    if (this.threads.length - this.aliveCount >= 11) this.cleanExpired();
  }

  cleanExpired(): void {
    for (let i = this.threads.length - 1; i >= 0; i--) {
      if (this.threads[i]!.removed) this.threads.splice(i, 1);
    }
  }

  /** The first thread still in the table. */
  first(): ThreadInfo | undefined {
    const t = this.threads[0];
    return t === undefined || t.removed ? undefined : t;
  }
}

export class ThreadInfo {
  pid = -1;
  ptid = -1;
  reaperTid = -1;
  sid = -1;
  vpgid = -1;
  pgid = -1;
  comm = '';
  exe = '';
  exepath = '';
  exeWritable = false;
  exeUpperLayer = false;
  exeLowerLayer = false;
  exeFromMemfd = false;
  args: string[] = [];
  env: string[] = [];
  /** (subsystem, path) pairs in the order the kernel listed them. */
  cgroups: [string, string][] = [];
  flags: number = CL.NAME_CHANGED;
  fdlimit = -1;
  uid = UINT32_NONE;
  gid = UINT32_NONE;
  loginuid = UINT32_NONE;
  capPermitted = 0n;
  capEffective = 0n;
  capInheritable = 0n;
  exeIno = 0;
  exeInoCtime = 0n;
  exeInoMtime = 0n;
  exeInoCtimeDurationCloneTs = 0n;
  exeInoCtimeDurationPidnsStart = 0n;
  vmsizeKb = 0;
  vmrssKb = 0;
  vmswapKb = 0;
  pfmajor = 0;
  pfminor = 0;
  vtid = -1;
  vpid = -1;
  pidnsInitStartTs = 0n;
  root = '';
  tty = 0;
  /** Group of the process this thread belongs to (undefined for invalid threads). */
  group: ThreadGroup | undefined;
  /** Child processes (entries may have been removed from the table: check `removed`). */
  children: ThreadInfo[] = [];
  notExpiredChildren = 0;
  /** Command line as computed when the arguments were last set (libsinsp m_cmd_line). */
  cmdLine = '';
  /** Working directory; meaningful on main threads (others read their main thread's). */
  cwd = '';

  // --- multi-event processing state ---
  /** fd of the syscall being processed (-1 when none). */
  lastEventFd = 0;
  /** Event code of the last enter event (65535 when none). */
  lastEventType = 0xffff;
  /** Whether the stored enter event belongs to the exit being processed. */
  lastEventDataValid = false;
  /** The buffer of the last stored enter event, reused by the next one. */
  spareEventData: Uint8Array | undefined = undefined;
  /** Copy of the last enter event kept for its exit (open, connect, execve). */
  lastEventData: Uint8Array | undefined;
  lastEventTs = 0;
  prevEventTs = 0;
  lastAccessTs = 0;
  /** When the clone that created this thread happened (ns since epoch, 0n when unknown). */
  cloneTs = 0n;
  lastexecTs = 0n;
  /** Set once the thread left the table (libsinsp's expired weak references). */
  removed = false;
  /** Container id computed from the cgroups (undefined until first asked). */
  containerIdCache: string | undefined;

  private readonly ownFds: FdTable;
  /** environmentString() and the environment array it joined (arrays are replaced, never changed). */
  private envJoinedOf: readonly string[] | undefined = undefined;
  private envJoined = '';

  constructor(public tid: number, fdCounters: FdCounters) {
    this.ownFds = new FdTable(fdCounters);
  }

  isMainThread(): boolean {
    return this.tid === this.pid || (this.flags & CL.IS_MAIN_THREAD) !== 0;
  }

  isInPidNamespace(): boolean {
    return (this.flags & CL.CHILD_IN_PIDNS) !== 0 || (this.tid !== this.vtid && this.vtid >= 0);
  }

  /** A placeholder for a thread nothing is known about (no parent, no process). */
  isInvalid(): boolean {
    return this.tid < 0 || this.pid < 0 || this.ptid < 0;
  }

  isDead(): boolean {
    return (this.flags & CL.CLOSED) !== 0;
  }

  setDead(): void {
    this.flags |= CL.CLOSED;
  }

  /** A dead main thread can come back when a secondary thread execs (it takes over the tid). */
  resurrect(): void {
    if (!this.isDead()) return;
    this.flags &= ~CL.CLOSED;
    if (this.group !== undefined) this.group.aliveCount++;
  }

  mainThread(): ThreadInfo | undefined {
    if (this.isMainThread()) return this;
    const g = this.group;
    if (g === undefined) return undefined;
    const first = g.first();
    return first !== undefined && first.isMainThread() ? first : undefined;
  }

  /** The thread's own fd table (used when it does not share its main thread's). */
  get ownFdTable(): FdTable {
    return this.ownFds;
  }

  /** The fd table this thread uses: its main thread's when files are shared. */
  fdTable(): FdTable | undefined {
    if ((this.flags & CL.CLONE_FILES) === 0) return this.ownFds;
    return this.mainThread()?.ownFds;
  }

  /** Looks an fd up, remembering its current name to detect renames by this event. */
  getFd(fd: number): FdInfo | undefined {
    if (fd < 0) return undefined;
    const info = this.fdTable()?.find(fd);
    if (info !== undefined) info.oldName = info.name;
    return info;
  }

  addFd(fd: number, info: FdInfo): FdInfo | undefined {
    const table = this.fdTable();
    if (table === undefined) return undefined;
    const stored = table.add(fd, info);
    this.lastEventFd = fd;
    return stored;
  }

  removeFd(fd: number): void {
    this.fdTable()?.erase(fd);
  }

  fdOpenCount(): number {
    return this.mainThread()?.ownFds.size ?? 0;
  }

  fdLimit(): number {
    return this.mainThread()?.fdlimit ?? 0;
  }

  /** Working directory of the process ("./" when its main thread is unknown). */
  getCwd(): string {
    const main = this.mainThread();
    return main === undefined ? './' : main.cwd;
  }

  /** chdir(): the new directory is resolved against this thread's own cwd field (libsinsp). */
  updateCwd(dir: string): void {
    const main = this.mainThread();
    if (main === undefined) return;
    let cwd = concatenatePaths(this.cwd, dir);
    if (cwd === '' || !cwd.endsWith('/')) cwd += '/';
    main.cwd = cwd;
  }

  setArgs(args: string[]): void {
    this.args = args;
    let line = this.comm;
    if (line !== '') for (const a of args) line += ' ' + a;
    this.cmdLine = line;
  }

  /** proc.cmdline: name and arguments. */
  commandLine(): string {
    if (this.cmdLine !== '') return this.cmdLine;
    let line = this.comm;
    for (const a of this.args) line += ' ' + a;
    return line;
  }

  /** proc.args: arguments joined by spaces. */
  argsString(): string {
    return this.args.join(' ');
  }

  /** Environment of the process (the main thread's). */
  environment(): string[] {
    if (this.isMainThread()) return this.env;
    return this.mainThread()?.environment() ?? this.env;
  }

  /** Value of one environment variable, trimmed of spaces ("" when absent). */
  envValue(name: string): string {
    const n = name.length;
    for (const v of this.environment()) {
      if (v.length > n + 1 && v.charCodeAt(n) === 0x3d && v.startsWith(name)) {
        return v.slice(n + 1).replace(/^ +| +$/g, '');
      }
    }
    return '';
  }

  /** proc.env: all variables joined by spaces (joined again only when the environment changed). */
  environmentString(): string {
    const env = this.environment();
    if (env !== this.envJoinedOf) {
      this.envJoined = env.join(' ');
      this.envJoinedOf = env;
    }
    return this.envJoined;
  }

  /** Sets cgroups from `subsys=path` strings, normalizing subsystem names as libsinsp does. */
  setCgroups(defs: readonly string[]): void {
    const out: [string, string][] = [];
    for (const def of defs) {
      const eq = def.indexOf('=');
      // A malformed entry leaves the previous cgroups untouched (libsinsp returns early).
      if (eq === -1) return;
      let subsys = def.slice(0, eq);
      const path = def.slice(eq + 1);
      const cg = subsys.indexOf('_cgroup');
      if (cg !== -1) subsys = subsys.slice(0, cg) + subsys.slice(cg + '_cgroup'.length);
      if (subsys === 'perf') subsys = 'perf_event';
      else if (subsys === 'mem') subsys = 'memory';
      else if (subsys === 'io') subsys = 'blkio';
      out.push([subsys, path]);
    }
    this.cgroups = out;
    this.containerIdCache = undefined;
  }

  cgroup(subsys: string): string | undefined {
    for (const [s, p] of this.cgroups) if (s === subsys) return p;
    return undefined;
  }

  /** The executable path with a trailing " (deleted)" removed. */
  setExepath(path: string): void {
    const suffix = ' (deleted)';
    this.exepath = path.length > suffix.length && path.endsWith(suffix) ? path.slice(0, -suffix.length) : path;
  }

  numThreads(): number {
    return this.group?.aliveCount ?? 0;
  }

  numNotLeaderThreads(): number {
    const g = this.group;
    if (g === undefined) return 0;
    const main = this.mainThread();
    return main !== undefined && !main.isDead() ? g.aliveCount - 1 : g.aliveCount;
  }

  addChild(child: ThreadInfo): void {
    this.children.unshift(child);
    child.ptid = this.tid;
    this.notExpiredChildren++;
  }

  cleanExpiredChildren(): void {
    this.children = this.children.filter((c) => !c.removed);
  }

  /** Moves every child to `reaper` (or to no parent: ptid 0). */
  assignChildrenToReaper(reaper: ThreadInfo | undefined): void {
    if (this.children.length === 0) return;
    const kids = this.children;
    this.children = [];
    for (const child of kids) {
      if (child.removed) continue;
      if (reaper === undefined) child.ptid = 0;
      else reaper.addChild(child);
    }
    this.notExpiredChildren = 0;
  }

  /** Whether an IPv4 socket of the process is bound to (or listening on) `port`. */
  isBoundToPort(port: number): boolean {
    const table = this.fdTable();
    if (table === undefined) return false;
    for (const fd of table.values()) {
      if (fd.type === 3 /* Ipv4Sock */ && fd.u16(10) === port) return true;
      if (fd.type === 5 /* Ipv4ServSock */ && fd.u16(4) === port) return true;
    }
    return false;
  }

  /** Whether an IPv4 socket of the process uses `port` as its client port. */
  usesClientPort(port: number): boolean {
    const table = this.fdTable();
    if (table === undefined) return false;
    for (const fd of table.values()) if (fd.type === 3 && fd.u16(8) === port) return true;
    return false;
  }

  /** Directory of a dirfd as `*at` syscalls resolve paths against it ("" when unknown). */
  pathForDirFd(dirfd: number): string {
    const info = this.getFd(dirfd);
    if (info === undefined || info.name === '') return '';
    return sanitizeString(info.name.endsWith('/') ? info.name : info.name + '/');
  }
}

/** Capability set as proc.cap_* print it: names separated by spaces. */
export function capabilitiesToString(caps: bigint): string {
  const names: string[] = [];
  for (let i = 0; i < CAPABILITY_NAMES.length; i++) {
    if ((caps >> BigInt(i)) & 1n) names.push(CAPABILITY_NAMES[i]!);
  }
  return names.join(' ');
}
