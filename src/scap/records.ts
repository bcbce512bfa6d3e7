// The non-event blocks of a capture as decoded records: what the reader hands to the consumer
// (the state module seeds its thread, fd and user tables from them) and what the writer writes.
// Field names follow libscap's on-disk structures; see blocks.ts for the byte layouts.
import type { IpAddr } from '../fields/types.js';

/** A pcapng option of the section header (comments and the like). */
export interface SectionOption {
  readonly code: number;
  /** `comment`, `hardware`, `os`, `userappl`, or undefined for other codes. */
  readonly name?: string;
  /** The value as text (options are UTF-8 strings in practice). */
  readonly text: string;
  readonly value: Uint8Array;
}

export interface SectionHeaderRecord {
  readonly kind: 'section';
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** -1n (all bits set) when unspecified, as libscap writes it. */
  readonly sectionLength: bigint;
  readonly options: readonly SectionOption[];
}

export interface MachineInfoRecord {
  readonly kind: 'machine';
  readonly numCpus: number;
  readonly memorySizeBytes: bigint;
  readonly maxPid: bigint;
  readonly hostname: string;
  /** Host boot time, ns since epoch (0 when the writer did not know it). */
  readonly bootTsEpoch: bigint;
  readonly flags: bigint;
  readonly reserved3: bigint;
  readonly reserved4: bigint;
}

/**
 * One thread of the process list (scap_threadinfo). 64-bit ids are numbers (signed: -1 means
 * unknown); capabilities and absolute times are exact bigints. Fields a block version does not
 * carry keep libscap's defaults (-1 ids, loginuid 0xffffffff, zeros, empty strings).
 */
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
  /** Command-line arguments after argv[0] (NUL-separated on disk). */
  args: string[];
  cwd: string;
  fdlimit: number;
  /** PPM_CL_* thread flags. */
  flags: number;
  uid: number;
  gid: number;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  pfMajor: number;
  pfMinor: number;
  env: string[];
  vtid: number;
  vpid: number;
  /** `controller=path` entries. */
  cgroups: string[];
  root: string;
  pidnsInitStartTs: bigint;
  tty: number;
  loginuid: number;
  exeWritable: boolean;
  capInheritable: bigint;
  capPermitted: bigint;
  capEffective: bigint;
  exeUpperLayer: boolean;
  exeLowerLayer: boolean;
  exeFromMemfd: boolean;
  exeIno: number;
  exeInoCtime: bigint;
  exeInoMtime: bigint;
}

export interface ProcessListRecord {
  readonly kind: 'processes';
  /** Block version 1..9 it was read from (the writer writes version 9). */
  readonly version: number;
  readonly processes: ProcessRecord[];
}

/**
 * One fd of a thread (scap_fdinfo). `type` is an FD_TYPE code (format.ts); which other fields are
 * set depends on it: sockets have addresses, ports and l4proto (SCAP_L4_* numbers), unix sockets
 * their endpoints and path in `name`, files and the rest `name` (and `openFlags`/`dev` for FILE_V2).
 */
export interface FdInfo {
  fd: number;
  ino: number;
  type: number;
  name?: string;
  openFlags?: number;
  dev?: number;
  /** Source/destination (IPV4/IPV6_SOCK) or the listening address (…_SERVSOCK, in `sip`/`sport`). */
  sip?: IpAddr;
  dip?: IpAddr;
  sport?: number;
  dport?: number;
  l4proto?: number;
  unixSource?: bigint;
  unixDest?: bigint;
}

export interface FdListRecord {
  readonly kind: 'fds';
  readonly tid: number;
  readonly fds: FdInfo[];
}

export interface UserInfo {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupInfo {
  gid: number;
  name: string;
}

export interface UserListRecord {
  readonly kind: 'users';
  readonly users: UserInfo[];
  readonly groups: GroupInfo[];
}

export interface Ipv4Interface {
  name: string;
  /** Addresses as uint32 numbers in host order of the text form (127.0.0.1 is 0x7f000001). */
  addr: number;
  netmask: number;
  bcast: number;
  linkspeed: number;
}

export interface Ipv6Interface {
  name: string;
  addr: Uint8Array;
  netmask: Uint8Array;
  bcast: Uint8Array;
  linkspeed: number;
}

export interface InterfaceListRecord {
  readonly kind: 'interfaces';
  readonly ipv4: Ipv4Interface[];
  readonly ipv6: Ipv6Interface[];
}

/** A block this reader does not know (skipped with a warning and counted). */
export interface UnknownBlockRecord {
  readonly kind: 'unknown';
  readonly blockType: number;
  /** Body length in bytes (without block header and trailer). */
  readonly length: number;
}

export type ScapRecord =
  | SectionHeaderRecord
  | MachineInfoRecord
  | ProcessListRecord
  | FdListRecord
  | UserListRecord
  | InterfaceListRecord
  | UnknownBlockRecord;

/** A process record with libscap's defaults, for producers that fill only what they know. */
export function emptyProcess(tid: number): ProcessRecord {
  return {
    tid, pid: tid, ptid: -1, sid: -1, vpgid: -1, pgid: -1,
    comm: '', exe: '', exepath: '', args: [], cwd: '', fdlimit: 0, flags: 0, uid: 0, gid: 0,
    vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfMajor: 0, pfMinor: 0, env: [], vtid: -1, vpid: -1,
    cgroups: [], root: '', pidnsInitStartTs: 0n, tty: 0, loginuid: 0xffffffff, exeWritable: false,
    capInheritable: 0n, capPermitted: 0n, capEffective: 0n, exeUpperLayer: false, exeLowerLayer: false,
    exeFromMemfd: false, exeIno: 0, exeInoCtime: 0n, exeInoMtime: 0n,
  };
}
