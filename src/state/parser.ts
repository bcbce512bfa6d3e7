// The event parsers that keep the system state: for every event that reaches the state engine
// (after the capture converter), find its thread and fd (`reset`), then apply what the event
// changes (`process`). Semantics follow libsinsp 0.25 (parsers.cpp) closely, including its
// approximations, because every syscall field value depends on them.
//
// Per-event flow, driven by the event source:
//   beforeEvent(ts)      apply removals deferred from the previous event (exited thread, closed fds)
//   reset(evt, ctx)      attach thread and fd to the event context
//   process(evt, ctx)    update the state
//   afterEvent(evt, ctx) release the stored enter event, stamp the thread's last event time
import { FD_TYPE } from '../scap/format.js';
import {
  AF, AT_FDCWD, CL, CLOSE_RANGE_CLOEXEC, CLONE_STALE_TIME_NS, CREAT_LOWER_LAYER, CREAT_UPPER_LAYER,
  EINPROGRESS, EPOLL_CLOEXEC, EXE, EXECVEAT_AT_EMPTY_PATH, FCNTL_F_DUPFD,
  FCNTL_F_DUPFD_CLOEXEC, FCNTL_F_SETFD, FD_CLOEXEC, IPPROTO_ICMP, IPPROTO_IP, IPPROTO_RAW,
  IPPROTO_TCP, IPPROTO_UDP, L4, O, PR_GET_CHILD_SUBREAPER, PR_SET_CHILD_SUBREAPER, RLIMIT_NOFILE,
  SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, ALL_CAPABILITIES,
} from './constants.js';
import { EC, EF, EVENT_CODE as PPME, EVENT_INFO, isEnterCode } from '../scap/event-table.js';
import { FdInfo, SOCK } from './fds.js';
import {
  cString, formatSockaddr, formatSocktuple, ipv4BytesToString, ipv6BytesToString, isIpv4MappedIpv6,
} from './netfmt.js';
import type { EventParams } from './params.js';
import { containerInfoFromJson } from './containers.js';
import { concatenatePaths, sanitizeString } from './paths.js';
import { ipv4TupleName, ipv6TupleName, swapIpv4Ends, type SystemState } from './system-state.js';
import type { ThreadInfo } from './threads.js';

/** What reset() and process() found out about the current event. */
export class EventContext {
  thread: ThreadInfo | undefined;
  fd: FdInfo | undefined;
  /** fd.name_changed: the event renamed its fd. */
  fdNameChanged = false;
  /** errno of a failed syscall (0 on success). */
  errorCode = 0;

  clear(): void {
    this.thread = undefined;
    this.fd = undefined;
    this.fdNameChanged = false;
    this.errorCode = 0;
  }
}

export interface ParserCounters {
  /** Enter events not stored because their thread was unknown. */
  storeDrops: number;
  /** Exit events whose enter event could not be matched. */
  retrieveDrops: number;
  /** Container events whose JSON could not be read. */
  badContainerEvents: number;
}

const CLONE_EXITS: ReadonlySet<number> = new Set([
  PPME.SYSCALL_CLONE_20_X, PPME.SYSCALL_FORK_20_X, PPME.SYSCALL_VFORK_20_X, PPME.SYSCALL_CLONE3_X,
]);

/** Events that never look a thread up in the OS (their thread may legitimately be gone), by code. */
const NO_OS_LOOKUP: Uint8Array = (() => {
  const a = new Uint8Array(EVENT_INFO.length);
  for (const code of CLONE_EXITS) a[code] = 1;
  a[PPME.SCHEDSWITCH_6_E] = 1;
  a[PPME.PROCEXIT_1_E] = 1;
  return a;
})();

function noOsLookup(type: number): boolean {
  return NO_OS_LOOKUP[type] === 1;
}

/** Where the fd of an fd-using enter event is (almost always the first parameter). */
export function enterFdParam(type: number): number {
  if (type === PPME.SYSCALL_MMAP_E || type === PPME.SYSCALL_MMAP2_E) return 4;
  if (type === PPME.SYSCALL_SPLICE_E) return 1;
  return 0;
}

/** Per exit event code: index of its fd parameter, -1 when none. */
const EXIT_FD_PARAM: Int8Array = (() => {
  const m = new Int8Array(EVENT_INFO.length).fill(-1);
  const at1 = [
    'SYSCALL_SETNS_X', 'SOCKET_LISTEN_X', 'SOCKET_SHUTDOWN_X', 'SYSCALL_FCHDIR_X', 'SYSCALL_LSEEK_X',
    'SYSCALL_LLSEEK_X', 'SYSCALL_IOCTL_3_X', 'SYSCALL_FSTAT_X', 'SYSCALL_CLOSE_X', 'SYSCALL_GETDENTS_X',
    'SYSCALL_GETDENTS64_X', 'SYSCALL_FLOCK_X', 'SYSCALL_COPY_FILE_RANGE_X', 'SYSCALL_FCNTL_X',
    'SYSCALL_DUP_1_X', 'SYSCALL_DUP2_X', 'SYSCALL_DUP3_X', 'SYSCALL_NEWFSTATAT_X', 'SYSCALL_FCHOWNAT_X',
    'SYSCALL_FCHMODAT_X', 'SYSCALL_MKDIRAT_X', 'SYSCALL_UNLINKAT_2_X', 'SYSCALL_MKNODAT_X',
    'SOCKET_SENDMMSG_X', 'SOCKET_RECVMMSG_X', 'SYSCALL_IO_URING_REGISTER_X', 'SYSCALL_IO_URING_ENTER_X',
    'SOCKET_SETSOCKOPT_X', 'SOCKET_GETSOCKOPT_X', 'SYSCALL_FSCONFIG_X', 'SYSCALL_FINIT_MODULE_X',
    'SYSCALL_FCHMOD_X', 'SYSCALL_FCHOWN_X',
  ] as const;
  const at2 = [
    'SYSCALL_READ_X', 'SYSCALL_PREAD_X', 'SOCKET_BIND_X', 'SYSCALL_WRITE_X', 'SYSCALL_PWRITE_X',
    'SOCKET_RECV_X', 'SOCKET_SEND_X', 'SOCKET_SENDTO_X', 'SOCKET_SENDMSG_X', 'SYSCALL_SENDFILE_X',
    'SYSCALL_SPLICE_X', 'SYSCALL_WRITEV_X', 'SYSCALL_PWRITEV_X', 'SOCKET_CONNECT_X',
    'SYSCALL_SYMLINKAT_X',
  ] as const;
  const at3 = ['SOCKET_RECVFROM_X', 'SYSCALL_READV_X', 'SYSCALL_PREADV_X'] as const;
  for (const n of at1) m[PPME[n]] = 1;
  for (const n of at2) m[PPME[n]] = 2;
  for (const n of at3) m[PPME[n]] = 3;
  m[PPME.SOCKET_RECVMSG_X] = 5;
  m[PPME.SYSCALL_MMAP_X] = 8;
  m[PPME.SYSCALL_MMAP2_X] = 8;
  return m;
})();

/** Where the fd of an fd-using exit event is, or -1. */
export function exitFdParam(type: number): number {
  return EXIT_FD_PARAM[type] ?? -1;
}

const u16At = (b: Uint8Array, off: number): number => b[off]! | (b[off + 1]! << 8);

/** A socket address (PT_SOCKADDR) complete enough to be read (libsinsp is_sockaddr_valid). */
function sockaddrValid(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  switch (b[0]) {
    case AF.INET: return b.length >= 7;
    case AF.INET6: return b.length >= 19;
    case AF.UNIX: return b.length >= 2 && b[b.length - 1] === 0;
    default: return true;
  }
}

/** A socket tuple (PT_SOCKTUPLE) complete enough to be read (libsinsp is_socktuple_valid). */
function socktupleValid(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  switch (b[0]) {
    case AF.INET: return b.length >= 13;
    case AF.INET6: return b.length >= 37;
    case AF.UNIX: return b.length >= 18 && b[b.length - 1] === 0;
    default: return true;
  }
}

/** What reset() needs to know of an event code (bits of RESET_TRAITS). */
const enum Reset {
  /** EF_SKIPPARSERESET: no thread is attached (except to procinfo events). */
  SkipReset = 1,
  /** Container, user, group, plugin and async events: no thread. */
  NoThread = 2,
  /** The thread may legitimately be gone: look it up, never create it. */
  NoOsLookup = 4,
  Enter = 8,
  UsesFd = 16,
  /** A syscall exit whose first parameter is the return value (when present). */
  ReturnValue = 32,
}

/** Per event code, its Reset bits: reset() runs on every event and tests them instead of codes. */
const RESET_TRAITS: Uint8Array = (() => {
  const traits = new Uint8Array(EVENT_INFO.length);
  const noThread: readonly number[] = [
    PPME.CONTAINER_JSON_2_E, PPME.USER_ADDED_E, PPME.USER_DELETED_E, PPME.GROUP_ADDED_E, PPME.GROUP_DELETED_E,
    PPME.PLUGINEVENT_E, PPME.ASYNCEVENT_E,
  ];
  for (const info of EVENT_INFO) {
    const code = info.code;
    let t = 0;
    if ((info.flags & EF.SKIPPARSERESET) !== 0) t |= Reset.SkipReset;
    if (noThread.includes(code)) t |= Reset.NoThread;
    if (noOsLookup(code)) t |= Reset.NoOsLookup;
    if (isEnterCode(code)) t |= Reset.Enter;
    if ((info.flags & EF.USES_FD) !== 0) t |= Reset.UsesFd;
    if (code !== PPME.GENERIC_X && (info.category & EC.SYSCALL) !== 0 && !isEnterCode(code)) t |= Reset.ReturnValue;
    traits[code] = t;
  }
  return traits;
})();

/** The cases of StateParser.process(): how an event changes the state. */
const enum Parse {
  Nothing = 0,
  StoreEnterWithArgs,
  StoreEnter,
  ReadExit,
  WriteExit,
  OpenExit,
  UnshareSetnsExit,
  MemfdCreateExit,
  CloneExit,
  PidfdOpenExit,
  PidfdGetfdExit,
  ExecveExit,
  ThreadExit,
  PipeExit,
  SocketExit,
  BindExit,
  ConnectExit,
  AcceptExit,
  CloseExit,
  CloseRangeExit,
  FcntlExit,
  EventfdExit,
  ChdirExit,
  FchdirExit,
  GetcwdExit,
  ShutdownExit,
  DupExit,
  SignalfdExit,
  TimerfdCreateExit,
  InotifyInitExit,
  BpfExit,
  UserfaultfdExit,
  IoUringSetupExit,
  EpollCreateExit,
  RlimitExit,
  PrlimitExit,
  SocketpairExit,
  ContextSwitch,
  MemoryExit,
  SetresuidExit,
  SetresgidExit,
  SetuidExit,
  SetgidExit,
  ChrootExit,
  SetsidExit,
  GetsockoptExit,
  CapsetExit,
  UserEvent,
  GroupEvent,
  PrctlExit,
  ContainerJson,
  AsyncEvent,
}

/** Per event code, the case of process() that parses it. */
const PARSE_KIND: Uint8Array = (() => {
  const kinds = new Uint8Array(EVENT_INFO.length);
  const cases: readonly [Parse, readonly (keyof typeof PPME)[]][] = [
    [Parse.StoreEnterWithArgs, ['SYSCALL_OPEN_E', 'SYSCALL_CREAT_E', 'SYSCALL_OPENAT_2_E', 'SYSCALL_OPENAT2_E', 'SYSCALL_EXECVE_19_E']],
    [Parse.StoreEnter, ['SYSCALL_EXECVEAT_E', 'SOCKET_CONNECT_E']],
    [Parse.ReadExit, ['SYSCALL_READ_X', 'SYSCALL_READV_X', 'SYSCALL_PREAD_X', 'SYSCALL_PREADV_X', 'SOCKET_RECV_X', 'SOCKET_RECVFROM_X', 'SOCKET_RECVMSG_X', 'SOCKET_RECVMMSG_X']],
    [Parse.WriteExit, ['SYSCALL_WRITE_X', 'SYSCALL_WRITEV_X', 'SYSCALL_PWRITE_X', 'SYSCALL_PWRITEV_X', 'SOCKET_SEND_X', 'SOCKET_SENDTO_X', 'SOCKET_SENDMSG_X', 'SOCKET_SENDMMSG_X']],
    [Parse.OpenExit, ['SYSCALL_OPEN_X', 'SYSCALL_CREAT_X', 'SYSCALL_OPENAT_2_X', 'SYSCALL_OPENAT2_X', 'SYSCALL_OPEN_BY_HANDLE_AT_X']],
    [Parse.UnshareSetnsExit, ['SYSCALL_UNSHARE_X', 'SYSCALL_SETNS_X']],
    [Parse.MemfdCreateExit, ['SYSCALL_MEMFD_CREATE_X']],
    [Parse.CloneExit, ['SYSCALL_CLONE_20_X', 'SYSCALL_FORK_20_X', 'SYSCALL_VFORK_20_X', 'SYSCALL_CLONE3_X']],
    [Parse.PidfdOpenExit, ['SYSCALL_PIDFD_OPEN_X']],
    [Parse.PidfdGetfdExit, ['SYSCALL_PIDFD_GETFD_X']],
    [Parse.ExecveExit, ['SYSCALL_EXECVE_19_X', 'SYSCALL_EXECVEAT_X']],
    [Parse.ThreadExit, ['PROCEXIT_1_E']],
    [Parse.PipeExit, ['SYSCALL_PIPE_X', 'SYSCALL_PIPE2_X']],
    [Parse.SocketExit, ['SOCKET_SOCKET_X']],
    [Parse.BindExit, ['SOCKET_BIND_X']],
    [Parse.ConnectExit, ['SOCKET_CONNECT_X']],
    [Parse.AcceptExit, ['SOCKET_ACCEPT_5_X', 'SOCKET_ACCEPT4_6_X']],
    [Parse.CloseExit, ['SYSCALL_CLOSE_X']],
    [Parse.CloseRangeExit, ['SYSCALL_CLOSE_RANGE_X']],
    [Parse.FcntlExit, ['SYSCALL_FCNTL_X']],
    [Parse.EventfdExit, ['SYSCALL_EVENTFD_X', 'SYSCALL_EVENTFD2_X']],
    [Parse.ChdirExit, ['SYSCALL_CHDIR_X']],
    [Parse.FchdirExit, ['SYSCALL_FCHDIR_X']],
    [Parse.GetcwdExit, ['SYSCALL_GETCWD_X']],
    [Parse.ShutdownExit, ['SOCKET_SHUTDOWN_X']],
    [Parse.DupExit, ['SYSCALL_DUP_1_X', 'SYSCALL_DUP2_X', 'SYSCALL_DUP3_X']],
    [Parse.SignalfdExit, ['SYSCALL_SIGNALFD_X', 'SYSCALL_SIGNALFD4_X']],
    [Parse.TimerfdCreateExit, ['SYSCALL_TIMERFD_CREATE_X']],
    [Parse.InotifyInitExit, ['SYSCALL_INOTIFY_INIT_X', 'SYSCALL_INOTIFY_INIT1_X']],
    [Parse.BpfExit, ['SYSCALL_BPF_2_X']],
    [Parse.UserfaultfdExit, ['SYSCALL_USERFAULTFD_X']],
    [Parse.IoUringSetupExit, ['SYSCALL_IO_URING_SETUP_X']],
    [Parse.EpollCreateExit, ['SYSCALL_EPOLL_CREATE_X', 'SYSCALL_EPOLL_CREATE1_X']],
    [Parse.RlimitExit, ['SYSCALL_GETRLIMIT_X', 'SYSCALL_SETRLIMIT_X']],
    [Parse.PrlimitExit, ['SYSCALL_PRLIMIT_X']],
    [Parse.SocketpairExit, ['SOCKET_SOCKETPAIR_X']],
    [Parse.ContextSwitch, ['SCHEDSWITCH_6_E']],
    [Parse.MemoryExit, ['SYSCALL_BRK_4_X', 'SYSCALL_MMAP_X', 'SYSCALL_MMAP2_X', 'SYSCALL_MUNMAP_X']],
    [Parse.SetresuidExit, ['SYSCALL_SETRESUID_X', 'SYSCALL_SETREUID_X']],
    [Parse.SetresgidExit, ['SYSCALL_SETRESGID_X', 'SYSCALL_SETREGID_X']],
    [Parse.SetuidExit, ['SYSCALL_SETUID_X']],
    [Parse.SetgidExit, ['SYSCALL_SETGID_X']],
    [Parse.ChrootExit, ['SYSCALL_CHROOT_X']],
    [Parse.SetsidExit, ['SYSCALL_SETSID_X']],
    [Parse.GetsockoptExit, ['SOCKET_GETSOCKOPT_X']],
    [Parse.CapsetExit, ['SYSCALL_CAPSET_X']],
    [Parse.UserEvent, ['USER_ADDED_E', 'USER_DELETED_E']],
    [Parse.GroupEvent, ['GROUP_ADDED_E', 'GROUP_DELETED_E']],
    [Parse.PrctlExit, ['SYSCALL_PRCTL_X']],
    [Parse.ContainerJson, ['CONTAINER_JSON_E', 'CONTAINER_JSON_2_E']],
    [Parse.AsyncEvent, ['ASYNCEVENT_E']],
  ];
  for (const [kind, codes] of cases) for (const name of codes) kinds[PPME[name]] = kind;
  return kinds;
})();
export class StateParser {
  readonly counters: ParserCounters = { storeDrops: 0, retrieveDrops: 0, badContainerEvents: 0 };
  /** Thread whose exit (procexit) is applied at the next event. */
  private tidToRemove = -1;
  private fdsOwner = -1;
  private readonly fdsToRemove: number[] = [];

  /**
   * @param readStored reads a stored enter event back (the parsers keep raw copies of a few enter
   *   events for their exits).
   */
  constructor(
    private readonly state: SystemState,
    private readonly readStored: (bytes: Uint8Array) => EventParams,
  ) {}

  // ------------------------------------------------------------------ event framing

  /** Applies removals deferred from the previous event (so that it could still be inspected). */
  beforeEvent(ts: number): void {
    const threads = this.state.threads;
    threads.now = ts;
    if (this.tidToRemove !== -1) {
      const tid = this.tidToRemove;
      const t = threads.find(tid, true);
      threads.recordRecentlyExited(tid, t === undefined ? -1 : t.ptid, ts);
      threads.remove(tid);
      this.tidToRemove = -1;
    }
    if (this.fdsToRemove.length > 0) {
      const t = threads.find(this.fdsOwner, true);
      if (t !== undefined) for (const fd of this.fdsToRemove) t.removeFd(fd);
      this.fdsToRemove.length = 0;
    }
  }

  /** Releases per-event state: the stored enter event once its exit is done; last event times. */
  afterEvent(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    if (!isEnterCode(evt.type) && t.lastEventData !== undefined) {
      t.spareEventData = t.lastEventData;
      t.lastEventData = undefined;
      t.lastEventDataValid = false;
    }
    if (evt.type !== PPME.SCHEDSWITCH_6_E) {
      t.prevEventTs = t.lastEventTs;
      t.lastEventTs = evt.ts;
    }
  }

  /** Syscall return value: the first parameter of a syscall exit event (4 or 8 bytes). */
  returnValue(evt: EventParams): number {
    const len = evt.paramLen(0);
    return len === 4 || len === 8 ? evt.int(0) : 0;
  }

  hasReturnValue(evt: EventParams): boolean {
    if (evt.type === PPME.GENERIC_X) return false;
    return (EVENT_INFO[evt.type]!.category & EC.SYSCALL) !== 0 && !isEnterCode(evt.type) && evt.nparams > 0;
  }

  /**
   * Attaches the event's thread and fd to `ctx` (libsinsp sinsp_parser::reset). Returns whether
   * the event has what its parser needs.
   */
  reset(evt: EventParams, ctx: EventContext): boolean {
    ctx.clear();
    const type = evt.type;
    const traits = RESET_TRAITS[type]!;
    const threads = this.state.threads;
    if ((traits & Reset.SkipReset) !== 0) {
      ctx.thread = type === PPME.PROCINFO_E ? threads.find(evt.tid, false) : undefined;
      return false;
    }
    if ((traits & Reset.NoThread) !== 0) return true;
    const queryOs = (traits & Reset.NoOsLookup) === 0;
    const t = queryOs ? threads.get(evt.tid, false) : threads.find(evt.tid, false);
    ctx.thread = t;
    if (type === PPME.SCHEDSWITCH_6_E || t === undefined) return false;
    if (queryOs) t.flags |= CL.ACTIVE;

    if ((traits & Reset.Enter) !== 0) {
      t.lastEventFd = -1;
      t.lastEventType = type;
      if ((traits & Reset.UsesFd) !== 0) {
        t.lastEventFd = evt.int(enterFdParam(type));
        ctx.fd = t.getFd(t.lastEventFd);
      }
      return true;
    }

    // An execveat enter is followed by an execve exit when it succeeds.
    if (
      (type === PPME.SYSCALL_EXECVE_19_X && t.lastEventType === PPME.SYSCALL_EXECVEAT_E) ||
      type === t.lastEventType + 1
    ) {
      t.lastEventDataValid = true;
    } else {
      t.lastEventDataValid = false;
      t.lastEventFd = -1;
    }

    if ((traits & Reset.ReturnValue) !== 0 && evt.nparams > 0) {
      const res = this.returnValue(evt);
      if (res < 0) ctx.errorCode = -res;
    }
    if ((traits & Reset.UsesFd) === 0) return true;

    if (t.lastEventFd === -1) {
      const at = EXIT_FD_PARAM[type]!;
      if (at !== -1 && at < evt.nparams && evt.paramLen(at) !== 0) t.lastEventFd = evt.int(at);
    }
    ctx.fd = t.getFd(t.lastEventFd);
    return ctx.fd !== undefined;
  }

  // ------------------------------------------------------------------ dispatch

  process(evt: EventParams, ctx: EventContext): void {
    // One jump on a dense small integer (PARSE_KIND) instead of a chain of comparisons.
    switch (PARSE_KIND[evt.type]) {
      case Parse.StoreEnterWithArgs:
        // Nothing to keep when the driver could not read the arguments.
        if (evt.paramLen(0) === 0) break;
        this.storeEvent(evt, ctx);
        break;
      case Parse.StoreEnter:
        this.storeEvent(evt, ctx);
        break;
      case Parse.ReadExit:
        this.parseReadExit(evt, ctx);
        break;
      case Parse.WriteExit:
        this.parseWriteExit(evt, ctx);
        break;
      case Parse.OpenExit:
        this.parseOpenExit(evt, ctx);
        break;
      case Parse.UnshareSetnsExit:
        this.parseUnshareSetnsExit(evt, ctx);
        break;
      case Parse.MemfdCreateExit:
        this.parseMemfdCreateExit(evt, ctx);
        break;
      case Parse.CloneExit:
        this.parseCloneExit(evt, ctx);
        break;
      case Parse.PidfdOpenExit:
        this.parsePidfdOpenExit(evt, ctx);
        break;
      case Parse.PidfdGetfdExit:
        this.parsePidfdGetfdExit(evt, ctx);
        break;
      case Parse.ExecveExit:
        this.parseExecveExit(evt, ctx);
        break;
      case Parse.ThreadExit:
        this.parseThreadExit(evt, ctx);
        break;
      case Parse.PipeExit:
        this.parsePipeExit(evt, ctx);
        break;
      case Parse.SocketExit:
        this.parseSocketExit(evt, ctx);
        break;
      case Parse.BindExit:
        this.parseBindExit(evt, ctx);
        break;
      case Parse.ConnectExit:
        this.parseConnectExit(evt, ctx);
        break;
      case Parse.AcceptExit:
        this.parseAcceptExit(evt, ctx);
        break;
      case Parse.CloseExit:
        this.parseCloseExit(evt, ctx);
        break;
      case Parse.CloseRangeExit:
        this.parseCloseRangeExit(evt, ctx);
        break;
      case Parse.FcntlExit:
        this.parseFcntlExit(evt, ctx);
        break;
      case Parse.EventfdExit:
        this.parseEventfdExit(evt, ctx);
        break;
      case Parse.ChdirExit:
        if (this.returnValue(evt) >= 0 && ctx.thread !== undefined) ctx.thread.updateCwd(evt.str(1));
        break;
      case Parse.FchdirExit:
        if (this.returnValue(evt) >= 0 && ctx.fd !== undefined && ctx.thread !== undefined) {
          ctx.thread.updateCwd(ctx.fd.name);
        }
        break;
      case Parse.GetcwdExit:
        if (this.returnValue(evt) >= 0 && ctx.thread !== undefined) ctx.thread.updateCwd(evt.str(1));
        break;
      case Parse.ShutdownExit:
        break;
      case Parse.DupExit:
        this.parseDupExit(evt, ctx);
        break;
      case Parse.SignalfdExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.SIGNALFD);
        break;
      case Parse.TimerfdCreateExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.TIMERFD);
        break;
      case Parse.InotifyInitExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.INOTIFY);
        break;
      case Parse.BpfExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.BPF);
        break;
      case Parse.UserfaultfdExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.USERFAULTFD);
        break;
      case Parse.IoUringSetupExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.IOURING);
        break;
      case Parse.EpollCreateExit:
        this.parseSingleFdExit(evt, ctx, FD_TYPE.EVENTPOLL);
        break;
      case Parse.RlimitExit:
        this.parseRlimitExit(evt, ctx);
        break;
      case Parse.PrlimitExit:
        this.parsePrlimitExit(evt);
        break;
      case Parse.SocketpairExit:
        this.parseSocketpairExit(evt, ctx);
        break;
      case Parse.ContextSwitch:
        this.parseContextSwitch(evt, ctx);
        break;
      case Parse.MemoryExit:
        this.parseMemoryExit(evt, ctx);
        break;
      case Parse.SetresuidExit:
        if (this.returnValue(evt) === 0) this.setThreadUser(evt, ctx, 2);
        break;
      case Parse.SetresgidExit:
        if (this.returnValue(evt) === 0) this.setThreadGroup(evt, ctx, 2);
        break;
      case Parse.SetuidExit:
        if (this.returnValue(evt) === 0) this.setThreadUser(evt, ctx, 1);
        break;
      case Parse.SetgidExit:
        if (this.returnValue(evt) === 0) this.setThreadGroup(evt, ctx, 1);
        break;
      case Parse.ChrootExit:
        this.parseChrootExit(evt, ctx);
        break;
      case Parse.SetsidExit: {
        const res = this.returnValue(evt);
        if (res >= 0 && ctx.thread !== undefined) ctx.thread.sid = res;
        break;
      }
      case Parse.GetsockoptExit:
        if (evt.nparams > 0) this.parseGetsockoptExit(evt, ctx);
        break;
      case Parse.CapsetExit:
        if (this.returnValue(evt) >= 0 && ctx.thread !== undefined) {
          ctx.thread.capInheritable = evt.u64(1);
          ctx.thread.capPermitted = evt.u64(2);
          ctx.thread.capEffective = evt.u64(3);
        }
        break;
      case Parse.UserEvent:
        this.parseUserEvent(evt);
        break;
      case Parse.GroupEvent:
        this.parseGroupEvent(evt);
        break;
      case Parse.PrctlExit:
        this.parsePrctlExit(evt, ctx);
        break;
      case Parse.ContainerJson:
        this.parseContainerJson(evt, evt.str(0), true);
        break;
      case Parse.AsyncEvent: {
        // The container plugin's own events, when the capture was written by Falco.
        const name = evt.str(1);
        if (name === 'container_added' || name === 'container_removed') {
          const data = evt.bytes(2);
          const end = data.indexOf(0);
          const text = Buffer.from(data.subarray(0, end === -1 ? data.length : end)).toString('utf8');
          this.parseContainerJson(evt, text, name === 'container_added');
        }
        break;
      }
      default:
        break;
    }
    // fd.name_changed: the name at the end of parsing differs from the one at lookup.
    if (ctx.fd !== undefined) ctx.fdNameChanged = ctx.fd.name !== ctx.fd.oldName;
  }

  // ------------------------------------------------------------------ enter events kept for exits

  private storeEvent(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) {
      this.counters.storeDrops++;
      return;
    }
    t.lastEventData = this.copyRaw(evt, t.lastEventData ?? t.spareEventData);
  }

  /**
   * Raw bytes of the current event, copied into `into` when it is large enough (set by the
   * source: how the view exposes its bytes; the event's length is in its header).
   */
  copyRaw: (evt: EventParams, into?: Uint8Array) => Uint8Array = () => new Uint8Array(0);

  /** The enter event stored for this exit, if it matches (libsinsp retrieve_enter_event). */
  private retrieveEnter(evt: EventParams, ctx: EventContext): EventParams | undefined {
    const t = ctx.thread;
    if (t === undefined) return undefined;
    if (!t.lastEventDataValid || t.lastEventData === undefined) {
      this.counters.retrieveDrops++;
      return undefined;
    }
    const enter = this.readStored(t.lastEventData);
    if (evt.type === PPME.SYSCALL_EXECVE_19_X && enter.type === PPME.SYSCALL_EXECVEAT_E) return enter;
    if (enter.type !== evt.type - 1) {
      t.lastEventDataValid = false;
      this.counters.retrieveDrops++;
      return undefined;
    }
    return enter;
  }

  // ------------------------------------------------------------------ processes

  private parseCloneExit(evt: EventParams, ctx: EventContext): void {
    const childTid = this.returnValue(evt);
    if (childTid < 0) return;
    if (childTid === 0) this.parseCloneChild(evt, ctx);
    else this.parseCloneCaller(evt, ctx, childTid);
  }

  /** Fills a new thread from a clone exit's parameters that both sides share. */
  private fillCloneChildCommon(evt: EventParams, child: ThreadInfo): void {
    child.fdlimit = evt.int(7);
    if (evt.paramLen(12) !== 0) {
      child.pfmajor = evt.uint(8);
      child.pfminor = evt.uint(9);
      child.vmsizeKb = evt.uint(10);
      child.vmrssKb = evt.uint(11);
      child.vmswapKb = evt.uint(12);
    }
    child.uid = evt.uint(16);
    child.gid = evt.uint(17);
    this.state.users.ensureUser('', child.pid, child.uid, child.gid);
    this.state.users.ensureGroup('', child.pid, child.gid);
    if (evt.paramLen(14) !== 0) child.setCgroups(evt.strList(14));
    child.cloneTs = evt.tsExact();
  }

  /** Copies what a child inherits from its parent (or its process's main thread). */
  private inheritFrom(child: ThreadInfo, from: ThreadInfo): void {
    child.setExepath(from.exepath);
    child.exeWritable = from.exeWritable;
    child.exeUpperLayer = from.exeUpperLayer;
    child.exeLowerLayer = from.exeLowerLayer;
    child.exeFromMemfd = from.exeFromMemfd;
    child.root = from.root;
    child.sid = from.sid;
    child.vpgid = from.vpgid;
    child.pgid = from.pgid;
    child.tty = from.tty;
    child.loginuid = from.loginuid;
    child.capPermitted = from.capPermitted;
    child.capInheritable = from.capInheritable;
    child.capEffective = from.capEffective;
    child.exeIno = from.exeIno;
    child.exeInoCtime = from.exeInoCtime;
    child.exeInoMtime = from.exeInoMtime;
    child.exeInoCtimeDurationCloneTs = from.exeInoCtimeDurationCloneTs;
  }

  /** A new process gets a copy of its parent's fds, cwd and environment. */
  private copyProcessResources(child: ThreadInfo, from: ThreadInfo): void {
    const table = from.fdTable();
    if (table !== undefined) {
      const own = child.ownFdTable;
      own.clear();
      for (const [fd, info] of table.entries()) {
        const c = info.clone();
        c.flags |= 1 << 14; // cloned
        own.add(fd, c);
      }
    }
    child.cwd = from.getCwd();
    child.env = from.env;
  }

  private parseCloneCaller(evt: EventParams, ctx: EventContext, childTid: number): void {
    const threads = this.state.threads;
    const callerTid = evt.tid;
    let collision = false;
    let validCaller = true;
    const caller = threads.get(callerTid, true);
    if (caller === undefined) {
      ctx.thread = undefined;
      return;
    }
    if (caller.isInvalid()) {
      validCaller = false;
      caller.pid = evt.int(4);
      caller.ptid = evt.int(5);
      if (evt.paramLen(19) !== 0) {
        caller.vtid = evt.int(18);
        caller.vpid = evt.int(19);
      } else {
        caller.vtid = callerTid;
        caller.vpid = -1;
      }
      threads.createDependencies(caller);
    }
    ctx.thread = caller;

    const flags = evt.uint(15);
    // A child in a pid namespace is created by its own clone exit, which has the right ids.
    if (
      (flags & CL.CHILD_IN_PIDNS) !== 0 || (flags & CL.CLONE_NEWPID) !== 0 ||
      (flags & CL.CLONE_PARENT) !== 0 || callerTid !== caller.vtid
    ) {
      return;
    }
    // vfork children may exit before the parent returns: the child side is authoritative.
    if ((flags & CL.CLONE_VFORK) !== 0 || evt.type === PPME.SYSCALL_VFORK_20_X) return;
    if (threads.hasRecentlyExited(childTid, callerTid, evt.ts)) return;

    const existing = threads.find(childTid, true);
    if (existing !== undefined) {
      if ((existing.flags & CL.CLONE_INVERTED) !== 0) return;
      threads.remove(childTid);
      collision = true;
    }

    const child = threads.newThread(childTid);
    child.lastexecTs = 0n;
    child.flags = flags;
    if ((child.flags & CL.CLONE_THREAD) === 0) {
      if (validCaller) this.copyProcessResources(child, caller);
      child.pid = child.tid;
      child.ptid = caller.tid;
    } else {
      child.pid = caller.pid;
      child.ptid = caller.ptid;
      // Threads use their main thread's fd table (libsinsp's approximation).
      child.flags |= CL.CLONE_FILES;
      child.lastexecTs = caller.lastexecTs;
    }
    child.vtid = child.tid;
    child.vpid = child.pid;
    child.exe = evt.str(1);
    child.setArgs(evt.strList(2));
    child.comm = evt.paramLen(13) !== 0 ? evt.str(13) : child.exe;
    this.fillCloneChildCommon(evt, child);
    child.pidnsInitStartTs = this.state.bootTsEpoch;
    if (validCaller) {
      this.inheritFrom(child, caller);
    } else {
      caller.exe = child.exe;
      caller.comm = child.comm;
      caller.setArgs(evt.strList(2));
    }
    if (!threads.add(child, true)) return;
    if (collision) this.reset(evt, ctx);
  }

  private parseCloneChild(evt: EventParams, ctx: EventContext): void {
    const threads = this.state.threads;
    const childTid = evt.tid;
    let collision = false;
    let validLookup = true;
    const current = ctx.thread;
    if (current !== undefined && current.cloneTs !== 0n) {
      // The parent's clone exit already created it.
      // Unsigned difference, as in libsinsp (a clone time in the future counts as stale).
      if (BigInt.asUintN(64, evt.tsExact() - current.cloneTs) < BigInt(CLONE_STALE_TIME_NS)) return;
      threads.remove(childTid);
      collision = true;
      ctx.thread = undefined;
    }

    const child = threads.newThread(childTid);
    child.lastexecTs = 0n;
    child.pid = evt.int(4);
    child.ptid = evt.int(5);
    if (evt.paramLen(19) !== 0) {
      child.vtid = evt.int(18);
      child.vpid = evt.int(19);
    } else {
      child.vtid = child.tid;
      child.vpid = -1;
    }
    child.flags = evt.uint(15) | CL.CLONE_INVERTED;
    const leader = (child.flags & CL.CLONE_THREAD) === 0;
    if (!leader) child.flags |= CL.CLONE_FILES;
    const lookup = threads.get(leader ? child.ptid : child.pid, true);
    if (lookup === undefined) {
      ctx.thread = undefined;
      return;
    }
    if (lookup.isInvalid()) {
      validLookup = false;
      if (!leader) {
        lookup.pid = child.pid;
        lookup.ptid = child.ptid;
        lookup.vpid = child.vpid;
        lookup.vtid = lookup.vpid;
        threads.createDependencies(lookup);
      }
    }
    child.exe = evt.str(1);
    child.comm = evt.paramLen(13) !== 0 ? evt.str(13) : child.exe;
    child.setArgs(evt.strList(2));
    if (validLookup) {
      this.inheritFrom(child, lookup);
      if (leader) this.copyProcessResources(child, lookup);
      else child.lastexecTs = lookup.lastexecTs;
    } else if (!leader) {
      lookup.exe = child.exe;
      lookup.comm = child.comm;
      lookup.setArgs(evt.strList(2));
    }
    this.fillCloneChildCommon(evt, child);
    if (
      (child.flags & CL.CHILD_IN_PIDNS) !== 0 || (child.flags & CL.CLONE_NEWPID) !== 0 ||
      child.tid !== child.vtid
    ) {
      if (evt.paramLen(20) !== 0) child.pidnsInitStartTs = evt.u64(20) + this.state.bootTsEpoch;
    } else {
      child.pidnsInitStartTs = this.state.bootTsEpoch;
    }
    if (!threads.add(child, true)) {
      ctx.thread = undefined;
      return;
    }
    ctx.thread = child;
    if (collision) this.reset(evt, ctx);
  }

  private parseExecveExit(evt: EventParams, ctx: EventContext): void {
    if (this.returnValue(evt) < 0) return;
    const t = ctx.thread;
    if (t === undefined) return;
    const threads = this.state.threads;
    if (t.isDead()) t.resurrect();

    t.exe = evt.str(1);
    t.lastexecTs = evt.tsExact();
    // Old captures have no comm: the exe stands in.
    t.comm = evt.paramLen(13) !== 0 ? evt.str(13) : t.exe;
    t.setArgs(evt.strList(2));
    t.pid = evt.int(4);
    if (t.isInvalid()) {
      t.ptid = evt.int(5);
      if ((t.flags & CL.CHILD_IN_PIDNS) === 0) {
        t.vtid = t.tid;
        t.vpid = t.pid;
      }
      threads.createDependencies(t);
    }
    t.fdlimit = evt.int(7);
    if (evt.paramLen(12) !== 0) {
      t.pfmajor = evt.uint(8);
      t.pfminor = evt.uint(9);
      t.vmsizeKb = evt.uint(10);
      t.vmrssKb = evt.uint(11);
      t.vmswapKb = evt.uint(12);
    }
    if (evt.paramLen(15) !== 0) t.env = evt.strList(15);
    if (evt.paramLen(14) !== 0) t.setCgroups(evt.strList(14));
    if (evt.paramLen(16) !== 0) t.tty = evt.uint(16);

    if (evt.paramLen(27) !== 0) {
      t.setExepath(evt.str(27));
    } else {
      // Old captures: rebuild the path from the enter event.
      const enter = this.retrieveEnter(evt, ctx);
      if (enter !== undefined) t.setExepath(this.exepathFromEnter(evt, ctx, t, enter));
    }
    if (evt.paramLen(17) !== 0) t.vpgid = evt.int(17);
    if (evt.paramLen(18) !== 0) t.loginuid = evt.uint(18);
    if (evt.paramLen(19) !== 0) {
      const f = evt.uint(19);
      t.exeWritable = (f & EXE.WRITABLE) !== 0;
      t.exeUpperLayer = (f & EXE.UPPER_LAYER) !== 0;
      t.exeFromMemfd = (f & EXE.FROM_MEMFD) !== 0;
      t.exeLowerLayer = (f & EXE.LOWER_LAYER) !== 0;
    }
    if (evt.paramLen(22) !== 0) {
      t.capInheritable = evt.u64(20);
      t.capPermitted = evt.u64(21);
      t.capEffective = evt.u64(22);
    }
    if (evt.paramLen(25) !== 0) {
      t.exeIno = evt.uint(23);
      t.exeInoCtime = evt.u64(24);
      t.exeInoMtime = evt.u64(25);
      if (t.cloneTs !== 0n) t.exeInoCtimeDurationCloneTs = BigInt.asUintN(64, t.cloneTs - t.exeInoCtime);
      if (t.pidnsInitStartTs !== 0n && t.exeInoCtime > t.pidnsInitStartTs) {
        t.exeInoCtimeDurationPidnsStart = t.exeInoCtime - t.pidnsInitStartTs;
      }
    }
    if (evt.paramLen(26) !== 0) t.uid = evt.uint(26);
    t.pgid = evt.paramLen(28) !== 0 ? evt.int(28) : -1;
    if (evt.paramLen(29) !== 0) t.gid = evt.uint(29);

    const cid = this.state.userContainerId(t);
    this.state.users.ensureUser(cid, t.pid, t.uid, t.gid);
    this.state.users.ensureGroup(cid, t.pid, t.gid);

    // Close-on-exec fds go away.
    t.fdTable()?.retain((_fd, info) => !info.isCloseOnExec());

    const keep = t.flags & (CL.PIPE_SRC | CL.PIPE_DST | CL.IS_MAIN_THREAD);
    const inverted = (t.flags & CL.CLONE_INVERTED) !== 0;
    t.flags = CL.ACTIVE | keep | CL.NAME_CHANGED;
    if (inverted) t.flags |= CL.CLONE_INVERTED;

    // exec ends every other thread of the process.
    const g = t.group;
    if (g !== undefined && g.aliveCount > 1) {
      for (const other of [...g.threads]) {
        if (other.removed || other.isMainThread() || other.tid === t.tid) continue;
        threads.remove(other.tid);
      }
    }
  }

  /** exepath of an old-format execve, from the enter event's filename (or execveat's dirfd). */
  private exepathFromEnter(evt: EventParams, ctx: EventContext, t: ThreadInfo, enter: EventParams): string {
    if (enter.type === PPME.SYSCALL_EXECVE_19_E) {
      const filename = enter.str(0);
      return filename === '<NA>' ? '<NA>' : concatenatePaths(t.getCwd(), filename);
    }
    // execveat
    const dirfd = enter.int(0);
    const pathname = enter.str(1);
    const flags = enter.uint(2);
    const sdir = this.resolveDirfd(ctx, pathname, dirfd);
    if (sdir !== '.' && sdir !== '<UNKNOWN>') ctx.fd = t.getFd(dirfd);
    if (((flags & EXECVEAT_AT_EMPTY_PATH) === 0 && pathname === '<NA>') || sdir === '<UNKNOWN>') return '<NA>';
    if ((flags & EXECVEAT_AT_EMPTY_PATH) !== 0) return concatenatePaths('', sdir);
    void evt;
    return concatenatePaths(sdir, pathname);
  }

  private parseThreadExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    if (t.group !== undefined && !t.isDead()) t.group.decrementAlive();
    t.setDead();
    this.tidToRemove = evt.tid;
    if (t.children.length === 0) return;
    if (evt.nparams > 4) {
      if (evt.paramLen(4) !== 0) t.reaperTid = evt.int(4);
    } else {
      t.reaperTid = -1;
    }
  }

  /** Container metadata from a container event; the event's own fields describe that container. */
  private parseContainerJson(evt: EventParams, json: string, added: boolean): void {
    const info = containerInfoFromJson(json);
    if (info === undefined) {
      this.counters.badContainerEvents++;
      return;
    }
    const table = this.state.containerInfos;
    if (added) table.put(info);
    else table.remove(info.id);
    table.lastEvent = { num: this.eventNum, info };
    void evt;
  }

  /** Number of the event being processed (set by the stream; container events refer to it). */
  eventNum = 0;

  private parsePrctlExit(evt: EventParams, ctx: EventContext): void {
    if (this.returnValue(evt) < 0) return;
    const t = ctx.thread;
    if (t === undefined || t.isInvalid()) return;
    const option = evt.uint(1);
    if (option !== PR_SET_CHILD_SUBREAPER && option !== PR_GET_CHILD_SUBREAPER) return;
    if (t.group !== undefined) t.group.reaper = evt.int(3) !== 0;
  }

  private setThreadUser(evt: EventParams, ctx: EventContext, param: number): void {
    if (evt.paramLen(param) === 0) return;
    const t = ctx.thread;
    if (t === undefined) return;
    t.uid = evt.uint(param);
    this.state.users.ensureUser(this.state.userContainerId(t), t.pid, t.uid, t.gid);
  }

  private setThreadGroup(evt: EventParams, ctx: EventContext, param: number): void {
    if (evt.paramLen(param) === 0) return;
    const t = ctx.thread;
    if (t === undefined) return;
    t.gid = evt.uint(param);
    this.state.users.ensureGroup(this.state.userContainerId(t), t.pid, t.gid);
  }

  private parseUserEvent(evt: EventParams): void {
    const uid = evt.uint(0);
    const containerId = evt.str(5);
    const cid = containerId === '<NA>' ? '' : containerId;
    if (evt.type === PPME.USER_ADDED_E) {
      this.state.users.putUser(cid, uid, evt.uint(1), evt.str(2), evt.str(3), evt.str(4));
    } else {
      this.state.users.removeUser(cid, uid);
    }
  }

  private parseGroupEvent(evt: EventParams): void {
    const gid = evt.uint(0);
    const containerId = evt.str(2);
    const cid = containerId === '<NA>' ? '' : containerId;
    if (evt.type === PPME.GROUP_ADDED_E) this.state.users.putGroup(cid, gid, evt.str(1));
    else this.state.users.removeGroup(cid, gid);
  }

  private parseChrootExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined || this.returnValue(evt) !== 0) return;
    // The path as resolved against the cwd when relative.
    const path = sanitizeString(evt.str(1));
    t.root = path === '<NA>' || path.startsWith('/') ? path : concatenatePaths(t.getCwd(), path);
  }

  private parseUnshareSetnsExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (this.returnValue(evt) < 0 || t === undefined) return;
    let flags = 0;
    if (evt.type === PPME.SYSCALL_UNSHARE_X) flags = evt.uint(1);
    else if (evt.paramLen(2) !== 0) flags = evt.uint(2);
    if ((flags & CL.CLONE_NEWUSER) === 0) return;
    t.capInheritable = ALL_CAPABILITIES;
    t.capPermitted = ALL_CAPABILITIES;
    t.capEffective = ALL_CAPABILITIES;
  }

  private parseContextSwitch(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined || evt.paramLen(5) === 0) return;
    t.pfmajor = evt.uint(1);
    t.pfminor = evt.uint(2);
    const main = t.mainThread();
    if (main !== undefined) {
      main.vmsizeKb = evt.uint(3);
      main.vmrssKb = evt.uint(4);
      main.vmswapKb = evt.uint(5);
    }
  }

  private parseMemoryExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    if (evt.paramLen(1) !== 0) t.vmsizeKb = evt.uint(1);
    if (evt.paramLen(3) !== 0) {
      t.vmrssKb = evt.uint(2);
      t.vmswapKb = evt.uint(3);
    }
  }

  private parseRlimitExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined || this.returnValue(evt) < 0) return;
    if (evt.uint(3) !== RLIMIT_NOFILE) return;
    const cur = evt.int(1);
    if (cur === -1) return;
    const main = t.mainThread();
    if (main !== undefined) main.fdlimit = cur;
  }

  private parsePrlimitExit(evt: EventParams): void {
    if (this.returnValue(evt) !== 0) return;
    if (evt.paramLen(6) === 0 || evt.uint(6) !== RLIMIT_NOFILE) return;
    const cur = evt.int(1);
    if (cur === -1 || evt.paramLen(5) === 0) return;
    let tid = evt.int(5);
    if (tid === 0) tid = evt.tid;
    const t = this.state.threads.get(tid, true);
    if (t === undefined || t.isInvalid()) return;
    const main = t.mainThread();
    if (main !== undefined) main.fdlimit = cur;
  }

  // ------------------------------------------------------------------ files

  /**
   * Directory a `*at` path is relative to: "." for absolute paths, the cwd for AT_FDCWD, the
   * dirfd's name with a trailing "/", or "<UNKNOWN>" (libsinsp parse_dirfd).
   */
  resolveDirfd(ctx: EventContext, name: string, dirfd: number): string {
    if (name.length > 0 && name.charCodeAt(0) === 0x2f) return '.';
    const t = ctx.thread;
    if (t === undefined) return '<UNKNOWN>';
    if (dirfd === AT_FDCWD) return t.getCwd();
    const info = t.getFd(dirfd);
    if (info === undefined) return '<UNKNOWN>';
    return info.name === '' || info.name.endsWith('/') ? info.name : info.name + '/';
  }

  private parseOpenExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const type = evt.type;
    const enter = type !== PPME.SYSCALL_OPEN_BY_HANDLE_AT_X ? this.retrieveEnter(evt, ctx) : undefined;
    const fd = this.returnValue(evt);
    let name: string;
    let flags = 0;
    let dev = 0;
    let ino = 0;
    let sdir: string;
    if (type === PPME.SYSCALL_OPEN_X) {
      name = evt.str(1);
      flags = evt.uint(2);
      if (evt.paramLen(4) !== 0) {
        dev = evt.uint(4);
        if (evt.paramLen(5) !== 0) ino = evt.uint(5);
      }
      if (enter !== undefined) {
        const enterName = enter.str(0);
        if (enterName !== '<NA>') {
          name = enterName;
          // Keep the bits only the exit probe knows (created, overlay layers).
          flags = enter.uint(1) | (flags & ~(O.F_CREATED - 1));
        }
      }
      sdir = t.getCwd();
    } else if (type === PPME.SYSCALL_CREAT_X) {
      name = evt.str(1);
      if (evt.paramLen(3) !== 0) {
        dev = evt.uint(3);
        if (evt.paramLen(4) !== 0) {
          ino = evt.uint(4);
          if (evt.paramLen(5) !== 0) {
            const creatFlags = evt.uint(5);
            if ((creatFlags & CREAT_UPPER_LAYER) !== 0) flags |= O.FD_UPPER_LAYER;
            else if ((creatFlags & CREAT_LOWER_LAYER) !== 0) flags |= O.FD_LOWER_LAYER;
          }
        }
      }
      if (enter !== undefined) {
        const enterName = enter.str(0);
        if (enterName !== '<NA>') name = enterName;
      }
      sdir = t.getCwd();
    } else if (type === PPME.SYSCALL_OPENAT_2_X || type === PPME.SYSCALL_OPENAT2_X) {
      sdir = '';
      name = evt.paramLen(2) !== 0 ? evt.str(2) : '<NA>';
      if (evt.paramLen(3) !== 0) flags = evt.uint(3);
      const devAt = type === PPME.SYSCALL_OPENAT_2_X ? 5 : 6;
      if (evt.paramLen(devAt + 1) !== 0) {
        dev = evt.uint(devAt);
        ino = evt.uint(devAt + 1);
      }
      let dirfdSource: EventParams = evt;
      let dirfdIndex = 1;
      if (enter !== undefined) {
        const enterName = enter.str(1);
        if (enterName !== '<NA>') {
          name = enterName;
          flags = enter.uint(2) | (flags & ~(O.F_CREATED - 1));
          dirfdSource = enter;
          dirfdIndex = 0;
        }
      }
      if (dirfdSource.paramLen(dirfdIndex) !== 0) sdir = this.resolveDirfd(ctx, name, dirfdSource.int(dirfdIndex));
    } else {
      // open_by_handle_at: the driver gives an absolute path.
      flags = evt.uint(2);
      name = evt.str(3);
      if (evt.nparams > 4) {
        dev = evt.uint(4);
        if (evt.nparams > 5) ino = evt.uint(5);
      }
      sdir = '';
    }
    const fullpath = concatenatePaths(sdir, name);
    if (fd < 0) return;
    const fdi = new FdInfo();
    fdi.type = (flags & O.DIRECTORY) !== 0 ? FD_TYPE.DIRECTORY : FD_TYPE.FILE_V2;
    fdi.openFlags = flags;
    fdi.mountId = 0;
    fdi.dev = dev;
    fdi.ino = ino;
    fdi.nameRaw = name;
    fdi.name = fullpath;
    if ((flags & O.FD_UPPER_LAYER) !== 0) fdi.flags |= 1 << 17;
    if ((flags & O.FD_LOWER_LAYER) !== 0) fdi.flags |= 1 << 18;
    ctx.fd = t.addFd(fd, fdi);
  }

  private parseMemfdCreateExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const fd = this.returnValue(evt);
    const fdi = new FdInfo();
    if (fd >= 0) {
      fdi.type = FD_TYPE.MEMFD;
      fdi.name = evt.str(1);
      fdi.openFlags = evt.uint(2);
    }
    // libsinsp adds the entry even for a failed call (under the negative fd).
    ctx.fd = t.addFd(fd, fdi);
  }

  private parsePidfdOpenExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const fd = this.returnValue(evt);
    if (fd < 0) return;
    const pid = evt.int(1);
    const fdi = new FdInfo();
    fdi.type = FD_TYPE.PIDFD;
    fdi.name = `/proc/${pid}`;
    fdi.openFlags = evt.uint(2);
    fdi.pid = pid;
    ctx.fd = t.addFd(fd, fdi);
  }

  private parsePidfdGetfdExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const fd = this.returnValue(evt);
    const pidfd = t.getFd(evt.int(1));
    if (pidfd === undefined || !pidfd.isPidFd()) return;
    const owner = this.state.threads.find(pidfd.pid, true);
    if (owner === undefined) return;
    const target = owner.getFd(evt.int(2));
    if (target === undefined) return;
    const fdi = target.clone();
    fdi.clearCloseOnExec();
    fdi.openFlags |= O.CLOEXEC;
    ctx.fd = t.addFd(fd, fdi);
  }

  private parsePipeExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (this.returnValue(evt) < 0 || t === undefined) return;
    const ino = evt.uint(3);
    const flags = evt.type === PPME.SYSCALL_PIPE2_X ? evt.uint(4) : 0;
    for (const at of [1, 2]) {
      const fdi = new FdInfo();
      fdi.type = FD_TYPE.FIFO;
      fdi.ino = ino;
      fdi.openFlags = flags;
      ctx.fd = t.addFd(evt.int(at), fdi);
    }
  }

  private parseEventfdExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const fd = this.returnValue(evt);
    if (fd < 0) return;
    const fdi = new FdInfo();
    fdi.type = FD_TYPE.EVENT;
    if (evt.type === PPME.SYSCALL_EVENTFD2_X) fdi.openFlags = evt.uint(1) & 0xffff;
    ctx.fd = t.addFd(fd, fdi);
  }

  private parseSingleFdExit(evt: EventParams, ctx: EventContext, type: number): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const fd = this.returnValue(evt);
    if (fd < 0) return;
    const fdi = new FdInfo();
    fdi.type = type;
    if (evt.type === PPME.SYSCALL_INOTIFY_INIT1_X || evt.type === PPME.SYSCALL_SIGNALFD4_X) {
      fdi.openFlags = evt.uint(1) & 0xffff;
    } else if (evt.type === PPME.SYSCALL_TIMERFD_CREATE_X) {
      fdi.openFlags = evt.uint(2) & 0xff;
    } else if (evt.type === PPME.SYSCALL_EPOLL_CREATE1_X) {
      if ((evt.uint(1) & EPOLL_CLOEXEC) !== 0) fdi.openFlags |= O.CLOEXEC;
    }
    ctx.fd = t.addFd(fd, fdi);
  }

  private parseDupExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const res = this.returnValue(evt);
    if (res < 0 || ctx.fd === undefined) return;
    // Shell pipe heuristics.
    if (res === 0) t.flags |= CL.PIPE_DST;
    if (res === 1) t.flags |= CL.PIPE_SRC;
    // An fd replaced by dup2/dup3 (or a stale one): overwritten below.
    t.getFd(res);
    const fdi = ctx.fd.clone();
    fdi.clearCloseOnExec();
    if (evt.type === PPME.SYSCALL_DUP3_X && (evt.uint(3) & O.CLOEXEC) !== 0) fdi.openFlags |= O.CLOEXEC;
    ctx.fd = t.addFd(res, fdi);
  }

  private parseFcntlExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const cmd = evt.uint(2) & 0xff;
    if (cmd !== FCNTL_F_DUPFD && cmd !== FCNTL_F_DUPFD_CLOEXEC && cmd !== FCNTL_F_SETFD) return;
    const res = this.returnValue(evt);
    if (res < 0 || ctx.fd === undefined) return;
    if (cmd === FCNTL_F_SETFD) {
      ctx.fd.clearCloseOnExec();
      if ((evt.uint(3) & FD_CLOEXEC) !== 0) ctx.fd.openFlags |= O.CLOEXEC;
      return;
    }
    const fdi = ctx.fd.clone();
    fdi.clearCloseOnExec();
    if (cmd === FCNTL_F_DUPFD_CLOEXEC) fdi.openFlags |= O.CLOEXEC;
    ctx.fd = t.addFd(res, fdi);
  }

  private parseCloseExit(evt: EventParams, ctx: EventContext): void {
    if (this.returnValue(evt) < 0) return;
    const t = ctx.thread;
    if (ctx.fd === undefined || t === undefined) return;
    // Removed at the next event, so that this one still shows the fd.
    this.scheduleFdRemoval(t.tid, t.lastEventFd);
  }

  private scheduleFdRemoval(tid: number, fd: number): void {
    this.fdsOwner = tid;
    this.fdsToRemove.push(fd);
  }

  private parseCloseRangeExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined || this.returnValue(evt) < 0) return;
    const table = t.fdTable();
    if (table === undefined) return;
    const first = evt.uint(1);
    const last = evt.uint(2);
    const inRange = (fd: number): boolean => fd >= 0 && fd >= first && fd <= last;
    if ((evt.uint(3) & CLOSE_RANGE_CLOEXEC) !== 0) {
      for (const [fd, info] of table.entries()) if (inRange(fd)) info.openFlags |= O.CLOEXEC;
    } else {
      table.retain((fd) => !inRange(fd));
    }
  }

  // ------------------------------------------------------------------ sockets

  /** A new socket fd from socket() (or guessed from a send* on an unknown fd). */
  private addSocket(ctx: EventContext, fd: number, domain: number, type: number, protocol: number, flags: number): void {
    const t = ctx.thread!;
    const fdi = new FdInfo();
    fdi.sockBytes();
    fdi.type = FD_TYPE.UNKNOWN;
    fdi.setU8(SOCK.V4_L4, L4.Unknown);
    fdi.openFlags = flags;
    if (domain === AF.UNIX) {
      fdi.type = FD_TYPE.UNIX_SOCK;
    } else if (domain === AF.INET || domain === AF.INET6) {
      fdi.type = domain === AF.INET ? FD_TYPE.IPV4_SOCK : FD_TYPE.IPV6_SOCK;
      let l4: number = L4.Unknown;
      if (protocol === IPPROTO_TCP) l4 = type === SOCK_RAW ? L4.Raw : L4.Tcp;
      else if (protocol === IPPROTO_UDP) l4 = type === SOCK_RAW ? L4.Raw : L4.Udp;
      else if (protocol === IPPROTO_IP) {
        // The type may carry SOCK_NONBLOCK / SOCK_CLOEXEC in its upper bits.
        if ((type & 0xff) === SOCK_STREAM) l4 = L4.Tcp;
        else if ((type & 0xff) === SOCK_DGRAM) l4 = L4.Udp;
      } else if (protocol === IPPROTO_ICMP) l4 = type === SOCK_RAW ? L4.Raw : L4.Icmp;
      else if (protocol === IPPROTO_RAW) l4 = L4.Raw;
      if (domain === AF.INET) {
        fdi.setU8(SOCK.V4_L4, l4);
      } else {
        fdi.sockBytes().fill(0);
        fdi.setU8(SOCK.V6_L4, l4);
      }
    } else if (domain === AF.NETLINK) {
      fdi.type = FD_TYPE.NETLINK;
    }
    ctx.fd = t.addFd(fd, fdi);
  }

  private parseSocketExit(evt: EventParams, ctx: EventContext): void {
    const fd = this.returnValue(evt);
    if (fd < 0 || ctx.thread === undefined) return;
    this.addSocket(ctx, fd, evt.uint(1), evt.uint(2), evt.uint(3), evt.uint(4));
  }

  private parseSocketpairExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (this.returnValue(evt) < 0 || t === undefined) return;
    const fd1 = evt.int(1);
    const fd2 = evt.int(2);
    if (fd1 === fd2) {
      ctx.fd = undefined;
      return;
    }
    const a = new FdInfo();
    a.type = FD_TYPE.UNIX_SOCK;
    a.setU64(SOCK.UNIX_SOURCE, evt.u64(3));
    a.setU64(SOCK.UNIX_DEST, evt.u64(4));
    const b = a.clone();
    ctx.fd = t.addFd(fd1, a);
    t.addFd(fd2, b);
  }

  private parseBindExit(evt: EventParams, ctx: EventContext): void {
    const fd = ctx.fd;
    if (fd === undefined || this.returnValue(evt) < 0) return;
    const addr = evt.bytes(1);
    if (!sockaddrValid(addr)) return;
    const family = addr[0];
    if (family === AF.INET) {
      const port = u16At(addr, 5);
      if (port > 0) {
        const l4 = fd.u8(SOCK.V4_L4);
        fd.type = FD_TYPE.IPV4_SERVSOCK;
        fd.setBytes(SOCK.V4S_IP, addr, 1, 4);
        fd.setU16(SOCK.V4S_PORT, port);
        fd.setU8(SOCK.V4S_L4, l4);
        fd.setRoleServer();
      }
    } else if (family === AF.INET6) {
      const port = u16At(addr, 17);
      if (port > 0) {
        if (isIpv4MappedIpv6(addr, 1)) {
          const l4 = fd.u8(SOCK.V6_L4);
          fd.type = FD_TYPE.IPV4_SERVSOCK;
          fd.setU8(SOCK.V4S_L4, l4);
          fd.setBytes(SOCK.V4S_IP, addr, 13, 4);
          fd.setU16(SOCK.V4S_PORT, port);
        } else {
          fd.type = FD_TYPE.IPV6_SERVSOCK;
          fd.setU16(SOCK.V6S_PORT, port);
          fd.setBytes(SOCK.V6S_IP, addr, 1, 16);
          fd.setU8(SOCK.V6S_L4, fd.u8(SOCK.V6_L4));
        }
        fd.setRoleServer();
      }
    }
    fd.name = formatSockaddr(addr, sanitizeString);
  }

  private parseConnectExit(evt: EventParams, ctx: EventContext): void {
    const fd = ctx.fd;
    if (ctx.thread === undefined || fd === undefined) return;
    const res = this.returnValue(evt);
    if (this.state.trackConnectionStatus) {
      if (res === -EINPROGRESS) fd.setSocketPending();
      else if (res < 0) fd.setSocketFailed();
      else fd.setSocketConnected();
    } else {
      if (res < 0 && res !== -EINPROGRESS) return;
      fd.setSocketConnected();
    }
    // The enter event's address is the fallback when the tuple is empty, and the trusted value
    // against a TOCTOU change of the user buffer.
    const enter = this.retrieveEnter(evt, ctx);
    let enterAddr: Uint8Array | undefined;
    if (enter !== undefined) {
      const a = enter.bytes(1);
      if (sockaddrValid(a)) enterAddr = a.slice();
    }
    const tuple = evt.bytes(1);
    if (tuple.length === 0) {
      if (enterAddr === undefined) return;
      this.fillClientFromAddr(evt, fd, enterAddr);
      return;
    }
    const exitAddrParam = evt.bytes(3);
    const exitAddr = sockaddrValid(exitAddrParam) ? exitAddrParam : undefined;
    if (!socktupleValid(tuple)) return;
    this.fillClientSocket(fd, tuple, exitAddr, enterAddr);
  }

  private fillClientFromAddr(evt: EventParams, fd: FdInfo, addr: Uint8Array): void {
    const family = addr[0];
    if (family === AF.INET) {
      fd.type = FD_TYPE.IPV4_SOCK;
      fd.setBytes(SOCK.V4_DIP, addr, 1, 4);
      fd.setU16(SOCK.V4_DPORT, u16At(addr, 5));
    } else if (family === AF.INET6) {
      const port = u16At(addr, 17);
      if (isIpv4MappedIpv6(addr, 1)) {
        fd.type = FD_TYPE.IPV4_SOCK;
        fd.setBytes(SOCK.V4_DIP, addr, 13, 4);
        fd.setU16(SOCK.V4_DPORT, port);
      } else {
        fd.type = FD_TYPE.IPV6_SOCK;
        fd.setU16(SOCK.V6_DPORT, port);
        fd.setBytes(SOCK.V6_DIP, addr, 1, 16);
      }
    } else {
      // libsinsp names the fd after the exit event's (empty) tuple here.
      fd.name = formatSocktuple(evt.bytes(1), sanitizeString);
    }
  }

  /** Updates an IPv4 tuple; false when it already held these ends (either direction). */
  private setIpv4Ends(fd: FdInfo, src: Uint8Array, sipOff: number, sport: number, dipOff: number, dport: number, overwriteDest: boolean): boolean {
    return setSocketEnds(fd, IPV4_ENDS, src, sipOff, sport, dipOff, dport, overwriteDest);
  }

  /** The same for an IPv6 tuple. */
  private setIpv6Ends(fd: FdInfo, src: Uint8Array, sipOff: number, sport: number, dipOff: number, dport: number, overwriteDest: boolean): boolean {
    return setSocketEnds(fd, IPV6_ENDS, src, sipOff, sport, dipOff, dport, overwriteDest);
  }

  /** Fills a connected client socket from the exit tuple (libsinsp fill_client_socket_info). */
  private fillClientSocket(fd: FdInfo, tuple: Uint8Array, exitAddr: Uint8Array | undefined, enterAddr: Uint8Array | undefined): void {
    const family = tuple[0];
    if (family === AF.INET || family === AF.INET6) {
      let changed: boolean;
      if (family === AF.INET6) {
        // Destination: the tuple's, unless it equals the exit address, then the enter address.
        let src = tuple;
        let dipOff = 19;
        let dportOff = 35;
        if (exitAddr !== undefined && enterAddr !== undefined) {
          const sameAsExit =
            u16At(tuple, 35) === u16At(exitAddr, 17) && tuple.subarray(19, 35).every((v, i) => v === exitAddr[1 + i]);
          if (sameAsExit) {
            src = enterAddr;
            dipOff = 1;
            dportOff = 17;
          }
        }
        const dst = new Uint8Array(18);
        dst.set(src.subarray(dipOff, dipOff + 16), 0);
        dst[16] = src[dportOff]!;
        dst[17] = src[dportOff + 1]!;
        const sport = u16At(tuple, 17);
        const dport = u16At(dst, 16);
        if (!(isIpv4MappedIpv6(tuple, 1) && isIpv4MappedIpv6(dst, 0))) {
          fd.type = FD_TYPE.IPV6_SOCK;
          const buf = new Uint8Array(32);
          buf.set(tuple.subarray(1, 17), 0);
          buf.set(dst.subarray(0, 16), 16);
          changed = this.setIpv6Ends(fd, buf, 0, sport, 16, dport, true);
        } else {
          fd.type = FD_TYPE.IPV4_SOCK;
          const buf = new Uint8Array(8);
          buf.set(tuple.subarray(13, 17), 0);
          buf.set(dst.subarray(12, 16), 4);
          changed = this.setIpv4Ends(fd, buf, 0, sport, 4, dport, true);
        }
      } else {
        fd.type = FD_TYPE.IPV4_SOCK;
        let src = tuple;
        let dipOff = 7;
        let dportOff = 11;
        if (exitAddr !== undefined && enterAddr !== undefined) {
          const sameAsExit =
            u16At(tuple, 11) === u16At(exitAddr, 5) && tuple.subarray(7, 11).every((v, i) => v === exitAddr[1 + i]);
          if (sameAsExit) {
            src = enterAddr;
            dipOff = 1;
            dportOff = 5;
          }
        }
        const buf = new Uint8Array(8);
        buf.set(tuple.subarray(1, 5), 0);
        buf.set(src.subarray(dipOff, dipOff + 4), 4);
        changed = this.setIpv4Ends(fd, buf, 0, u16At(tuple, 5), 4, u16At(src, dportOff), true);
      }
      if (changed && fd.isRoleServer() && fd.isUdpSocket()) this.swapEnds(fd);
      fd.name = socketName(fd);
    } else {
      if (!fd.isUnixSocket()) return;
      // Destination path: the tuple's, unless it equals the exit address, then the enter's.
      let dpath = cString(tuple, 17, (s) => s);
      if (exitAddr !== undefined && enterAddr !== undefined) {
        const exitPath = cString(exitAddr, 1, (s) => s);
        if (dpath.slice(0, 108) === exitPath.slice(0, 108)) dpath = cString(enterAddr, 1, (s) => s);
      }
      fd.setBytes(SOCK.UNIX_SOURCE, tuple, 1, 8);
      fd.setBytes(SOCK.UNIX_DEST, tuple, 9, 8);
      fd.name = `${fd.u64(SOCK.UNIX_SOURCE).toString(16)}->${fd.u64(SOCK.UNIX_DEST).toString(16)} ${sanitizeString(dpath)}`;
    }
    if (fd.isRoleNone()) fd.setRoleClient();
  }

  private swapEnds(fd: FdInfo): void {
    if (fd.type === FD_TYPE.IPV4_SOCK) {
      swapIpv4Ends(fd);
      return;
    }
    const s = fd.sockBytes();
    const sip = s.slice(SOCK.V6_SIP, SOCK.V6_SIP + 16);
    const sport = fd.u16(SOCK.V6_SPORT);
    s.copyWithin(SOCK.V6_SIP, SOCK.V6_DIP, SOCK.V6_DIP + 16);
    fd.setU16(SOCK.V6_SPORT, fd.u16(SOCK.V6_DPORT));
    s.set(sip, SOCK.V6_DIP);
    fd.setU16(SOCK.V6_DPORT, sport);
  }

  private parseAcceptExit(evt: EventParams, ctx: EventContext): void {
    const t = ctx.thread;
    if (t === undefined) return;
    const fd = this.returnValue(evt);
    if (fd < 0) return;
    t.lastEventFd = fd;
    const tuple = evt.bytes(1);
    if (!socktupleValid(tuple)) return;
    const family = tuple[0];
    const fdi = new FdInfo();
    if (family === AF.INET) {
      this.setIpv4Ends(fdi, tuple, 1, u16At(tuple, 5), 7, u16At(tuple, 11), true);
      fdi.type = FD_TYPE.IPV4_SOCK;
      fdi.setU8(SOCK.V4_L4, L4.Tcp);
    } else if (family === AF.INET6) {
      if (isIpv4MappedIpv6(tuple, 1) && isIpv4MappedIpv6(tuple, 19)) {
        this.setIpv4Ends(fdi, tuple, 13, u16At(tuple, 17), 31, u16At(tuple, 35), true);
        fdi.type = FD_TYPE.IPV4_SOCK;
        fdi.setU8(SOCK.V4_L4, L4.Tcp);
      } else {
        this.setIpv6Ends(fdi, tuple, 1, u16At(tuple, 17), 19, u16At(tuple, 35), true);
        fdi.type = FD_TYPE.IPV6_SOCK;
        fdi.setU8(SOCK.V6_L4, L4.Tcp);
      }
    } else if (family === AF.UNIX) {
      fdi.type = FD_TYPE.UNIX_SOCK;
      fdi.setBytes(SOCK.UNIX_SOURCE, tuple, 1, 8);
      fdi.setBytes(SOCK.UNIX_DEST, tuple, 9, 8);
    } else {
      return;
    }
    fdi.name = formatSocktuple(tuple, sanitizeString);
    fdi.openFlags = evt.type === PPME.SOCKET_ACCEPT4_6_X ? evt.int(5) & O.CLOEXEC : 0;
    fdi.flags = 0;
    fdi.setRoleServer();
    fdi.setSocketConnected();
    ctx.fd = t.addFd(fd, fdi);
  }

  /**
   * Updates a socket's tuple from a read/write tuple parameter (libsinsp update_fd); false when
   * there was nothing to update.
   */
  private updateFdFromTuple(fd: FdInfo, tuple: Uint8Array): boolean {
    if (!socktupleValid(tuple)) return false;
    const family = tuple[0];
    if (family === AF.INET) {
      if (fd.type === FD_TYPE.IPV4_SERVSOCK) fd.setU8(SOCK.V4_L4, fd.u8(SOCK.V4S_L4));
      fd.type = FD_TYPE.IPV4_SOCK;
      if (!this.setIpv4Ends(fd, tuple, 1, u16At(tuple, 5), 7, u16At(tuple, 11), true)) return false;
    } else if (family === AF.INET6) {
      if (isIpv4MappedIpv6(tuple, 1) && isIpv4MappedIpv6(tuple, 19)) {
        fd.type = FD_TYPE.IPV4_SOCK;
        if (!this.setIpv4Ends(fd, tuple, 13, u16At(tuple, 17), 31, u16At(tuple, 35), true)) return false;
      } else if (!this.setIpv6Ends(fd, tuple, 1, u16At(tuple, 17), 19, u16At(tuple, 35), true)) {
        return false;
      }
    } else if (family === AF.UNIX) {
      fd.type = FD_TYPE.UNIX_SOCK;
      fd.setBytes(SOCK.UNIX_SOURCE, tuple, 1, 8);
      fd.setBytes(SOCK.UNIX_DEST, tuple, 9, 8);
      fd.name = cString(tuple, 17, (s) => s);
      return true;
    }
    // A socket whose address changes mid-life is not TCP: assume UDP.
    if (fd.type === FD_TYPE.IPV4_SOCK && fd.u8(SOCK.V4_L4) === L4.Unknown) fd.setU8(SOCK.V4_L4, L4.Udp);
    else if (fd.type === FD_TYPE.IPV6_SOCK && fd.u8(SOCK.V6_L4) === L4.Unknown) fd.setU8(SOCK.V6_L4, L4.Udp);
    this.state.network.completeTuple(fd);
    return true;
  }

  /** Guesses client/server for a socket first seen in a read or write (libsinsp heuristics). */
  private guessRole(t: ThreadInfo, fd: FdInfo, incoming: boolean): void {
    if (!t.isBoundToPort(fd.u16(SOCK.V4_DPORT))) {
      fd.setRoleClient();
      return;
    }
    if (!t.usesClientPort(fd.u16(SOCK.V4_SPORT))) {
      fd.setRoleServer();
      return;
    }
    if (fd.isRoleNone()) {
      if (incoming) fd.setRoleServer();
      else fd.setRoleClient();
    }
  }

  private parseReadExit(evt: EventParams, ctx: EventContext): void {
    const type = evt.type;
    if (type === PPME.SOCKET_RECVMMSG_X && evt.paramLen(0) === 0) return;
    const fd = ctx.fd;
    if (fd === undefined) return;
    if (this.returnValue(evt) < 0) {
      if (this.state.trackConnectionStatus && (fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK)) {
        fd.setSocketFailed();
      }
      return;
    }
    if (fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK) fd.setSocketConnected();
    let tupleAt = -1;
    if (type === PPME.SOCKET_RECVFROM_X) tupleAt = 2;
    else if (type === PPME.SOCKET_RECVMSG_X) tupleAt = 3;
    else if (type === PPME.SOCKET_RECVMMSG_X || type === PPME.SOCKET_RECV_X) tupleAt = 4;
    if (tupleAt !== -1 && (fd.name.length === 0 || !fd.isTcpSocket())) {
      const tuple = evt.bytes(tupleAt);
      if (this.updateFdFromTuple(fd, tuple)) {
        if (fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK) {
          if (fd.isRoleNone()) this.guessRole(ctx.thread!, fd, true);
          if (fd.isRoleClient()) this.swapEnds(fd);
          fd.name = socketName(fd);
        } else {
          fd.name = formatSocktuple(tuple, sanitizeString);
        }
      }
    }
  }

  private parseWriteExit(evt: EventParams, ctx: EventContext): void {
    const type = evt.type;
    if (type === PPME.SOCKET_SENDMMSG_X && evt.paramLen(0) === 0) return;
    if (
      (type === PPME.SOCKET_SEND_X || type === PPME.SOCKET_SENDTO_X || type === PPME.SOCKET_SENDMSG_X) &&
      ctx.fd === undefined && ctx.thread !== undefined
    ) {
      this.inferSendSocket(evt, ctx);
    }
    const fd = ctx.fd;
    if (fd === undefined) return;
    if (this.returnValue(evt) < 0) {
      if (this.state.trackConnectionStatus && (fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK)) {
        fd.setSocketFailed();
      }
      return;
    }
    if (fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK) fd.setSocketConnected();
    if (
      (type === PPME.SOCKET_SEND_X || type === PPME.SOCKET_SENDTO_X || type === PPME.SOCKET_SENDMSG_X ||
        type === PPME.SOCKET_SENDMMSG_X) &&
      (fd.name.length === 0 || !fd.isTcpSocket())
    ) {
      const tuple = evt.bytes(4);
      if (this.updateFdFromTuple(fd, tuple)) {
        if (fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK) {
          if (fd.isRoleNone()) this.guessRole(ctx.thread!, fd, false);
          if (fd.isRoleServer()) this.swapEnds(fd);
          fd.name = socketName(fd);
        } else {
          fd.name = formatSocktuple(tuple, sanitizeString);
        }
      }
    }
  }

  /** send* on an fd we never saw created: assume a UDP socket of the tuple's family. */
  private inferSendSocket(evt: EventParams, ctx: EventContext): void {
    if (this.returnValue(evt) < 0) return;
    const fd = evt.int(2);
    const tuple = evt.bytes(4);
    const family = tuple.length > 0 ? tuple[0] : 0;
    // libsinsp compares with the host's AF_INET (2) and AF_INET6 (10) values.
    if (family === 2 || family === 10) {
      this.addSocket(ctx, fd, family === 2 ? AF.INET : AF.INET6, SOCK_DGRAM, IPPROTO_UDP, 0);
    }
  }

  private parseGetsockoptExit(evt: EventParams, ctx: EventContext): void {
    const fd = ctx.fd;
    if (ctx.thread === undefined || fd === undefined || !this.state.trackConnectionStatus) return;
    if (this.returnValue(evt) < 0) return;
    const SOL_SOCKET = 1;
    const SO_ERROR = 4;
    if ((evt.int(2) & 0xff) !== SOL_SOCKET || (evt.int(3) & 0xff) !== SO_ERROR) return;
    const val = evt.bytes(4);
    if (val.length < 9) return;
    const err = Number(new DataView(val.buffer, val.byteOffset + 1, 8).getBigInt64(0, true));
    ctx.errorCode = err;
    if (err < 0) fd.setSocketFailed();
    else fd.setSocketConnected();
  }
}

/** The name libsinsp gives a connected IP socket (sinsp_utils::sockinfo_to_str). */
export function socketName(fd: FdInfo): string {
  const s = fd.sockBytes();
  if (fd.type === FD_TYPE.IPV4_SOCK) {
    const l4 = fd.u8(SOCK.V4_L4);
    if (l4 === L4.Tcp || l4 === L4.Udp) return ipv4TupleName(fd);
    if (l4 === L4.Icmp || l4 === L4.Raw) {
      return `${ipv4BytesToString(s, SOCK.V4_SIP)}->${ipv4BytesToString(s, SOCK.V4_DIP)}`;
    }
    return '<unknown>';
  }
  if (fd.type === FD_TYPE.IPV6_SOCK) {
    const l4 = fd.u8(SOCK.V6_L4);
    const mapped = isIpv4MappedIpv6(s, SOCK.V6_SIP) && isIpv4MappedIpv6(s, SOCK.V6_DIP);
    if (l4 === L4.Tcp || l4 === L4.Udp) {
      if (mapped) {
        // libsinsp reads the ports from the IPv4 view of the union here.
        return `${ipv4BytesToString(s, SOCK.V6_SIP + 12)}:${fd.u16(SOCK.V4_SPORT)}->` +
          `${ipv4BytesToString(s, SOCK.V6_DIP + 12)}:${fd.u16(SOCK.V4_DPORT)}`;
      }
      return ipv6TupleName(fd);
    }
    if (l4 === L4.Icmp) {
      if (mapped) return `${ipv4BytesToString(s, SOCK.V6_SIP + 12)}->${ipv4BytesToString(s, SOCK.V6_DIP + 12)}`;
      return `${ipv6BytesToString(s, SOCK.V6_SIP)}->${ipv6BytesToString(s, SOCK.V6_DIP)}`;
    }
    return '<unknown>';
  }
  return '';
}

/** Where an address family keeps its ends in an fd's socket record. */
interface SocketEndsLayout {
  readonly type: number;
  readonly width: number;
  readonly sip: number;
  readonly sport: number;
  readonly dip: number;
  readonly dport: number;
}

const IPV4_ENDS: SocketEndsLayout = { type: FD_TYPE.IPV4_SOCK, width: 4, sip: SOCK.V4_SIP, sport: SOCK.V4_SPORT, dip: SOCK.V4_DIP, dport: SOCK.V4_DPORT };
const IPV6_ENDS: SocketEndsLayout = { type: FD_TYPE.IPV6_SOCK, width: 16, sip: SOCK.V6_SIP, sport: SOCK.V6_SPORT, dip: SOCK.V6_DIP, dport: SOCK.V6_DPORT };
const ZERO_ADDRESS = new Uint8Array(16);

/**
 * Sets a socket's source and (when unset, or with `overwriteDest`) destination ends from `src`;
 * false when the socket already held these ends, in either direction (libsinsp's tuple update).
 */
function setSocketEnds(fd: FdInfo, l: SocketEndsLayout, src: Uint8Array, sipOff: number, sport: number, dipOff: number, dport: number,
  overwriteDest: boolean): boolean {
  const w = l.width;
  if (fd.type === l.type) {
    const curSport = fd.u16(l.sport);
    const curDport = fd.u16(l.dport);
    const same = fd.bytesEqual(l.sip, src, sipOff, w) && sport === curSport && fd.bytesEqual(l.dip, src, dipOff, w) && dport === curDport;
    const reversed = fd.bytesEqual(l.sip, src, dipOff, w) && dport === curSport && fd.bytesEqual(l.dip, src, sipOff, w) && sport === curDport;
    if (same || reversed) return false;
  }
  let changed = false;
  if (!fd.bytesEqual(l.sip, src, sipOff, w)) {
    fd.setBytes(l.sip, src, sipOff, w);
    changed = true;
  }
  if (fd.u16(l.sport) !== sport) {
    fd.setU16(l.sport, sport);
    changed = true;
  }
  if (fd.bytesEqual(l.dip, ZERO_ADDRESS, 0, w) || (overwriteDest && !fd.bytesEqual(l.dip, src, dipOff, w))) {
    fd.setBytes(l.dip, src, dipOff, w);
    changed = true;
  }
  if (fd.u16(l.dport) === 0 || (overwriteDest && fd.u16(l.dport) !== dport)) {
    fd.setU16(l.dport, dport);
    changed = true;
  }
  return changed;
}
