// Extractors of the event fields: libsinsp's generic `evt` class (number, times, source, host)
// and the syscall `evt` class (type, direction, category, arguments, result, I/O flags...).
import type { FieldArg, FieldDef } from '../../types.js';
import { FieldBindError } from '../../types.js';
import type { SyscallEvent } from '../../../state/syscall-event.js';
import { Delivery } from '../../../state/syscall-event.js';
import {
  EC, EF, EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO, PT, categoryName, genericSyscallName, isEnterCode,
} from '../../../scap/event-table.js';
import type { IoSubcategory } from '../../../scap/event-table.js';
import { formatArg, formatArgs, renderParam, type ParamFormatOptions, type ParamStateHooks } from '../../../scap/param-format.js';
import { FD_TYPE } from '../../../scap/format.js';
import { AT_FDCWD, MODE_ANY_EXEC, O } from '../../../state/constants.js';
import { concatenatePaths, sanitizeString } from '../../../state/paths.js';
import type { FdInfo } from '../../../state/fds.js';
import { paramHooks, tsToIso8601, tsToString, value, withJson, type Extractor } from './common.js';

const NS_PER_S = 1_000_000_000n;

const hooksByEvent = new WeakMap<SyscallEvent, ParamStateHooks>();

/** The parameter-rendering hooks of a stream's event object (made once per stream). */
export function hooksOf(e: SyscallEvent): ParamStateHooks {
  let h = hooksByEvent.get(e);
  if (h === undefined) {
    h = paramHooks(() => e);
    hooksByEvent.set(e, h);
  }
  return h;
}

/**
 * How Falco renders event parameters: with state decorations, byte buffers in full (Falco sets no
 * output length limit; the driver already cut data at its snapshot length).
 */
export function argOptions(e: SyscallEvent): ParamFormatOptions {
  let o = optionsByEvent.get(e);
  if (o === undefined) {
    o = { hooks: hooksOf(e), maxBufferLength: 0, bufferFormat: e.stream.bufferFormat };
    optionsByEvent.set(e, o);
  }
  return o;
}

const optionsByEvent = new WeakMap<SyscallEvent, ParamFormatOptions>();

/**
 * `evt.paramIndex(name)` with the table lookup done once per event code: the index of the
 * parameter called `name` in the event, -1 when it has none.
 */
function paramIndexByCode(name: string): (e: SyscallEvent) => number {
  const byCode = new Int16Array(EVENT_CODE_COUNT).fill(-2); // -2: not looked up yet
  return (e) => {
    const evt = e.evt;
    let i = byCode[evt.type]!;
    if (i === -2) byCode[evt.type] = i = evt.info.paramIndex(name);
    return i < evt.nparams ? i : -1;
  };
}

const sanitizeOpt = (s: string | undefined): string | undefined => (s === undefined ? undefined : sanitizeString(s));

/** Whether the event has a syscall return value (its first parameter). */
export function hasReturnValue(e: SyscallEvent): boolean {
  const evt = e.evt;
  if (evt.type === EVENT_CODE.GENERIC_X) return false;
  return (EVENT_INFO[evt.type]!.category & EC.SYSCALL) !== 0 && !isEnterCode(evt.type) && evt.nparams > 0;
}

/** The syscall return value (4- or 8-byte first parameter; 0 otherwise). */
export function returnValue(e: SyscallEvent): number {
  const len = e.evt.paramLength(0);
  return len === 4 || len === 8 ? e.evt.int(0) ?? 0 : 0;
}

/** `evt.type`: the event's name; generic events name their syscall, async events their kind. */
export function eventTypeName(e: SyscallEvent): string {
  const evt = e.evt;
  // Generic exit events name their syscall (libsinsp leaves generic enter events "syscall").
  if (evt.type === EVENT_CODE.GENERIC_X) {
    const sc = evt.uint(0) ?? 0;
    const native = e.stream.isCapture && sc === 0 && evt.paramLength(1) !== 0 ? evt.uint(1) : undefined;
    return genericSyscallName(sc, native);
  }
  if (evt.type === EVENT_CODE.ASYNCEVENT_E) return evt.str(1) ?? '<NA>';
  return EVENT_INFO[evt.type]!.name;
}

function ioSubcategory(fd: FdInfo | undefined): IoSubcategory {
  if (fd === undefined) return 'unknown';
  switch (fd.type) {
    case FD_TYPE.FILE: case FD_TYPE.FILE_V2: case FD_TYPE.DIRECTORY:
      return 'file';
    case FD_TYPE.IPV4_SOCK: case FD_TYPE.IPV6_SOCK: case FD_TYPE.IPV4_SERVSOCK: case FD_TYPE.IPV6_SERVSOCK:
      return 'net';
    case FD_TYPE.FIFO: case FD_TYPE.UNIX_SOCK: case FD_TYPE.EVENT: case FD_TYPE.SIGNALFD:
    case FD_TYPE.INOTIFY: case FD_TYPE.USERFAULTFD:
      return 'ipc';
    default:
      return 'unknown';
  }
}

function category(e: SyscallEvent): number {
  return EVENT_INFO[e.evt.type]!.category & (EC.SYSCALL - 1);
}

function flags(e: SyscallEvent): number {
  return EVENT_INFO[e.evt.type]!.flags;
}

function isMeta(e: SyscallEvent): boolean {
  return (EVENT_INFO[e.evt.type]!.category & EC.METAEVENT) !== 0;
}

/** evt.count.error and evt.failed: 1 for a failed syscall, 0 for a successful one. */
function errorCount(e: SyscallEvent): number | undefined {
  if (!hasReturnValue(e)) return undefined;
  return returnValue(e) < 0 ? 1 : 0;
}

function buflen(e: SyscallEvent): number | undefined {
  if (isEnterCode(e.evt.type)) return undefined;
  const r = returnValue(e);
  return r >= 0 ? r : undefined;
}

const FILE_OPENS = new Set<number>([
  EVENT_CODE.SYSCALL_OPEN_X, EVENT_CODE.SYSCALL_CREAT_X, EVENT_CODE.SYSCALL_OPENAT_2_X,
  EVENT_CODE.SYSCALL_OPENAT2_X, EVENT_CODE.SYSCALL_OPEN_BY_HANDLE_AT_X,
]);
const NET_CREATORS = new Set<number>([
  EVENT_CODE.SOCKET_ACCEPT_5_X, EVENT_CODE.SOCKET_ACCEPT4_6_X, EVENT_CODE.SOCKET_CONNECT_X,
]);

function isFileFd(fd: FdInfo): boolean {
  return fd.type === FD_TYPE.FILE || fd.type === FD_TYPE.FILE_V2 || fd.type === FD_TYPE.DIRECTORY;
}

function isNetFd(fd: FdInfo): boolean {
  return fd.type === FD_TYPE.IPV4_SOCK || fd.type === FD_TYPE.IPV6_SOCK || fd.type === FD_TYPE.IPV4_SERVSOCK ||
    fd.type === FD_TYPE.IPV6_SERVSOCK || fd.type === FD_TYPE.UNIX_SOCK;
}

function isIpFd(fd: FdInfo): boolean {
  return fd.type >= FD_TYPE.IPV4_SOCK && fd.type <= FD_TYPE.IPV6_SERVSOCK;
}

/** evt.is_open_read/write/exec/create (libsinsp's open flag checks). */
function openCheck(kind: 'read' | 'write' | 'exec' | 'create'): (e: SyscallEvent) => boolean {
  return (e) => {
    const evt = e.evt;
    const type = evt.type;
    const isNew = type === EVENT_CODE.SYSCALL_OPENAT_2_X || type === EVENT_CODE.SYSCALL_OPENAT2_X;
    if (type === EVENT_CODE.SYSCALL_OPEN_X || isNew || type === EVENT_CODE.SYSCALL_OPEN_BY_HANDLE_AT_X) {
      const fi = isNew ? 3 : 2;
      const f = evt.paramLength(fi) !== 0 ? evt.uint(fi) ?? 0 : 0;
      switch (kind) {
        case 'read': return (f & O.RDONLY) !== 0;
        case 'write': return (f & O.WRONLY) !== 0;
        case 'create': {
          if ((f & O.F_CREATED) !== 0) return true;
          return (f & O.TMPFILE) !== 0 && hasReturnValue(e) && returnValue(e) >= 0;
        }
        case 'exec': {
          if ((f & (O.TMPFILE | O.CREAT)) === 0 || type === EVENT_CODE.SYSCALL_OPEN_BY_HANDLE_AT_X) return false;
          const mi = isNew ? 4 : 3;
          if (evt.paramLength(mi) === 0) return false;
          return ((evt.uint(mi) ?? 0) & MODE_ANY_EXEC) !== 0;
        }
      }
    }
    if (kind === 'exec' && type === EVENT_CODE.SYSCALL_CREAT_X) return ((evt.uint(2) ?? 0) & MODE_ANY_EXEC) !== 0;
    return false;
  };
}

/** evt.abspath: the directory fd plus relative path of *at syscalls, made absolute. */
function absPath(which: 0 | 1 | 2): (e: SyscallEvent) => string | undefined {
  return (e) => {
    const t = e.thread;
    if (t === undefined) return undefined;
    const evt = e.evt;
    const type = evt.type;
    let dirArg: string | undefined;
    let pathArg: string | undefined;
    if (type === EVENT_CODE.SYSCALL_RENAMEAT_X || type === EVENT_CODE.SYSCALL_RENAMEAT2_X) {
      [dirArg, pathArg] = which === 2 ? ['newdirfd', 'newpath'] : ['olddirfd', 'oldpath'];
    } else if (type === EVENT_CODE.SYSCALL_SYMLINKAT_X) {
      [dirArg, pathArg] = ['linkdirfd', 'linkpath'];
    } else if (type === EVENT_CODE.SYSCALL_OPENAT_2_X || type === EVENT_CODE.SYSCALL_OPENAT2_X) {
      [dirArg, pathArg] = ['dirfd', 'name'];
    } else if (type === EVENT_CODE.SYSCALL_OPEN_BY_HANDLE_AT_X) {
      // The driver gives the absolute path of a successful open.
      if (returnValue(e) > 0) return concatenatePaths('', evt.str(3) ?? '');
      return undefined;
    } else if (type === EVENT_CODE.SYSCALL_LINKAT_2_X) {
      [dirArg, pathArg] = which === 2 ? ['newdir', 'newpath'] : ['olddir', 'oldpath'];
    } else if (type === EVENT_CODE.SYSCALL_UNLINKAT_2_X) {
      [dirArg, pathArg] = ['dirfd', 'name'];
    } else if (type === EVENT_CODE.SYSCALL_MKDIRAT_X) {
      [dirArg, pathArg] = ['dirfd', 'path'];
    } else if (type === EVENT_CODE.SYSCALL_FCHMODAT_X) {
      [dirArg, pathArg] = ['dirfd', 'filename'];
    } else if (type === EVENT_CODE.SYSCALL_FCHOWNAT_X) {
      [dirArg, pathArg] = ['dirfd', 'pathname'];
    }
    if (dirArg === undefined || pathArg === undefined) return undefined;
    const di = evt.paramIndex(dirArg);
    const pi = evt.paramIndex(pathArg);
    if (di < 0 || pi < 0 || evt.paramLength(di) === 0 || evt.paramLength(pi) === 0) return undefined;
    const dirfd = evt.int(di) ?? 0;
    const path = evt.str(pi) ?? '';
    let sdir: string;
    if (path.startsWith('/')) sdir = '.';
    else if (dirfd === AT_FDCWD) sdir = t.getCwd();
    else {
      const info = t.getFd(dirfd);
      e.fd = info;
      if (info === undefined) sdir = '<UNKNOWN>/';
      else sdir = info.name.endsWith('/') ? info.name : info.name + '/';
    }
    return concatenatePaths(sdir, path);
  };
}

/** Raw value of a parameter as evt.rawarg gives it, in the field contract's representation. */
function rawParam(e: SyscallEvent, i: number): import('../../types.js').FieldValue | undefined {
  const evt = e.evt;
  if (i < 0 || evt.paramLength(i) === 0) return undefined;
  const info = evt.paramInfo(i);
  if (info === undefined) return evt.bytes(i);
  switch (info.type) {
    case PT.SOCKADDR: case PT.SOCKTUPLE: case PT.FDLIST: case PT.CHARBUFARRAY: case PT.CHARBUF_PAIR_ARRAY:
    case PT.DYN:
      return evt.bytes(i);
    case PT.CHARBUF: case PT.FSPATH: case PT.FSRELPATH:
      return e.params.str(i);
    default: {
      const v = evt.value(i);
      if (v === undefined || typeof v === 'object' && !(v instanceof Uint8Array)) return evt.bytes(i);
      return v as import('../../types.js').FieldValue;
    }
  }
}

export function eventExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  const ts = (e: SyscallEvent): bigint => e.evt.tsBig;
  const tsJson = (e: SyscallEvent): bigint => e.evt.tsBig;
  const rel = (e: SyscallEvent): bigint => BigInt.asUintN(64, e.evt.tsBig - e.stream.firstEventTs);
  return {
    // ---- generic event class
    'evt.num': () => value((e) => (e.delivery === Delivery.Dropped ? undefined : e.num)),
    'evt.time': () => withJson((e) => tsToString(ts(e), false, true), tsJson),
    'evt.time.s': () => withJson((e) => tsToString(ts(e), false, false), tsJson),
    'evt.time.iso8601': () => withJson((e) => tsToIso8601(ts(e)), tsJson),
    'evt.datetime': () => withJson((e) => tsToString(ts(e), true, true), tsJson),
    'evt.datetime.s': () => withJson((e) => tsToString(ts(e), true, false), tsJson),
    'evt.rawtime': () => value(ts),
    'evt.rawtime.s': () => withJson((e) => ts(e) / NS_PER_S, (e) => ts(e) / NS_PER_S),
    'evt.rawtime.ns': () => withJson((e) => ts(e) % NS_PER_S, (e) => ts(e) % NS_PER_S),
    'evt.reltime': () => withJson(rel, rel),
    'evt.reltime.s': () => withJson((e) => rel(e) / NS_PER_S, (e) => rel(e) / NS_PER_S),
    'evt.reltime.ns': () => withJson((e) => rel(e) % NS_PER_S, (e) => rel(e) % NS_PER_S),
    // Syscall events have no plugin.
    'evt.pluginname': () => value(() => undefined),
    'evt.plugininfo': () => value(() => undefined),
    'evt.source': () => value(() => 'syscall'),
    'evt.is_async': () => value(isMeta),
    'evt.asynctype': () =>
      value((e) => {
        if (!isMeta(e)) return undefined;
        if (e.evt.type === EVENT_CODE.ASYNCEVENT_E) return e.evt.str(1) ?? '<NA>';
        return EVENT_INFO[e.evt.type]!.name;
      }),
    'evt.hostname': () => value((e) => (e.stream.hostname === '' ? undefined : e.stream.hostname)),

    // ---- syscall event class
    // Latencies are no longer computed by libsinsp: always 0.
    'evt.latency': () => withJson(() => 0n, () => 0),
    'evt.latency.s': () => withJson(() => 0n, () => 0),
    'evt.latency.ns': () => withJson(() => 0n, () => 0),
    'evt.latency.quantized': () => value(() => 0),
    'evt.latency.human': () => value(() => '0ns'),
    'evt.wait_latency': () => value(() => 0n),
    'evt.deltatime': () => deltaTime('ns'),
    'evt.deltatime.s': () => deltaTime('s'),
    'evt.deltatime.ns': () => deltaTime('subsec'),
    'evt.outputtime': () => withJson((e) => tsToString(ts(e), false, true), tsJson),
    'evt.dir': () => value((e) => (isEnterCode(e.evt.type) ? '>' : '<')),
    // Table names (every type but async events) are printable already.
    'evt.type': () => value((e) => (e.evt.type === EVENT_CODE.ASYNCEVENT_E ? sanitizeString(eventTypeName(e)) : eventTypeName(e))),
    'evt.type.is': (_def, arg) => typeIs(arg),
    'syscall.type': () =>
      value((e) => ((EVENT_INFO[e.evt.type]!.category & EC.SYSCALL) === 0 ? undefined : eventTypeName(e))),
    'evt.category': () => value((e) => categoryName(EVENT_INFO[e.evt.type]!.category, ioSubcategory(e.fd))),
    'evt.cpu': () => value((e) => e.evt.cpu),
    // Strings are sanitized as libsinsp does for every extracted string (control characters...).
    'evt.args': () => value((e) => sanitizeString(formatArgs(e.evt, argOptions(e)))),
    'evt.info': () => value((e) => sanitizeString(formatArgs(e.evt, argOptions(e)))),
    'evt.arg': (_def, arg) => {
      if (arg?.index !== undefined) {
        const i = arg.index;
        return value((e) => sanitizeOpt(formatArg(e.evt, i, argOptions(e))));
      }
      const name = arg?.key ?? '';
      const indexOf = paramIndexByCode(name);
      return value((e) => sanitizeOpt(formatArg(e.evt, indexOf(e), argOptions(e))));
    },
    'evt.rawarg': (_def, arg) => {
      const indexOf = paramIndexByCode(arg?.key ?? '');
      return value((e) => rawParam(e, indexOf(e)));
    },
    'evt.buffer': () => ({
      extract: (e) => {
        const i = e.evt.paramIndex('data');
        return i < 0 || e.evt.paramLength(i) === 0 ? undefined : e.evt.bytes(i);
      },
      toText: (e) => {
        const i = e.evt.paramIndex('data');
        return i < 0 ? undefined : renderParam(e.evt, i, argOptions(e)).value;
      },
    }),
    'evt.buflen': () => value((e) => (e.fd !== undefined && (category(e) & EC.IO_BASE) !== 0 ? buflen(e) : undefined)),
    'evt.res': () =>
      value((e) => {
        if (!hasReturnValue(e)) return undefined;
        if (returnValue(e) >= 0) return 'SUCCESS';
        return sanitizeOpt(formatArg(e.evt, 0, argOptions(e)));
      }),
    'evt.rawres': () => value((e) => (hasReturnValue(e) ? returnValue(e) : undefined)),
    'evt.failed': () => value((e) => {
      const c = errorCount(e);
      return c === undefined ? undefined : c === 1;
    }),
    'evt.is_io': () => value((e) => (flags(e) & (EF.READS_FROM_FD | EF.WRITES_TO_FD)) !== 0),
    'evt.is_io_read': () => value((e) => (flags(e) & EF.READS_FROM_FD) !== 0),
    'evt.is_io_write': () => value((e) => (flags(e) & EF.WRITES_TO_FD) !== 0),
    'evt.io_dir': () =>
      value((e) => {
        const f = flags(e);
        if ((f & EF.WRITES_TO_FD) !== 0) return 'write';
        if ((f & EF.READS_FROM_FD) !== 0) return 'read';
        return undefined;
      }),
    'evt.is_wait': () => value((e) => (flags(e) & EF.WAITS) !== 0),
    'evt.is_syslog': () =>
      value((e) => (flags(e) & EF.WRITES_TO_FD) !== 0 && e.fd !== undefined && e.fd.name.includes('/dev/log')),
    'evt.count': () => withJson(() => 1, () => 1),
    'evt.count.error': () => value(errorCount),
    'evt.count.error.file': () =>
      value((e) => {
        if (e.fd !== undefined) return isFileFd(e.fd) ? errorCount(e) : undefined;
        return FILE_OPENS.has(e.evt.type) ? errorCount(e) : undefined;
      }),
    'evt.count.error.net': () =>
      value((e) => {
        if (e.fd !== undefined) return isNetFd(e.fd) ? errorCount(e) : undefined;
        return NET_CREATORS.has(e.evt.type) ? errorCount(e) : undefined;
      }),
    'evt.count.error.memory': () => value((e) => (category(e) === EC.MEMORY ? errorCount(e) : undefined)),
    'evt.count.error.other': () =>
      value((e) => {
        if (e.fd !== undefined) return !isFileFd(e.fd) && !isNetFd(e.fd) ? errorCount(e) : undefined;
        const t = e.evt.type;
        return !FILE_OPENS.has(t) && !NET_CREATORS.has(t) && category(e) !== EC.MEMORY ? errorCount(e) : undefined;
      }),
    'evt.count.exit': () => value((e) => (isEnterCode(e.evt.type) ? undefined : 1)),
    'evt.count.procinfo': () =>
      value((e) => (e.evt.type === EVENT_CODE.PROCINFO_E && e.thread?.isMainThread() === true ? 1 : 0)),
    'evt.count.threadinfo': () => value((e) => (e.evt.type === EVENT_CODE.PROCINFO_E ? 1 : 0)),
    // evt.around compares the event time with its argument (see the report): no plain value.
    'evt.around': () => value(() => undefined),
    'evt.abspath': (_def, arg) => {
      const f = absPath(arg?.key === 'src' ? 1 : arg?.key === 'dst' ? 2 : 0);
      return value((e) => sanitizeOpt(f(e)));
    },
    'evt.buflen.in': () => value((e) => (e.fd !== undefined && category(e) === EC.IO_READ ? buflen(e) : undefined)),
    'evt.buflen.out': () => value((e) => (e.fd !== undefined && category(e) === EC.IO_WRITE ? buflen(e) : undefined)),
    'evt.buflen.file': () =>
      value((e) => (e.fd !== undefined && (category(e) & EC.IO_BASE) !== 0 && e.fd.isFile() ? buflen(e) : undefined)),
    'evt.buflen.file.in': () =>
      value((e) => (e.fd !== undefined && category(e) === EC.IO_READ && e.fd.isFile() ? buflen(e) : undefined)),
    'evt.buflen.file.out': () =>
      value((e) => (e.fd !== undefined && category(e) === EC.IO_WRITE && e.fd.isFile() ? buflen(e) : undefined)),
    'evt.buflen.net': () =>
      value((e) => (e.fd !== undefined && (category(e) & EC.IO_BASE) !== 0 && isIpFd(e.fd) ? buflen(e) : undefined)),
    'evt.buflen.net.in': () =>
      value((e) => (e.fd !== undefined && category(e) === EC.IO_READ && isIpFd(e.fd) ? buflen(e) : undefined)),
    'evt.buflen.net.out': () =>
      value((e) => (e.fd !== undefined && category(e) === EC.IO_WRITE && isIpFd(e.fd) ? buflen(e) : undefined)),
    'evt.is_open_read': () => value(openCheck('read')),
    'evt.is_open_write': () => value(openCheck('write')),
    'evt.is_open_exec': () => value(openCheck('exec')),
    'evt.is_open_create': () => value(openCheck('create')),
    'evt.infra.docker.name': () => value(infra('name')),
    'evt.infra.docker.container.id': () => value(infra('id')),
    'evt.infra.docker.container.name': () => value(infra('cname')),
    'evt.infra.docker.container.image': () => value(infra('image')),
  };
}

/** evt.deltatime*: time since the previous event this field was extracted for (per binding). */
function deltaTime(unit: 'ns' | 's' | 'subsec'): Extractor {
  let previous = 0n;
  const compute = (e: SyscallEvent): bigint => {
    const t = e.evt.tsBig;
    if (previous === 0n) {
      previous = t;
      return 0n;
    }
    const d = BigInt.asUintN(64, t - previous);
    previous = t;
    return unit === 'ns' ? d : unit === 's' ? d / NS_PER_S : d % NS_PER_S;
  };
  return withJson(compute, compute);
}

function typeIs(arg: FieldArg | undefined): Extractor {
  let first = -1;
  let second = -1;
  if (arg?.index !== undefined) {
    first = arg.index;
    second = EVENT_CODE_COUNT;
  } else if (arg?.key !== undefined) {
    const code = EVENT_INFO.findIndex((i) => i.name === arg.key);
    if (code < 0) throw new FieldBindError(`unknown event type ${arg.key}`);
    first = code;
    second = code + 1;
  }
  return value((e) => (e.evt.type === first || e.evt.type === second ? 1 : 0));
}

/** Fields of the old docker infrastructure events (`Event: x; ID: y; name: z; Image: w`). */
function infra(which: 'name' | 'id' | 'cname' | 'image'): (e: SyscallEvent) => string | undefined {
  return (e) => {
    if (e.evt.type !== EVENT_CODE.INFRASTRUCTURE_EVENT_E) return undefined;
    const desc = e.evt.str(2) ?? '';
    for (const raw of desc.split(';')) {
      const el = raw.trim();
      const parts = el.split(':');
      if (which === 'name' && el.startsWith('Event')) return (parts[1] ?? '').trim();
      if (which === 'id' && el.startsWith('ID')) {
        const id = (parts[1] ?? '').trim();
        return id.length > 12 ? id.slice(0, 12) : id;
      }
      if (which === 'cname' && el.startsWith('name')) return (parts[1] ?? '').trim();
      if (which === 'image' && el.startsWith('Image')) {
        let image = parts[1] ?? '';
        if (image.includes('@')) image = image.slice(0, image.indexOf('@'));
        else if (image.includes('sha256')) image = el.slice(el.indexOf(':') + 1);
        return image.trim();
      }
    }
    return undefined;
  };
}
