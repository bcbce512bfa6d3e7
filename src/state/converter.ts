// Old capture formats, brought to the current event layouts the way libs 0.25's capture reader
// does it (libscap's "scap converter") before libsinsp sees an event. This matters beyond layouts:
// the converter DROPS most enter events (it keeps them aside so that their exit can take missing
// parameters from them), so they never reach the state engine, are not numbered (evt.num) and are
// never given to rules. Old exit events get the parameters their newer versions have, taken from
// the kept enter event, set to an empty or default value.
//
// Rules, checked again after every conversion step (at most 50):
//   - unused events (EF_UNUSED) are dropped;
//   - events the converter does not manage pass if current, are dropped if they are old enter events;
//   - managed enter events, and managed exit events that are old or have fewer parameters than
//     the table, are converted by CONVERSIONS below, keyed by event and parameter count.
import { EF, EVENT_CODE, EVENT_INFO, PT, isEnterCode } from '../scap/event-table.js';

/**
 * The conversion table, keyed `EVENT/nparams` (EVENT is the libs enum name without `PPME_`):
 *   store          keep the event for its exit, drop it
 *   pass           let it through as it is
 *   store+pass     keep it and let it through
 *   add I...       append parameters
 *   to EVENT: I... rebuild as another event from instructions
 * Instructions build one parameter each:
 *   oN  parameter N of the event being converted
 *   EN  parameter N of the kept enter event, or the type's default value when there is none
 *   eN  same, but an empty parameter when there is none
 *   d   the type's default value (0, or 0xffffffff for uid/gid)
 *   -   an empty (zero-length) parameter
 *   json  the JSON description of an old container event
 */
const CONVERSIONS: Readonly<Record<string, string>> = {
  'GENERIC_E/2': 'store',
  'GENERIC_X/1': 'add e1',
  'SYSCALL_OPEN_E/0': 'add - - -',
  'SYSCALL_OPEN_E/3': 'pass',
  'SYSCALL_OPEN_X/4': 'add -',
  'SYSCALL_OPEN_X/5': 'add -',
  'SYSCALL_CLOSE_E/1': 'store',
  'SYSCALL_CLOSE_X/1': 'add E0',
  'SYSCALL_READ_E/2': 'store',
  'SYSCALL_READ_X/2': 'add E0 E1',
  'SYSCALL_LINK_E/2': 'store',
  'SYSCALL_LINK_X/1': 'to SYSCALL_LINK_2_X: o0 e0 e1',
  'SYSCALL_LINKAT_E/4': 'store',
  'SYSCALL_LINKAT_X/1': 'to SYSCALL_LINKAT_2_X: o0 e0 e1 e2 e3 -',
  'SYSCALL_UNLINK_E/1': 'store',
  'SYSCALL_UNLINK_X/1': 'to SYSCALL_UNLINK_2_X: o0 e0',
  'SYSCALL_UNLINKAT_E/2': 'store',
  'SYSCALL_UNLINKAT_X/1': 'to SYSCALL_UNLINKAT_2_X: o0 e0 e1 -',
  'SYSCALL_PREAD_E/3': 'store',
  'SYSCALL_PREAD_X/2': 'add E0 E1 E2',
  'SYSCALL_DUP_E/1': 'store',
  'SYSCALL_DUP_X/1': 'to SYSCALL_DUP_1_X: o0 e0',
  'SYSCALL_SIGNALFD_E/3': 'store',
  'SYSCALL_SIGNALFD_X/1': 'add E0 E1 E2',
  'SYSCALL_KILL_E/2': 'store',
  'SYSCALL_KILL_X/1': 'add E0 E1',
  'SYSCALL_TKILL_E/2': 'store',
  'SYSCALL_TKILL_X/1': 'add E0 E1',
  'SYSCALL_TGKILL_E/3': 'store',
  'SYSCALL_TGKILL_X/1': 'add E0 E1 E2',
  'SYSCALL_NANOSLEEP_E/1': 'store',
  'SYSCALL_NANOSLEEP_X/1': 'add E0',
  'SYSCALL_TIMERFD_CREATE_E/2': 'store',
  'SYSCALL_TIMERFD_CREATE_X/1': 'add E0 E1',
  'SYSCALL_INOTIFY_INIT_E/1': 'store',
  'SYSCALL_INOTIFY_INIT_X/1': 'add E0',
  'SYSCALL_GETRLIMIT_E/1': 'store',
  'SYSCALL_GETRLIMIT_X/3': 'add E0',
  'SYSCALL_SETRLIMIT_E/1': 'store',
  'SYSCALL_SETRLIMIT_X/3': 'add E0',
  'SYSCALL_PRLIMIT_E/2': 'store',
  'SYSCALL_PRLIMIT_X/5': 'add e0 e1',
  'SCHEDSWITCH_1_E/1': 'to SCHEDSWITCH_6_E: o0 - - - - -',
  'SYSCALL_FCNTL_E/2': 'store',
  'SYSCALL_FCNTL_X/1': 'add E0 E1',
  'SYSCALL_FCNTL_X/3': 'add d',
  'SYSCALL_BRK_1_E/1': 'store',
  'SYSCALL_BRK_1_X/1': 'to SYSCALL_BRK_4_X: o0 e0 - - -',
  'SYSCALL_BRK_4_E/1': 'store',
  'SYSCALL_BRK_4_X/4': 'add e0',
  'SYSCALL_EXECVE_8_E/0': 'to SYSCALL_EXECVE_13_E: ',
  'SYSCALL_EXECVE_8_X/8': 'to SYSCALL_EXECVE_13_X: o0 o1 o2 o3 o4 o5 o6 o7 - - - - -',
  'SYSCALL_EXECVE_13_E/0': 'to SYSCALL_EXECVE_14_E: ',
  'SYSCALL_EXECVE_13_X/13': 'to SYSCALL_EXECVE_14_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 -',
  'SYSCALL_EXECVE_14_E/0': 'to SYSCALL_EXECVE_15_E: ',
  'SYSCALL_EXECVE_14_X/14': 'to SYSCALL_EXECVE_15_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 - o13',
  'SYSCALL_EXECVE_15_E/0': 'to SYSCALL_EXECVE_16_E: ',
  'SYSCALL_EXECVE_15_X/15': 'to SYSCALL_EXECVE_16_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 - o14',
  'SYSCALL_EXECVE_16_E/0': 'to SYSCALL_EXECVE_17_E: ',
  'SYSCALL_EXECVE_16_X/16': 'to SYSCALL_EXECVE_17_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 o14 o15 -',
  'SYSCALL_EXECVE_17_E/0': 'to SYSCALL_EXECVE_18_E: -',
  'SYSCALL_EXECVE_17_X/17': 'to SYSCALL_EXECVE_18_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 o14 o15 o16',
  'SYSCALL_EXECVE_18_E/1': 'to SYSCALL_EXECVE_19_E: o0',
  'SYSCALL_EXECVE_18_X/17': 'to SYSCALL_EXECVE_19_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 o14 o15 o16 -',
  'SYSCALL_EXECVE_19_X/18': 'add -',
  'SYSCALL_EXECVE_19_E/1': 'store+pass',
  'SYSCALL_EXECVE_19_X/19': 'add -',
  'SYSCALL_EXECVE_19_X/20': 'add - - -',
  'SYSCALL_EXECVE_19_X/23': 'add - - -',
  'SYSCALL_EXECVE_19_X/26': 'add -',
  'SYSCALL_EXECVE_19_X/27': 'add -',
  'SYSCALL_EXECVE_19_X/28': 'add -',
  'SYSCALL_EXECVE_19_X/29': 'add -',
  'SYSCALL_EXECVE_19_X/30': 'add e0',
  'SYSCALL_CLONE_11_X/11': 'to SYSCALL_CLONE_16_X: o0 o1 o2 o3 o4 o5 o6 o7 - - - - - o8 o9 o10',
  'SYSCALL_CLONE_16_X/16': 'to SYSCALL_CLONE_17_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 - o13 o14 o15',
  'SYSCALL_CLONE_17_X/17': 'to SYSCALL_CLONE_20_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 - o14 o15 o16 - -',
  'SYSCALL_CLONE_20_X/20': 'add -',
  'SOCKET_BIND_E/1': 'store',
  'SOCKET_BIND_X/2': 'add E0',
  'SOCKET_CONNECT_E/1': 'add d',
  'SOCKET_CONNECT_E/2': 'store+pass',
  'SOCKET_CONNECT_X/2': 'add E0',
  'SOCKET_CONNECT_X/3': 'add E1',
  'PROCEXIT_E/0': 'to PROCEXIT_1_E: - - - - -',
  'SOCKET_SOCKET_E/3': 'store',
  'SOCKET_SOCKET_X/1': 'add E0 E1 E2',
  'SOCKET_SOCKET_X/4': 'add d',
  'SOCKET_LISTEN_E/2': 'store',
  'SOCKET_LISTEN_X/1': 'add E0 E1',
  'SOCKET_ACCEPT_X/3': 'to SOCKET_ACCEPT_5_X: o0 o1 o2 d d',
  'SYSCALL_WRITE_E/2': 'store',
  'SYSCALL_WRITE_X/2': 'add E0 E1',
  'SYSCALL_PWRITE_E/3': 'store',
  'SYSCALL_PWRITE_X/2': 'add E0 E1 E2',
  'SYSCALL_READV_E/1': 'store',
  'SYSCALL_READV_X/3': 'add E0',
  'SYSCALL_WRITEV_E/2': 'store',
  'SYSCALL_WRITEV_X/2': 'add E0 E1',
  'SYSCALL_PREADV_E/2': 'store',
  'SYSCALL_PREADV_X/3': 'add E0 E1',
  'SYSCALL_PWRITEV_E/3': 'store',
  'SYSCALL_PWRITEV_X/2': 'add E0 E1 E2',
  'SYSCALL_SETRESUID_E/3': 'store',
  'SYSCALL_SETRESUID_X/1': 'add e0 e1 e2',
  'SYSCALL_SETUID_E/1': 'store',
  'SYSCALL_SETUID_X/1': 'add e0',
  'SOCKET_RECV_E/2': 'store',
  'SOCKET_RECV_X/2': 'add E0 E1 d',
  'SOCKET_RECVFROM_E/2': 'store',
  'SOCKET_RECVFROM_X/3': 'add E0 E1',
  'SOCKET_SEND_E/2': 'store',
  'SOCKET_SEND_X/2': 'add E0 E1 d',
  'SOCKET_SENDTO_E/3': 'store',
  'SOCKET_SENDTO_X/2': 'add E0 E1 E2',
  'SOCKET_SHUTDOWN_E/2': 'store',
  'SOCKET_SHUTDOWN_X/1': 'add E0 E1',
  'SOCKET_SOCKETPAIR_E/3': 'store',
  'SOCKET_SOCKETPAIR_X/5': 'add E0 E1 E2',
  'SOCKET_SENDMSG_E/3': 'store',
  'SOCKET_SENDMSG_X/2': 'add E0 E1 E2',
  'SOCKET_SENDMMSG_X/0': 'add d - - - -',
  'SOCKET_RECVMSG_E/1': 'store',
  'SOCKET_RECVMSG_X/4': 'add d',
  'SOCKET_RECVMSG_X/5': 'add E0',
  'SOCKET_RECVMMSG_X/0': 'add d - - - - -',
  'SYSCALL_CREAT_E/0': 'add - -',
  'SYSCALL_CREAT_E/2': 'pass',
  'SYSCALL_CREAT_X/3': 'add -',
  'SYSCALL_CREAT_X/4': 'add -',
  'SYSCALL_CREAT_X/5': 'add -',
  'SYSCALL_EVENTFD_E/2': 'store',
  'SYSCALL_EVENTFD_X/1': 'add E0 E1',
  'SYSCALL_MKDIR_2_E/1': 'store',
  'SYSCALL_MKDIR_2_X/2': 'add e0',
  'SYSCALL_MKDIR_E/2': 'store',
  'SYSCALL_MKDIR_X/1': 'to SYSCALL_MKDIR_2_X: o0 e0 e1',
  'SYSCALL_RMDIR_E/1': 'store',
  'SYSCALL_RMDIR_X/1': 'to SYSCALL_RMDIR_2_X: o0 e0',
  'SYSCALL_OPENAT_E/4': 'store',
  'SYSCALL_OPENAT_X/1': 'to SYSCALL_OPENAT_2_X: o0 e0 e1 e2 e3 - -',
  'SYSCALL_OPENAT_2_E/0': 'add - - - -',
  'SYSCALL_OPENAT_2_E/4': 'pass',
  'SYSCALL_OPENAT_2_X/5': 'add -',
  'SYSCALL_OPENAT_2_X/6': 'add -',
  'SYSCALL_UNSHARE_E/1': 'store',
  'SYSCALL_UNSHARE_X/1': 'add E0',
  'SYSCALL_FUTEX_E/3': 'store',
  'SYSCALL_FUTEX_X/1': 'add E0 E1 E2',
  'SYSCALL_FSTAT_E/1': 'store',
  'SYSCALL_FSTAT_X/1': 'add E0',
  'SYSCALL_EPOLLWAIT_E/1': 'store',
  'SYSCALL_EPOLLWAIT_X/1': 'add E0',
  'SYSCALL_POLL_E/2': 'store',
  'SYSCALL_POLL_X/2': 'add E1',
  'SYSCALL_NEWSELECT_X/1': 'to SYSCALL_SELECT_X: o0',
  'SYSCALL_LSEEK_E/3': 'store',
  'SYSCALL_LSEEK_X/1': 'add E0 E1 E2',
  'SYSCALL_LLSEEK_E/3': 'store',
  'SYSCALL_LLSEEK_X/1': 'add E0 E1 E2',
  'SYSCALL_IOCTL_2_E/2': 'store',
  'SYSCALL_IOCTL_2_X/1': 'to SYSCALL_IOCTL_3_X: o0 e0 e1 -',
  'SYSCALL_IOCTL_3_E/3': 'store',
  'SYSCALL_IOCTL_3_X/1': 'add E0 E1 E2',
  'SYSCALL_MMAP_E/6': 'store',
  'SYSCALL_MMAP_X/4': 'add E0 E1 E2 E3 E4 E5',
  'SYSCALL_MMAP2_E/6': 'store',
  'SYSCALL_MMAP2_X/4': 'add E0 E1 E2 E3 E4 E5',
  'SYSCALL_MUNMAP_E/2': 'store',
  'SYSCALL_MUNMAP_X/4': 'add E0 E1',
  'SYSCALL_SPLICE_E/4': 'store',
  'SYSCALL_SPLICE_X/1': 'add E0 E1 E2 E3',
  'SYSCALL_PTRACE_E/2': 'store',
  'SYSCALL_PTRACE_X/0': 'add - - -',
  'SYSCALL_PTRACE_X/3': 'add e0 e1',
  'SYSCALL_FORK_X/16': 'to SYSCALL_FORK_17_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 - o13 o14 o15',
  'SYSCALL_FORK_17_X/17': 'to SYSCALL_FORK_20_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 - o14 o15 o16 - -',
  'SYSCALL_FORK_20_X/20': 'add -',
  'SYSCALL_VFORK_X/16': 'to SYSCALL_VFORK_17_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 - o13 o14 o15',
  'SYSCALL_VFORK_17_X/17': 'to SYSCALL_VFORK_20_X: o0 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10 o11 o12 o13 - o14 o15 o16 - -',
  'SYSCALL_VFORK_20_X/20': 'add -',
  'SYSCALL_SENDFILE_E/4': 'store',
  'SYSCALL_SENDFILE_X/2': 'add E0 E1 E3',
  'SYSCALL_QUOTACTL_E/4': 'store',
  'SYSCALL_QUOTACTL_X/14': 'add E0 E1 E2 E3',
  'SYSCALL_FCHDIR_E/1': 'store',
  'SYSCALL_FCHDIR_X/1': 'add e0',
  'SYSCALL_GETDENTS_E/1': 'store',
  'SYSCALL_GETDENTS_X/1': 'add E0',
  'SYSCALL_GETDENTS64_E/1': 'store',
  'SYSCALL_GETDENTS64_X/1': 'add E0',
  'SYSCALL_SETNS_E/2': 'store',
  'SYSCALL_SETNS_X/1': 'add e0 e1',
  'SYSCALL_FLOCK_E/2': 'store',
  'SYSCALL_FLOCK_X/1': 'add E0 E1',
  'SYSCALL_SEMOP_E/1': 'store',
  'SYSCALL_SEMOP_X/8': 'add E0',
  'SYSCALL_SEMCTL_E/4': 'store',
  'SYSCALL_SEMCTL_X/1': 'add E0 E1 E2 E3',
  'SYSCALL_PPOLL_E/3': 'store',
  'SYSCALL_PPOLL_X/2': 'add E1 E2',
  'SYSCALL_MOUNT_E/1': 'store',
  'SYSCALL_MOUNT_X/4': 'add E0',
  'SYSCALL_UMOUNT_X/2': 'to SYSCALL_UMOUNT_1_X: o0 o1',
  'SYSCALL_SEMGET_E/3': 'store',
  'SYSCALL_SEMGET_X/1': 'add E0 E1 E2',
  'SYSCALL_ACCESS_E/1': 'store',
  'SYSCALL_ACCESS_X/2': 'add E0',
  'CONTAINER_E/4': 'to CONTAINER_JSON_E: json',
  'CONTAINER_JSON_E/1': 'to CONTAINER_JSON_2_E: o0',
  'SYSCALL_SETGID_E/1': 'store',
  'SYSCALL_SETGID_X/1': 'add e0',
  'SYSCALL_SETPGID_E/2': 'store',
  'SYSCALL_SETPGID_X/1': 'add e0 e1',
  'SYSCALL_BPF_E/1': 'store',
  'SYSCALL_BPF_X/1': 'to SYSCALL_BPF_2_X: o0 e0',
  'SYSCALL_SECCOMP_E/1': 'add d',
  'SYSCALL_SECCOMP_E/2': 'store',
  'SYSCALL_SECCOMP_X/1': 'add E0 E1',
  'SYSCALL_OPENAT2_E/0': 'add - - - - -',
  'SYSCALL_OPENAT2_E/5': 'pass',
  'SYSCALL_OPENAT2_X/6': 'add - -',
  'SYSCALL_MPROTECT_E/3': 'store',
  'SYSCALL_MPROTECT_X/1': 'add E0 E1 E2',
  'SYSCALL_EXECVEAT_E/3': 'pass',
  'SYSCALL_EXECVEAT_X/19': 'add -',
  'SYSCALL_EXECVEAT_X/20': 'add - - -',
  'SYSCALL_EXECVEAT_X/23': 'add - - -',
  'SYSCALL_EXECVEAT_X/26': 'add -',
  'SYSCALL_EXECVEAT_X/27': 'add -',
  'SYSCALL_EXECVEAT_X/28': 'add -',
  'SYSCALL_EXECVEAT_X/29': 'add -',
  'SYSCALL_COPY_FILE_RANGE_E/3': 'store',
  'SYSCALL_COPY_FILE_RANGE_X/3': 'add E0 E1 E2',
  'SYSCALL_CLONE3_X/20': 'add -',
  'SYSCALL_EPOLL_CREATE_E/1': 'store',
  'SYSCALL_EPOLL_CREATE_X/1': 'add E0',
  'SYSCALL_EPOLL_CREATE1_E/1': 'store',
  'SYSCALL_EPOLL_CREATE1_X/1': 'add E0',
  'SYSCALL_SETRESGID_E/3': 'store',
  'SYSCALL_SETRESGID_X/1': 'add e0 e1 e2',
  'SOCKET_ACCEPT4_E/1': 'store',
  'SOCKET_ACCEPT4_X/3': 'to SOCKET_ACCEPT4_6_X: o0 o1 o2 d d E0',
  'SOCKET_ACCEPT4_5_E/1': 'store',
  'SOCKET_ACCEPT4_5_X/5': 'to SOCKET_ACCEPT4_6_X: o0 o1 o2 o3 o4 E0',
  'SOCKET_ACCEPT4_6_E/1': 'store',
  'SOCKET_ACCEPT4_6_X/5': 'add E0',
  'SYSCALL_UMOUNT2_E/1': 'store',
  'SYSCALL_UMOUNT2_X/2': 'add E0',
  'SYSCALL_EVENTFD2_E/1': 'store',
  'SYSCALL_EVENTFD2_X/2': 'add E0',
  'SYSCALL_SIGNALFD4_E/2': 'store',
  'SYSCALL_SIGNALFD4_X/2': 'add E0 E1',
};

export const enum ConversionResult {
  Pass = 0,
  Drop = 1,
  Error = 2,
  Continue = 3,
}

// Conversion actions.
const STORE = 0;
const PASS = 1;
const STORE_PASS = 2;
const ADD = 3;
const TO = 4;

// Where each parameter of an event being built comes from.
const FROM_EVENT = 0;
const FROM_KEPT = 1;
const FROM_DEFAULT = 2;
const FROM_JSON = 3;

/**
 * One conversion, with everything about the parameters it builds precomputed: the table key
 * fixes the input's parameter count, hence where each built parameter lands in the output.
 */
interface Conversion {
  readonly action: number;
  /** Output event code. */
  readonly target: number;
  /** Parameters copied from the input first (ADD), then one per instruction. */
  readonly inherited: number;
  readonly nparams: number;
  /** Per instruction: FROM_* kind, source parameter, fallback when no enter event is kept
   *  (FROM_DEFAULT with defaultSize, or empty), maximum size, default size and fill byte. */
  readonly kind: Uint8Array;
  readonly param: Int32Array;
  readonly emptyFallback: Uint8Array;
  readonly maxSize: Float64Array;
  readonly defaultSize: Int32Array;
  readonly fill: Uint8Array;
  /** Bytes per parameter length in the output. */
  readonly width: number;
}

function codeOf(enumName: string): number {
  const code = (EVENT_CODE as Readonly<Record<string, number>>)[enumName];
  if (code === undefined) throw new Error(`conversion table names an unknown event ${enumName}`);
  return code;
}

/** Largest parameter count a table key may have (keys index an array: code * KEY_NPARAMS + nparams). */
const KEY_NPARAMS = 64;

function buildConversion(action: number, target: number, inherited: number, instructions: readonly string[]): Conversion {
  const n = instructions.length;
  const info = EVENT_INFO[target]!;
  const width = info.largePayload ? 4 : 2;
  const conv = {
    action, target, inherited, nparams: inherited + n, width,
    kind: new Uint8Array(n), param: new Int32Array(n), emptyFallback: new Uint8Array(n),
    maxSize: new Float64Array(n), defaultSize: new Int32Array(n), fill: new Uint8Array(n),
  };
  instructions.forEach((text, j) => {
    const ptype = info.params[inherited + j]?.type ?? PT.BYTEBUF;
    conv.maxSize[j] = maxSize(ptype, width);
    conv.defaultSize[j] = fixedSize(ptype);
    conv.fill[j] = ptype === PT.UID || ptype === PT.GID ? 0xff : 0;
    if (text === 'd') {
      conv.kind[j] = FROM_DEFAULT;
    } else if (text === '-') {
      conv.kind[j] = FROM_DEFAULT;
      conv.defaultSize[j] = 0;
    } else if (text === 'json') {
      conv.kind[j] = FROM_JSON;
    } else {
      conv.kind[j] = text[0] === 'o' ? FROM_EVENT : FROM_KEPT;
      conv.param[j] = Number(text.slice(1));
      conv.emptyFallback[j] = text[0] === 'e' ? 1 : 0;
    }
  });
  return conv;
}

/** Parsed conversion table, indexed by code * KEY_NPARAMS + nparams. */
const TABLE: readonly (Conversion | undefined)[] = (() => {
  const t: (Conversion | undefined)[] = new Array<Conversion | undefined>(EVENT_INFO.length * KEY_NPARAMS).fill(undefined);
  for (const [key, spec] of Object.entries(CONVERSIONS)) {
    const [name, np] = key.split('/') as [string, string];
    const code = codeOf(name);
    const nparams = Number(np);
    if (nparams >= KEY_NPARAMS) throw new Error(`conversion key ${key}: too many parameters`);
    let conv: Conversion;
    if (spec === 'store' || spec === 'pass' || spec === 'store+pass') {
      conv = buildConversion(spec === 'store' ? STORE : spec === 'pass' ? PASS : STORE_PASS, code, nparams, []);
    } else if (spec.startsWith('add')) {
      conv = buildConversion(ADD, code, nparams, spec.slice(3).trim().split(/\s+/));
    } else {
      const [head, rest] = spec.slice(3).split(':') as [string, string];
      const list = rest.trim();
      conv = buildConversion(TO, codeOf(head.trim()), 0, list === '' ? [] : list.split(/\s+/));
    }
    t[code * KEY_NPARAMS + nparams] = conv;
  }
  return t;
})();

const MAX_CONVERSIONS = 50;
/** Kept-event entries beyond which used ones are dropped. */
const KEPT_PRUNE_AT = 4096;
/** Largest event the converter builds (libscap's MAX_EVENT_SIZE). */
const MAX_EVENT_SIZE = 64 * 1024;
/** Header of the current (V2) layout: ts, tid, len, type, nparams. */
const HEADER = 26;
/** Header of V1 events (no nparams field). */
const HEADER_V1 = 22;

/** Byte size of a parameter type's default value (0 for variable-size types). */
function fixedSize(type: number): number {
  switch (type) {
    case PT.INT8: case PT.UINT8: case PT.FLAGS8: case PT.ENUMFLAGS8: case PT.SIGTYPE:
      return 1;
    case PT.INT16: case PT.UINT16: case PT.FLAGS16: case PT.ENUMFLAGS16: case PT.SYSCALLID: case PT.PORT:
      return 2;
    case PT.INT32: case PT.UINT32: case PT.FLAGS32: case PT.ENUMFLAGS32: case PT.UID: case PT.GID:
    case PT.MODE: case PT.SIGSET: case PT.FD32: case PT.PID32: case PT.IPV4ADDR:
      return 4;
    case PT.INT64: case PT.UINT64: case PT.RELTIME: case PT.ABSTIME: case PT.ERRNO: case PT.FD: case PT.PID:
      return 8;
    case PT.IPV6ADDR:
      return 16;
    default:
      return 0;
  }
}

/** Longest value a parameter of this type may have in an event with `lenWidth`-byte lengths. */
function maxSize(type: number, lenWidth: number): number {
  const f = fixedSize(type);
  if (f !== 0) return f;
  return lenWidth === 2 ? 0xffff : 0xffffffff;
}

/** Copies n bytes; short runs byte by byte (cheaper than a subarray for the usual small parameters). */
function copyBytes(dst: Uint8Array, dpos: number, src: Uint8Array, spos: number, n: number): void {
  if (n <= 32) {
    for (let k = 0; k < n; k++) dst[dpos + k] = src[spos + k]!;
  } else {
    dst.set(src.subarray(spos, spos + n), dpos);
  }
}

/**
 * An event laid out in bytes (the reader's buffer, a kept copy or a conversion result) with the
 * offsets of its parameters. Reused: `index` points it at another event without allocating.
 */
export class LayoutEvent {
  buf: Uint8Array = new Uint8Array(0);
  /** Offset of the event's header in buf; the header starts with ts (8 bytes) and tid (8 bytes). */
  start = 0;
  /** End of the event in buf. */
  end = 0;
  type = 0;
  nparams = 0;
  tid = 0;
  /** Parameter i occupies buf[offs[i], offs[i] + lens[i]). */
  offs = new Int32Array(32);
  lens = new Int32Array(32);

  /**
   * Points at the event at `start` in `buf`: header of `hdrSize` bytes (26, or 22 for V1), then
   * the parameter lengths (2 or 4 bytes each by the event type) and the data, up to `end`.
   */
  index(buf: Uint8Array, start: number, hdrSize: number, type: number, nparams: number, end: number): this {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.type = type;
    this.nparams = nparams;
    // tid: signed 64-bit little endian at start + 8 (two 32-bit halves)
    const lo = (buf[start + 8]! | (buf[start + 9]! << 8) | (buf[start + 10]! << 16)) + buf[start + 11]! * 0x1000000;
    const hi = buf[start + 12]! | (buf[start + 13]! << 8) | (buf[start + 14]! << 16) | (buf[start + 15]! << 24);
    this.tid = hi * 0x100000000 + lo;
    if (this.offs.length < nparams) {
      this.offs = new Int32Array(nparams * 2);
      this.lens = new Int32Array(nparams * 2);
    }
    const width = EVENT_INFO[type]?.largePayload ? 4 : 2;
    let lenPos = start + hdrSize;
    let pos = lenPos + nparams * width;
    for (let i = 0; i < nparams; i++, lenPos += width) {
      const l =
        width === 2
          ? buf[lenPos]! | (buf[lenPos + 1]! << 8)
          : (buf[lenPos]! | (buf[lenPos + 1]! << 8) | (buf[lenPos + 2]! << 16)) + buf[lenPos + 3]! * 0x1000000;
      const s = Math.min(pos, end);
      this.offs[i] = s;
      this.lens[i] = Math.min(pos + l, end) - s;
      pos += l;
    }
    return this;
  }
}

/** An owned copy of an event in V2 layout (enter events kept for their exits); its buffer is reused. */
class KeptEvent extends LayoutEvent {
  private own = new Uint8Array(256);
  /** False once its exit has used it (the entry stays in the map for reuse). */
  valid = false;

  copyFrom(src: LayoutEvent): this {
    const width = EVENT_INFO[src.type]?.largePayload ? 4 : 2;
    let size = HEADER + src.nparams * width;
    for (let i = 0; i < src.nparams; i++) size += src.lens[i]!;
    if (this.own.length < size) this.own = new Uint8Array(Math.max(size, this.own.length * 2));
    let pos = writeHeader(this.own, src, src.type, src.nparams, width, src.lens, size);
    for (let i = 0; i < src.nparams; i++) {
      copyBytes(this.own, pos, src.buf, src.offs[i]!, src.lens[i]!);
      pos += src.lens[i]!;
    }
    this.valid = true;
    return this.index(this.own, 0, HEADER, src.type, src.nparams, size);
  }
}

/**
 * Writes the header and the parameter lengths of an event in V2 layout into `out` at 0 (ts and
 * tid from `header`'s event); returns where the parameter data starts.
 */
function writeHeader(
  out: Uint8Array,
  header: LayoutEvent,
  type: number,
  nparams: number,
  width: number,
  lens: Int32Array,
  size: number,
): number {
  copyBytes(out, 0, header.buf, header.start, 16);
  out[16] = size & 0xff;
  out[17] = (size >>> 8) & 0xff;
  out[18] = (size >>> 16) & 0xff;
  out[19] = (size >>> 24) & 0xff;
  out[20] = type & 0xff;
  out[21] = type >>> 8;
  out[22] = nparams & 0xff;
  out[23] = (nparams >>> 8) & 0xff;
  out[24] = 0;
  out[25] = 0;
  let lenPos = HEADER;
  for (let i = 0; i < nparams; i++, lenPos += width) {
    const l = lens[i]!;
    out[lenPos] = l & 0xff;
    out[lenPos + 1] = (l >>> 8) & 0xff;
    if (width === 4) {
      out[lenPos + 2] = (l >>> 16) & 0xff;
      out[lenPos + 3] = (l >>> 24) & 0xff;
    }
  }
  return lenPos;
}

/** Whether and how an event must be converted (libscap test_event_convertibility). */
export function convertibility(type: number, nparams: number): ConversionResult {
  const info = EVENT_INFO[type];
  if (info === undefined) return ConversionResult.Error;
  const flags = info.flags;
  if ((flags & EF.UNUSED) !== 0) return ConversionResult.Drop;
  if ((flags & EF.CONVERTER_MANAGED) === 0) {
    if ((flags & EF.OLD_VERSION) === 0) return ConversionResult.Pass;
    if (isEnterCode(type)) return ConversionResult.Drop;
    return ConversionResult.Error;
  }
  if (isEnterCode(type)) return ConversionResult.Continue;
  if ((flags & EF.OLD_VERSION) !== 0 || nparams !== info.params.length) return ConversionResult.Continue;
  return ConversionResult.Pass;
}

export interface ConverterCounters {
  /** Events converted to a newer layout. */
  converted: number;
  /** Events dropped (enter events kept for their exit, unused and obsolete events). */
  dropped: number;
  /** Events that could not be converted (dropped too; libscap stops reading at the first). */
  errors: number;
}

export class ConversionError extends Error {}

/**
 * Converts old-layout events; keeps one enter event per thread for its exit. Allocation-free in
 * the steady state: results are built in two scratch buffers used in turn, kept events reuse
 * their buffers.
 */
export class ScapConverter {
  private readonly kept = new Map<number, KeptEvent>();
  readonly counters: ConverterCounters = { converted: 0, dropped: 0, errors: 0 };
  /** The reader's event, indexed (see convert). */
  readonly input = new LayoutEvent();
  private readonly scratch = [new LayoutEvent(), new LayoutEvent()];
  private readonly scratchBufs = [new Uint8Array(MAX_EVENT_SIZE + HEADER), new Uint8Array(MAX_EVENT_SIZE + HEADER)];
  // Per parameter of the event being built: source kind, source parameter (for defaults: the
  // instruction), length.
  private kind = new Uint8Array(64);
  private srcParam = new Int32Array(64);
  private plen = new Int32Array(64);

  /**
   * Indexes the reader's event bytes (`raw`: as stored, V1 or V2 header) as the input of convert.
   */
  indexInput(raw: Uint8Array, isV1: boolean, type: number, nparams: number): LayoutEvent {
    return this.input.index(raw, 0, isV1 ? HEADER_V1 : HEADER, type, nparams, raw.length);
  }

  /**
   * Converts `evt` (usually `input`). Returns 'unchanged' when it passes as it is, the converted
   * event (valid until the next call), or undefined when it is dropped. Throws ConversionError
   * when it cannot be converted (counted).
   */
  convert(evt: LayoutEvent): LayoutEvent | undefined | 'unchanged' {
    const type = evt.type;
    const first = convertibility(type, evt.nparams);
    if (first === ConversionResult.Pass) return 'unchanged';
    if (first === ConversionResult.Drop) {
      this.counters.dropped++;
      return undefined;
    }
    try {
      if (first === ConversionResult.Error) {
        throw new ConversionError(`old event ${EVENT_INFO[type]?.enumName ?? type} has no conversion rule`);
      }
      for (let step = 0; step < MAX_CONVERSIONS; step++) {
        const conv = evt.nparams < KEY_NPARAMS ? TABLE[evt.type * KEY_NPARAMS + evt.nparams] : undefined;
        if (conv === undefined) {
          throw new ConversionError(`no conversion for ${EVENT_INFO[evt.type]?.enumName}/${evt.nparams}`);
        }
        switch (conv.action) {
          case STORE:
            this.keep(evt);
            this.counters.dropped++;
            return undefined;
          case PASS:
            return step === 0 ? 'unchanged' : this.done(evt);
          case STORE_PASS:
            this.keep(evt);
            return step === 0 ? 'unchanged' : this.done(evt);
          default:
            break;
        }
        evt = this.rebuild(evt, conv);
        const res = convertibility(evt.type, evt.nparams);
        if (res === ConversionResult.Pass) return this.done(evt);
        if (res === ConversionResult.Drop) {
          this.counters.dropped++;
          return undefined;
        }
        if (res === ConversionResult.Error) {
          throw new ConversionError(`conversion of ${EVENT_INFO[type]?.enumName} produced an old event`);
        }
      }
      throw new ConversionError(`conversion of ${EVENT_INFO[type]?.enumName ?? type} did not reach a current event`);
    } catch (e) {
      if (e instanceof ConversionError) this.counters.errors++;
      throw e;
    }
  }

  private done(evt: LayoutEvent): LayoutEvent {
    this.counters.converted++;
    return evt;
  }

  private keep(evt: LayoutEvent): void {
    let k = this.kept.get(evt.tid);
    if (k === undefined) {
      // Entries stay after use (valid = false) so that a thread's next enter event reuses its
      // buffer; used ones are pruned when many threads have come and gone.
      if (this.kept.size >= KEPT_PRUNE_AT) this.prune();
      k = new KeptEvent();
      this.kept.set(evt.tid, k);
    }
    k.copyFrom(evt);
  }

  private keptFor(tid: number): KeptEvent | undefined {
    const k = this.kept.get(tid);
    return k !== undefined && k.valid ? k : undefined;
  }

  private prune(): void {
    for (const [tid, k] of this.kept) if (!k.valid) this.kept.delete(tid);
  }

  /** Applies an ADD or TO conversion into the scratch buffer `evt` does not use. */
  private rebuild(evt: LayoutEvent, conv: Conversion): LayoutEvent {
    const slot = evt === this.scratch[0] ? 1 : 0;
    const inherited = conv.inherited;
    const n = conv.nparams;
    if (this.kind.length < n) {
      this.kind = new Uint8Array(n * 2);
      this.srcParam = new Int32Array(n * 2);
      this.plen = new Int32Array(n * 2);
    }
    const kind = this.kind;
    const srcParam = this.srcParam;
    const plen = this.plen;
    for (let i = 0; i < inherited; i++) {
      kind[i] = FROM_EVENT;
      srcParam[i] = i;
      plen[i] = evt.lens[i]!;
    }
    let enter: KeptEvent | undefined;
    let usedEnter = false;
    let json: Uint8Array | undefined;
    const count = n - inherited;
    for (let j = 0; j < count; j++) {
      const at = inherited + j;
      const p = conv.param[j]!;
      switch (conv.kind[j]) {
        case FROM_DEFAULT:
          kind[at] = FROM_DEFAULT;
          srcParam[at] = j;
          plen[at] = conv.defaultSize[j]!;
          break;
        case FROM_JSON:
          json = containerJson(evt);
          kind[at] = FROM_JSON;
          plen[at] = json.length;
          break;
        case FROM_EVENT:
          if (p >= evt.nparams) {
            throw new ConversionError(`parameter ${p} missing from ${EVENT_INFO[evt.type]?.enumName}`);
          }
          kind[at] = FROM_EVENT;
          srcParam[at] = p;
          plen[at] = Math.min(evt.lens[p]!, conv.maxSize[j]!);
          break;
        default: {
          enter ??= this.keptFor(evt.tid);
          if (enter === undefined) {
            kind[at] = FROM_DEFAULT;
            srcParam[at] = j;
            plen[at] = conv.emptyFallback[j] === 1 ? 0 : conv.defaultSize[j]!;
            break;
          }
          if (enter.type !== evt.type - 1) {
            throw new ConversionError(
              `the enter event kept for ${EVENT_INFO[evt.type]?.enumName} is ${EVENT_INFO[enter.type]?.enumName}`,
            );
          }
          if (enter.nparams <= p) {
            throw new ConversionError(`parameter ${p} missing from the enter event ${EVENT_INFO[enter.type]?.enumName}`);
          }
          usedEnter = true;
          kind[at] = FROM_KEPT;
          srcParam[at] = p;
          plen[at] = Math.min(enter.lens[p]!, conv.maxSize[j]!);
        }
      }
    }
    const width = conv.width;
    let size = HEADER + n * width;
    for (let i = 0; i < n; i++) size += plen[i]!;
    if (size > MAX_EVENT_SIZE) throw new ConversionError('converted event too large');

    const out = this.scratchBufs[slot]!;
    let pos = writeHeader(out, evt, conv.target, n, width, plen, size);
    for (let i = 0; i < n; i++) {
      const len = plen[i]!;
      switch (kind[i]) {
        case FROM_EVENT:
          copyBytes(out, pos, evt.buf, evt.offs[srcParam[i]!]!, len);
          break;
        case FROM_KEPT:
          copyBytes(out, pos, enter!.buf, enter!.offs[srcParam[i]!]!, len);
          break;
        case FROM_JSON:
          out.set(json!, pos);
          break;
        default: {
          // default values: zeros, all ones for uid/gid
          const fill = conv.fill[srcParam[i]!]!;
          for (let k = 0; k < len; k++) out[pos + k] = fill;
        }
      }
      pos += len;
    }
    const result = this.scratch[slot]!.index(out, 0, HEADER, conv.target, n, size);
    if (usedEnter) enter!.valid = false;
    return result;
  }

  clear(): void {
    this.kept.clear();
  }
}

/** The JSON parameter of a container event built from an old one's id, type, name and image. */
function containerJson(evt: LayoutEvent): Uint8Array {
  const text = (i: number): string => {
    if (i >= evt.nparams) return '';
    const s = evt.offs[i]!;
    const p = evt.buf.subarray(s, s + evt.lens[i]!);
    const end = p.indexOf(0);
    return Buffer.from(p.subarray(0, end === -1 ? p.length : end)).toString('utf8');
  };
  let ctype = 0;
  if (evt.nparams > 1 && evt.lens[1]! >= 4) {
    const s = evt.offs[1]!;
    ctype = (evt.buf[s]! | (evt.buf[s + 1]! << 8) | (evt.buf[s + 2]! << 16)) + evt.buf[s + 3]! * 0x1000000;
  }
  const json = `{"id":"${text(0)}","type":${ctype},"name":"${text(2)}","image":"${text(3)}"}`;
  return Buffer.from(json + '\0', 'utf8');
}
