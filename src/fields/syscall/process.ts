// Fields of the process and thread that executed the event (libsinsp's "process" class: proc.*
// and thread.*), including the ancestor fields (proc.aname[N] ...).
import { ANCESTOR_ARG, declareClass } from '../declare.js';

/** Ancestor fields: `proc.aname[N]` is the Nth ancestor, bare `proc.aname` matches any ancestor. */
const ANCESTOR = { arg: ANCESTOR_ARG, noRhs: true, noTransformer: true } as const;

export const processClass = declareClass(
  {
    name: 'process',
    desc: 'The process and the thread that executed the system call.',
    // libsinsp reports names starting with `arg` (an old, never implemented proc.arg) this way.
    reject: (text) => (text.startsWith('arg') ? 'filter error: proc.arg filter not implemented yet' : undefined),
  },
  [
    {
      name: 'proc.exe',
      type: 'CHARBUF',
      desc:
        'First command-line argument (argv[0]): usually the executable name, but the caller may set any text. ' +
        'Taken from the system call arguments (up to 4096 bytes), or else from /proc/PID/cmdline (up to 1024 bytes). ' +
        'It can differ from the last component of proc.exepath.',
    },
    { name: 'proc.pexe', type: 'CHARBUF', desc: 'proc.exe (argv[0]) of the parent process.' },
    {
      name: 'proc.aexe',
      type: 'CHARBUF',
      ...ANCESTOR,
      desc:
        'proc.exe (argv[0]) of an ancestor: proc.aexe[1] is the parent, proc.aexe[2] the grandparent and so on, ' +
        'proc.aexe[0] the process itself. Without an index, a condition matches when any ancestor matches ' +
        '(proc.aexe endswith java), and an output shows the values of all ancestors separated by spaces.',
    },
    {
      name: 'proc.exepath',
      type: 'CHARBUF',
      desc:
        'Full path of the executable, with symbolic links resolved. Comes from the kernel, or else from ' +
        '/proc/PID/exe (up to 1024 bytes). With the modern eBPF probe, path components may be cut at 96 characters.',
    },
    { name: 'proc.pexepath', type: 'CHARBUF', desc: 'proc.exepath (full executable path) of the parent process.' },
    {
      name: 'proc.aexepath',
      type: 'CHARBUF',
      ...ANCESTOR,
      desc:
        'proc.exepath of an ancestor: proc.aexepath[1] is the parent, proc.aexepath[2] the grandparent, ' +
        'proc.aexepath[0] the process itself. Without an index, a condition matches when any ancestor matches, ' +
        'and an output shows the paths of all ancestors separated by spaces.',
    },
    {
      name: 'proc.name',
      type: 'CHARBUF',
      desc:
        "Name of the process (the kernel's task comm, at most 16 characters, a limit set by the kernel). Taken " +
        'from the system call arguments or else /proc/PID/comm. It may differ from the executable name, since a ' +
        'process can rename itself (common with Java programs).',
    },
    { name: 'proc.pname', type: 'CHARBUF', desc: 'proc.name (at most 16 characters) of the parent process.' },
    {
      name: 'proc.aname',
      type: 'CHARBUF',
      ...ANCESTOR,
      desc:
        'proc.name of an ancestor: proc.aname[1] is the parent, proc.aname[2] the grandparent, proc.aname[0] the ' +
        'process itself. Without an index, a condition matches when any ancestor matches (proc.aname=bash), and ' +
        'an output shows the names of all ancestors separated by spaces.',
    },
    {
      name: 'proc.args',
      type: 'CHARBUF',
      arg: ANCESTOR_ARG,
      desc:
        'Command-line arguments the process was started with, without argv[0] (up to 4096 bytes), from the ' +
        'system call arguments or else /proc/PID/cmdline. proc.args[N] gives one argument, counting from 0 for ' +
        'the first one after argv[0].',
    },
    {
      name: 'proc.aargs',
      type: 'CHARBUF',
      arg: ANCESTOR_ARG,
      desc:
        'proc.args of an ancestor: proc.aargs[1] is the parent, proc.aargs[2] the grandparent, proc.aargs[0] ' +
        'the process itself. Without an index, a condition matches when any ancestor matches ' +
        '(proc.aargs contains base64), and an output shows the arguments of all ancestors separated by spaces.',
    },
    {
      name: 'proc.cmdline',
      type: 'CHARBUF',
      desc: 'proc.name followed by proc.args (up to 4096 bytes), as the process was started.',
    },
    { name: 'proc.pcmdline', type: 'CHARBUF', desc: 'proc.cmdline (name and arguments) of the parent process.' },
    {
      name: 'proc.acmdline',
      type: 'CHARBUF',
      ...ANCESTOR,
      desc:
        'proc.cmdline of an ancestor: proc.acmdline[1] is the parent, proc.acmdline[2] the grandparent, ' +
        'proc.acmdline[0] the process itself. Without an index, a condition matches when any ancestor matches, ' +
        'and an output shows the command lines of all ancestors separated by spaces.',
    },
    { name: 'proc.cmdnargs', type: 'UINT64', desc: 'How many command-line arguments (proc.args) the process has.' },
    {
      name: 'proc.cmdlenargs',
      type: 'UINT64',
      desc: 'Total number of characters of the command-line arguments (proc.args), not counting the spaces between them.',
    },
    { name: 'proc.exeline', type: 'CHARBUF', desc: 'proc.exe followed by proc.args: the full command line with argv[0] first.' },
    {
      name: 'proc.env',
      type: 'CHARBUF',
      arg: { syntax: 'env', required: false },
      desc:
        "Environment of the process as one string 'NAME=value NAME1=value1'; proc.env[NAME] gives the value of one variable.",
    },
    {
      name: 'proc.aenv',
      type: 'CHARBUF',
      arg: { syntax: 'env', required: false },
      noRhs: true,
      noTransformer: true,
      desc:
        '[EXPERIMENTAL] Environment of ancestors, in three forms: without argument a condition matches when the ' +
        'environment of any ancestor matches (proc.aenv contains xyz); proc.aenv[N] is proc.env of the Nth ' +
        'ancestor; proc.aenv[NAME] is the first value of variable NAME found going up the ancestors (at most ' +
        '20 levels). May change or go away in a future release.',
    },
    { name: 'proc.cwd', type: 'CHARBUF', desc: 'Current working directory of the process.' },
    {
      name: 'proc.loginshellid',
      type: 'INT64',
      desc:
        'Pid of the oldest shell among the ancestors of the process, if any: tells apart user sessions.',
    },
    { name: 'proc.tty', type: 'UINT32', desc: 'Controlling terminal of the process; 0 when it has none.' },
    { name: 'proc.pid', type: 'INT64', desc: 'Id of the process that generated the event.' },
    { name: 'proc.ppid', type: 'INT64', desc: 'Pid of the parent of the process that generated the event.' },
    {
      name: 'proc.apid',
      type: 'INT64',
      ...ANCESTOR,
      desc:
        'Pid of an ancestor: proc.apid[1] is the parent, proc.apid[2] the grandparent, proc.apid[0] the process ' +
        'itself. Without an index, a condition matches when any ancestor matches (proc.apid=1337); in an ' +
        'output it is the pid of the process itself.',
    },
    { name: 'proc.vpid', type: 'INT64', desc: 'Id of the process as seen in its own PID namespace.' },
    { name: 'proc.pvpid', type: 'INT64', desc: 'Id of the parent process as seen in its own PID namespace.' },
    { name: 'proc.sid', type: 'INT64', desc: 'Session id of the process.' },
    {
      name: 'proc.sname',
      type: 'CHARBUF',
      desc:
        'Name of the session leader: the process whose pid is proc.sid, or else the oldest ancestor with the ' +
        'same session id.',
    },
    {
      name: 'proc.sid.exe',
      type: 'CHARBUF',
      desc:
        'argv[0] of the session leader (the process whose pid is proc.sid, or else the oldest ancestor with ' +
        'the same session id).',
    },
    {
      name: 'proc.sid.exepath',
      type: 'CHARBUF',
      desc:
        'Full executable path of the session leader (the process whose pid is proc.sid, or else the oldest ' +
        'ancestor with the same session id).',
    },
    { name: 'proc.vpgid', type: 'INT64', desc: 'Process group id of the process, as seen in its own PID namespace.' },
    {
      name: 'proc.vpgid.name',
      type: 'CHARBUF',
      desc:
        'Name of the process group leader: the process with proc.vpid equal to proc.vpgid, or else the oldest ' +
        'ancestor with the same vpgid. See also proc.is_vpgid_leader.',
    },
    {
      name: 'proc.vpgid.exe',
      type: 'CHARBUF',
      desc:
        'argv[0] of the process group leader (proc.vpid equal to proc.vpgid, or else the oldest ancestor with ' +
        'the same vpgid). See also proc.is_vpgid_leader.',
    },
    {
      name: 'proc.vpgid.exepath',
      type: 'CHARBUF',
      desc:
        'Full executable path of the process group leader (proc.vpid equal to proc.vpgid, or else the oldest ' +
        'ancestor with the same vpgid). See also proc.is_vpgid_leader.',
    },
    { name: 'proc.pgid', type: 'INT64', desc: 'Process group id of the process, as seen in the host PID namespace.' },
    {
      name: 'proc.pgid.name',
      type: 'CHARBUF',
      desc:
        'Name of the process group leader: the process with proc.pid equal to proc.pgid, or else the oldest ' +
        'ancestor with the same pgid. See also proc.is_pgid_leader.',
    },
    {
      name: 'proc.pgid.exe',
      type: 'CHARBUF',
      desc:
        'argv[0] of the process group leader (proc.pid equal to proc.pgid, or else the oldest ancestor with ' +
        'the same pgid). See also proc.is_pgid_leader.',
    },
    {
      name: 'proc.pgid.exepath',
      type: 'CHARBUF',
      desc:
        'Full executable path of the process group leader (proc.pid equal to proc.pgid, or else the oldest ' +
        'ancestor with the same pgid). See also proc.is_pgid_leader.',
    },
    { name: 'proc.duration', type: 'RELTIME', desc: 'Nanoseconds since the process started.' },
    { name: 'proc.ppid.duration', type: 'RELTIME', desc: 'Nanoseconds since the parent process started.' },
    { name: 'proc.pid.ts', type: 'RELTIME', desc: 'Start time of the process, in nanoseconds since the epoch.' },
    { name: 'proc.ppid.ts', type: 'RELTIME', desc: 'Start time of the parent process, in nanoseconds since the epoch.' },
    {
      name: 'proc.is_exe_writable',
      type: 'BOOL',
      desc: "'true' if the user who started the process can write to its executable file.",
    },
    {
      name: 'proc.is_exe_upper_layer',
      type: 'BOOL',
      desc:
        "'true' if the executable file is in the upper layer of an overlayfs. Reliable on kernels 3.18 and " +
        'later (overlayfs appeared then).',
    },
    {
      name: 'proc.is_exe_lower_layer',
      type: 'BOOL',
      desc:
        "'true' if the executable file is in a lower layer of an overlayfs. Reliable on kernels 3.18 and " +
        'later (overlayfs appeared then).',
    },
    {
      name: 'proc.is_exe_from_memfd',
      type: 'BOOL',
      desc:
        "'true' if the process runs an anonymous in-memory file made with memfd_create() and executed through " +
        'its file descriptor, with nothing on disk: a sign of in-memory code injection. Needs kernel 3.17 or later.',
    },
    {
      name: 'proc.is_sid_leader',
      type: 'BOOL',
      desc: "'true' if the process leads its session (proc.sid equals proc.vpid; for host processes vpid is the pid).",
    },
    {
      name: 'proc.is_vpgid_leader',
      type: 'BOOL',
      desc:
        "'true' if the process leads its process group (proc.vpgid equals proc.vpid; on the host these are pgid " +
        "and pid). A command typed in a terminal leads its group ('true'), while the children a script spawns " +
        "belong to the script's group ('false').",
    },
    {
      name: 'proc.is_pgid_leader',
      type: 'BOOL',
      desc:
        "'true' if the process leads its process group as seen from the host (proc.pgid equals proc.pid). A " +
        "command typed in a terminal leads its group ('true'), while the children a script spawns belong to the " +
        "script's group ('false').",
    },
    {
      name: 'proc.exe_ino',
      type: 'INT64',
      desc: 'Inode number of the executable file on disk; compare with fd.ino.',
    },
    {
      name: 'proc.exe_ino.ctime',
      type: 'ABSTIME',
      desc:
        'Last status change time (inode ctime) of the executable file, in ns since the epoch: changes with ' +
        'writes and with changes of owner, group, link count or mode.',
    },
    {
      name: 'proc.exe_ino.mtime',
      type: 'ABSTIME',
      desc:
        'Last modification time (inode mtime) of the executable file, in ns since the epoch: changes with ' +
        'writes, truncation, mknod, utime and the like. For owner, group, link count or mode changes use ' +
        'proc.exe_ino.ctime.',
    },
    {
      name: 'proc.exe_ino.ctime_duration_proc_start',
      type: 'ABSTIME',
      desc: 'Nanoseconds between the last status change of the executable file and the start of a process running it.',
    },
    {
      name: 'proc.exe_ino.ctime_duration_pidns_start',
      type: 'ABSTIME',
      desc:
        'Nanoseconds between the start of the PID namespace and the last status change of the executable file, ' +
        'when the namespace started first.',
    },
    {
      name: 'proc.pidns_init_start_ts',
      type: 'UINT64',
      desc: 'Start time of the PID namespace of the process (container or host), in ns since the epoch.',
    },
    { name: 'thread.cap_permitted', type: 'CHARBUF', desc: 'Permitted capability set of the thread.' },
    { name: 'thread.cap_inheritable', type: 'CHARBUF', desc: 'Inheritable capability set of the thread.' },
    { name: 'thread.cap_effective', type: 'CHARBUF', desc: 'Effective capability set of the thread.' },
    { name: 'proc.fdopencount', type: 'UINT64', desc: 'Number of file descriptors the process has open.' },
    { name: 'proc.fdlimit', type: 'INT64', desc: 'Highest number of file descriptors the process may open.' },
    { name: 'proc.fdusage', type: 'DOUBLE', desc: 'Open file descriptors of the process as a ratio of the most it may open.' },
    { name: 'proc.vmsize', type: 'UINT64', desc: 'Total virtual memory of the process, in kB.' },
    { name: 'proc.vmrss', type: 'UINT64', desc: 'Resident (not swapped) memory of the process, in kB.' },
    { name: 'proc.vmswap', type: 'UINT64', desc: 'Swapped-out memory of the process, in kB.' },
    { name: 'thread.pfmajor', type: 'UINT64', desc: 'Major page faults of the thread since it started.' },
    { name: 'thread.pfminor', type: 'UINT64', desc: 'Minor page faults of the thread since it started.' },
    { name: 'thread.tid', type: 'INT64', desc: 'Id of the thread that generated the event.' },
    { name: 'thread.ismain', type: 'BOOL', desc: "'true' if the thread that generated the event is the main thread of its process." },
    { name: 'thread.vtid', type: 'INT64', desc: 'Id of the thread as seen in its own PID namespace.' },
    {
      name: 'thread.nametid',
      type: 'CHARBUF',
      hidden: true,
      desc: 'Process name and thread id joined: identifies a thread for one execve.',
    },
    {
      name: 'thread.exectime',
      type: 'RELTIME',
      desc: 'CPU time in ns of the thread last scheduled; only scheduler switch events provide it.',
    },
    {
      name: 'thread.totexectime',
      type: 'RELTIME',
      desc: 'CPU time in ns the current thread used since the capture began; only scheduler switch events provide it.',
    },
    { name: 'thread.cgroups', type: 'CHARBUF', desc: 'Every cgroup of the thread, joined into one string.' },
    {
      name: 'thread.cgroup',
      type: 'CHARBUF',
      arg: { syntax: 'cgroup', required: true },
      desc: 'cgroup of the thread for one subsystem, e.g. thread.cgroup.cpuacct.',
    },
    {
      name: 'proc.nthreads',
      type: 'UINT64',
      desc:
        'Number of live threads of the process, the leader included. When the leader thread is gone it ' +
        'equals proc.nchilds.',
    },
    { name: 'proc.nchilds', type: 'UINT64', desc: 'Number of live threads of the process other than the leader thread.' },
    { name: 'thread.cpu', type: 'DOUBLE', desc: 'CPU the thread used during the last second.' },
    { name: 'thread.cpu.user', type: 'DOUBLE', desc: 'User CPU the thread used during the last second.' },
    { name: 'thread.cpu.system', type: 'DOUBLE', desc: 'System CPU the thread used during the last second.' },
    {
      name: 'thread.vmsize',
      type: 'UINT64',
      desc: 'For the main thread, the total virtual memory of the process in kB; 0 for other threads.',
    },
    {
      name: 'thread.vmrss',
      type: 'UINT64',
      desc: 'For the main thread, the resident (not swapped) memory of the process in kB; 0 for other threads.',
    },
    {
      name: 'thread.vmsize.b',
      type: 'UINT64',
      hidden: true,
      desc: 'For the main thread, the total virtual memory of the process in bytes; 0 for other threads.',
    },
    {
      name: 'thread.vmrss.b',
      type: 'UINT64',
      hidden: true,
      desc: 'For the main thread, the resident memory of the process in bytes; 0 for other threads.',
    },
    { name: 'proc.stdin.type', type: 'CHARBUF', desc: 'Type of file descriptor 0 (standard input) of the process.' },
    { name: 'proc.stdout.type', type: 'CHARBUF', desc: 'Type of file descriptor 1 (standard output) of the process.' },
    { name: 'proc.stderr.type', type: 'CHARBUF', desc: 'Type of file descriptor 2 (standard error) of the process.' },
    { name: 'proc.stdin.name', type: 'CHARBUF', desc: 'Name of file descriptor 0 (standard input) of the process.' },
    { name: 'proc.stdout.name', type: 'CHARBUF', desc: 'Name of file descriptor 1 (standard output) of the process.' },
    { name: 'proc.stderr.name', type: 'CHARBUF', desc: 'Name of file descriptor 2 (standard error) of the process.' },
  ],
);
