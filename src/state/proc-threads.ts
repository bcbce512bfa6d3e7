// Threads the live state has not heard of, looked up in /proc (libsinsp's "query the OS" path):
// an event from a tid the table does not know (the process started before the driver and its
// entry was evicted, or an event of its creation was lost) builds the thread from
// /proc/<pid>/task/<tid> with its open fds, exactly as the driver's initial process scan
// (driver/loader/proc_scan.c) describes the processes that exist when capture starts, so a thread
// found late looks like one listed at start.
//
// Lookups are synchronous (they run inside the event loop, in event order, as in libsinsp) and
// unlimited by default, as in Falco; `maxLookupsPerSecond` bounds them under a flood of unknown
// tids. Every lookup is counted, with its cost.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { FD_TYPE } from '../scap/format.js';
import type { FdInfo as FdRecord, ProcessRecord } from '../scap/records.js';
import { CL, L4 } from './constants.js';
import type { SystemState } from './system-state.js';
import type { ThreadSource, ThreadTable } from './thread-table.js';
import type { ThreadInfo } from './threads.js';

/** Counters of the /proc lookups, for metrics and debugging. */
export interface ProcLookupCounters {
  /** Lookups attempted. */
  lookups: number;
  /** Lookups that found the thread. */
  found: number;
  /** Lookups skipped because the per-second budget was spent. */
  skipped: number;
  /** Total time spent reading /proc, ns. */
  durationNs: number;
}

export interface ProcThreadSourceOptions {
  /** Root of the host's file systems (Falco's HOST_ROOT); default "/". */
  readonly hostRoot?: string;
  /** Most lookups per second; unlimited by default (libsinsp's default). */
  readonly maxLookupsPerSecond?: number;
  /** Read the fds of looked-up processes (default true). */
  readonly withFds?: boolean;
}

const CLONE_THREAD_FILES = CL.CLONE_THREAD | CL.CLONE_FILES;
const UINT32_NONE = 0xffffffff;

/** Reads a small file whole; undefined when it cannot be read (the task is gone, no permission). */
function readSmall(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  return readSmall(file)?.toString('utf8');
}

function readLink(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '';
  }
}

/** The value after `key` in a "Key:\tvalue" file (/proc/<pid>/status). */
function statusField(text: string, key: string): string | undefined {
  const at = text.indexOf('\n' + key);
  const start = text.startsWith(key) ? key.length : at < 0 ? -1 : at + 1 + key.length;
  if (start < 0) return undefined;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end).trim();
}

/** The last number of a list ("NSpid:\t10\t1" → 1): the id inside the innermost pid namespace. */
function lastNumber(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parts = value.split(/\s+/);
  const n = Number(parts[parts.length - 1]);
  return Number.isFinite(n) ? n : fallback;
}

/** NUL-separated strings (cmdline, environ), without the trailing empty entry. */
function nulList(buf: Buffer | undefined): string[] {
  if (buf === undefined || buf.length === 0) return [];
  const text = buf.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Linux open flags (x86_64 values) as the PPM_O_* bits the driver reports. */
export function linuxOpenFlagsToPpm(f: number): number {
  let r: number;
  switch (f & 3) {
    case 1: r = 1 << 1; break; // O_WRONLY
    case 2: r = (1 << 0) | (1 << 1); break; // O_RDWR
    default: r = 1 << 0; break;
  }
  const map: readonly [number, number][] = [
    [0o100, 1 << 2], // O_CREAT
    [0o20000000, 1 << 13], // O_TMPFILE (__O_TMPFILE bit: set with O_DIRECTORY too, as Falco reports)
    [0o2000, 1 << 3], // O_APPEND
    [0o10000, 1 << 4], // O_DSYNC
    [0o200, 1 << 5], // O_EXCL
    [0o4000, 1 << 6], // O_NONBLOCK
    [0o4000000, 1 << 7], // O_SYNC (__O_SYNC)
    [0o1000, 1 << 8], // O_TRUNC
    [0o40000, 1 << 9], // O_DIRECT
    [0o200000, 1 << 10], // O_DIRECTORY
    [0o100000, 1 << 11], // O_LARGEFILE
    [0o2000000, 1 << 12], // O_CLOEXEC
  ];
  for (const [linux, ppm] of map) if ((f & linux) !== 0) r |= ppm;
  // O_DSYNC alone also reads as O_SYNC in the driver (its O_SYNC test is on the shared bit).
  if ((f & 0o10000) !== 0) r |= 1 << 7;
  return r;
}

/** A socket of a network namespace, from /proc/<pid>/net/*. */
interface SocketEntry {
  readonly type: number;
  readonly l4: number;
  readonly sip?: number | Uint8Array;
  readonly dip?: number | Uint8Array;
  readonly sport?: number;
  readonly dport?: number;
  readonly unixSource?: bigint;
  readonly path?: string;
}

/** "0100007F" (a 32-bit word as the kernel prints it: the stored bytes read as a host-order
 *  number) → the address as the uint32 of the field contract (127.0.0.1 = 0x7f000001). */
function ipv4FromProcHex(hex: string): number {
  const w = parseInt(hex, 16) >>> 0;
  return (((w & 0xff) << 24) | (((w >>> 8) & 0xff) << 16) | (((w >>> 16) & 0xff) << 8) | (w >>> 24)) >>> 0;
}

function ipv6FromProcHex(hex: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0;
    out[i * 4] = w & 0xff;
    out[i * 4 + 1] = (w >>> 8) & 0xff;
    out[i * 4 + 2] = (w >>> 16) & 0xff;
    out[i * 4 + 3] = w >>> 24;
  }
  return out;
}

const TCP_LISTEN = 0x0a;

/** The rows of a /proc/net table, without its heading line; none when it cannot be read. */
function tableRows(file: string): string[] {
  return readText(file)?.split('\n').slice(1) ?? [];
}

function readInetSockets(into: Map<number, SocketEntry>, file: string, v6: boolean, l4: number): void {
  for (const row of tableRows(file)) {
    const cols = row.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [local, remote, state, , , , , , inode] = cols.slice(1);
    const [lip, lport] = local!.split(':');
    const [rip, rport] = remote!.split(':');
    const sip = v6 ? ipv6FromProcHex(lip!) : ipv4FromProcHex(lip!);
    const dip = v6 ? ipv6FromProcHex(rip!) : ipv4FromProcHex(rip!);
    const sport = parseInt(lport!, 16);
    const dport = parseInt(rport!, 16);
    const remoteZero = dport === 0 && (v6 ? (dip as Uint8Array).every((b) => b === 0) : dip === 0);
    const listening = l4 === L4.Tcp ? parseInt(state!, 16) === TCP_LISTEN : remoteZero;
    const type = v6 ? (listening ? FD_TYPE.IPV6_SERVSOCK : FD_TYPE.IPV6_SOCK) : (listening ? FD_TYPE.IPV4_SERVSOCK : FD_TYPE.IPV4_SOCK);
    into.set(Number(inode), { type, l4, sip, dip, sport, dport });
  }
}

function readUnixSockets(into: Map<number, SocketEntry>, file: string): void {
  for (const row of tableRows(file)) {
    // Num RefCount Protocol Flags Type St Inode [Path]
    const m = /^([0-9a-fA-F]+):\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s*(.*)$/.exec(row);
    if (!m) continue;
    let p = m[3]!;
    if (p.startsWith('@')) p = p.slice(1); // abstract names are listed with a leading '@'
    into.set(Number(m[2]), { type: FD_TYPE.UNIX_SOCK, l4: 0, unixSource: BigInt('0x' + m[1]!), path: p });
  }
}

function readNetlinkSockets(into: Map<number, SocketEntry>, file: string): void {
  for (const row of tableRows(file)) {
    const cols = row.trim().split(/\s+/);
    if (cols.length < 10) continue;
    into.set(Number(cols[9]), { type: FD_TYPE.NETLINK, l4: 0 });
  }
}

/** Reads /proc the way the driver's initial scan does. */
export class ProcReader {
  constructor(readonly hostRoot = '/') {}

  private proc(...parts: (string | number)[]): string {
    return path.join(this.hostRoot, 'proc', ...parts.map(String));
  }

  /** The process (thread group) a tid belongs to, from its status; undefined when gone. */
  tgidOf(tid: number): number | undefined {
    const status = readText(this.proc(tid, 'status'));
    if (status === undefined) return undefined;
    const tgid = Number(statusField(status, 'Tgid:'));
    return Number.isInteger(tgid) && tgid > 0 ? tgid : undefined;
  }

  /**
   * The thread `tid` of process `pid` as a process-list record, or undefined for kernel threads
   * (no command line, no executable), zombies and vanished tasks, which the scan skips too.
   */
  thread(pid: number, tid: number): ProcessRecord | undefined {
    const dir = this.proc(pid, 'task', tid);
    const cmdline = readSmall(path.join(dir, 'cmdline'));
    const exepath = readLink(this.proc(pid, 'exe'));
    if ((cmdline === undefined || cmdline.length === 0) && exepath === '') return undefined;
    const status = readText(path.join(dir, 'status'));
    if (status === undefined) return undefined;

    const comm = (readText(path.join(dir, 'comm')) ?? '').replace(/\n$/, '');
    const argv = nulList(cmdline);
    const exe = argv.length > 0 ? argv[0]! : comm;
    const ids = (key: string): number[] => (statusField(status, key) ?? '').split(/\s+/).map(Number);
    const uid = ids('Uid:')[1] ?? UINT32_NONE; // effective ids, as libscap
    const gid = ids('Gid:')[1] ?? UINT32_NONE;
    const kb = (key: string): number => Number.parseInt(statusField(status, key) ?? '0', 10) || 0;
    const cap = (key: string): bigint => {
      const v = statusField(status, key);
      return v === undefined || v === '' ? 0n : BigInt('0x' + v);
    };

    let pgid = 0;
    let sid = 0;
    let tty = 0;
    let pfMinor = 0;
    let pfMajor = 0;
    const stat = readText(path.join(dir, 'stat'));
    if (stat !== undefined) {
      // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt ...
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      pgid = Number(f[2]) || 0;
      sid = Number(f[3]) || 0;
      tty = Number(f[4]) || 0;
      pfMinor = Number(f[7]) || 0;
      pfMajor = Number(f[9]) || 0;
    }
    const processStatus = tid === pid ? status : readText(this.proc(pid, 'status')) ?? '';

    let fdlimit = -1;
    const limits = readText(this.proc(pid, 'limits'));
    const open = limits === undefined ? undefined : /^Max open files\s+(\d+)/m.exec(limits);
    if (open) fdlimit = Number(open[1]);

    const loginText = readText(path.join(dir, 'loginuid'));
    const loginuid = loginText === undefined ? UINT32_NONE : Number(loginText.trim()) >>> 0;

    let pidnsInitStartTs = 0n;
    try {
      const st = statSync(this.proc(pid, 'root', 'proc', '1', 'cmdline'), { bigint: true });
      pidnsInitStartTs = st.ctimeNs;
    } catch {
      // not reachable: 0, as libscap leaves it
    }

    let exeIno = 0;
    let exeInoCtime = 0n;
    let exeInoMtime = 0n;
    let exeWritable = false;
    try {
      const st = statSync(this.proc(pid, 'exe'), { bigint: true });
      exeIno = Number(st.ino);
      exeInoCtime = st.ctimeNs;
      exeInoMtime = st.mtimeNs;
      const mode = Number(st.mode);
      // Writable by the process's user: owner, else the group or other write bit (the driver's
      // approximation of libscap's access check under the process's credentials).
      exeWritable = Number(st.uid) === uid || (Number(st.gid) === gid ? (mode & 0o020) !== 0 : (mode & 0o002) !== 0);
    } catch {
      // no executable (kernel thread): defaults
    }

    return {
      tid,
      pid,
      ptid: Number(statusField(status, 'PPid:') ?? -1),
      sid,
      vpgid: lastNumber(statusField(processStatus, 'NSpgid:'), pgid),
      pgid,
      comm,
      exe,
      exepath,
      args: argv.slice(1),
      cwd: readLink(path.join(dir, 'cwd')),
      fdlimit,
      flags: tid === pid ? 0 : CLONE_THREAD_FILES,
      uid,
      gid,
      vmsizeKb: kb('VmSize:'),
      vmrssKb: kb('VmRSS:'),
      vmswapKb: kb('VmSwap:'),
      pfMajor,
      pfMinor,
      env: nulList(readSmall(path.join(dir, 'environ'))),
      vtid: lastNumber(statusField(status, 'NSpid:'), tid),
      vpid: lastNumber(statusField(status, 'NStgid:'), pid),
      cgroups: this.cgroups(dir),
      root: readLink(path.join(dir, 'root')),
      pidnsInitStartTs,
      tty,
      loginuid,
      exeWritable,
      capInheritable: cap('CapInh:'),
      capPermitted: cap('CapPrm:'),
      capEffective: cap('CapEff:'),
      exeUpperLayer: false,
      exeLowerLayer: false,
      exeFromMemfd: exepath.startsWith('/memfd:'),
      exeIno,
      exeInoCtime,
      exeInoMtime,
    };
  }

  /**
   * /proc/<pid>/cgroup as `controller=path` entries: one per cgroup v1 controller (named
   * hierarchies left out); on a cgroup v2-only host the unified path under the controllers Falco
   * reports.
   */
  cgroups(dir: string): string[] {
    const text = readText(path.join(dir, 'cgroup'));
    if (text === undefined) return [];
    const out: string[] = [];
    let v2: string | undefined;
    for (const line of text.split('\n')) {
      const first = line.indexOf(':');
      const second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) continue;
      const controllers = line.slice(first + 1, second);
      const cgroup = line.slice(second + 1);
      if (controllers === '') {
        v2 = cgroup;
        continue;
      }
      for (const c of controllers.split(',')) if (!c.startsWith('name=')) out.push(`${c}=${cgroup}`);
    }
    if (out.length === 0 && v2 !== undefined) {
      for (const c of ['cpuset', 'cpu', 'cpuacct', 'io', 'memory']) out.push(`${c}=${v2}`);
    }
    return out;
  }

  /** The sockets of the network namespace `pid` is in, by inode. */
  sockets(pid: number): Map<number, SocketEntry> {
    const m = new Map<number, SocketEntry>();
    const net = (name: string): string => this.proc(pid, 'net', name);
    readInetSockets(m, net('tcp'), false, L4.Tcp);
    readInetSockets(m, net('udp'), false, L4.Udp);
    readInetSockets(m, net('raw'), false, L4.Raw);
    readInetSockets(m, net('tcp6'), true, L4.Tcp);
    readInetSockets(m, net('udp6'), true, L4.Udp);
    readInetSockets(m, net('raw6'), true, L4.Raw);
    readUnixSockets(m, net('unix'));
    readNetlinkSockets(m, net('netlink'));
    return m;
  }

  /** The open fds of process `pid` as fd-list records (the types sysdig 0.29.3 knows). */
  fds(pid: number): FdRecord[] {
    const dir = this.proc(pid, 'fd');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const out: FdRecord[] = [];
    let sockets: Map<number, SocketEntry> | undefined;
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const fd = Number(name);
      const target = readLink(path.join(dir, name));
      if (target === '') continue;
      if (target.startsWith('socket:[')) {
        sockets ??= this.sockets(pid);
        const ino = Number(target.slice(8, -1));
        const s = sockets.get(ino);
        if (s === undefined) continue; // in no table we read: left out, as libscap does
        const r: FdRecord = { fd, ino, type: s.type };
        if (s.type === FD_TYPE.UNIX_SOCK) {
          r.unixSource = s.unixSource;
          r.unixDest = 0n;
          r.name = s.path;
        } else if (s.type === FD_TYPE.NETLINK) {
          r.name = '';
        } else {
          r.sip = s.sip;
          r.sport = s.sport;
          r.l4proto = s.l4;
          if (s.type === FD_TYPE.IPV4_SOCK || s.type === FD_TYPE.IPV6_SOCK) {
            r.dip = s.dip;
            r.dport = s.dport;
          }
        }
        out.push(r);
        continue;
      }
      let st;
      try {
        st = statSync(path.join(dir, name));
      } catch {
        st = undefined;
      }
      const ino = st?.ino ?? 0;
      if (target.startsWith('pipe:[')) {
        out.push({ fd, ino, type: FD_TYPE.FIFO, name: '' });
        continue;
      }
      if (target.startsWith('anon_inode:')) {
        const kind = target.slice(11);
        const simple: Record<string, number> = {
          '[eventfd]': FD_TYPE.EVENT, '[signalfd]': FD_TYPE.SIGNALFD, '[eventpoll]': FD_TYPE.EVENTPOLL,
          inotify: FD_TYPE.INOTIFY, '[timerfd]': FD_TYPE.TIMERFD,
        };
        const type = simple[kind];
        out.push(type === undefined ? { fd, ino, type: FD_TYPE.UNSUPPORTED, name: target } : { fd, ino, type, name: '' });
        continue;
      }
      if (st === undefined) continue;
      if (st.isDirectory()) {
        out.push({ fd, ino, type: FD_TYPE.DIRECTORY, name: target });
        continue;
      }
      if (st.isFIFO()) {
        out.push({ fd, ino, type: FD_TYPE.FIFO, name: target });
        continue;
      }
      let openFlags = 0;
      const info = readText(this.proc(pid, 'fdinfo', name));
      const flags = info === undefined ? undefined : /^flags:\s+([0-7]+)/m.exec(info);
      if (flags) openFlags = linuxOpenFlagsToPpm(parseInt(flags[1]!, 8));
      out.push({ fd, ino, type: FD_TYPE.FILE_V2, name: target, openFlags, dev: st.dev >>> 0 });
    }
    return out;
  }

  /** Whether a thread exists (the inactivity purge keeps threads that are still alive). */
  isAlive(pid: number, tid: number): boolean {
    try {
      statSync(this.proc(pid > 0 ? pid : tid, 'task', tid));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * The live ThreadSource: builds unknown threads from /proc. Bind it to the state it feeds with
 * `attach` (the state takes the source in its constructor, so the two are created in turn).
 */
export class ProcThreadSource implements ThreadSource {
  readonly reader: ProcReader;
  readonly counters: ProcLookupCounters = { lookups: 0, found: 0, skipped: 0, durationNs: 0 };
  private state: SystemState | undefined;
  private readonly maxPerSecond: number;
  private readonly withFds: boolean;
  private windowStart = 0;
  private windowLookups = 0;

  constructor(opts: ProcThreadSourceOptions = {}) {
    this.reader = new ProcReader(opts.hostRoot ?? '/');
    this.maxPerSecond = opts.maxLookupsPerSecond ?? Infinity;
    this.withFds = opts.withFds ?? true;
  }

  attach(state: SystemState): void {
    this.state = state;
  }

  private budget(): boolean {
    if (this.maxPerSecond === Infinity) return true;
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowLookups = 0;
    }
    if (this.windowLookups >= this.maxPerSecond) {
      this.counters.skipped++;
      return false;
    }
    this.windowLookups++;
    return true;
  }

  fetch(tid: number, table: ThreadTable): ThreadInfo | undefined {
    const state = this.state;
    if (state === undefined || tid <= 0 || !this.budget()) return undefined;
    const t0 = process.hrtime.bigint();
    this.counters.lookups++;
    try {
      const pid = this.reader.tgidOf(tid);
      if (pid === undefined) return undefined;
      // A secondary thread shares its process's fds: make sure the process is known first.
      if (pid !== tid && table.peek(pid) === undefined) {
        this.counters.lookups++;
        const main = this.build(state, pid, pid);
        if (main !== undefined) {
          this.counters.found++;
          table.add(main, true);
        }
      }
      const t = this.build(state, pid, tid);
      if (t !== undefined) this.counters.found++;
      return t;
    } finally {
      this.counters.durationNs += Number(process.hrtime.bigint() - t0);
    }
  }

  private build(state: SystemState, pid: number, tid: number): ThreadInfo | undefined {
    const record = this.reader.thread(pid, tid);
    if (record === undefined) return undefined;
    const fds = this.withFds && tid === pid ? this.reader.fds(pid) : [];
    return state.threadFromRecords(record, fds);
  }

  isAlive(pid: number, tid: number): boolean {
    return this.reader.isAlive(pid, tid);
  }
}
