// The scap container format (pcapng-like blocks) and the event header layout, defined once for
// the reader, the writer and the live source. All integers are little-endian.
//
//   block:        u32 type | u32 total length (incl. header and trailer, multiple of 4) | body | padding | u32 total length
//   event block:  body = u16 cpu [| u32 flags for EVF blocks] | event
//   event:        ppm_evt_hdr | nparams param lengths (u16, or u32 for EF_LARGE_PAYLOAD events) | param data
//   ppm_evt_hdr:  u64 ts (ns since epoch) | u64 tid | u32 len (whole event) | u16 type | u32 nparams
//                 (V1 event blocks, from captures older than libs 0.10, have no nparams: 22 bytes)

/** Block type codes. `_INT` variants are the pre-release numbers old captures still use. */
export const BLOCK = {
  SHB: 0x0a0d0d0a,
  MI: 0x201,
  MI_INT: 0x8002abcd,
  PL_V1: 0x202,
  PL_V1_INT: 0x8000abcd,
  PL_V2: 0x207,
  PL_V2_INT: 0x8013abcd,
  PL_V3: 0x209,
  PL_V3_INT: 0x8014abcd,
  PL_V4: 0x210,
  PL_V5: 0x211,
  PL_V6: 0x212,
  PL_V7: 0x213,
  PL_V8: 0x214,
  PL_V9: 0x215,
  FDL: 0x203,
  FDL_INT: 0x8001abcd,
  FDL_V2: 0x218,
  EV: 0x204,
  EV_INT: 0x8010abcd,
  EV_V2: 0x216,
  EV_V2_LARGE: 0x221,
  EVF: 0x208,
  EVF_V2: 0x217,
  EVF_V2_LARGE: 0x222,
  IL: 0x205,
  IL_INT: 0x8011abcd,
  IL_V2: 0x219,
  UL: 0x206,
  UL_INT: 0x8012abcd,
  UL_V2: 0x220,
} as const;

const BLOCK_NAMES = new Map<number, string>(Object.entries(BLOCK).map(([name, code]) => [code, name]));

/** `EV_V2 (0x216)`: how errors and warnings name a block type. */
export function blockTypeName(type: number): string {
  const name = BLOCK_NAMES.get(type);
  const hex = '0x' + type.toString(16);
  return name === undefined ? `unknown block type ${hex}` : `${name} (${hex})`;
}

/** Byte-order magic of the section header in our (little-endian) byte order, and swapped. */
export const SHB_MAGIC = 0x1a2b3c4d;
export const SHB_MAGIC_SWAPPED = 0x4d3c2b1a;
/** The format version this code reads and writes. Readers refuse a newer major version. */
export const SCAP_MAJOR_VERSION = 1;
export const SCAP_MINOR_VERSION = 2;

export const BLOCK_HEADER_SIZE = 8;
export const BLOCK_TRAILER_SIZE = 4;
/** Section header body: u32 magic, u16 major, u16 minor, u64 section length; then pcapng options. */
export const SHB_BODY_SIZE = 16;
/** Machine info body: u32 cpus, u64 memory, u64 max pid, char[128] hostname, u64 boot ts, u64 flags, 2×u64 reserved. */
export const MACHINE_INFO_SIZE = 180;
export const HOSTNAME_SIZE = 128;

/** Event header field offsets (ppm_evt_hdr, packed). */
export const EVT_TS = 0;
export const EVT_TID = 8;
export const EVT_LEN = 16;
export const EVT_TYPE = 20;
export const EVT_NPARAMS = 22;
export const EVT_HEADER_SIZE = 26;
/** V1 event header: no nparams field. */
export const EVT_HEADER_SIZE_V1 = 22;

/** Largest event block body of the non-large types (libscap refuses bigger ones). */
export const MAX_SMALL_EVENT_BLOCK_BODY = 65536;

/** Round a block length up to the 4-byte alignment blocks keep. */
export function paddedLength(length: number): number {
  return (length + 3) & ~3;
}

export function isEventBlock(type: number): boolean {
  switch (type) {
    case BLOCK.EV: case BLOCK.EV_INT: case BLOCK.EV_V2: case BLOCK.EV_V2_LARGE:
    case BLOCK.EVF: case BLOCK.EVF_V2: case BLOCK.EVF_V2_LARGE:
      return true;
    default:
      return false;
  }
}

/** EVF blocks carry a u32 of event flags after the cpu number. */
export function eventBlockHasFlags(type: number): boolean {
  return type === BLOCK.EVF || type === BLOCK.EVF_V2 || type === BLOCK.EVF_V2_LARGE;
}

/** V2 event blocks carry nparams in the event header; V1 blocks do not. */
export function eventBlockIsV2(type: number): boolean {
  return type === BLOCK.EV_V2 || type === BLOCK.EV_V2_LARGE || type === BLOCK.EVF_V2 || type === BLOCK.EVF_V2_LARGE;
}

export function eventBlockIsLarge(type: number): boolean {
  return type === BLOCK.EV_V2_LARGE || type === BLOCK.EVF_V2_LARGE;
}

/** Process-list block version (1..9) of a block type, 0 if it is not a process list. */
export function processListVersion(type: number): number {
  switch (type) {
    case BLOCK.PL_V1: case BLOCK.PL_V1_INT: return 1;
    case BLOCK.PL_V2: case BLOCK.PL_V2_INT: return 2;
    case BLOCK.PL_V3: case BLOCK.PL_V3_INT: return 3;
    case BLOCK.PL_V4: return 4;
    case BLOCK.PL_V5: return 5;
    case BLOCK.PL_V6: return 6;
    case BLOCK.PL_V7: return 7;
    case BLOCK.PL_V8: return 8;
    case BLOCK.PL_V9: return 9;
    default: return 0;
  }
}

/** fd types of fd-list entries (scap_fd_type). */
export const FD_TYPE = {
  UNKNOWN: 0,
  FILE: 1,
  DIRECTORY: 2,
  IPV4_SOCK: 3,
  IPV6_SOCK: 4,
  IPV4_SERVSOCK: 5,
  IPV6_SERVSOCK: 6,
  FIFO: 7,
  UNIX_SOCK: 8,
  EVENT: 9,
  UNSUPPORTED: 10,
  SIGNALFD: 11,
  EVENTPOLL: 12,
  INOTIFY: 13,
  TIMERFD: 14,
  NETLINK: 15,
  FILE_V2: 16,
  BPF: 17,
  USERFAULTFD: 18,
  IOURING: 19,
  MEMFD: 20,
  PIDFD: 21,
} as const;

/** Interface-list entry types (scap_ifinfo_type). */
export const IFINFO = {
  IPV4: 1,
  IPV6: 2,
  IPV4_NOLINKSPEED: 3,
  IPV6_NOLINKSPEED: 4,
} as const;

/** User-list entry types. */
export const USERBLOCK_USER = 0;
export const USERBLOCK_GROUP = 1;

/** pcapng option codes of the section header (`SHB_OPTION_NAMES[code]`). */
export const SHB_OPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'comment',
  2: 'hardware',
  3: 'os',
  4: 'userappl',
};
