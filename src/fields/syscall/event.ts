// Fields of system call events (libsinsp's "evt (Syscall events only)" class): type, direction,
// arguments, return value, I/O classification, and the counters used by table views.
//
// JSON output note: evt.outputtime renders in JSON as the timestamp in ns; the latency and
// deltatime fields as plain numbers; evt.count as 1.
import { declareClass } from '../declare.js';

export const syscallEventClass = declareClass(
  {
    name: 'evt',
    shortDesc: 'Syscall events only',
    desc:
      'Fields of system call events. The parameters of most events can also be read one by one ' +
      'with evt.arg, for instance evt.arg.filename.',
  },
  [
    {
      name: 'evt.latency',
      type: 'RELTIME',
      deprecated: true,
      desc: 'Nanoseconds between the enter event of a system call and its exit event.',
    },
    { name: 'evt.latency.s', type: 'RELTIME', deprecated: true, desc: 'Whole seconds of the event latency.' },
    {
      name: 'evt.latency.ns',
      type: 'RELTIME',
      deprecated: true,
      printFormat: 'PADDED_DEC',
      desc: 'Nanoseconds part (below one second) of the event latency.',
    },
    {
      name: 'evt.latency.quantized',
      type: 'UINT64',
      hidden: true,
      deprecated: true,
      desc: 'Base-10 logarithm of the latency between enter and exit event.',
    },
    {
      name: 'evt.latency.human',
      type: 'CHARBUF',
      deprecated: true,
      desc: 'Latency between enter and exit event as readable text, e.g. 10.3ms.',
    },
    { name: 'evt.deltatime', type: 'RELTIME', desc: 'Nanoseconds elapsed since the previous event.' },
    { name: 'evt.deltatime.s', type: 'RELTIME', desc: 'Whole seconds elapsed since the previous event.' },
    {
      name: 'evt.deltatime.ns',
      type: 'RELTIME',
      printFormat: 'PADDED_DEC',
      desc: 'Nanoseconds part (below one second) of the time elapsed since the previous event.',
    },
    {
      name: 'evt.outputtime',
      type: 'CHARBUF',
      outputOnly: true,
      desc: 'Event time in the format chosen for outputs (by default the same as evt.time).',
    },
    {
      name: 'evt.dir',
      type: 'CHARBUF',
      deprecated: true,
      desc: "Direction of the event: '>' when entering a system call, '<' when leaving it.",
    },
    { name: 'evt.type', type: 'CHARBUF', desc: "Name of the event, e.g. 'open'." },
    {
      name: 'evt.type.is',
      type: 'UINT32',
      arg: { syntax: 'evt-type-is', required: true },
      desc: 'Written evt.type.is.NAME: 1 when the event is of type NAME (e.g. evt.type.is.open), 0 otherwise.',
    },
    {
      name: 'syscall.type',
      type: 'CHARBUF',
      desc:
        "For events that are system calls, the system call's name (e.g. 'open'); no value for other events " +
        'such as scheduler switches or internal events. Prefer it to evt.type to make sure the event is a system call.',
    },
    {
      name: 'evt.category',
      type: 'CHARBUF',
      desc:
        "Category of the event, e.g. 'file' for file operations such as open and close, 'net' for network " +
        "operations such as socket and bind, 'memory' for calls such as brk or mmap.",
    },
    { name: 'evt.cpu', type: 'INT16', desc: 'Number of the CPU the event happened on.' },
    { name: 'evt.args', type: 'CHARBUF', desc: 'Every argument of the event, joined into one string.' },
    {
      name: 'evt.arg',
      type: 'CHARBUF',
      arg: { syntax: 'evt-arg', required: true },
      desc:
        "One argument of the event, named (evt.arg.fd) or by position (evt.arg[0]). Values such as file " +
        'descriptors and return codes are shown as text where possible.',
    },
    {
      name: 'evt.rawarg',
      type: 'DYN',
      arg: { syntax: 'evt-rawarg', required: true },
      noRhs: true,
      noTransformer: true,
      desc: 'One argument of the event, by name (evt.rawarg.fd), as its raw value with the type the event table gives it.',
    },
    { name: 'evt.info', type: 'CHARBUF', desc: "Same value as 'evt.args'." },
    {
      name: 'evt.buffer',
      type: 'BYTEBUF',
      desc:
        "Data buffer of the events that carry one, such as read() or recvfrom(). Use it with 'contains' to " +
        'search I/O data.',
    },
    { name: 'evt.buflen', type: 'UINT64', desc: 'Length of the data buffer of the events that carry one, such as read() or recvfrom().' },
    {
      name: 'evt.res',
      type: 'CHARBUF',
      desc: "Return value of the event as text: an error code name such as 'ENOENT' when it failed, 'SUCCESS' otherwise.",
    },
    { name: 'evt.rawres', type: 'INT64', desc: 'Return value of the event as a number (e.g. -2); handy for range comparisons.' },
    { name: 'evt.failed', type: 'BOOL', desc: "'true' for events that returned an error." },
    { name: 'evt.is_io', type: 'BOOL', desc: "'true' for events that read from or write to file descriptors, such as read(), send() or recvfrom()." },
    { name: 'evt.is_io_read', type: 'BOOL', desc: "'true' for events that read from file descriptors, such as read(), recv() or recvfrom()." },
    { name: 'evt.is_io_write', type: 'BOOL', desc: "'true' for events that write to file descriptors, such as write() or send()." },
    { name: 'evt.io_dir', type: 'CHARBUF', desc: "'r' for events that read from file descriptors (read()), 'w' for those that write (write())." },
    { name: 'evt.is_wait', type: 'BOOL', desc: "'true' for events that put the thread to wait, such as sleep(), select() or poll()." },
    {
      name: 'evt.wait_latency',
      type: 'RELTIME',
      deprecated: true,
      desc: 'For events that put the thread to wait (sleep(), select(), poll()), the nanoseconds spent waiting for the call to return.',
    },
    { name: 'evt.is_syslog', type: 'BOOL', desc: "'true' for writes to /dev/log." },
    { name: 'evt.count', type: 'UINT32', desc: 'Always 1: counts events.' },
    { name: 'evt.count.error', type: 'UINT32', desc: '1 for events that returned an error.' },
    { name: 'evt.count.error.file', type: 'UINT32', desc: '1 for file I/O events that returned an error.' },
    { name: 'evt.count.error.net', type: 'UINT32', desc: '1 for network I/O events that returned an error.' },
    { name: 'evt.count.error.memory', type: 'UINT32', desc: '1 for memory allocation events that returned an error.' },
    { name: 'evt.count.error.other', type: 'UINT32', desc: '1 for events that returned an error and are not file, network or memory events.' },
    { name: 'evt.count.exit', type: 'UINT32', desc: '1 for exit events.' },
    { name: 'evt.count.procinfo', type: 'UINT32', hidden: true, desc: '1 for procinfo events of main threads.' },
    { name: 'evt.count.threadinfo', type: 'UINT32', hidden: true, desc: '1 for procinfo events.' },
    {
      name: 'evt.around',
      type: 'UINT64',
      arg: { syntax: 'evt-around', required: true },
      filterOnly: true,
      noRhs: true,
      noTransformer: true,
      desc:
        'Written evt.around[T]=D: true for events within D milliseconds before or after the time T, given as ' +
        'evt.rawtime prints it. For example evt.around[1404996934793590564]=1000 keeps the two seconds around that event.',
    },
    {
      name: 'evt.abspath',
      type: 'CHARBUF',
      arg: { syntax: 'evt-abspath', required: true },
      desc:
        'Absolute path made from a directory file descriptor and a relative name, for system calls such as ' +
        'renameat or symlinkat. For the calls that take two paths use evt.abspath.src and evt.abspath.dst.',
    },
    { name: 'evt.buflen.in', type: 'UINT64', hidden: true, desc: 'Data buffer length, for input I/O events only.' },
    { name: 'evt.buflen.out', type: 'UINT64', hidden: true, desc: 'Data buffer length, for output I/O events only.' },
    { name: 'evt.buflen.file', type: 'UINT64', hidden: true, desc: 'Data buffer length, for file I/O events only.' },
    { name: 'evt.buflen.file.in', type: 'UINT64', hidden: true, desc: 'Data buffer length, for file input events only.' },
    { name: 'evt.buflen.file.out', type: 'UINT64', hidden: true, desc: 'Data buffer length, for file output events only.' },
    { name: 'evt.buflen.net', type: 'UINT64', hidden: true, desc: 'Data buffer length, for network I/O events only.' },
    { name: 'evt.buflen.net.in', type: 'UINT64', hidden: true, desc: 'Data buffer length, for network input events only.' },
    { name: 'evt.buflen.net.out', type: 'UINT64', hidden: true, desc: 'Data buffer length, for network output events only.' },
    {
      name: 'evt.is_open_read',
      type: 'BOOL',
      desc: "'true' for open, openat, openat2 and open_by_handle_at events that opened the path for reading.",
    },
    {
      name: 'evt.is_open_write',
      type: 'BOOL',
      desc: "'true' for open, openat, openat2 and open_by_handle_at events that opened the path for writing.",
    },
    { name: 'evt.infra.docker.name', type: 'CHARBUF', hidden: true, desc: 'Name of a docker infrastructure event.' },
    { name: 'evt.infra.docker.container.id', type: 'CHARBUF', hidden: true, desc: 'Container id a docker infrastructure event concerns.' },
    { name: 'evt.infra.docker.container.name', type: 'CHARBUF', hidden: true, desc: 'Container name a docker infrastructure event concerns.' },
    { name: 'evt.infra.docker.container.image', type: 'CHARBUF', hidden: true, desc: 'Image of the container a docker infrastructure event concerns.' },
    {
      name: 'evt.is_open_exec',
      type: 'BOOL',
      desc: "'true' for open, openat, openat2, open_by_handle_at and creat events that create a file with execute permission.",
    },
    {
      name: 'evt.is_open_create',
      type: 'BOOL',
      desc: "'true' for open, openat, openat2 and open_by_handle_at events that created the file.",
    },
  ],
);
