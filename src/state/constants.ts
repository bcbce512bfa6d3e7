// Numeric constants of the driver/libsinsp state model that the state parsers and the syscall
// field extractors share: thread flags, fd types, layer-4 protocols, open flags. Values are those
// of the scap format (they travel inside captures), so they must not be renumbered.

/** Thread flags (PPM_CL_*): clone() flags as the driver reports them plus libsinsp's own bits. */
export const CL = {
  CLONE_FILES: 1 << 0,
  CLONE_FS: 1 << 1,
  CLONE_NEWPID: 1 << 6,
  CLONE_PARENT: 1 << 8,
  CLONE_THREAD: 1 << 13,
  CLONE_VM: 1 << 15,
  /** State-only: the child's clone() exit arrived before the parent's. */
  CLONE_INVERTED: 1 << 16,
  /** State-only: the process name changed (execve). */
  NAME_CHANGED: 1 << 17,
  /** State-only: the thread exited (procexit seen). */
  CLOSED: 1 << 18,
  /** State-only: the thread generated at least one non-clone event. */
  ACTIVE: 1 << 19,
  CLONE_NEWUSER: 1 << 20,
  /** State-only: shell pipe heuristics (dup to 1 / dup to 0). */
  PIPE_SRC: 1 << 21,
  PIPE_DST: 1 << 22,
  CLONE_VFORK: 1 << 27,
  /** The child lives in a pid namespace other than the initial one. */
  CHILD_IN_PIDNS: 1 << 29,
  /** The thread is its process's main thread even though tid != pid (seen in pid namespaces). */
  IS_MAIN_THREAD: 1 << 30,
} as const;

/** Layer-4 protocols (scap_l4_proto). */
export const enum L4 {
  Unknown = 0,
  NA = 1,
  Tcp = 2,
  Udp = 3,
  Icmp = 4,
  Raw = 5,
}

/** Open flags (PPM_O_*) as the driver encodes them, plus the bits the exit probe adds. */
export const O = {
  RDONLY: 1 << 0,
  WRONLY: 1 << 1,
  CREAT: 1 << 2,
  DIRECTORY: 1 << 10,
  CLOEXEC: 1 << 12,
  TMPFILE: 1 << 13,
  F_CREATED: 1 << 14,
  FD_UPPER_LAYER: 1 << 15,
  FD_LOWER_LAYER: 1 << 16,
} as const;

/** creat() reports overlay layers in a separate 16-bit parameter. */
export const CREAT_UPPER_LAYER = 1 << 0;
export const CREAT_LOWER_LAYER = 1 << 1;

/** Execute permission bits of a mode (PPM_S_IX*). */
export const MODE_ANY_EXEC = (1 << 6) | (1 << 3) | (1 << 0);

/** execve flags parameter (PPM_EXE_*). */
export const EXE = { WRITABLE: 1 << 0, UPPER_LAYER: 1 << 1, FROM_MEMFD: 1 << 2, LOWER_LAYER: 1 << 3 } as const;

export const AT_FDCWD = -100;
export const EXECVEAT_AT_EMPTY_PATH = 1 << 0;
export const EPOLL_CLOEXEC = 1 << 0;
export const MFD_CLOEXEC = 1 << 0;
export const CLOSE_RANGE_CLOEXEC = 1 << 2;
export const RLIMIT_NOFILE = 7;
export const FCNTL_F_DUPFD = 1;
export const FCNTL_F_SETFD = 3;
export const FCNTL_F_DUPFD_CLOEXEC = 26;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_GET_CHILD_SUBREAPER = 37;
/** fcntl(F_SETFD) argument bit. */
export const FD_CLOEXEC = 1;

/** Socket families as the driver encodes them (PPM_AF_*). */
export const AF = { UNIX: 1, INET: 2, INET6: 10, NETLINK: 16, PACKET: 17 } as const;
/** Linux socket types and protocols the socket() parser distinguishes. */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_RAW = 255;

/** errno value of EINPROGRESS (connect() on a non-blocking socket). */
export const EINPROGRESS = 115;

/** Two seconds: how recent a clone must be for its thread entry to be trusted (libsinsp). */
export const CLONE_STALE_TIME_NS = 2_000_000_000;

/** Linux capability names in bit order (proc.cap_*). */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** All capabilities set: what unshare/setns(CLONE_NEWUSER) grants inside the new namespace. */
export const ALL_CAPABILITIES: bigint = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;

