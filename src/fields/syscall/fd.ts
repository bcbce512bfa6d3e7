// Fields of the file descriptor an event acts on (libsinsp's "fd" class): files, sockets and
// their endpoints, device and inode, overlayfs layer.
import { declareClass } from '../declare.js';

/** The fd.ip/fd.port/fd.net style fields: they match either endpoint, so only conditions use them. */
const EITHER_ENDPOINT = { filterOnly: true, noRhs: true, noTransformer: true } as const;
/** Name resolution fields (fd.cip.name ...). */
const RESOLVED_NAME = { noRhs: true, noTransformer: true } as const;

export const fdClass = declareClass(
  {
    name: 'fd',
    desc: 'The file descriptor a system call acts on, for every event that has one among its arguments.',
  },
  [
    { name: 'fd.num', type: 'INT64', desc: 'Number of the file descriptor.' },
    {
      name: 'fd.type',
      type: 'CHARBUF',
      desc:
        "Kind of file descriptor: 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', " +
        "'eventpoll', 'inotify', 'memfd' and so on.",
    },
    {
      name: 'fd.typechar',
      type: 'CHARBUF',
      desc:
        "Kind of file descriptor as one character: 'f' file, '4' IPv4 socket, '6' IPv6 socket, 'u' unix socket " +
        "(also userfaultfd), 'p' pipe, 'e' eventfd, 's' signalfd, 'l' eventpoll, 'i' inotify, 'b' bpf, " +
        "'r' io_uring, 'm' memfd, 'o' unknown.",
    },
    {
      name: 'fd.name',
      type: 'CHARBUF',
      desc: 'Full name of the file descriptor: the absolute path for files, the connection tuple for sockets.',
    },
    { name: 'fd.directory', type: 'CHARBUF', desc: 'For files, the directory the file is in.' },
    { name: 'fd.filename', type: 'CHARBUF', desc: 'For files, the file name without its directory.' },
    { name: 'fd.ip', type: 'IPADDR', ...EITHER_ENDPOINT, desc: 'Matches the IP address of either end (client or server).' },
    { name: 'fd.cip', type: 'IPADDR', desc: 'IP address of the client end.' },
    { name: 'fd.sip', type: 'IPADDR', desc: 'IP address of the server end.' },
    { name: 'fd.lip', type: 'IPADDR', desc: 'Local IP address.' },
    { name: 'fd.rip', type: 'IPADDR', desc: 'Remote IP address.' },
    { name: 'fd.port', type: 'PORT', ...EITHER_ENDPOINT, desc: 'Matches the port of either end (client or server).' },
    { name: 'fd.cport', type: 'PORT', desc: 'For TCP and UDP sockets, the client port.' },
    { name: 'fd.sport', type: 'PORT', desc: 'For TCP and UDP sockets, the server port.' },
    { name: 'fd.lport', type: 'PORT', desc: 'For TCP and UDP sockets, the local port.' },
    { name: 'fd.rport', type: 'PORT', desc: 'For TCP and UDP sockets, the remote port.' },
    { name: 'fd.l4proto', type: 'CHARBUF', desc: "IP protocol of a socket: 'tcp', 'udp', 'icmp' or 'raw'." },
    { name: 'fd.sockfamily', type: 'CHARBUF', desc: "Family of a socket: 'ip' or 'unix'." },
    { name: 'fd.is_server', type: 'BOOL', desc: "'true' if the process that owns the descriptor is the server end of the connection." },
    { name: 'fd.uid', type: 'CHARBUF', desc: 'Identifier of the descriptor unique across threads: the fd number joined with the thread id.' },
    {
      name: 'fd.containername',
      type: 'CHARBUF',
      desc: 'Container id joined with the descriptor name: tells which container a descriptor belongs to.',
    },
    {
      name: 'fd.containerdirectory',
      type: 'CHARBUF',
      desc: 'Container id joined with the directory name: tells which container a directory belongs to.',
    },
    { name: 'fd.proto', type: 'PORT', ...EITHER_ENDPOINT, desc: 'Matches the protocol of either end (client or server).' },
    { name: 'fd.cproto', type: 'CHARBUF', desc: 'For TCP and UDP sockets, the protocol of the client end.' },
    { name: 'fd.sproto', type: 'CHARBUF', desc: 'For TCP and UDP sockets, the protocol of the server end.' },
    { name: 'fd.lproto', type: 'CHARBUF', desc: 'For TCP and UDP sockets, the protocol of the local end.' },
    { name: 'fd.rproto', type: 'CHARBUF', desc: 'For TCP and UDP sockets, the protocol of the remote end.' },
    { name: 'fd.net', type: 'IPNET', ...EITHER_ENDPOINT, desc: 'Matches the IP network of either end (client or server).' },
    { name: 'fd.cnet', type: 'IPNET', ...EITHER_ENDPOINT, desc: 'Matches the IP network of the client end.' },
    { name: 'fd.snet', type: 'IPNET', ...EITHER_ENDPOINT, desc: 'Matches the IP network of the server end.' },
    { name: 'fd.lnet', type: 'IPNET', ...EITHER_ENDPOINT, desc: 'Matches the local IP network.' },
    { name: 'fd.rnet', type: 'IPNET', ...EITHER_ENDPOINT, desc: 'Matches the remote IP network.' },
    { name: 'fd.connected', type: 'BOOL', desc: "For TCP and UDP sockets, 'true' if the socket is connected." },
    {
      name: 'fd.name_changed',
      type: 'BOOL',
      desc:
        'True when the event changes the name of the file descriptor it uses, as happens with UDP sockets whose ' +
        'connection tuple changes.',
    },
    { name: 'fd.cip.name', type: 'CHARBUF', ...RESOLVED_NAME, desc: 'Domain name of the client IP address.' },
    { name: 'fd.sip.name', type: 'CHARBUF', ...RESOLVED_NAME, desc: 'Domain name of the server IP address.' },
    { name: 'fd.lip.name', type: 'CHARBUF', ...RESOLVED_NAME, desc: 'Domain name of the local IP address.' },
    { name: 'fd.rip.name', type: 'CHARBUF', ...RESOLVED_NAME, desc: 'Domain name of the remote IP address.' },
    { name: 'fd.dev', type: 'INT32', printFormat: 'HEX', desc: 'Device number (major and minor) of the device holding the file.' },
    { name: 'fd.dev.major', type: 'INT32', desc: 'Major number of the device holding the file.' },
    { name: 'fd.dev.minor', type: 'INT32', desc: 'Minor number of the device holding the file.' },
    { name: 'fd.ino', type: 'INT64', desc: 'Inode number of the file.' },
    {
      name: 'fd.nameraw',
      type: 'CHARBUF',
      desc:
        'For file paths only, the name of the descriptor as given: like fd.name but not made absolute, and only ' +
        'lightly cleaned.',
    },
    {
      name: 'fd.types',
      type: 'CHARBUF',
      isList: true,
      arg: { syntax: 'fd-types', required: false },
      noRhs: true,
      desc:
        'Kinds of the file descriptors the process has open. fd.types[N] gives the kind of descriptor N alone, ' +
        'as a one-element list (fd.types[1] is standard output).',
    },
    { name: 'fd.is_upper_layer', type: 'BOOL', desc: "'true' if the file is in the upper layer of an overlayfs." },
    { name: 'fd.is_lower_layer', type: 'BOOL', desc: "'true' if the file is in a lower layer of an overlayfs." },
  ],
);
