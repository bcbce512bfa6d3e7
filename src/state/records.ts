// What the state is seeded with before events start: the process list, fd lists, users, groups
// and network interfaces recorded at the beginning of a capture (or read from /proc live). The
// capture reader's block records are adapted to these shapes (src/sources/scap-replay.ts).

export interface ProcessRecord {
  tid: number;
  pid: number;
  ptid: number;
  sid: number;
  vpgid: number;
  pgid: number;
  comm: string;
  exe: string;
  exepath: string;
  exeWritable: boolean;
  exeUpperLayer: boolean;
  exeLowerLayer: boolean;
  exeFromMemfd: boolean;
  args: string[];
  env: string[];
  cwd: string;
  fdlimit: number;
  flags: number;
  uid: number;
  gid: number;
  loginuid: number;
  capPermitted: bigint;
  capEffective: bigint;
  capInheritable: bigint;
  exeIno: number;
  exeInoCtime: bigint;
  exeInoMtime: bigint;
  exeInoCtimeDurationCloneTs: bigint;
  exeInoCtimeDurationPidnsStart: bigint;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  pfmajor: number;
  pfminor: number;
  vtid: number;
  vpid: number;
  pidnsInitStartTs: bigint;
  cloneTs: bigint;
  tty: number;
  /** `subsystem=path` entries. */
  cgroups: string[];
  root: string;
}

/** One fd of a process list entry; `addr` fields use raw network-order address bytes. */
export type FdRecord =
  | { fd: number; ino: number; type: 'ipv4'; sip: Uint8Array; dip: Uint8Array; sport: number; dport: number; l4proto: number }
  | { fd: number; ino: number; type: 'ipv4-server'; ip: Uint8Array; port: number; l4proto: number }
  | { fd: number; ino: number; type: 'ipv6'; sip: Uint8Array; dip: Uint8Array; sport: number; dport: number; l4proto: number }
  | { fd: number; ino: number; type: 'ipv6-server'; ip: Uint8Array; port: number; l4proto: number }
  | { fd: number; ino: number; type: 'unix'; source: bigint; dest: bigint; name: string }
  | { fd: number; ino: number; type: 'file-v2'; name: string; openFlags: number; dev: number; mountId: number }
  /** Other types carry a name only; `fdType` is the numeric scap fd type. */
  | { fd: number; ino: number; type: 'named'; fdType: number; name: string };

export interface UserRecord {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupRecord {
  gid: number;
  name: string;
}

/** A ProcessRecord with neutral values, for callers that know only some fields. */
export function emptyProcessRecord(tid: number): ProcessRecord {
  return {
    tid, pid: tid, ptid: 0, sid: 0, vpgid: 0, pgid: -1, comm: '', exe: '', exepath: '',
    exeWritable: false, exeUpperLayer: false, exeLowerLayer: false, exeFromMemfd: false,
    args: [], env: [], cwd: '/', fdlimit: 1024, flags: 0, uid: 0, gid: 0, loginuid: 0xffffffff,
    capPermitted: 0n, capEffective: 0n, capInheritable: 0n, exeIno: 0, exeInoCtime: 0n,
    exeInoMtime: 0n, exeInoCtimeDurationCloneTs: 0n, exeInoCtimeDurationPidnsStart: 0n,
    vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfmajor: 0, pfminor: 0, vtid: tid, vpid: tid,
    pidnsInitStartTs: 0n, cloneTs: 0n, tty: 0, cgroups: [], root: '/',
  };
}
