// Extractors of the user, group, fd, fdlist, fs.path and util fields, with libsinsp's semantics.
import type { FieldArg, FieldDef, FieldValue, IpAddr } from '../../types.js';
import { Delivery, type SyscallEvent } from '../../../state/syscall-event.js';
import type { ThreadInfo } from '../../../state/threads.js';
import { FdInfo, SOCK, fdTypeChar } from '../../../state/fds.js';
import { concatenatePaths, memoSanitizer, removeDuplicateSeparators, sanitizeString } from '../../../state/paths.js';
import { ipv4BytesToString, ipv6BytesToString } from '../../../state/netfmt.js';
import { EF, EVENT_CODE, EVENT_INFO, isEnterCode } from '../../../scap/event-table.js';
import { FD_TYPE } from '../../../scap/format.js';
import { formatArg } from '../../../scap/param-format.js';
import { L4, AT_FDCWD } from '../../../state/constants.js';
import { argOptions } from './event.js';
import { value, type Extractor } from './common.js';

const UINT32_MAX = 0xffffffff;

// ---------------------------------------------------------------------------- users and groups

function userOf(e: SyscallEvent, t: ThreadInfo, uid: number) {
  return e.state.users.user(e.state.userContainerId(t), uid);
}

export function userExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  const withThread = (fn: (t: ThreadInfo, e: SyscallEvent) => FieldValue | undefined): Extractor =>
    value((e) => (e.thread === undefined ? undefined : fn(e.thread, e)));
  return {
    'user.uid': () => withThread((t) => t.uid),
    'user.name': () =>
      withThread((t, e) => {
        const u = userOf(e, t, t.uid);
        return u !== undefined ? sanitizeString(u.name) : t.uid === 0 ? 'root' : '<NA>';
      }),
    'user.homedir': () =>
      withThread((t, e) => {
        const u = userOf(e, t, t.uid);
        return u !== undefined ? sanitizeString(u.homedir) : t.uid === 0 ? '/root' : '<NA>';
      }),
    'user.shell': () => withThread((t, e) => sanitizeString(userOf(e, t, t.uid)?.shell ?? '<NA>')),
    'user.loginuid': () => withThread((t) => (t.loginuid < UINT32_MAX ? t.loginuid : -1)),
    'user.loginname': () =>
      withThread((t, e) => {
        const u = userOf(e, t, t.loginuid);
        return u !== undefined ? sanitizeString(u.name) : t.loginuid === 0 ? 'root' : '<NA>';
      }),
    'group.gid': () => withThread((t) => t.gid),
    'group.name': () =>
      withThread((t, e) => {
        const g = e.state.users.group(e.state.userContainerId(t), t.gid);
        return g !== undefined ? sanitizeString(g.name) : t.gid === 0 ? 'root' : '<NA>';
      }),
  };
}

// ---------------------------------------------------------------------------- fd

/** The thread and fd an fd field reads (libsinsp extract_fd); undefined for non-fd events. */
interface FdTarget {
  thread: ThreadInfo;
  fd: FdInfo | undefined;
  /** The fd number fd.num shows (the thread's last-event fd, libsinsp's m_lastevent_fd). */
  num: number;
}

const target: FdTarget = { thread: undefined as unknown as ThreadInfo, fd: undefined, num: -1 };

function fdTarget(e: SyscallEvent, argFd = -1): FdTarget | undefined {
  const f = EVENT_INFO[e.evt.type]!.flags;
  if ((f & (EF.CREATES_FD | EF.USES_FD | EF.DESTROYS_FD)) === 0) return undefined;
  const t = e.thread;
  if (t === undefined) return undefined;
  target.thread = t;
  // Events libsinsp never parses (Dropped) describe their own fd parameter.
  const num = e.delivery === Delivery.Dropped ? e.droppedFd : t.lastEventFd;
  target.num = num;
  if (argFd !== -1) {
    target.fd = t.getFd(argFd);
  } else {
    let fd = e.fd;
    if (fd === undefined && num !== -1 && e.delivery !== Delivery.Dropped) fd = t.getFd(num);
    target.fd = fd;
  }
  return target;
}

/** The fd name an event carries in its parameters when no fd is known (libsinsp). */
function nameFromEvent(e: SyscallEvent, raw: boolean): string | undefined {
  const evt = e.evt;
  const type = evt.type;
  if (isEnterCode(type)) return undefined;
  switch (type) {
    case EVENT_CODE.SYSCALL_OPEN_X:
    case EVENT_CODE.SOCKET_ACCEPT_5_X:
    case EVENT_CODE.SOCKET_ACCEPT4_6_X:
    case EVENT_CODE.SYSCALL_CREAT_X:
    case EVENT_CODE.SOCKET_CONNECT_X:
      return formatArg(evt, 1, argOptions(e)) ?? '';
    case EVENT_CODE.SYSCALL_OPENAT_2_X:
    case EVENT_CODE.SYSCALL_OPENAT2_X: {
      if (evt.paramLength(2) === 0) return undefined;
      const name = e.params.str(2);
      if (raw) return name;
      if (evt.paramLength(1) === 0) return undefined;
      const dirfd = evt.int(1) ?? AT_FDCWD;
      return concatenatePaths(resolveDirfd(e, name, dirfd), name);
    }
    case EVENT_CODE.SYSCALL_OPEN_BY_HANDLE_AT_X:
      return e.params.str(3);
    default:
      return '';
  }
}

function resolveDirfd(e: SyscallEvent, name: string, dirfd: number): string {
  if (name.startsWith('/')) return '.';
  const t = e.thread;
  if (t === undefined) return '<UNKNOWN>';
  if (dirfd === AT_FDCWD) return t.getCwd();
  const info = t.getFd(dirfd);
  if (info === undefined) return '<UNKNOWN>';
  return info.name === '' || info.name.endsWith('/') ? info.name : info.name + '/';
}

const isIpSock = (fd: FdInfo): boolean => fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK;

/** Client (source) address of a connected IP socket. */
function clientIp(fd: FdInfo): IpAddr | undefined {
  if (fd.isRoleNone()) return undefined;
  if (fd.type === FD_TYPE.IPV4_SOCK) return fd.ipv4(SOCK.V4_SIP);
  if (fd.type === FD_TYPE.IPV6_SOCK) return fd.ipv6(SOCK.V6_SIP);
  return undefined;
}

/** Server (destination, or listening) address. */
function serverIp(fd: FdInfo): IpAddr | undefined {
  if (fd.isRoleNone()) return undefined;
  switch (fd.type) {
    case FD_TYPE.IPV4_SOCK: return fd.ipv4(SOCK.V4_DIP);
    case FD_TYPE.IPV4_SERVSOCK: return fd.ipv4(SOCK.V4S_IP);
    case FD_TYPE.IPV6_SOCK: return fd.ipv6(SOCK.V6_DIP);
    case FD_TYPE.IPV6_SERVSOCK: return fd.ipv6(SOCK.V6S_IP);
    default: return undefined;
  }
}

function clientPort(fd: FdInfo): number | undefined {
  if (fd.isRoleNone()) return undefined;
  if (fd.type === FD_TYPE.IPV4_SOCK) return fd.u16(SOCK.V4_SPORT);
  if (fd.type === FD_TYPE.IPV6_SOCK) return fd.u16(SOCK.V6_SPORT);
  return undefined;
}

function serverPort(fd: FdInfo): number | undefined {
  switch (fd.type) {
    case FD_TYPE.IPV4_SOCK: return fd.isRoleNone() ? undefined : fd.u16(SOCK.V4_DPORT);
    case FD_TYPE.IPV4_SERVSOCK: return fd.u16(SOCK.V4S_PORT);
    case FD_TYPE.IPV6_SOCK: return fd.isRoleNone() ? undefined : fd.u16(SOCK.V6_DPORT);
    case FD_TYPE.IPV6_SERVSOCK: return fd.u16(SOCK.V6S_PORT);
    default: return undefined;
  }
}

/**
 * Whether the client side of a connection is this machine (fd.lip/rip/lport/rport): an address of
 * the machine's interfaces (for containers, libsinsp would look at the container's own IP, which
 * needs runtime metadata).
 */
function clientIsLocal(e: SyscallEvent, fd: FdInfo): boolean {
  if (fd.type === FD_TYPE.IPV4_SOCK) return e.state.network.isLocalIpv4(fd.ipv4(SOCK.V4_SIP));
  return e.state.network.isLocalIpv6(fd.ipv6(SOCK.V6_SIP));
}

function localRemote(which: 'lip' | 'rip' | 'lport' | 'rport'): (e: SyscallEvent) => FieldValue | undefined {
  return (e) => {
    const fd = fdTarget(e)?.fd;
    if (fd === undefined || !isIpSock(fd) || fd.isRoleNone()) return undefined;
    const local = clientIsLocal(e, fd);
    const v4 = fd.type === FD_TYPE.IPV4_SOCK;
    // The local end is the client side when the client address is ours, else the server side.
    const clientSide = (which === 'lip' || which === 'lport') === local;
    if (which === 'lip' || which === 'rip') {
      if (v4) return fd.ipv4(clientSide ? SOCK.V4_SIP : SOCK.V4_DIP);
      return fd.ipv6(clientSide ? SOCK.V6_SIP : SOCK.V6_DIP);
    }
    if (v4) return fd.u16(clientSide ? SOCK.V4_SPORT : SOCK.V4_DPORT);
    return fd.u16(clientSide ? SOCK.V6_SPORT : SOCK.V6_DPORT);
  };
}

const L4_NAMES: Record<number, string> = { [L4.Tcp]: 'tcp', [L4.Udp]: 'udp', [L4.Icmp]: 'icmp', [L4.Raw]: 'raw' };

function fdValue(fn: (fd: FdInfo, e: SyscallEvent) => FieldValue | undefined): Extractor {
  return value((e) => {
    const fd = fdTarget(e)?.fd;
    return fd === undefined ? undefined : fn(fd, e);
  });
}

function fdName(e: SyscallEvent): string | undefined {
  const tg = fdTarget(e);
  if (tg === undefined) return undefined;
  if (tg.fd !== undefined) return tg.fd.name;
  return nameFromEvent(e, false);
}

/** fd.directory: the directory of a file fd, or the fd itself for directories. */
function fdDirectory(e: SyscallEvent): string | undefined {
  const tg = fdTarget(e);
  if (tg === undefined) return undefined;
  const fd = tg.fd;
  let name: string;
  if (fd === undefined) {
    const n = nameFromEvent(e, false);
    if (n === undefined) return undefined;
    name = n;
  } else if (!(fd.isFile() || fd.isDirectory())) {
    return undefined;
  } else {
    name = fd.name;
  }
  if (fd === undefined || fd.isFile()) {
    const pos = name.lastIndexOf('/');
    if (pos > 0) {
      if (pos < name.length - 1) name = name.slice(0, pos);
    } else {
      name = '/';
    }
  }
  return name;
}

function containerIdForFd(e: SyscallEvent, t: ThreadInfo): string {
  const id = e.state.containerId(t);
  return id === 'host' ? '' : id;
}

export function fdExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  const str = (fn: (e: SyscallEvent) => string | undefined): Extractor => {
    const sanitize = memoSanitizer();
    return value((e) => {
      const s = fn(e);
      return s === undefined ? undefined : sanitize(s);
    });
  };
  return {
    'fd.num': () => value((e) => fdTarget(e)?.num),
    'fd.type': () => fdValue((fd) => fd.typeName),
    'fd.typechar': () =>
      value((e) => {
        const tg = fdTarget(e);
        if (tg === undefined) return undefined;
        return tg.fd !== undefined ? tg.fd.typeChar : eventTypeChar(e.evt.type);
      }),
    'fd.name': () =>
      value((e) => {
        const tg = fdTarget(e);
        if (tg === undefined) return undefined;
        if (tg.fd !== undefined) return tg.fd.safeName();
        const name = nameFromEvent(e, false);
        return name === undefined ? undefined : sanitizeString(name);
      }),
    'fd.directory': () =>
      value((e) => {
        const fd = fdTarget(e)?.fd;
        if (fd !== undefined) return fd.isFile() || fd.isDirectory() ? fd.directory() : undefined;
        const dir = fdDirectory(e);
        return dir === undefined ? undefined : sanitizeString(dir);
      }),
    'fd.filename': () =>
      str((e) => {
        const fd = fdTarget(e)?.fd;
        if (fd === undefined || !fd.isFile()) return undefined;
        const pos = fd.name.lastIndexOf('/');
        if (pos === -1) return '/';
        return pos < fd.name.length - 1 ? fd.name.slice(pos + 1) : fd.name;
      }),
    // Filter-only fields matching either end: their value is both ends.
    'fd.ip': () => fdValue((fd) => bothEnds(fd, 'ip')),
    'fd.port': () => fdValue((fd) => bothEnds(fd, 'port')),
    'fd.proto': () => fdValue((fd) => bothEnds(fd, 'port')),
    'fd.net': () => fdValue((fd) => bothEnds(fd, 'ip')),
    'fd.cip': () => fdValue(clientIp),
    'fd.sip': () => fdValue(serverIp),
    'fd.cnet': () => fdValue(clientIp),
    'fd.snet': () => fdValue(serverIp),
    'fd.lip': () => value(localRemote('lip')),
    'fd.rip': () => value(localRemote('rip')),
    'fd.lnet': () => value(localRemote('lip')),
    'fd.rnet': () => value(localRemote('rip')),
    'fd.cport': () => fdValue(clientPort),
    'fd.sport': () => fdValue(serverPort),
    'fd.lport': () => value(localRemote('lport')),
    'fd.rport': () => value(localRemote('rport')),
    // Port names are not resolved (Falco's default): the protocol fields print the number.
    'fd.cproto': () => fdValue((fd) => (isIpSock(fd) && !fd.isRoleNone() ? String(clientPort(fd) ?? '') : fd.isRoleNone() ? undefined : '')),
    'fd.sproto': () =>
      fdValue((fd) => {
        const p = serverPort(fd);
        if (p === undefined) return undefined;
        return isIpSock(fd) ? String(p) : '';
      }),
    'fd.lproto': () => value((e) => {
      const p = localRemote('lport')(e);
      return p === undefined ? undefined : String(p);
    }),
    'fd.rproto': () => value((e) => {
      const p = localRemote('rport')(e);
      return p === undefined ? undefined : String(p);
    }),
    'fd.l4proto': () => fdValue((fd) => L4_NAMES[fd.l4proto()] ?? '<NA>'),
    'fd.sockfamily': () =>
      fdValue((fd) => {
        if (fd.type >= FD_TYPE.IPV4_SOCK && fd.type <= FD_TYPE.IPV6_SERVSOCK) return 'ip';
        return fd.type === FD_TYPE.UNIX_SOCK ? 'unix' : undefined;
      }),
    'fd.is_server': () =>
      fdValue((fd, e) => {
        if (fd.type === FD_TYPE.IPV4_SERVSOCK || fd.type === FD_TYPE.IPV6_SERVSOCK) return true;
        if (fd.type === FD_TYPE.IPV4_SOCK) return e.state.network.isLocalIpv4(fd.ipv4(SOCK.V4_DIP));
        if (fd.type === FD_TYPE.IPV6_SOCK) return e.state.network.isLocalIpv6(fd.ipv6(SOCK.V6_DIP));
        return false;
      }),
    'fd.uid': () =>
      value((e) => {
        const tg = fdTarget(e);
        return tg === undefined ? undefined : `${tg.thread.tid}${tg.num}`;
      }),
    'fd.containername': () =>
      str((e) => {
        const tg = fdTarget(e);
        if (tg === undefined) return undefined;
        const name = tg.fd !== undefined ? tg.fd.name : nameFromEvent(e, false);
        return name === undefined ? undefined : `${containerIdForFd(e, tg.thread)}:${name}`;
      }),
    'fd.containerdirectory': () =>
      str((e) => {
        const dir = fdDirectory(e);
        return dir === undefined ? undefined : `${containerIdForFd(e, target.thread)}:${dir}`;
      }),
    'fd.connected': () => fdValue((fd) => fd.isSocketConnected()),
    'fd.name_changed': () => fdValue((_fd, e) => e.fdNameChanged),
    // No DNS information in Peregrine (as in Falco without its DNS manager data): no value.
    'fd.cip.name': () => value(() => undefined),
    'fd.sip.name': () => value(() => undefined),
    'fd.lip.name': () => value(() => undefined),
    'fd.rip.name': () => value(() => undefined),
    'fd.dev': () => fdValue((fd) => fd.device),
    'fd.dev.major': () => fdValue((fd) => fd.deviceMajor),
    'fd.dev.minor': () => fdValue((fd) => fd.deviceMinor),
    'fd.ino': () => fdValue((fd) => fd.ino),
    'fd.nameraw': () =>
      str((e) => {
        const tg = fdTarget(e);
        if (tg === undefined) return undefined;
        const raw = tg.fd !== undefined ? tg.fd.nameRaw : nameFromEvent(e, true);
        return raw === undefined ? undefined : removeDuplicateSeparators(raw);
      }),
    'fd.types': (_def, arg) => {
      const n = arg?.index;
      if (n !== undefined) {
        return value((e) => {
          const fd = fdTarget(e, n)?.fd;
          return fd === undefined ? undefined : [fd.typeName];
        });
      }
      return value((e) => {
        const tg = fdTarget(e);
        if (tg === undefined) return undefined;
        const types: string[] = [];
        const table = tg.thread.fdTable();
        if (table !== undefined) for (const fd of table.values()) if (!types.includes(fd.typeName)) types.push(fd.typeName);
        return types;
      });
    },
    'fd.is_upper_layer': () => fdValue((fd) => (fd.flags & (1 << 17)) !== 0),
    'fd.is_lower_layer': () => fdValue((fd) => (fd.flags & (1 << 18)) !== 0),
  };
}

/** Both ends of a socket (fd.ip, fd.port): the condition matches if either does. */
function bothEnds(fd: FdInfo, what: 'ip' | 'port'): FieldValue | undefined {
  switch (fd.type) {
    case FD_TYPE.IPV4_SOCK:
      return what === 'ip' ? [fd.ipv4(SOCK.V4_SIP), fd.ipv4(SOCK.V4_DIP)] : [fd.u16(SOCK.V4_SPORT), fd.u16(SOCK.V4_DPORT)];
    case FD_TYPE.IPV4_SERVSOCK:
      return what === 'ip' ? [fd.ipv4(SOCK.V4S_IP)] : [fd.u16(SOCK.V4S_PORT)];
    case FD_TYPE.IPV6_SOCK:
      return what === 'ip' ? [fd.ipv6(SOCK.V6_SIP), fd.ipv6(SOCK.V6_DIP)] : [fd.u16(SOCK.V6_SPORT), fd.u16(SOCK.V6_DPORT)];
    case FD_TYPE.IPV6_SERVSOCK:
      return what === 'ip' ? [fd.ipv6(SOCK.V6S_IP)] : [fd.u16(SOCK.V6S_PORT)];
    default:
      return undefined;
  }
}

/** The fd type an event creates, when its fd is unknown (libsinsp extract_typechar). */
function eventTypeChar(type: number): string {
  switch (type | 1) {
    case EVENT_CODE.SYSCALL_OPENAT_2_X:
    case EVENT_CODE.SYSCALL_OPENAT2_X:
    case EVENT_CODE.SYSCALL_CREAT_X:
      return 'f';
    case EVENT_CODE.SOCKET_SOCKET_X:
    case EVENT_CODE.SOCKET_ACCEPT_5_X:
    case EVENT_CODE.SOCKET_ACCEPT4_6_X:
      return '4';
    case EVENT_CODE.SYSCALL_PIPE_X:
    case EVENT_CODE.SYSCALL_PIPE2_X:
      return 'p';
    case EVENT_CODE.SYSCALL_EVENTFD_X:
    case EVENT_CODE.SYSCALL_EVENTFD2_X:
      return 'e';
    case EVENT_CODE.SYSCALL_SIGNALFD_X:
    case EVENT_CODE.SYSCALL_SIGNALFD4_X:
      return 's';
    case EVENT_CODE.SYSCALL_TIMERFD_CREATE_X:
      return 't';
    case EVENT_CODE.SYSCALL_INOTIFY_INIT_X:
    case EVENT_CODE.SYSCALL_INOTIFY_INIT1_X:
      return 'i';
    default:
      return 'o';
  }
}

// ---------------------------------------------------------------------------- fdlist

export function fdlistExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  const list = (item: (fd: number, info: FdInfo | undefined) => string | undefined): Extractor =>
    value((e) => {
      const evt = e.evt;
      if (evt.type !== EVENT_CODE.SYSCALL_POLL_X && evt.type !== EVENT_CODE.SYSCALL_PPOLL_X) return undefined;
      const t = e.thread;
      if (t === undefined) return undefined;
      const b = evt.bytes(1);
      if (b === undefined || b.length < 2) return undefined;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const n = dv.getUint16(0, true);
      const parts: string[] = [];
      for (let k = 0, p = 2; k < n && p + 10 <= b.length; k++, p += 10) {
        const fd = Number(dv.getBigInt64(p, true));
        const s = item(fd, t.getFd(fd));
        if (s !== undefined) parts.push(s);
      }
      const out = parts.join(',');
      return out === '' ? undefined : sanitizeString(out);
    });
  return {
    'fdlist.nums': () => list((fd) => String(fd)),
    'fdlist.names': () => list((_fd, info) => (info !== undefined && info.name !== '' ? info.name : '<NA>')),
    'fdlist.cips': () =>
      list((_fd, info) => {
        if (info?.type === FD_TYPE.IPV4_SOCK) return ipv4BytesToString(info.sockBytes(), SOCK.V4_SIP);
        if (info?.type === FD_TYPE.IPV6_SOCK) return ipv6BytesToString(info.sockBytes(), SOCK.V6_SIP);
        return undefined;
      }),
    'fdlist.sips': () =>
      list((_fd, info) => {
        if (info?.type === FD_TYPE.IPV4_SOCK) return ipv4BytesToString(info.sockBytes(), SOCK.V4_DIP);
        if (info?.type === FD_TYPE.IPV6_SOCK) return ipv6BytesToString(info.sockBytes(), SOCK.V6_DIP);
        if (info?.type === FD_TYPE.IPV4_SERVSOCK) return ipv4BytesToString(info.sockBytes(), SOCK.V4S_IP);
        // libsinsp prints an IPv6 listening address as IPv4 here (its first four bytes).
        if (info?.type === FD_TYPE.IPV6_SERVSOCK) return ipv4BytesToString(info.sockBytes(), SOCK.V6S_IP);
        return undefined;
      }),
    'fdlist.cports': () =>
      list((_fd, info) => {
        if (info?.type === FD_TYPE.IPV4_SOCK) return String(info.u16(SOCK.V4_SPORT));
        if (info?.type === FD_TYPE.IPV6_SOCK) return String(info.u16(SOCK.V6_SPORT));
        return undefined;
      }),
    'fdlist.sports': () =>
      list((_fd, info) => {
        if (info?.type === FD_TYPE.IPV4_SOCK) return String(info.u16(SOCK.V4_DPORT));
        if (info?.type === FD_TYPE.IPV6_SOCK) return String(info.u16(SOCK.V6_DPORT));
        return undefined;
      }),
  };
}

// ---------------------------------------------------------------------------- fs.path

interface FsPathRule {
  /** Parameter holding the path (or `fd.name` for fchmod/fchown). */
  readonly path?: string;
  readonly source?: string;
  readonly target?: string;
  /** Success test: `res` == 0, or `fd` != -1 for opens. */
  readonly success: 'res' | 'fd';
}

const FS_PATH_RULES: ReadonlyMap<number, FsPathRule> = new Map<number, FsPathRule>([
  [EVENT_CODE.SYSCALL_MKDIR_2_X, { path: 'path', success: 'res' }],
  [EVENT_CODE.SYSCALL_MKDIRAT_X, { path: 'path', success: 'res' }],
  [EVENT_CODE.SYSCALL_RMDIR_2_X, { path: 'path', success: 'res' }],
  [EVENT_CODE.SYSCALL_UNLINK_2_X, { path: 'path', success: 'res' }],
  [EVENT_CODE.SYSCALL_UNLINKAT_2_X, { path: 'name', success: 'res' }],
  [EVENT_CODE.SYSCALL_OPEN_X, { path: 'name', success: 'fd' }],
  [EVENT_CODE.SYSCALL_OPENAT_2_X, { path: 'name', success: 'fd' }],
  [EVENT_CODE.SYSCALL_OPENAT2_X, { path: 'name', success: 'fd' }],
  [EVENT_CODE.SYSCALL_FCHMODAT_X, { path: 'filename', success: 'res' }],
  [EVENT_CODE.SYSCALL_CHMOD_X, { path: 'filename', success: 'res' }],
  [EVENT_CODE.SYSCALL_FCHMOD_X, { path: 'fd.name', success: 'res' }],
  [EVENT_CODE.SYSCALL_CHOWN_X, { path: 'path', success: 'res' }],
  [EVENT_CODE.SYSCALL_LCHOWN_X, { path: 'path', success: 'res' }],
  [EVENT_CODE.SYSCALL_FCHOWN_X, { path: 'fd.name', success: 'res' }],
  [EVENT_CODE.SYSCALL_FCHOWNAT_X, { path: 'pathname', success: 'res' }],
  [EVENT_CODE.SYSCALL_QUOTACTL_X, { path: 'special', success: 'res' }],
  [EVENT_CODE.SYSCALL_RENAME_X, { source: 'oldpath', target: 'newpath', success: 'res' }],
  [EVENT_CODE.SYSCALL_RENAMEAT_X, { source: 'oldpath', target: 'newpath', success: 'res' }],
  [EVENT_CODE.SYSCALL_RENAMEAT2_X, { source: 'oldpath', target: 'newpath', success: 'res' }],
  [EVENT_CODE.SYSCALL_LINK_2_X, { source: 'newpath', target: 'oldpath', success: 'res' }],
  [EVENT_CODE.SYSCALL_LINKAT_2_X, { source: 'newpath', target: 'oldpath', success: 'res' }],
  [EVENT_CODE.SYSCALL_SYMLINK_X, { source: 'linkpath', target: 'target', success: 'res' }],
  [EVENT_CODE.SYSCALL_SYMLINKAT_X, { source: 'linkpath', target: 'target', success: 'res' }],
  [EVENT_CODE.SYSCALL_MOUNT_X, { source: 'dev', target: 'dir', success: 'res' }],
  [EVENT_CODE.SYSCALL_UMOUNT_1_X, { path: 'name', success: 'res' }],
  [EVENT_CODE.SYSCALL_UMOUNT2_X, { path: 'name', success: 'res' }],
]);

const DIRFD_EVENTS = new Set<number>([
  EVENT_CODE.SYSCALL_NEWFSTATAT_X, EVENT_CODE.SYSCALL_FCHOWNAT_X, EVENT_CODE.SYSCALL_FCHMODAT_X,
  EVENT_CODE.SYSCALL_MKDIRAT_X, EVENT_CODE.SYSCALL_UNLINKAT_2_X, EVENT_CODE.SYSCALL_MKNODAT_X,
]);

/** The directory of the event's fd (the dirfd of *at calls), with a trailing "/". */
function dirOfEventFd(e: SyscallEvent): string {
  const fd = e.fd;
  if (fd === undefined || !fd.isDirectory()) return '<UNKNOWN>';
  return fd.name === '' || fd.name.endsWith('/') ? fd.name : fd.name + '/';
}

function fsPath(which: 'path' | 'source' | 'target', raw: boolean): Extractor {
  return value((e) => {
    const evt = e.evt;
    const rule = FS_PATH_RULES.get(evt.type);
    if (rule === undefined) return undefined;
    // The success test reads the raw parameter: a failed open's negative fd other than -1 passes.
    const si = evt.paramIndex(rule.success);
    if (si < 0 || evt.paramLength(si) === 0) return undefined;
    const sv = evt.int(si) ?? 0;
    if (rule.success === 'res' ? sv !== 0 : sv === -1) return undefined;
    const param = rule[which];
    if (param === undefined) return undefined;
    let path: string | undefined;
    if (param === 'fd.name') {
      path = fdName(e);
    } else {
      const i = evt.paramIndex(param);
      if (i < 0 || evt.paramLength(i) === 0) return undefined;
      path = e.params.str(i);
    }
    if (path === undefined) return undefined;
    if (raw) return sanitizeString(path);
    const t = e.thread;
    if (t === undefined) return undefined;
    if (path.startsWith('/')) return sanitizeString(concatenatePaths('', path));
    let sdir: string;
    let rel = path;
    const type = evt.type;
    if (type === EVENT_CODE.SYSCALL_OPENAT_2_X || type === EVENT_CODE.SYSCALL_OPENAT2_X) {
      sdir = '';
      rel = e.fd !== undefined ? e.fd.name : '<UNKNOWN>';
    } else if (DIRFD_EVENTS.has(type)) {
      sdir = dirOfEventFd(e);
    } else if (type === EVENT_CODE.SYSCALL_SYMLINKAT_X) {
      sdir = which === 'source' ? dirOfEventFd(e) : '<UNKNOWN>';
    } else if (type === EVENT_CODE.SYSCALL_RENAMEAT2_X) {
      if (which === 'target') sdir = resolveDirfd(e, path, evt.int(3) ?? AT_FDCWD);
      else if (which === 'source') sdir = resolveDirfd(e, path, evt.int(1) ?? AT_FDCWD);
      else sdir = '<UNKNOWN>';
    } else {
      sdir = t.getCwd();
    }
    return sanitizeString(concatenatePaths(sdir, rel));
  });
}

export function fsPathExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  return {
    'fs.path.name': () => fsPath('path', false),
    'fs.path.nameraw': () => fsPath('path', true),
    'fs.path.source': () => fsPath('source', false),
    'fs.path.sourceraw': () => fsPath('source', true),
    'fs.path.target': () => fsPath('target', false),
    'fs.path.targetraw': () => fsPath('target', true),
    // A counter per binding, incremented at each extraction.
    'util.cnt': () => {
      let n = 0;
      return value(() => ++n);
    },
  };
}

export { fdTypeChar };
