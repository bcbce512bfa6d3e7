// The system state a stream of events implies: threads with their fds, users and groups, the
// container of each thread, the network interfaces, and the machine's boot time. Seeded from the
// capture's (or the host's) initial lists, then kept up to date by the event parsers
// (src/state/parser.ts).
import { FD_TYPE } from '../scap/format.js';
import { CL, L4 } from './constants.js';
import { ContainerResolver, ContainerTable, HOST_CONTAINER_ID, type ContainerMatch } from './containers.js';
import { FDF, FdInfo, SOCK } from './fds.js';
import { ipv4BytesToString, ipv6BytesToString, isIpv4MappedIpv6 } from './netfmt.js';
import { NetworkInterfaces, type Ipv4Interface, type Ipv6Interface } from './network.js';
import type { FdInfo as FdRecord, GroupInfo as GroupRecord, ProcessRecord, UserInfo as UserRecord } from '../scap/records.js';
import { ThreadTable, type ThreadSource } from './thread-table.js';
import type { ThreadInfo } from './threads.js';
import type { IpAddr } from '../fields/types.js';
import { libsinspList } from './params.js';
import { EMPTY_DIRECTORY, UserGroupTable, type UserDirectory } from './users.js';

export interface SystemStateOptions {
  /** Most threads kept (Falco falco_libs.thread_table_size). */
  threadTableSize?: number;
  /** Where unknown users and groups are looked up (default: nowhere, as for a foreign capture). */
  userDirectory?: UserDirectory;
  /** Where unknown threads are looked up (live /proc). */
  threadSource?: ThreadSource;
  /** Our own pid (live): never dropped from a full table. */
  selfPid?: number;
  /**
   * Track connection status changes (failed/pending connects, SO_ERROR): off in Falco, which
   * marks a socket connected on success or EINPROGRESS only.
   */
  trackConnectionStatus?: boolean;
  /**
   * Look users and groups up per container, as Falco does with its container plugin loaded;
   * off: every thread uses the host's users (Falco without the plugin).
   */
  containerAwareUsers?: boolean;
}

export class SystemState {
  readonly threads: ThreadTable;
  readonly users: UserGroupTable;
  readonly containers = new ContainerResolver();
  /** Container metadata known from container events (and the host). */
  readonly containerInfos = new ContainerTable();
  readonly network = new NetworkInterfaces();
  /** Boot time in ns since the epoch (from the machine info): base of pid-namespace start times. */
  bootTsEpoch = 0n;
  readonly trackConnectionStatus: boolean;
  readonly containerAwareUsers: boolean;

  constructor(opts: SystemStateOptions = {}) {
    this.threads = new ThreadTable({
      maxSize: opts.threadTableSize,
      selfPid: opts.selfPid,
      source: opts.threadSource,
    });
    this.users = new UserGroupTable(opts.userDirectory ?? EMPTY_DIRECTORY);
    this.trackConnectionStatus = opts.trackConnectionStatus ?? false;
    this.containerAwareUsers = opts.containerAwareUsers ?? false;
  }

  /** The container a thread runs in (undefined for the host). */
  container(t: ThreadInfo): ContainerMatch | undefined {
    return this.containers.resolve(t.cgroups);
  }

  /** `container.id`: the 12-character id, or "host". */
  containerId(t: ThreadInfo): string {
    let id = t.containerIdCache;
    if (id === undefined) {
      id = this.container(t)?.id ?? HOST_CONTAINER_ID;
      t.containerIdCache = id;
    }
    return id;
  }

  /** Container id under which a thread's users and groups are looked up ("" for the host). */
  userContainerId(t: ThreadInfo): string {
    if (!this.containerAwareUsers) return '';
    const id = this.containerId(t);
    return id === HOST_CONTAINER_ID ? '' : id;
  }

  // ---------------------------------------------------------------- seeding

  /** Adds a thread of the initial process list (links come later, in finishSeeding). */
  seedProcess(r: ProcessRecord): ThreadInfo | undefined {
    const t = this.threads.newThread(r.tid);
    initThreadFromRecord(t, r);
    // Container ids are not known yet at this point in libsinsp: users go to the host list.
    this.users.ensureUser('', r.pid, r.uid, r.gid);
    this.users.ensureGroup('', r.pid, r.gid);
    return this.threads.add(t, false) ? t : undefined;
  }

  /**
   * A thread built from a process record and its fds, not added to the table: what a live
   * lookup of an unknown thread in /proc gives the thread table (src/state/proc-threads.ts). Its
   * user and group are made known, under its container, as libsinsp does for a new thread.
   */
  threadFromRecords(r: ProcessRecord, fds: readonly FdRecord[]): ThreadInfo {
    const t = this.threads.newThread(r.tid);
    initThreadFromRecord(t, r);
    for (const rec of fds) {
      const fdi = fdInfoFromRecord(rec);
      if (fdi === undefined) continue;
      if (fdi.type === FD_TYPE.IPV4_SOCK || fdi.type === FD_TYPE.IPV6_SOCK) this.network.completeTuple(fdi);
      if (fdi.type === FD_TYPE.IPV4_SERVSOCK) this.threads.serverPorts.add(fdi.u16(SOCK.V4S_PORT));
      else if (fdi.type === FD_TYPE.IPV6_SERVSOCK) this.threads.serverPorts.add(fdi.u16(SOCK.V6S_PORT));
      t.ownFdTable.add(rec.fd, fdi);
    }
    for (const fdi of t.ownFdTable.values()) this.fixListedSocket(fdi);
    const cid = this.userContainerId(t);
    this.users.ensureUser(cid, r.pid, r.uid, r.gid);
    this.users.ensureGroup(cid, r.pid, r.gid);
    return t;
  }

  /** Adds an fd of the initial lists to thread `tid` (ignored when the thread is unknown). */
  seedFd(tid: number, r: FdRecord): void {
    const t = this.threads.find(tid, true);
    if (t === undefined) return;
    const fdi = fdInfoFromRecord(r);
    if (fdi === undefined) return;
    if (fdi.type === FD_TYPE.IPV4_SOCK || fdi.type === FD_TYPE.IPV6_SOCK) this.network.completeTuple(fdi);
    t.ownFdTable.add(r.fd, fdi);
    if (fdi.type === FD_TYPE.IPV4_SERVSOCK) this.threads.serverPorts.add(fdi.u16(SOCK.V4S_PORT));
    else if (fdi.type === FD_TYPE.IPV6_SERVSOCK) this.threads.serverPorts.add(fdi.u16(SOCK.V6S_PORT));
  }

  seedInterfaces(ipv4: readonly Ipv4Interface[], ipv6: readonly Ipv6Interface[]): void {
    this.network.set(ipv4, ipv6);
  }

  seedUsers(users: readonly UserRecord[], groups: readonly GroupRecord[]): void {
    for (const u of users) this.users.putUser('', u.uid, u.gid, u.name, u.homedir, u.shell);
    for (const g of groups) this.users.putGroup('', g.gid, g.name);
  }

  /** Links the seeded threads into processes and parents (call once the process list is read). */
  linkSeededThreads(): void {
    this.threads.createAllDependencies();
  }

  /**
   * Sockets listed at start do not say which side is local: a socket whose source port is one
   * our own server sockets listen on is a server connection, and its ends are swapped.
   */
  fixSeededSockets(): void {
    for (const t of this.threads.values()) {
      for (const fd of t.ownFdTable.values()) this.fixListedSocket(fd);
    }
  }

  /** Gives an IPv4 connection listed without its direction (initial lists, /proc) its role. */
  private fixListedSocket(fd: FdInfo): void {
    if (fd.type !== FD_TYPE.IPV4_SOCK) return;
    if (!this.threads.serverPorts.has(fd.u16(SOCK.V4_SPORT))) {
      fd.setRoleClient();
      return;
    }
    swapIpv4Ends(fd);
    fd.name = ipv4TupleName(fd);
    fd.setRoleServer();
  }
}

function initThreadFromRecord(t: ThreadInfo, r: ProcessRecord): void {
  t.pid = r.pid;
  t.ptid = r.ptid;
  t.sid = r.sid;
  t.vpgid = r.vpgid;
  t.pgid = r.pgid;
  t.comm = r.comm;
  t.exe = r.exe;
  t.setExepath(r.exepath);
  t.exeWritable = r.exeWritable;
  t.exeUpperLayer = r.exeUpperLayer;
  t.exeLowerLayer = r.exeLowerLayer;
  t.exeFromMemfd = r.exeFromMemfd;
  t.reaperTid = -1;
  t.notExpiredChildren = 0;
  t.setArgs(libsinspList(r.args));
  if (t.isMainThread()) {
    t.env = libsinspList(r.env);
    t.updateCwd(r.cwd);
  }
  // Threads listed at start are real and running.
  t.flags |= r.flags | CL.ACTIVE;
  t.fdlimit = r.fdlimit;
  t.capPermitted = r.capPermitted;
  t.capEffective = r.capEffective;
  t.capInheritable = r.capInheritable;
  t.exeIno = r.exeIno;
  t.exeInoCtime = r.exeInoCtime;
  t.exeInoMtime = r.exeInoMtime;
  // Not recorded in captures (libscap fills them from /proc live only).
  t.exeInoCtimeDurationCloneTs = 0n;
  t.exeInoCtimeDurationPidnsStart = 0n;
  t.vmsizeKb = r.vmsizeKb;
  t.vmrssKb = r.vmrssKb;
  t.vmswapKb = r.vmswapKb;
  t.pfmajor = r.pfMajor;
  t.pfminor = r.pfMinor;
  t.vtid = r.vtid;
  t.vpid = r.vpid;
  t.pidnsInitStartTs = r.pidnsInitStartTs;
  t.cloneTs = 0n;
  t.lastexecTs = 0n;
  t.tty = r.tty;
  t.setCgroups(libsinspList(r.cgroups));
  t.root = r.root;
  t.gid = r.gid;
  t.uid = r.uid;
  t.loginuid = r.loginuid;
}

/** `sip:sport->dip:dport` of an IPv4 connection. */
export function ipv4TupleName(fd: FdInfo): string {
  const s = fd.sockBytes();
  return `${ipv4BytesToString(s, SOCK.V4_SIP)}:${fd.u16(SOCK.V4_SPORT)}->` +
    `${ipv4BytesToString(s, SOCK.V4_DIP)}:${fd.u16(SOCK.V4_DPORT)}`;
}

export function ipv6TupleName(fd: FdInfo): string {
  const s = fd.sockBytes();
  return `${ipv6BytesToString(s, SOCK.V6_SIP)}:${fd.u16(SOCK.V6_SPORT)}->` +
    `${ipv6BytesToString(s, SOCK.V6_DIP)}:${fd.u16(SOCK.V6_DPORT)}`;
}

export function swapIpv4Ends(fd: FdInfo): void {
  const s = fd.sockBytes();
  const sip = s.slice(SOCK.V4_SIP, SOCK.V4_SIP + 4);
  const sport = fd.u16(SOCK.V4_SPORT);
  s.copyWithin(SOCK.V4_SIP, SOCK.V4_DIP, SOCK.V4_DIP + 4);
  fd.setU16(SOCK.V4_SPORT, fd.u16(SOCK.V4_DPORT));
  s.set(sip, SOCK.V4_DIP);
  fd.setU16(SOCK.V4_DPORT, sport);
}

/** fd types a process list describes by name only (others are dropped, as libsinsp does). */
const NAMED_FD_TYPES: ReadonlySet<number> = new Set([
  FD_TYPE.FIFO, FD_TYPE.FILE, FD_TYPE.DIRECTORY, FD_TYPE.UNSUPPORTED, FD_TYPE.SIGNALFD, FD_TYPE.EVENTPOLL,
  FD_TYPE.EVENT, FD_TYPE.INOTIFY, FD_TYPE.TIMERFD, FD_TYPE.NETLINK, FD_TYPE.BPF, FD_TYPE.USERFAULTFD,
  FD_TYPE.IOURING, FD_TYPE.MEMFD, FD_TYPE.PIDFD,
]);

function ipBytes(ip: IpAddr | undefined, v6: boolean): Uint8Array {
  if (ip === undefined) return new Uint8Array(v6 ? 16 : 4);
  if (typeof ip !== 'number') return ip;
  return new Uint8Array([(ip >>> 24) & 0xff, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff]);
}

function fdInfoFromRecord(r: FdRecord): FdInfo | undefined {
  const f = new FdInfo();
  f.openFlags = 0;
  f.flags = FDF.FROM_PROC;
  f.ino = r.ino;
  f.fd = r.fd;
  const l4 = r.l4proto ?? 0;
  switch (r.type) {
    case FD_TYPE.IPV4_SOCK:
      f.type = FD_TYPE.IPV4_SOCK;
      f.setBytes(SOCK.V4_SIP, ipBytes(r.sip, false), 0, 4);
      f.setBytes(SOCK.V4_DIP, ipBytes(r.dip, false), 0, 4);
      f.setU16(SOCK.V4_SPORT, r.sport ?? 0);
      f.setU16(SOCK.V4_DPORT, r.dport ?? 0);
      f.setU8(SOCK.V4_L4, l4);
      if (l4 === L4.Tcp) f.flags |= FDF.SOCKET_CONNECTED;
      f.name = ipv4TupleName(f);
      return f;
    case FD_TYPE.IPV4_SERVSOCK:
      f.type = FD_TYPE.IPV4_SERVSOCK;
      f.setBytes(SOCK.V4S_IP, ipBytes(r.sip, false), 0, 4);
      f.setU16(SOCK.V4S_PORT, r.sport ?? 0);
      f.setU8(SOCK.V4S_L4, l4);
      f.name = `${ipv4BytesToString(f.sockBytes(), SOCK.V4S_IP)}:${r.sport ?? 0}`;
      return f;
    case FD_TYPE.IPV6_SOCK: {
      const sip = ipBytes(r.sip, true);
      const dip = ipBytes(r.dip, true);
      if (isIpv4MappedIpv6(sip) && isIpv4MappedIpv6(dip)) {
        f.type = FD_TYPE.IPV4_SOCK;
        f.setBytes(SOCK.V4_SIP, sip, 12, 4);
        f.setBytes(SOCK.V4_DIP, dip, 12, 4);
        f.setU16(SOCK.V4_SPORT, r.sport ?? 0);
        f.setU16(SOCK.V4_DPORT, r.dport ?? 0);
        f.setU8(SOCK.V4_L4, l4);
        if (l4 === L4.Tcp) f.flags |= FDF.SOCKET_CONNECTED;
        f.name = ipv4TupleName(f);
        return f;
      }
      f.type = FD_TYPE.IPV6_SOCK;
      f.setBytes(SOCK.V6_SIP, sip, 0, 16);
      f.setBytes(SOCK.V6_DIP, dip, 0, 16);
      f.setU16(SOCK.V6_SPORT, r.sport ?? 0);
      f.setU16(SOCK.V6_DPORT, r.dport ?? 0);
      f.setU8(SOCK.V6_L4, l4);
      if (l4 === L4.Tcp) f.flags |= FDF.SOCKET_CONNECTED;
      f.name = ipv6TupleName(f);
      return f;
    }
    case FD_TYPE.IPV6_SERVSOCK:
      f.type = FD_TYPE.IPV6_SERVSOCK;
      f.setBytes(SOCK.V6S_IP, ipBytes(r.sip, true), 0, 16);
      f.setU16(SOCK.V6S_PORT, r.sport ?? 0);
      f.setU8(SOCK.V6S_L4, l4);
      f.name = `${ipv6BytesToString(f.sockBytes(), SOCK.V6S_IP)}:${r.sport ?? 0}`;
      return f;
    case FD_TYPE.UNIX_SOCK:
      f.type = FD_TYPE.UNIX_SOCK;
      f.setU64(SOCK.UNIX_SOURCE, r.unixSource ?? 0n);
      f.setU64(SOCK.UNIX_DEST, r.unixDest ?? 0n);
      f.name = r.name ?? '';
      if (f.name === '') f.setRoleClient();
      else f.setRoleServer();
      return f;
    case FD_TYPE.FILE_V2:
      f.type = FD_TYPE.FILE_V2;
      f.openFlags = r.openFlags ?? 0;
      f.name = r.name ?? '';
      f.dev = r.dev ?? 0;
      f.mountId = 0;
      return f;
    default:
      if (!NAMED_FD_TYPES.has(r.type)) return undefined;
      f.type = r.type;
      f.name = r.name ?? '';
      return f;
  }
}
