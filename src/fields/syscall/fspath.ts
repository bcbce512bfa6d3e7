// Filesystem path fields (libsinsp's "fs.path" class) and the poll fd-list fields ("fdlist").
import { declareClass } from '../declare.js';

export const fsPathClass = declareClass(
  {
    name: 'fs.path',
    desc:
      'Paths that system calls take as arguments. Unlike the fd.* fields these also cover calls that act on ' +
      'paths without an open file descriptor, such as unlink or rename.',
  },
  [
    {
      name: 'fs.path.name',
      type: 'CHARBUF',
      desc: 'Path a filesystem system call acts on, made absolute (the thread working directory is prepended when needed).',
    },
    {
      name: 'fs.path.nameraw',
      type: 'CHARBUF',
      desc: 'Path a filesystem system call acts on, exactly as passed to the call (it may be relative).',
    },
    {
      name: 'fs.path.source',
      type: 'CHARBUF',
      desc: 'For calls with a source and a target path (rename, link ...), the source path, made absolute.',
    },
    {
      name: 'fs.path.sourceraw',
      type: 'CHARBUF',
      desc: 'For calls with a source and a target path (rename, link ...), the source path as passed to the call.',
    },
    {
      name: 'fs.path.target',
      type: 'CHARBUF',
      desc: 'For calls with a source and a target path (rename, link ...), the target path, made absolute.',
    },
    {
      name: 'fs.path.targetraw',
      type: 'CHARBUF',
      desc: 'For calls with a source and a target path (rename, link ...), the target path as passed to the call.',
    },
  ],
);

/** libsinsp's hidden helper class: an event counter, resolvable but never listed. */
export const utilClass = declareClass({ name: 'util', hidden: true }, [
  { name: 'util.cnt', type: 'UINT64', desc: 'Counter incremented at each event.' },
]);

export const fdListClass = declareClass(
  { name: 'fdlist', desc: 'Fields of poll events, over the file descriptors of their fds argument.' },
  [
    { name: 'fdlist.nums', type: 'CHARBUF', desc: "For poll events, the numbers of the file descriptors in the 'fds' argument, comma-separated." },
    { name: 'fdlist.names', type: 'CHARBUF', desc: "For poll events, the names of the file descriptors in the 'fds' argument, comma-separated." },
    { name: 'fdlist.cips', type: 'CHARBUF', desc: "For poll events, the client IP addresses of the file descriptors in the 'fds' argument, comma-separated." },
    { name: 'fdlist.sips', type: 'CHARBUF', desc: "For poll events, the server IP addresses of the file descriptors in the 'fds' argument, comma-separated." },
    {
      name: 'fdlist.cports',
      type: 'CHARBUF',
      desc: "For poll events, the client TCP/UDP ports of the file descriptors in the 'fds' argument, comma-separated.",
    },
    {
      name: 'fdlist.sports',
      type: 'CHARBUF',
      desc: "For poll events, the server TCP/UDP ports of the file descriptors in the 'fds' argument, comma-separated.",
    },
  ],
);
