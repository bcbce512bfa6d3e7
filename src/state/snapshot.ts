// The current state as the header records of a capture: what libsinsp's dumper writes when a
// capture starts in the middle of a live run (Falco's rule-triggered captures): the process list
// from the thread table, one fd list per fd table, and the host's users and groups. Replaying such
// a file starts from the state the agent had when the recording began.
//
// Records use only block and fd types sysdig 0.29.3 knows, as the driver's initial scan does.
import { FD_TYPE } from '../scap/format.js';
import type { FdInfo as FdRecord, GroupInfo, ProcessRecord, UserInfo } from '../scap/records.js';
import { CL } from './constants.js';
import { SOCK, type FdInfo } from './fds.js';
import type { SystemState } from './system-state.js';
import type { ThreadInfo } from './threads.js';

export interface StateSnapshot {
  readonly processes: ProcessRecord[];
  readonly fdLists: { tid: number; fds: FdRecord[] }[];
  readonly users: UserInfo[];
  readonly groups: GroupInfo[];
}

/** Thread flags that only describe Peregrine's processing, not the thread. */
const PROCESSING_FLAGS = CL.CLOSED | CL.ACTIVE | CL.CLONE_INVERTED | CL.NAME_CHANGED;

function processRecord(t: ThreadInfo): ProcessRecord {
  return {
    tid: t.tid,
    pid: t.pid,
    ptid: t.ptid,
    sid: t.sid,
    vpgid: t.vpgid,
    pgid: t.pgid,
    comm: t.comm,
    exe: t.exe,
    exepath: t.exepath,
    args: [...t.args],
    cwd: t.getCwd(),
    fdlimit: t.fdlimit,
    flags: t.flags & ~PROCESSING_FLAGS,
    uid: t.uid,
    gid: t.gid,
    vmsizeKb: t.vmsizeKb,
    vmrssKb: t.vmrssKb,
    vmswapKb: t.vmswapKb,
    pfMajor: t.pfmajor,
    pfMinor: t.pfminor,
    env: [...t.environment()],
    vtid: t.vtid,
    vpid: t.vpid,
    cgroups: t.cgroups.map(([subsys, p]) => `${subsys}=${p}`),
    root: t.root,
    pidnsInitStartTs: t.pidnsInitStartTs,
    tty: t.tty,
    loginuid: t.loginuid,
    exeWritable: t.exeWritable,
    capInheritable: t.capInheritable,
    capPermitted: t.capPermitted,
    capEffective: t.capEffective,
    exeUpperLayer: t.exeUpperLayer,
    exeLowerLayer: t.exeLowerLayer,
    exeFromMemfd: t.exeFromMemfd,
    exeIno: t.exeIno,
    exeInoCtime: t.exeInoCtime,
    exeInoMtime: t.exeInoMtime,
  };
}

/** One fd as an fd-list entry; undefined for fds whose kind a list cannot carry. */
export function fdRecord(fd: number, f: FdInfo): FdRecord | undefined {
  const base = { fd, ino: f.ino };
  switch (f.type) {
    case FD_TYPE.IPV4_SOCK:
      return {
        ...base, type: f.type, sip: f.ipv4(SOCK.V4_SIP), dip: f.ipv4(SOCK.V4_DIP),
        sport: f.u16(SOCK.V4_SPORT), dport: f.u16(SOCK.V4_DPORT), l4proto: f.u8(SOCK.V4_L4),
      };
    case FD_TYPE.IPV6_SOCK:
      return {
        ...base, type: f.type, sip: f.ipv6(SOCK.V6_SIP), dip: f.ipv6(SOCK.V6_DIP),
        sport: f.u16(SOCK.V6_SPORT), dport: f.u16(SOCK.V6_DPORT), l4proto: f.u8(SOCK.V6_L4),
      };
    case FD_TYPE.IPV4_SERVSOCK:
      return { ...base, type: f.type, sip: f.ipv4(SOCK.V4S_IP), sport: f.u16(SOCK.V4S_PORT), l4proto: f.u8(SOCK.V4S_L4) };
    case FD_TYPE.IPV6_SERVSOCK:
      return { ...base, type: f.type, sip: f.ipv6(SOCK.V6S_IP), sport: f.u16(SOCK.V6S_PORT), l4proto: f.u8(SOCK.V6S_L4) };
    case FD_TYPE.UNIX_SOCK:
      return { ...base, type: f.type, unixSource: f.u64(SOCK.UNIX_SOURCE), unixDest: f.u64(SOCK.UNIX_DEST), name: f.name };
    case FD_TYPE.FILE_V2:
    case FD_TYPE.FILE:
    case FD_TYPE.MEMFD:
      // memfds are files to readers that predate their own type.
      return { ...base, type: FD_TYPE.FILE_V2, name: f.name, openFlags: f.openFlags, dev: f.dev };
    case FD_TYPE.DIRECTORY:
    case FD_TYPE.FIFO:
    case FD_TYPE.EVENT:
    case FD_TYPE.SIGNALFD:
    case FD_TYPE.EVENTPOLL:
    case FD_TYPE.INOTIFY:
    case FD_TYPE.TIMERFD:
    case FD_TYPE.NETLINK:
    case FD_TYPE.UNSUPPORTED:
      return { ...base, type: f.type, name: f.name };
    case FD_TYPE.BPF:
    case FD_TYPE.USERFAULTFD:
    case FD_TYPE.IOURING:
    case FD_TYPE.PIDFD:
      return { ...base, type: FD_TYPE.UNSUPPORTED, name: f.name };
    default:
      return undefined;
  }
}

/** The state as capture header records (threads in table order, placeholders left out). */
export function snapshotState(state: SystemState): StateSnapshot {
  const processes: ProcessRecord[] = [];
  const fdLists: { tid: number; fds: FdRecord[] }[] = [];
  for (const t of state.threads.values()) {
    if (t.isInvalid() || t.removed) continue;
    processes.push(processRecord(t));
    // Threads sharing their process's fds have none of their own to list.
    if (!t.isMainThread() && (t.flags & CL.CLONE_FILES) !== 0) continue;
    const fds: FdRecord[] = [];
    for (const [fd, info] of t.ownFdTable.entries()) {
      const r = fdRecord(fd, info);
      if (r !== undefined) fds.push(r);
    }
    if (fds.length > 0) fdLists.push({ tid: t.tid, fds });
  }
  return {
    processes,
    fdLists,
    users: state.users.usersOf('').map((u) => ({ ...u })),
    groups: state.users.groupsOf('').map((g) => ({ ...g })),
  };
}
