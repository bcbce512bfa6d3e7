// File descriptors: what each open fd of a process is (file, socket with its addresses, pipe...),
// with libsinsp's representation so that fd.* fields print exactly as Falco prints them.
//
// Socket addresses live in a small byte block laid out as libsinsp's socket-info union (IPv4
// tuple, IPv6 tuple, IPv4/IPv6 server address, unix tuple overlap in the same bytes). Some state
// transitions reinterpret one layout as another (a bound socket becoming a connected one), and
// keeping the overlap makes those transitions produce the very values libsinsp produces.
import { FD_TYPE } from '../scap/format.js';
import { L4, O, EPOLL_CLOEXEC, MFD_CLOEXEC } from './constants.js';
import { sanitizeString } from './paths.js';

/** fd flags (libsinsp sinsp_fdinfo::flags). */
export const FDF = {
  FROM_PROC: 1 << 0,
  ROLE_CLIENT: 1 << 2,
  ROLE_SERVER: 1 << 3,
  SOCKET_CONNECTED: 1 << 13,
  IS_CLONED: 1 << 14,
  CONNECTION_PENDING: 1 << 15,
  CONNECTION_FAILED: 1 << 16,
  OVERLAY_UPPER: 1 << 17,
  OVERLAY_LOWER: 1 << 18,
} as const;

/** Byte offsets inside the socket-info block. */
export const SOCK = {
  V4_SIP: 0, V4_DIP: 4, V4_SPORT: 8, V4_DPORT: 10, V4_L4: 12,
  V6_SIP: 0, V6_DIP: 16, V6_SPORT: 32, V6_DPORT: 34, V6_L4: 36,
  V4S_IP: 0, V4S_PORT: 4, V4S_L4: 6,
  V6S_IP: 0, V6S_PORT: 16, V6S_L4: 18,
  UNIX_SOURCE: 0, UNIX_DEST: 8,
  SIZE: 40,
} as const;

const TYPE_CHARS: Record<number, string> = {
  [FD_TYPE.FILE]: 'f', [FD_TYPE.FILE_V2]: 'f', [FD_TYPE.IPV4_SOCK]: '4', [FD_TYPE.IPV6_SOCK]: '6',
  [FD_TYPE.DIRECTORY]: 'd', [FD_TYPE.IPV4_SERVSOCK]: '4', [FD_TYPE.IPV6_SERVSOCK]: '6', [FD_TYPE.FIFO]: 'p',
  [FD_TYPE.UNIX_SOCK]: 'u', [FD_TYPE.EVENT]: 'e', [FD_TYPE.UNKNOWN]: 'o', [FD_TYPE.UNSUPPORTED]: 'X',
  [FD_TYPE.SIGNALFD]: 's', [FD_TYPE.EVENTPOLL]: 'l', [FD_TYPE.INOTIFY]: 'i', [FD_TYPE.TIMERFD]: 't',
  [FD_TYPE.NETLINK]: 'n', [FD_TYPE.BPF]: 'b', [FD_TYPE.USERFAULTFD]: 'u', [FD_TYPE.IOURING]: 'r',
  [FD_TYPE.MEMFD]: 'm', [FD_TYPE.PIDFD]: 'P',
};

const TYPE_NAMES: Record<number, string> = {
  [FD_TYPE.FILE]: 'file', [FD_TYPE.FILE_V2]: 'file', [FD_TYPE.DIRECTORY]: 'directory',
  [FD_TYPE.IPV4_SOCK]: 'ipv4', [FD_TYPE.IPV4_SERVSOCK]: 'ipv4', [FD_TYPE.IPV6_SOCK]: 'ipv6',
  [FD_TYPE.IPV6_SERVSOCK]: 'ipv6', [FD_TYPE.UNIX_SOCK]: 'unix', [FD_TYPE.FIFO]: 'pipe',
  [FD_TYPE.EVENT]: 'event', [FD_TYPE.SIGNALFD]: 'signalfd', [FD_TYPE.EVENTPOLL]: 'eventpoll',
  [FD_TYPE.INOTIFY]: 'inotify', [FD_TYPE.TIMERFD]: 'timerfd', [FD_TYPE.NETLINK]: 'netlink',
  [FD_TYPE.BPF]: 'bpf', [FD_TYPE.USERFAULTFD]: 'userfaultfd', [FD_TYPE.IOURING]: 'io_uring',
  [FD_TYPE.MEMFD]: 'memfd', [FD_TYPE.PIDFD]: 'pidfd',
};

/** `fd.typechar` of a type ('?' for types without one). */
export function fdTypeChar(type: number): string {
  return TYPE_CHARS[type] ?? '?';
}

/** `fd.type` of a type (`<NA>` for unknown ones, as libsinsp prints). */
export function fdTypeName(type: number): string {
  return TYPE_NAMES[type] ?? '<NA>';
}

export class FdInfo {
  type: number = -1 /* uninitialized */;
  openFlags = 0;
  name = '';
  nameRaw = '';
  /** The name when the current event's parsing started (fd.name_changed). */
  oldName = '';
  flags = 0;
  dev = 0;
  mountId = 0;
  ino = 0;
  /** Target pid of a pidfd. */
  pid = 0;
  fd = -1;
  /** Socket-info block, allocated for sockets only. */
  sock: Uint8Array | undefined;
  // Derived texts that fields read on many events, remembered with the name they come from.
  private safeNameOf = '';
  private safeNameText = '';
  private directoryOf: string | undefined = undefined;
  private directoryType = -1;
  private directoryText = '';

  clone(): FdInfo {
    const c = new FdInfo();
    c.type = this.type;
    c.openFlags = this.openFlags;
    c.name = this.name;
    c.nameRaw = this.nameRaw;
    c.oldName = this.oldName;
    c.flags = this.flags;
    c.dev = this.dev;
    c.mountId = this.mountId;
    c.ino = this.ino;
    c.pid = this.pid;
    c.fd = this.fd;
    c.sock = this.sock === undefined ? undefined : this.sock.slice();
    return c;
  }

  /** The name as fields show it (sanitizeString: unprintable characters replaced). */
  safeName(): string {
    const name = this.name;
    if (name !== this.safeNameOf) {
      this.safeNameText = sanitizeString(name);
      this.safeNameOf = name;
    }
    return this.safeNameText;
  }

  /**
   * fd.directory of a file or directory fd: the directory part of a file's name ("/" for a file at
   * the root), a directory's own name; sanitized.
   */
  directory(): string {
    const name = this.name;
    if (name !== this.directoryOf || this.type !== this.directoryType) {
      let dir = this.safeName();
      if (this.isFile()) {
        // Sanitizing maps characters one to one around '/': the directory of the sanitized name
        // is the sanitized directory.
        const pos = dir.lastIndexOf('/');
        if (pos > 0) {
          if (pos < dir.length - 1) dir = dir.slice(0, pos);
        } else {
          dir = '/';
        }
      }
      this.directoryText = dir;
      this.directoryOf = name;
      this.directoryType = this.type;
    }
    return this.directoryText;
  }

  /** The socket-info block (zero-filled on first use). */
  sockBytes(): Uint8Array {
    return (this.sock ??= new Uint8Array(SOCK.SIZE));
  }

  // --- socket-info accessors: ports are host-order u16, addresses raw network-order bytes ---

  u16(off: number): number {
    const s = this.sock;
    return s === undefined ? 0 : s[off]! | (s[off + 1]! << 8);
  }

  setU16(off: number, v: number): void {
    const s = this.sockBytes();
    s[off] = v & 0xff;
    s[off + 1] = (v >>> 8) & 0xff;
  }

  u8(off: number): number {
    return this.sock === undefined ? 0 : this.sock[off]!;
  }

  setU8(off: number, v: number): void {
    this.sockBytes()[off] = v & 0xff;
  }

  /** An IPv4 address at `off` as the contract's uint32 (127.0.0.1 = 0x7f000001). */
  ipv4(off: number): number {
    const s = this.sock;
    if (s === undefined) return 0;
    return ((s[off]! << 24) | (s[off + 1]! << 16) | (s[off + 2]! << 8) | s[off + 3]!) >>> 0;
  }

  /** An IPv6 address at `off` (16 bytes, a copy). */
  ipv6(off: number): Uint8Array {
    return this.sock === undefined ? new Uint8Array(16) : this.sock.slice(off, off + 16);
  }

  /** A u64 (unix socket kernel pointers) at `off`. */
  u64(off: number): bigint {
    const s = this.sock;
    if (s === undefined) return 0n;
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(s[off + i]!);
    return v;
  }

  setU64(off: number, v: bigint): void {
    const s = this.sockBytes();
    for (let i = 0; i < 8; i++) {
      s[off + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }

  /** Copies `len` raw bytes from `src` (an event parameter) into the block at `off`. */
  setBytes(off: number, src: Uint8Array, srcOff: number, len: number): void {
    // At most 16 bytes: a loop costs less than a subarray (bytes beyond `src` are not copied).
    const s = this.sockBytes();
    const n = Math.min(len, src.length - srcOff);
    for (let i = 0; i < n; i++) s[off + i] = src[srcOff + i]!;
  }

  bytesEqual(off: number, src: Uint8Array, srcOff: number, len: number): boolean {
    const s = this.sock;
    for (let i = 0; i < len; i++) if ((s === undefined ? 0 : s[off + i]!) !== src[srcOff + i]) return false;
    return true;
  }

  // --- classification ---

  get typeChar(): string {
    return fdTypeChar(this.type);
  }

  get typeName(): string {
    return fdTypeName(this.type);
  }

  isFile(): boolean {
    return this.type === FD_TYPE.FILE || this.type === FD_TYPE.FILE_V2;
  }

  isDirectory(): boolean {
    return this.type === FD_TYPE.DIRECTORY;
  }

  isUnixSocket(): boolean {
    return this.type === FD_TYPE.UNIX_SOCK;
  }

  isUdpSocket(): boolean {
    return this.type === FD_TYPE.IPV4_SOCK && this.u8(SOCK.V4_L4) === L4.Udp;
  }

  isTcpSocket(): boolean {
    return this.type === FD_TYPE.IPV4_SOCK && this.u8(SOCK.V4_L4) === L4.Tcp;
  }

  isPidFd(): boolean {
    return this.type === FD_TYPE.PIDFD;
  }

  isRoleServer(): boolean {
    return (this.flags & FDF.ROLE_SERVER) !== 0;
  }

  isRoleClient(): boolean {
    return (this.flags & FDF.ROLE_CLIENT) !== 0;
  }

  isRoleNone(): boolean {
    return (this.flags & (FDF.ROLE_CLIENT | FDF.ROLE_SERVER)) === 0;
  }

  setRoleServer(): void {
    this.flags |= FDF.ROLE_SERVER;
  }

  setRoleClient(): void {
    this.flags |= FDF.ROLE_CLIENT;
  }

  isSocketConnected(): boolean {
    return (this.flags & FDF.SOCKET_CONNECTED) !== 0;
  }

  setSocketConnected(): void {
    this.flags = (this.flags & ~(FDF.CONNECTION_PENDING | FDF.CONNECTION_FAILED)) | FDF.SOCKET_CONNECTED;
  }

  setSocketPending(): void {
    this.flags = (this.flags & ~(FDF.SOCKET_CONNECTED | FDF.CONNECTION_FAILED)) | FDF.CONNECTION_PENDING;
  }

  setSocketFailed(): void {
    this.flags = (this.flags & ~(FDF.SOCKET_CONNECTED | FDF.CONNECTION_PENDING)) | FDF.CONNECTION_FAILED;
  }

  isCloseOnExec(): boolean {
    if ((this.openFlags & O.CLOEXEC) !== 0) return true;
    if (this.type === FD_TYPE.EVENTPOLL && (this.openFlags & EPOLL_CLOEXEC) !== 0) return true;
    if (this.type === FD_TYPE.MEMFD && (this.openFlags & MFD_CLOEXEC) !== 0) return true;
    return false;
  }

  clearCloseOnExec(): void {
    this.openFlags &= ~(O.CLOEXEC | EPOLL_CLOEXEC | MFD_CLOEXEC);
  }

  /** Layer-4 protocol as fd.l4proto reports it (libsinsp get_l4proto). */
  l4proto(): number {
    switch (this.type) {
      case FD_TYPE.IPV4_SOCK: {
        const p = this.u8(SOCK.V4_L4);
        if (p === L4.Raw) return L4.Raw;
        return this.isRoleNone() ? L4.NA : p;
      }
      case FD_TYPE.IPV4_SERVSOCK:
        return this.u8(SOCK.V4S_L4);
      case FD_TYPE.IPV6_SOCK: {
        const p = this.u8(SOCK.V6_L4);
        if (p === L4.Raw) return L4.Raw;
        return this.isRoleNone() ? L4.NA : p;
      }
      case FD_TYPE.IPV6_SERVSOCK:
        return this.u8(SOCK.V6S_L4);
      default:
        return L4.NA;
    }
  }

  get device(): number {
    return this.dev;
  }

  get deviceMajor(): number {
    return (this.dev & 0xfff00) >>> 8;
  }

  get deviceMinor(): number {
    return (this.dev & 0xff) | ((this.dev >>> 12) & 0xfff00);
  }
}

/** Counts shared by all fd tables of a state (exposed as metrics). */
export interface FdCounters {
  added: number;
  removed: number;
  /** fds not recorded because the process's table was full. */
  droppedFullTable: number;
}

/** Most fds libsinsp keeps per process (MAX_FD_TABLE_SIZE). */
export const MAX_FDS_PER_PROCESS = 4096;

/** The fds of one process (threads sharing their files use their main thread's table). */
export class FdTable {
  private readonly table = new Map<number, FdInfo>();

  constructor(private readonly counters: FdCounters, private readonly maxSize = MAX_FDS_PER_PROCESS) {}

  get size(): number {
    return this.table.size;
  }

  find(fd: number): FdInfo | undefined {
    return this.table.get(fd);
  }

  /** Adds or replaces `fd`; returns the stored entry, or undefined when the table is full. */
  add(fd: number, info: FdInfo): FdInfo | undefined {
    info.fd = fd;
    const table = this.table;
    const size = table.size;
    // Only a full table needs to know first whether fd is new (one hash lookup otherwise).
    if (size >= this.maxSize && !table.has(fd)) {
      this.counters.droppedFullTable++;
      return undefined;
    }
    table.set(fd, info);
    if (table.size !== size) this.counters.added++;
    return info;
  }

  erase(fd: number): boolean {
    const removed = this.table.delete(fd);
    if (removed) this.counters.removed++;
    return removed;
  }

  clear(): void {
    this.table.clear();
  }

  /** Keeps only the fds for which `keep` is true. */
  retain(keep: (fd: number, info: FdInfo) => boolean): void {
    for (const [fd, info] of this.table) {
      if (!keep(fd, info)) this.erase(fd);
    }
  }

  entries(): IterableIterator<[number, FdInfo]> {
    return this.table.entries();
  }

  values(): IterableIterator<FdInfo> {
    return this.table.values();
  }
}
