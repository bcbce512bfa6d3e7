// Byte layouts of the non-event blocks: decoding (reader) and encoding (writer) side by side, so a
// layout lives in one place. Bodies only: the block header, padding and trailer are handled by the
// reader and writer. Layout facts follow libscap's savefile reader/writer (libs 0.25).
import {
  BLOCK, FD_TYPE, HOSTNAME_SIZE, IFINFO, MACHINE_INFO_SIZE, SHB_BODY_SIZE, SHB_MAGIC, SHB_OPTION_NAMES,
  SCAP_MAJOR_VERSION, SCAP_MINOR_VERSION, USERBLOCK_GROUP, USERBLOCK_USER, processListVersion,
} from './format.js';
import {
  emptyProcess, type FdInfo, type FdListRecord, type GroupInfo, type InterfaceListRecord, type Ipv4Interface,
  type Ipv6Interface, type MachineInfoRecord, type ProcessListRecord, type ProcessRecord, type SectionHeaderRecord,
  type SectionOption, type UserInfo, type UserListRecord,
} from './records.js';
import type { IpAddr } from '../fields/types.js';

/** A malformed block body; the reader adds the block's offset and type to the message. */
export class BlockDecodeError extends Error {
  constructor(message: string, readonly bodyOffset: number) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Bounds-checked little-endian reads over a block body. */
export class ByteCursor {
  readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new BlockDecodeError(`${what}: needs ${n} bytes, only ${this.remaining} left in the block`, this.pos);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A 32-bit IPv4 address stored in network byte order, as a number (127.0.0.1 → 0x7f000001). */
  ipv4(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, false);
    this.pos += 4;
    return v;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A signed 64-bit value as a number (ids, counters: exact below 2^53). */
  i64n(what: string): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  /** An unsigned 64-bit value as a number. */
  u64n(what: string): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  raw(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** u16 length + bytes, as a C string (up to the first NUL). */
  str16(what: string, maxLen = Infinity): string {
    const len = this.u16(what + ' length');
    if (len > maxLen) throw new BlockDecodeError(`${what}: invalid length ${len} (max ${maxLen})`, this.pos - 2);
    return cString(this.raw(len, what));
  }

  /** u16 length + NUL-separated strings. */
  list16(what: string, maxLen = Infinity): string[] {
    const len = this.u16(what + ' length');
    if (len > maxLen) throw new BlockDecodeError(`${what}: invalid length ${len} (max ${maxLen})`, this.pos - 2);
    return splitNulList(this.raw(len, what));
  }

  skip(n: number): void {
    this.pos += n;
  }
}

export function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** `a\0b\0c\0` (the final NUL optional) → ['a', 'b', 'c']. */
export function splitNulList(bytes: Uint8Array): string[] {
  if (bytes.length === 0) return [];
  const end = bytes[bytes.length - 1] === 0 ? bytes.length - 1 : bytes.length;
  return utf8.decode(bytes.subarray(0, end)).split('\0');
}

/** Growable little-endian byte sink for encoding block bodies. */
export class ByteSink {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  ipv4(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, false);
    this.length += 4;
    return this;
  }

  u64(v: bigint | number): this {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** u16 length + UTF-8 bytes, no NUL. */
  str16(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u16(b.length).bytes(b);
  }

  /** u16 length + each string followed by NUL (libscap's args/env/cgroups encoding). */
  list16(items: readonly string[]): this {
    const b = items.length === 0 ? new Uint8Array(0) : Buffer.from(items.join('\0') + '\0', 'utf8');
    return this.u16(b.length).bytes(b);
  }

  /** Overwrite a u32 written earlier (entry lengths known only after the entry). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

// ---- section header ---------------------------------------------------------------------------------

/** Decodes the section header body; the magic must already have been checked by the caller. */
export function decodeSectionHeader(body: Uint8Array): SectionHeaderRecord {
  const c = new ByteCursor(body);
  c.u32('byte-order magic');
  const majorVersion = c.u16('major version');
  const minorVersion = c.u16('minor version');
  const sectionLength = BigInt.asIntN(64, c.u64('section length'));
  const options: SectionOption[] = [];
  // pcapng options: u16 code, u16 length, value padded to 4 bytes; code 0 ends the list.
  while (c.remaining >= 4) {
    const code = c.u16('option code');
    const len = c.u16('option length');
    if (code === 0) break;
    const value = c.raw(len, `option ${code}`);
    c.skip(((len + 3) & ~3) - len);
    options.push({ code, name: SHB_OPTION_NAMES[code], text: cString(value), value: value.slice() });
  }
  return { kind: 'section', majorVersion, minorVersion, sectionLength, options };
}

export function encodeSectionHeader(options: readonly SectionOption[] = []): Uint8Array {
  const s = new ByteSink().u32(SHB_MAGIC).u16(SCAP_MAJOR_VERSION).u16(SCAP_MINOR_VERSION).u64(-1n);
  if (options.length > 0) {
    for (const o of options) {
      s.u16(o.code).u16(o.value.length).bytes(o.value);
      for (let pad = ((o.value.length + 3) & ~3) - o.value.length; pad > 0; pad--) s.u8(0);
    }
    s.u16(0).u16(0);
  }
  const out = s.result();
  if (out.length < SHB_BODY_SIZE) throw new Error('section header too short');
  return out;
}

// ---- machine info -------------------------------------------------------------------------------------

export function decodeMachineInfo(body: Uint8Array): MachineInfoRecord {
  // Older writers may have written a shorter structure: missing trailing fields read as zero.
  const full = new Uint8Array(MACHINE_INFO_SIZE);
  full.set(body.subarray(0, MACHINE_INFO_SIZE));
  const c = new ByteCursor(full);
  return {
    kind: 'machine',
    numCpus: c.u32('num_cpus'),
    memorySizeBytes: c.u64('memory_size_bytes'),
    maxPid: c.u64('max_pid'),
    hostname: cString(c.raw(HOSTNAME_SIZE, 'hostname')),
    bootTsEpoch: c.u64('boot_ts_epoch'),
    flags: c.u64('flags'),
    reserved3: c.u64('reserved3'),
    reserved4: c.u64('reserved4'),
  };
}

export function encodeMachineInfo(m: Omit<MachineInfoRecord, 'kind'>): Uint8Array {
  const host = new Uint8Array(HOSTNAME_SIZE);
  host.set(Buffer.from(m.hostname, 'utf8').subarray(0, HOSTNAME_SIZE - 1));
  return new ByteSink().u32(m.numCpus).u64(m.memorySizeBytes).u64(m.maxPid).bytes(host)
    .u64(m.bootTsEpoch).u64(m.flags).u64(m.reserved3).u64(m.reserved4).result();
}

// ---- process list -------------------------------------------------------------------------------------

const MAX_PATH = 1024;
const MAX_ARGS = 4096;
const MAX_ENV = 4096;
const MAX_CGROUPS = 4096;
/** Bytes of the fields libs < 0.10 wrote after `root` (loginuid, exe_writable, 3 capabilities). */
const PRE_0_10_TAIL = 29;

export function decodeProcessList(body: Uint8Array, blockType: number): ProcessListRecord {
  const version = processListVersion(blockType);
  const c = new ByteCursor(body);
  const processes: ProcessRecord[] = [];
  while (c.remaining >= 4) {
    const entryStart = c.pos;
    const entryLen = version >= 9 ? c.u32('entry length') : 0;
    const p = emptyProcess(0);
    p.tid = c.i64n('tid');
    p.pid = c.i64n('pid');
    p.ptid = c.i64n('ptid');
    if (version >= 6) p.sid = c.i64n('sid');
    if (version >= 8) p.vpgid = c.i64n('vpgid');
    p.comm = c.str16('comm', MAX_PATH);
    p.exe = c.str16('exe', MAX_PATH);
    if (version >= 7) p.exepath = c.str16('exepath', MAX_PATH);
    p.args = c.list16('args', MAX_ARGS);
    p.cwd = c.str16('cwd', MAX_PATH);
    p.fdlimit = c.i64n('fdlimit');
    p.flags = c.u32('flags');
    p.uid = c.u32('uid');
    p.gid = c.u32('gid');
    if (version >= 2) {
      p.vmsizeKb = c.u32('vmsize_kb');
      p.vmrssKb = c.u32('vmrss_kb');
      p.vmswapKb = c.u32('vmswap_kb');
      p.pfMajor = c.u64n('pfmajor');
      p.pfMinor = c.u64n('pfminor');
      if (version >= 3) p.env = c.list16('env', MAX_ENV);
      if (version >= 4) {
        p.vtid = c.i64n('vtid');
        p.vpid = c.i64n('vpid');
        p.cgroups = c.list16('cgroups', MAX_CGROUPS);
        if (version >= 5) p.root = c.str16('root', MAX_PATH);
      }
    }
    if (entryLen > 0) {
      // Later fields exist only if the entry is long enough (they were appended over time).
      const fits = (n: number): boolean => c.pos - entryStart + n <= entryLen;
      // libs 0.10 inserted pidns_init_start_ts and tty before loginuid; entries from older writers
      // end with just the 29 bytes of loginuid, exe_writable and capabilities.
      if (entryLen - (c.pos - entryStart) > PRE_0_10_TAIL) {
        if (fits(8)) p.pidnsInitStartTs = c.u64('pidns_init_start_ts');
        if (fits(4)) p.tty = c.u32('tty');
      }
      if (fits(4)) p.loginuid = c.u32('loginuid');
      if (fits(1)) p.exeWritable = c.u8('exe_writable') !== 0;
      if (fits(8)) p.capInheritable = c.u64('cap_inheritable');
      if (fits(8)) p.capPermitted = c.u64('cap_permitted');
      if (fits(8)) p.capEffective = c.u64('cap_effective');
      if (fits(1)) p.exeUpperLayer = c.u8('exe_upper_layer') !== 0;
      if (fits(8)) p.exeIno = c.u64n('exe_ino');
      if (fits(8)) p.exeInoCtime = c.u64('exe_ino_ctime');
      if (fits(8)) p.exeInoMtime = c.u64('exe_ino_mtime');
      if (fits(1)) p.exeFromMemfd = c.u8('exe_from_memfd') !== 0;
      if (fits(1)) p.exeLowerLayer = c.u8('exe_lower_layer') !== 0;
      if (fits(8)) p.pgid = c.i64n('pgid');
      const consumed = c.pos - entryStart;
      if (consumed > entryLen) {
        throw new BlockDecodeError(`process entry of tid ${p.tid} is ${consumed} bytes, longer than its length ${entryLen}`, entryStart);
      }
      // Fields appended by newer writers: skip them.
      c.need(entryLen - consumed, `process entry of tid ${p.tid}`);
      c.skip(entryLen - consumed);
    }
    processes.push(p);
  }
  return { kind: 'processes', version, processes };
}

/** Encodes process entries in the newest layout (PL_V9, block type BLOCK.PL_V9). */
export function encodeProcessList(processes: readonly ProcessRecord[]): Uint8Array {
  const s = new ByteSink();
  for (const p of processes) {
    const start = s.length;
    s.u32(0); // entry length, patched below
    s.u64(p.tid).u64(p.pid).u64(p.ptid).u64(p.sid).u64(p.vpgid);
    s.str16(p.comm).str16(p.exe).str16(p.exepath).list16(p.args).str16(p.cwd);
    s.u64(p.fdlimit).u32(p.flags).u32(p.uid).u32(p.gid);
    s.u32(p.vmsizeKb).u32(p.vmrssKb).u32(p.vmswapKb).u64(p.pfMajor).u64(p.pfMinor);
    s.list16(p.env).u64(p.vtid).u64(p.vpid).list16(p.cgroups).str16(p.root);
    s.u64(p.pidnsInitStartTs).u32(p.tty).u32(p.loginuid).u8(p.exeWritable ? 1 : 0);
    s.u64(p.capInheritable).u64(p.capPermitted).u64(p.capEffective);
    s.u8(p.exeUpperLayer ? 1 : 0).u64(p.exeIno).u64(p.exeInoCtime).u64(p.exeInoMtime);
    s.u8(p.exeFromMemfd ? 1 : 0).u8(p.exeLowerLayer ? 1 : 0).u64(p.pgid);
    s.patchU32(start, s.length - start);
  }
  return s.result();
}

// ---- fd list ----------------------------------------------------------------------------------------------

function readIpv6(c: ByteCursor, what: string): Uint8Array {
  return c.raw(16, what).slice();
}

export function decodeFdList(body: Uint8Array, blockType: number): FdListRecord {
  const c = new ByteCursor(body);
  const tid = c.i64n('tid');
  const fds: FdInfo[] = [];
  const v2 = blockType === BLOCK.FDL_V2;
  while (c.remaining >= 4) {
    const entryStart = c.pos;
    const entryLen = v2 ? c.u32('fd entry length') : 0;
    const fd: FdInfo = { fd: c.i64n('fd'), ino: c.u64n('ino'), type: c.u8('fd type') };
    switch (fd.type) {
      case FD_TYPE.IPV4_SOCK:
        fd.sip = c.ipv4('sip');
        fd.dip = c.ipv4('dip');
        fd.sport = c.u16('sport');
        fd.dport = c.u16('dport');
        fd.l4proto = c.u8('l4proto');
        break;
      case FD_TYPE.IPV4_SERVSOCK:
        fd.sip = c.ipv4('ip');
        fd.sport = c.u16('port');
        fd.l4proto = c.u8('l4proto');
        break;
      case FD_TYPE.IPV6_SOCK:
        fd.sip = readIpv6(c, 'sip');
        fd.dip = readIpv6(c, 'dip');
        fd.sport = c.u16('sport');
        fd.dport = c.u16('dport');
        fd.l4proto = c.u8('l4proto');
        break;
      case FD_TYPE.IPV6_SERVSOCK:
        fd.sip = readIpv6(c, 'ip');
        fd.sport = c.u16('port');
        fd.l4proto = c.u8('l4proto');
        break;
      case FD_TYPE.UNIX_SOCK:
        fd.unixSource = c.u64('unix source');
        fd.unixDest = c.u64('unix destination');
        fd.name = c.str16('unix path', MAX_PATH - 1);
        break;
      case FD_TYPE.FILE_V2:
        fd.openFlags = c.u32('open flags');
        fd.name = c.str16('file name', MAX_PATH - 1);
        // dev came later (FDL_V2 entries long enough for it); 0 when absent.
        fd.dev = entryLen > 0 && c.pos - entryStart + 4 <= entryLen ? c.u32('dev') : 0;
        break;
      case FD_TYPE.UNKNOWN:
        break;
      case FD_TYPE.FIFO: case FD_TYPE.FILE: case FD_TYPE.DIRECTORY: case FD_TYPE.UNSUPPORTED:
      case FD_TYPE.EVENT: case FD_TYPE.SIGNALFD: case FD_TYPE.EVENTPOLL: case FD_TYPE.INOTIFY:
      case FD_TYPE.TIMERFD: case FD_TYPE.NETLINK: case FD_TYPE.BPF: case FD_TYPE.USERFAULTFD:
      case FD_TYPE.IOURING: case FD_TYPE.MEMFD: case FD_TYPE.PIDFD:
        fd.name = c.str16('fd name', MAX_PATH - 1);
        break;
      default:
        // A type from a newer writer: keep it as unsupported, as libscap does.
        fd.name = `unknown-type:[${fd.type}]`;
        fd.type = FD_TYPE.UNSUPPORTED;
        break;
    }
    if (entryLen > 0) {
      const consumed = c.pos - entryStart;
      if (consumed > entryLen) {
        throw new BlockDecodeError(`fd entry ${fd.fd} of tid ${tid} is ${consumed} bytes, longer than its length ${entryLen}`, entryStart);
      }
      c.need(entryLen - consumed, `fd entry ${fd.fd} of tid ${tid}`);
      c.skip(entryLen - consumed);
    }
    fds.push(fd);
  }
  return { kind: 'fds', tid, fds };
}

function writeIp(s: ByteSink, ip: IpAddr | undefined, v6: boolean): void {
  if (v6) s.bytes(ip instanceof Uint8Array && ip.length === 16 ? ip : new Uint8Array(16));
  else s.ipv4(typeof ip === 'number' ? ip : 0);
}

/** Encodes one thread's fds in the FDL_V2 layout. */
export function encodeFdList(tid: number, fds: readonly FdInfo[]): Uint8Array {
  const s = new ByteSink().u64(tid);
  for (const fd of fds) {
    if (fd.type === FD_TYPE.UNKNOWN) continue; // libscap does not write these either
    const start = s.length;
    s.u32(0).u64(fd.fd).u64(fd.ino).u8(fd.type);
    switch (fd.type) {
      case FD_TYPE.IPV4_SOCK:
      case FD_TYPE.IPV6_SOCK: {
        const v6 = fd.type === FD_TYPE.IPV6_SOCK;
        writeIp(s, fd.sip, v6);
        writeIp(s, fd.dip, v6);
        s.u16(fd.sport ?? 0).u16(fd.dport ?? 0).u8(fd.l4proto ?? 0);
        break;
      }
      case FD_TYPE.IPV4_SERVSOCK:
      case FD_TYPE.IPV6_SERVSOCK:
        writeIp(s, fd.sip, fd.type === FD_TYPE.IPV6_SERVSOCK);
        s.u16(fd.sport ?? 0).u8(fd.l4proto ?? 0);
        break;
      case FD_TYPE.UNIX_SOCK:
        s.u64(fd.unixSource ?? 0n).u64(fd.unixDest ?? 0n).str16(fd.name ?? '');
        break;
      case FD_TYPE.FILE_V2:
        s.u32(fd.openFlags ?? 0).str16(fd.name ?? '').u32(fd.dev ?? 0);
        break;
      default:
        s.str16(fd.name ?? '');
        break;
    }
    s.patchU32(start, s.length - start);
  }
  return s.result();
}

// ---- user list ----------------------------------------------------------------------------------------------

const MAX_CREDENTIALS = 256;

export function decodeUserList(body: Uint8Array, blockType: number): UserListRecord {
  const c = new ByteCursor(body);
  const users: UserInfo[] = [];
  const groups: GroupInfo[] = [];
  const v2 = blockType === BLOCK.UL_V2;
  while (c.remaining >= 4) {
    const entryStart = c.pos;
    const entryLen = v2 ? c.u32('entry length') : 0;
    const type = c.u8('entry type');
    if (type === USERBLOCK_USER) {
      users.push({
        uid: c.u32('uid'),
        gid: c.u32('gid'),
        name: c.str16('user name', MAX_CREDENTIALS - 1),
        homedir: c.str16('home directory', MAX_CREDENTIALS - 1),
        shell: c.str16('shell', MAX_CREDENTIALS - 1),
      });
    } else {
      groups.push({ gid: c.u32('gid'), name: c.str16('group name', MAX_CREDENTIALS - 1) });
    }
    if (entryLen > 0) {
      const consumed = c.pos - entryStart;
      if (consumed > entryLen) {
        throw new BlockDecodeError(`user list entry is ${consumed} bytes, longer than its length ${entryLen}`, entryStart);
      }
      c.need(entryLen - consumed, 'user list entry');
      c.skip(entryLen - consumed);
    }
  }
  return { kind: 'users', users, groups };
}

/** Encodes users and groups in the UL_V2 layout. */
export function encodeUserList(users: readonly UserInfo[], groups: readonly GroupInfo[]): Uint8Array {
  const s = new ByteSink();
  for (const u of users) {
    const start = s.length;
    s.u32(0).u8(USERBLOCK_USER).u32(u.uid).u32(u.gid).str16(u.name).str16(u.homedir).str16(u.shell);
    s.patchU32(start, s.length - start);
  }
  for (const g of groups) {
    const start = s.length;
    s.u32(0).u8(USERBLOCK_GROUP).u32(g.gid).str16(g.name);
    s.patchU32(start, s.length - start);
  }
  return s.result();
}

// ---- interface list ----------------------------------------------------------------------------------------

// Fixed part of each entry: u16 type, u16 name length, addresses, [u64 link speed]; then the name.
const IPV4_FIXED = 2 + 2 + 4 * 3 + 8;
const IPV4_FIXED_NOLINKSPEED = 2 + 2 + 4 * 3;
const IPV6_FIXED = 2 + 2 + 16 * 3 + 8;
const IPV6_FIXED_NOLINKSPEED = 2 + 2 + 16 * 3;

export function decodeInterfaceList(body: Uint8Array, blockType: number): InterfaceListRecord {
  const c = new ByteCursor(body);
  const ipv4: Ipv4Interface[] = [];
  const ipv6: Ipv6Interface[] = [];
  const v2 = blockType === BLOCK.IL_V2;
  while (c.remaining >= 4) {
    // V2: u32 length of the entry that follows (not counting itself).
    const declared = v2 ? c.u32('interface entry length') : 0;
    const entryStart = c.pos;
    const type = c.u16('interface type');
    const nameLen = c.u16('interface name length');
    if (nameLen >= MAX_PATH) throw new BlockDecodeError(`interface name length ${nameLen} is too long`, entryStart);
    if (type === IFINFO.IPV4 || type === IFINFO.IPV4_NOLINKSPEED) {
      const addr = c.ipv4('addr');
      const netmask = c.ipv4('netmask');
      const bcast = c.ipv4('bcast');
      const linkspeed = type === IFINFO.IPV4 ? c.u64n('linkspeed') : 0;
      ipv4.push({ addr, netmask, bcast, linkspeed, name: cString(c.raw(nameLen, 'interface name')) });
    } else if (type === IFINFO.IPV6 || type === IFINFO.IPV6_NOLINKSPEED) {
      const addr = readIpv6(c, 'addr');
      const netmask = readIpv6(c, 'netmask');
      const bcast = readIpv6(c, 'bcast');
      const linkspeed = type === IFINFO.IPV6 ? c.u64n('linkspeed') : 0;
      ipv6.push({ addr, netmask, bcast, linkspeed, name: cString(c.raw(nameLen, 'interface name')) });
    } else {
      throw new BlockDecodeError(`unknown interface type ${type}`, entryStart);
    }
    if (declared > 0) {
      const consumed = c.pos - entryStart;
      if (consumed > declared) throw new BlockDecodeError(`interface entry longer than its length ${declared}`, entryStart);
      c.need(declared - consumed, 'interface entry');
      c.skip(declared - consumed);
    }
  }
  return { kind: 'interfaces', ipv4, ipv6 };
}

/** Encodes interfaces in the IL_V2 layout. */
export function encodeInterfaceList(ipv4: readonly Ipv4Interface[], ipv6: readonly Ipv6Interface[]): Uint8Array {
  const s = new ByteSink();
  for (const i of ipv4) {
    const name = Buffer.from(i.name, 'utf8');
    s.u32(IPV4_FIXED + name.length).u16(IFINFO.IPV4).u16(name.length)
      .ipv4(i.addr).ipv4(i.netmask).ipv4(i.bcast).u64(i.linkspeed).bytes(name);
  }
  for (const i of ipv6) {
    const name = Buffer.from(i.name, 'utf8');
    s.u32(IPV6_FIXED + name.length).u16(IFINFO.IPV6).u16(name.length)
      .bytes(i.addr).bytes(i.netmask).bytes(i.bcast).u64(i.linkspeed).bytes(name);
  }
  return s.result();
}

/** Sizes exported for tests of the old (V1) layouts. */
export const INTERFACE_ENTRY_FIXED_SIZES = { IPV4_FIXED, IPV4_FIXED_NOLINKSPEED, IPV6_FIXED, IPV6_FIXED_NOLINKSPEED };
