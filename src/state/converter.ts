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

interface Instruction {
  readonly kind: 'old' | 'enter' | 'default' | 'empty' | 'json';
  readonly param: number;
  /** For `enter`: an empty parameter (instead of the default) when no enter event is kept. */
  readonly emptyFallback: boolean;
}

interface Conversion {
  readonly action: 'store' | 'pass' | 'store+pass' | 'add' | 'to';
  readonly target: number;
  readonly instructions: readonly Instruction[];
}

function parseInstruction(text: string): Instruction {
  if (text === 'd') return { kind: 'default', param: 0, emptyFallback: false };
  if (text === '-') return { kind: 'empty', param: 0, emptyFallback: false };
  if (text === 'json') return { kind: 'json', param: 0, emptyFallback: true };
  const n = Number(text.slice(1));
  if (text[0] === 'o') return { kind: 'old', param: n, emptyFallback: false };
  return { kind: 'enter', param: n, emptyFallback: text[0] === 'e' };
}

function codeOf(enumName: string): number {
  const code = (EVENT_CODE as Readonly<Record<string, number>>)[enumName];
  if (code === undefined) throw new Error(`conversion table names an unknown event ${enumName}`);
  return code;
}

/** Parsed conversion table: code * 256 + nparams → conversion. */
const TABLE: ReadonlyMap<number, Conversion> = (() => {
  const m = new Map<number, Conversion>();
  for (const [key, spec] of Object.entries(CONVERSIONS)) {
    const [name, np] = key.split('/') as [string, string];
    const code = codeOf(name);
    let conv: Conversion;
    if (spec === 'store' || spec === 'pass' || spec === 'store+pass') {
      conv = { action: spec, target: code, instructions: [] };
    } else if (spec.startsWith('add')) {
      conv = { action: 'add', target: code, instructions: spec.slice(3).trim().split(/\s+/).map(parseInstruction) };
    } else {
      const [head, rest] = spec.slice(3).split(':') as [string, string];
      const list = rest.trim();
      conv = { action: 'to', target: codeOf(head.trim()), instructions: list === '' ? [] : list.split(/\s+/).map(parseInstruction) };
    }
    m.set(code * 256 + Number(np), conv);
  }
  return m;
})();

const MAX_CONVERSIONS = 50;
/** Largest event the converter builds (libscap's MAX_EVENT_SIZE). */
const MAX_EVENT_SIZE = 64 * 1024;
const HEADER = 26;

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

/** A decoded event in the current (V2) layout: header fields and parameter slices. */
export class RawEvent {
  ts = 0n;
  tid = 0n;
  type = 0;
  readonly params: Uint8Array[] = [];

  get nparams(): number {
    return this.params.length;
  }

  /** Reads an event in V2 layout (26-byte header) from `b`. */
  static decode(b: Uint8Array): RawEvent {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const e = new RawEvent();
    e.ts = dv.getBigUint64(0, true);
    e.tid = dv.getBigInt64(8, true);
    const len = dv.getUint32(16, true);
    e.type = dv.getUint16(20, true);
    const n = dv.getUint32(22, true);
    const width = EVENT_INFO[e.type]?.largePayload ? 4 : 2;
    let pos = HEADER + n * width;
    for (let i = 0; i < n; i++) {
      const l = width === 2 ? dv.getUint16(HEADER + 2 * i, true) : dv.getUint32(HEADER + 4 * i, true);
      const end = Math.min(pos + l, len, b.length);
      e.params.push(b.subarray(Math.min(pos, end), end));
      pos += l;
    }
    return e;
  }

  /** Encodes the event in V2 layout. */
  encode(): Uint8Array {
    const width = EVENT_INFO[this.type]?.largePayload ? 4 : 2;
    let len = HEADER + this.params.length * width;
    for (const p of this.params) len += p.length;
    const out = new Uint8Array(len);
    const dv = new DataView(out.buffer);
    dv.setBigUint64(0, this.ts, true);
    dv.setBigInt64(8, this.tid, true);
    dv.setUint32(16, len, true);
    dv.setUint16(20, this.type, true);
    dv.setUint32(22, this.params.length, true);
    let pos = HEADER + this.params.length * width;
    this.params.forEach((p, i) => {
      if (width === 2) dv.setUint16(HEADER + 2 * i, p.length, true);
      else dv.setUint32(HEADER + 4 * i, p.length, true);
      out.set(p, pos);
      pos += p.length;
    });
    return out;
  }
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

/** Converts old-layout events; keeps one enter event per thread for its exit. */
export class ScapConverter {
  private readonly kept = new Map<bigint, RawEvent>();
  readonly counters: ConverterCounters = { converted: 0, dropped: 0, errors: 0 };

  /**
   * Converts an event of code `type` with `nparams` parameters; `raw` decodes it (a copy: kept
   * enter events outlive the reader's buffer). Returns 'unchanged' when it passes as it is, the
   * converted event, or undefined when it is dropped. Throws ConversionError when it cannot be
   * converted (counted).
   */
  convert(raw: () => RawEvent, type: number, nparams: number): RawEvent | undefined | 'unchanged' {
    const first = convertibility(type, nparams);
    if (first === ConversionResult.Pass) return 'unchanged';
    if (first === ConversionResult.Drop) {
      this.counters.dropped++;
      return undefined;
    }
    try {
      if (first === ConversionResult.Error) {
        throw new ConversionError(`old event ${EVENT_INFO[type]?.enumName ?? type} has no conversion rule`);
      }
      let evt = raw();
      for (let step = 0; step < MAX_CONVERSIONS; step++) {
        const conv = TABLE.get(evt.type * 256 + evt.nparams);
        if (conv === undefined) {
          throw new ConversionError(`no conversion for ${EVENT_INFO[evt.type]?.enumName}/${evt.nparams}`);
        }
        switch (conv.action) {
          case 'store':
            this.kept.set(evt.tid, evt);
            this.counters.dropped++;
            return undefined;
          case 'pass':
            return step === 0 ? 'unchanged' : this.done(evt);
          case 'store+pass':
            this.kept.set(evt.tid, evt);
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

  private done(evt: RawEvent): RawEvent {
    this.counters.converted++;
    return evt;
  }

  /** Applies an `add` or `to` conversion. */
  private rebuild(evt: RawEvent, conv: Conversion): RawEvent {
    const out = new RawEvent();
    out.ts = evt.ts;
    out.tid = evt.tid;
    if (conv.action === 'add') {
      out.type = evt.type;
      out.params.push(...evt.params);
    } else {
      out.type = conv.target;
    }
    const info = EVENT_INFO[out.type]!;
    const width = info.largePayload ? 4 : 2;
    let usedEnter = false;
    for (const ins of conv.instructions) {
      const at = out.params.length;
      const ptype = info.params[at]?.type ?? PT.BYTEBUF;
      switch (ins.kind) {
        case 'empty':
          out.params.push(new Uint8Array(0));
          break;
        case 'default':
          out.params.push(defaultValue(ptype));
          break;
        case 'json':
          out.params.push(containerJson(evt));
          break;
        case 'old': {
          if (ins.param >= evt.params.length) {
            throw new ConversionError(`parameter ${ins.param} missing from ${EVENT_INFO[evt.type]?.enumName}`);
          }
          out.params.push(capped(evt.params[ins.param]!, maxSize(ptype, width)));
          break;
        }
        case 'enter': {
          const enter = this.kept.get(evt.tid);
          if (enter === undefined) {
            out.params.push(ins.emptyFallback ? new Uint8Array(0) : defaultValue(ptype));
            break;
          }
          if (enter.type !== evt.type - 1) {
            throw new ConversionError(
              `the enter event kept for ${EVENT_INFO[evt.type]?.enumName} is ${EVENT_INFO[enter.type]?.enumName}`,
            );
          }
          if (enter.params.length <= ins.param) {
            throw new ConversionError(`parameter ${ins.param} missing from the enter event ${EVENT_INFO[enter.type]?.enumName}`);
          }
          usedEnter = true;
          out.params.push(capped(enter.params[ins.param]!, maxSize(ptype, width)));
          break;
        }
      }
    }
    if (usedEnter) this.kept.delete(evt.tid);
    let size = HEADER + out.params.length * width;
    for (const p of out.params) size += p.length;
    if (size > MAX_EVENT_SIZE) throw new ConversionError('converted event too large');
    return out;
  }

  clear(): void {
    this.kept.clear();
  }
}

function capped(p: Uint8Array, max: number): Uint8Array {
  return p.length > max ? p.subarray(0, max) : p;
}

function defaultValue(type: number): Uint8Array {
  const size = fixedSize(type);
  const v = new Uint8Array(size);
  if (type === PT.UID || type === PT.GID) v.fill(0xff);
  return v;
}

/** The JSON parameter of a container event built from an old one's id, type, name and image. */
function containerJson(evt: RawEvent): Uint8Array {
  const text = (i: number): string => {
    const p = evt.params[i] ?? new Uint8Array(0);
    const end = p.indexOf(0);
    return Buffer.from(p.subarray(0, end === -1 ? p.length : end)).toString('utf8');
  };
  const t = evt.params[1];
  const ctype = t !== undefined && t.length >= 4 ? new DataView(t.buffer, t.byteOffset, 4).getUint32(0, true) : 0;
  const json = `{"id":"${text(0)}","type":${ctype},"name":"${text(2)}","image":"${text(3)}"}`;
  return Buffer.from(json + '\0', 'utf8');
}
