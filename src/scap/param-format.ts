// Parameter text as libsinsp (libs 0.25) renders it for `evt.args`, `evt.arg.NAME` and `evt.arg[N]`:
// numbers by print format (decimal, hex, octal), flags as `VALUE(NAME|NAME)`, errno names of
// negative results, socket addresses and tuples, fd lists, byte buffers, times.
//
// Parts that depend on process state (the `3(<f>/etc/passwd)` decoration of fds, thread names of
// pids, user and group names, paths made absolute with the cwd) come from `ParamStateHooks`, which
// the state module provides; without hooks they are left out, as libsinsp does for a thread it
// has not seen yet, except the stateless ones (AT_FDCWD, errno names) which are always rendered.
import { EVENT_CODE, PF, PT, ppmScName, type ParamInfo } from './event-table.js';
import { AF, type ScapEvent } from './event.js';
import { ERRNO_NAMES, SIGNAL_NAMES } from './tables/errno.js';

/** State-dependent decorations. Each returns undefined when it has nothing to add. */
export interface ParamStateHooks {
  /** `<f>/etc/passwd`-style description of a valid fd of the event's thread. */
  fdDecoration?(evt: ScapEvent, fd: number): string | undefined;
  /** Type character of an fd for PT_FDLIST (`f`, `4`, `u`...); `?` when unknown. */
  fdTypeChar?(evt: ScapEvent, fd: number): string | undefined;
  /** Name of the thread with this tid (PT_PID parameters). */
  threadName?(tid: number): string | undefined;
  userName?(evt: ScapEvent, uid: number): string | undefined;
  groupName?(evt: ScapEvent, gid: number): string | undefined;
  /** A relative path parameter made absolute (cwd, or the dirfd's path for PT_FSRELPATH). */
  absolutePath?(evt: ScapEvent, paramIndex: number, path: string): string | undefined;
}

/** How byte buffers are printed (Falco's default, `-b` base64, sysdig's `-x`/`-X`/`-A`). */
export type BufferFormat = 'normal' | 'base64' | 'hex' | 'hexascii' | 'eols';

export interface ParamFormatOptions {
  hooks?: ParamStateHooks;
  bufferFormat?: BufferFormat;
  /** Longest byte-buffer text; longer ones end in `...`. Default 0 = no limit, as Falco (sysdig
   *  without -v uses 80). */
  maxBufferLength?: number;
}

/** A rendered parameter: the value, and the resolved form libsinsp shows in parentheses (or ''). */
export interface RenderedParam {
  value: string;
  resolved: string;
}

const AT_FDCWD = -100;
const ERRNO_BY_CODE = new Map<number, string>(ERRNO_NAMES.map(([n, name]) => [n, name]));
const SIGNAL_BY_CODE = new Map<number, string>(SIGNAL_NAMES.map(([n, name]) => [n, name]));

/** Name of the errno a negative result stands for (`-2` → `ENOENT`), or undefined. */
export function errnoName(result: number): string | undefined {
  return result < 0 ? ERRNO_BY_CODE.get(-result) : undefined;
}

export function signalName(signal: number): string | undefined {
  return SIGNAL_BY_CODE.get(signal);
}

/** The decoration of an fd that needs no state: AT_FDCWD, or the errno of a failed call's fd. */
export function statelessFdName(fd: number): string | undefined {
  if (fd === AT_FDCWD) return 'AT_FDCWD';
  return fd < 0 ? errnoName(fd) : undefined;
}

// ---- numbers ------------------------------------------------------------------------------------------

/**
 * An integer by print format, as libsinsp's printf formats do: %d, %X (upper case, no prefix) and
 * %#o; hex and octal show negative values as unsigned of `bits` width (8/16-bit values are promoted
 * to 32 bits by printf).
 */
function formatInteger(v: number | bigint, format: number, bits: 32 | 64 = 32): string {
  if (format !== PF.HEX && format !== PF.OCT) {
    return format === PF['10_PADDED_DEC'] ? v.toString().padStart(9, '0') : v.toString();
  }
  const u = BigInt.asUintN(bits, BigInt(v));
  if (format === PF.HEX) return u.toString(16).toUpperCase();
  return u === 0n ? '0' : '0' + u.toString(8);
}

/** printf("%lg") of a double: 6 significant digits, trailing zeros dropped, exponent when needed. */
export function formatG(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  let s: string;
  // printf decides on the exponent after rounding to 6 digits.
  const rounded = Number(x.toPrecision(6));
  const e = Math.floor(Math.log10(Math.abs(rounded)));
  if (e < -4 || e >= 6) {
    const [mant, ex] = rounded.toExponential(5).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const n = Number(ex);
    s = `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  } else {
    s = rounded.toFixed(Math.max(0, 5 - e));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

// ---- addresses ------------------------------------------------------------------------------------------

export function formatIpv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** IPv6 text as glibc's inet_ntop writes it (RFC 5952 compression, embedded IPv4 forms). */
export function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  // Longest run (first one on ties) of at least two zero words.
  let bestBase = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestBase = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i > 0) out += ':';
    // ::a.b.c.d (IPv4-compatible) and ::ffff:a.b.c.d (IPv4-mapped)
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** True for ::ffff:a.b.c.d and for the all-zero address (libsinsp treats both as IPv4). */
function isIpv4Mapped(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 10; i++) if (b[at + i] !== 0) return false;
  if (b[at + 10] === 0xff && b[at + 11] === 0xff) return true;
  for (let i = 10; i < 16; i++) if (b[at + i] !== 0) return false;
  return true;
}

// ---- byte buffers -----------------------------------------------------------------------------------------

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

function bufferDots(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += isPrint(b[i]) ? String.fromCharCode(b[i]) : '.';
  return s;
}

function bufferEols(b: Uint8Array): string {
  let s = '\n';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (isPrint(c)) s += String.fromCharCode(c);
    else if (c === 0x0d) s += '\n';
    else if (c === 0x0a && i > 0 && b[i - 1] !== 0x0d) s += '\n';
  }
  return s;
}

function bufferHex(b: Uint8Array, ascii: boolean): string {
  let s = '';
  for (let row = 0; row < b.length; row += 16) {
    s += `\n\t0x${row.toString(16).padStart(4, '0')}:`;
    let chunks = 0;
    for (let p = row; chunks < 8 && p < b.length; p += 2, chunks++) {
      s += p === b.length - 1 ? ' ' + hex2(b[p]) : ' ' + hex2(b[p]) + hex2(b[p + 1]);
    }
    if (ascii) {
      s += '     '.repeat(8 - chunks) + '  ';
      for (let p = row; p < row + 16 && p < b.length; p++) s += isPrint(b[p]) ? String.fromCharCode(b[p]) : '.';
    }
  }
  return s + '\n';
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

function formatBuffer(b: Uint8Array, options: ParamFormatOptions): string {
  if (b.length === 0) return '';
  const format = options.bufferFormat ?? 'normal';
  switch (format) {
    case 'base64': return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
    case 'hex': return bufferHex(b, false);
    case 'hexascii': return bufferHex(b, true);
    case 'eols': return bufferEols(b);
    default: {
      const max = options.maxBufferLength ?? 0;
      if (max > 0 && b.length > max) {
        const text = bufferDots(b.subarray(0, max));
        return max > 3 ? text.slice(0, max - 3) + '...' : text;
      }
      return bufferDots(b);
    }
  }
}

// ---- flags ----------------------------------------------------------------------------------------------------

/** `NAME|NAME` for a flags value, or the single name of an enum value, as libsinsp resolves them. */
export function flagNames(value: number, info: ParamInfo, enumLike: boolean): string {
  const table = info.flagTable;
  if (table === undefined) return '';
  const names: string[] = [];
  let rest = value;
  for (const [name, v] of table) {
    if (enumLike) {
      if (v === value) names.push(name);
      continue;
    }
    if ((v === 0 && value === 0) || (v !== 0 && (rest & v) >>> 0 === v >>> 0 && rest !== 0)) {
      names.push(name);
      rest = (rest & ~v) >>> 0;
      // A flag equal to the whole value ends it (tables may alias values, e.g. AF_LOCAL/AF_UNIX).
      if (v === value) break;
    }
  }
  return names.join('|');
}

/** PT_MODE resolution: permission bits, or the name equal to the whole value. */
function modeNames(value: number, info: ParamInfo): string {
  const table = info.flagTable;
  if (table === undefined) return '';
  const names: string[] = [];
  let rest = value;
  let i = 0;
  for (; i < table.length && table[i][1] !== value; i++) {
    const v = table[i][1];
    if ((v === 0 && value === 0) || (v !== 0 && (rest & v) >>> 0 === v && rest !== 0)) {
      names.push(table[i][0]);
      rest = (rest & ~v) >>> 0;
    }
  }
  if (i < table.length) names.push(table[i][0]);
  return names.join('|');
}

// ---- times ------------------------------------------------------------------------------------------------------

/** `2016-08-04 16:17:57.882054739 +0000` in local time, as libsinsp prints PT_ABSTIME. */
export function formatAbsTime(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const nanos = ns % 1_000_000_000n;
  const d = new Date(Number(seconds) * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const tz = `${off >= 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:` +
    `${p(d.getSeconds())}.${String(nanos).padStart(9, '0')} ${tz}`;
}

// ---- the renderer -------------------------------------------------------------------------------------------------

/** Types libsinsp prints as NULL when empty (others print <NA>). */
function emptyText(type: number): string {
  switch (type) {
    case PT.BYTEBUF: case PT.SOCKTUPLE: case PT.FDLIST: case PT.CHARBUFARRAY: case PT.CHARBUF_PAIR_ARRAY: case PT.DYN:
      return 'NULL';
    default:
      return '<NA>';
  }
}

const LEGACY_NULL = [0x28, 0x4e, 0x55, 0x4c, 0x4c, 0x29, 0]; // "(NULL)\0"

function isLegacyNull(b: Uint8Array): boolean {
  return b.length === LEGACY_NULL.length && LEGACY_NULL.every((c, k) => b[k] === c);
}

function isStringType(type: number): boolean {
  return type === PT.CHARBUF || type === PT.FSPATH || type === PT.FSRELPATH;
}

const out: RenderedParam = { value: '', resolved: '' };

/**
 * Renders parameter i of the event: `value` is what libsinsp calls the parameter string and
 * `resolved` its resolved form ('' when none). Returns a shared object: copy the strings out.
 */
export function renderParam(evt: ScapEvent, i: number, options: ParamFormatOptions = {}): RenderedParam {
  out.value = '';
  out.resolved = '';
  const info = evt.paramInfo(i);
  if (info === undefined || i >= evt.nparams) return out;
  const hooks = options.hooks;
  let type = info.type;
  const format = info.format;
  let bytes = evt.bytes(i)!;

  if (bytes.length === 0 || (isStringType(type) && isLegacyNull(bytes))) {
    // Empty parameters. Strings keep the legacy "<NA>" text (old captures also wrote "(NULL)").
    out.value = isStringType(type) ? '<NA>' : emptyText(type);
    return out;
  }

  // A dynamic parameter: the first byte picks the variant that types the rest.
  if (type === PT.DYN && info.dynamic !== undefined) {
    const variant = info.dynamic[bytes[0]];
    if (variant !== undefined) {
      type = variant.type;
      bytes = bytes.subarray(1);
    }
  }

  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;

  switch (type) {
    case PT.INT8: out.value = formatInteger(dv.getInt8(0), format); break;
    case PT.INT16: out.value = formatInteger(n >= 2 ? dv.getInt16(0, true) : dv.getInt8(0), format); break;
    case PT.INT32: out.value = formatInteger(n >= 4 ? dv.getInt32(0, true) : Number(readI64(dv, n)), format); break;
    case PT.INT64: out.value = formatInteger(readI64(dv, n), format, 64); break;
    case PT.UINT8: out.value = formatInteger(bytes[0], format); break;
    case PT.UINT16: out.value = formatInteger(n >= 2 ? dv.getUint16(0, true) : bytes[0], format); break;
    case PT.UINT32: out.value = formatInteger(readU32(dv, n), format); break;
    // libsinsp prints PT_UINT64 through int64_t: values above 2^63 come out negative in decimal.
    case PT.UINT64: out.value = formatInteger(BigInt.asIntN(64, readU64(dv, n)), format, 64); break;
    case PT.FD: {
      const fd = Number(readI64(dv, n));
      out.value = String(fd);
      out.resolved = hooks?.fdDecoration?.(evt, fd) ?? statelessFdName(fd) ?? '';
      break;
    }
    case PT.PID: {
      const pid = Number(readI64(dv, n));
      out.value = String(pid);
      out.resolved = hooks?.threadName?.(pid) ?? '';
      break;
    }
    case PT.ERRNO: {
      const v = readI64(dv, n);
      out.value = v.toString();
      out.resolved = v < 0n ? errnoName(Number(v)) ?? '' : '';
      break;
    }
    case PT.CHARBUF:
      out.value = cString(bytes);
      break;
    case PT.FSPATH:
    case PT.FSRELPATH: {
      const path = cString(bytes);
      out.value = path;
      if (path !== '<NA>' && path !== '' && !path.startsWith('/')) {
        out.resolved = hooks?.absolutePath?.(evt, i, path) ?? '';
      }
      break;
    }
    case PT.BYTEBUF:
      out.value = formatBuffer(bytes, options);
      break;
    case PT.SOCKADDR:
      out.value = formatSockaddr(bytes, dv);
      break;
    case PT.SOCKTUPLE:
      out.value = formatSocktuple(bytes, dv);
      break;
    case PT.FDLIST:
      out.value = formatFdList(evt, bytes, dv, hooks);
      break;
    case PT.SYSCALLID: {
      const sc = n >= 2 ? dv.getUint16(0, true) : bytes[0];
      out.value = String(sc);
      out.resolved = ppmScName(sc) ?? '';
      break;
    }
    case PT.SIGTYPE: {
      out.value = String(bytes[0]);
      out.resolved = signalName(bytes[0]) ?? '';
      break;
    }
    case PT.RELTIME: {
      const v = readU64(dv, n);
      if (v === 0xffffffffffffffffn) {
        out.value = 'none';
      } else {
        out.value = v.toString();
        out.resolved = formatG(Number(v) / 1e9) + 's';
      }
      break;
    }
    case PT.FLAGS8: case PT.FLAGS16: case PT.FLAGS32:
    case PT.ENUMFLAGS8: case PT.ENUMFLAGS16: case PT.ENUMFLAGS32: {
      const width = type === PT.FLAGS8 || type === PT.ENUMFLAGS8 ? 1 : type === PT.FLAGS16 || type === PT.ENUMFLAGS16 ? 2 : 4;
      const v = width === 1 ? bytes[0] : width === 2 ? (n >= 2 ? dv.getUint16(0, true) : bytes[0]) : readU32(dv, n);
      out.value = String(v);
      const enumLike = type === PT.ENUMFLAGS8 || type === PT.ENUMFLAGS16 || type === PT.ENUMFLAGS32;
      // The name table belongs to the declared parameter (a PT_DYN variant has none).
      out.resolved = flagNames(v, info, enumLike);
      break;
    }
    case PT.MODE: {
      const v = readU32(dv, n);
      out.value = formatInteger(v, format);
      out.resolved = modeNames(v, info);
      break;
    }
    case PT.ABSTIME:
      out.value = formatAbsTime(readU64(dv, n));
      break;
    case PT.UID:
    case PT.GID: {
      const v = readU32(dv, n);
      if (v === 0xffffffff) {
        out.value = '-1';
        out.resolved = '<NONE>';
      } else {
        out.value = String(v | 0);
        const name = type === PT.UID ? hooks?.userName?.(evt, v) : hooks?.groupName?.(evt, v);
        out.resolved = name === undefined || name === '' ? '<NA>' : name;
      }
      break;
    }
    case PT.SIGSET: {
      const v = readU32(dv, n);
      const names: string[] = [];
      for (let sig = 0; sig < 32; sig++) {
        if ((v >>> sig) & 1) {
          const name = signalName(sig + 1);
          if (name !== undefined) names.push(name);
        }
      }
      out.value = names.join(' ');
      break;
    }
    case PT.CHARBUFARRAY:
    case PT.CHARBUF_PAIR_ARRAY:
      // In-memory pointers of userspace-generated events: never meaningful in a capture.
      out.value = '';
      break;
    case PT.DYN:
      out.value = 'INVALID DYNAMIC PARAMETER';
      break;
    default:
      out.value = '(n.a.)';
      break;
  }
  return out;
}

// The value of a number parameter of whatever length it has (the longest read that fits).
function readU64(dv: DataView, n: number): bigint {
  return n >= 8 ? dv.getBigUint64(0, true) : BigInt(readU32(dv, n));
}

function readI64(dv: DataView, n: number): bigint {
  return n >= 8 ? dv.getBigInt64(0, true) : BigInt(n >= 4 ? dv.getInt32(0, true) : n >= 2 ? dv.getInt16(0, true) : dv.getInt8(0));
}

function readU32(dv: DataView, n: number): number {
  return n >= 4 ? dv.getUint32(0, true) : n >= 2 ? dv.getUint16(0, true) : dv.getUint8(0);
}

const utf8 = new TextDecoder('utf-8');

function cString(b: Uint8Array): string {
  const z = b.indexOf(0);
  return utf8.decode(z < 0 ? b : b.subarray(0, z));
}

function formatSockaddr(b: Uint8Array, dv: DataView): string {
  const family = b[0];
  if (family === AF.UNIX) return cString(b.subarray(1));
  if (family === AF.INET) {
    return b.length === 7 ? `${formatIpv4(dv.getUint32(1, false))}:${dv.getUint16(5, true)}` : 'INVALID IPv4';
  }
  if (family === AF.INET6) {
    return b.length === 19 ? `${formatIpv6(b.subarray(1, 17))}:${dv.getUint16(17, true)}` : 'INVALID IPv6';
  }
  return `family ${family}`;
}

function formatSocktuple(b: Uint8Array, dv: DataView): string {
  const family = b[0];
  if (family === AF.INET) {
    if (b.length !== 13) return 'INVALID IPv4';
    return `${formatIpv4(dv.getUint32(1, false))}:${dv.getUint16(5, true)}->${formatIpv4(dv.getUint32(7, false))}:${dv.getUint16(11, true)}`;
  }
  if (family === AF.INET6) {
    if (b.length !== 37) return 'INVALID IPv6';
    const sport = dv.getUint16(17, true);
    const dport = dv.getUint16(35, true);
    if (isIpv4Mapped(b, 1) && isIpv4Mapped(b, 19)) {
      return `${formatIpv4(dv.getUint32(13, false))}:${sport}->${formatIpv4(dv.getUint32(31, false))}:${dport}`;
    }
    return `${formatIpv6(b.subarray(1, 17))}:${sport}->${formatIpv6(b.subarray(19, 35))}:${dport}`;
  }
  if (family === AF.UNIX) {
    const src = dv.getBigUint64(1, true).toString(16);
    const dst = dv.getBigUint64(9, true).toString(16);
    return `${src}->${dst} ${cString(b.subarray(17))}`;
  }
  return `family ${family}`;
}

function formatFdList(evt: ScapEvent, b: Uint8Array, dv: DataView, hooks: ParamStateHooks | undefined): string {
  const count = dv.getUint16(0, true);
  const parts: string[] = [];
  for (let k = 0, p = 2; k < count && p + 10 <= b.length; k++, p += 10) {
    const fd = dv.getBigUint64(p, true);
    const flags = dv.getInt16(p + 8, true) >>> 0;
    const tch = hooks?.fdTypeChar?.(evt, Number(BigInt.asIntN(64, fd))) ?? '?';
    parts.push(`${fd}:${tch}${flags.toString(16)}`);
  }
  return parts.join(' ');
}

/** Byte width of the flags parameter types (0 for other types), and whether they are enum-like. */
const FLAGS_WIDTH = new Uint8Array(PT.MAX + 1);
FLAGS_WIDTH[PT.FLAGS8] = FLAGS_WIDTH[PT.ENUMFLAGS8] = 1;
FLAGS_WIDTH[PT.FLAGS16] = FLAGS_WIDTH[PT.ENUMFLAGS16] = 2;
FLAGS_WIDTH[PT.FLAGS32] = FLAGS_WIDTH[PT.ENUMFLAGS32] = 4;

/** Text of flags values already rendered, per parameter description (few distinct values occur). */
const flagsTextCache = new WeakMap<ParamInfo, Map<number, string>>();
const FLAGS_TEXT_CACHE_SIZE = 1024;

/**
 * formatArg of a flags parameter of its declared width: the names, or the number when no name
 * applies. Rules read flags on hot events (`evt.arg.flags contains O_CREAT` on every open), so
 * texts are remembered by value.
 */
function flagsArg(evt: ScapEvent, i: number, info: ParamInfo): string {
  const v = evt.uint(i)!;
  let cache = flagsTextCache.get(info);
  if (cache === undefined) flagsTextCache.set(info, (cache = new Map()));
  let text = cache.get(v);
  if (text === undefined) {
    const t = info.type;
    const names = flagNames(v, info, t === PT.ENUMFLAGS8 || t === PT.ENUMFLAGS16 || t === PT.ENUMFLAGS32);
    text = names !== '' ? names : String(v);
    if (cache.size >= FLAGS_TEXT_CACHE_SIZE) cache.clear();
    cache.set(v, text);
  }
  return text;
}

/** `evt.arg.NAME` / `evt.arg[N]` text: the resolved form when there is one, else the value. */
export function formatArg(evt: ScapEvent, i: number, options?: ParamFormatOptions): string | undefined {
  if (i < 0 || i >= evt.nparams) return undefined;
  const info = evt.paramInfo(i);
  if (info === undefined) return undefined;
  const type = info.type;
  const width = FLAGS_WIDTH[type]!;
  if (width !== 0 && evt.paramLength(i) === width) return flagsArg(evt, i, info);
  if (isStringType(type)) return stringArg(evt, i, type, options);
  if (type === PT.ERRNO) {
    // A syscall result (evt.res of failed calls): its errno name, else the number.
    const n = evt.int(i);
    if (n !== undefined && Number.isSafeInteger(n)) return (n < 0 ? errnoName(n) : undefined) ?? String(n);
  }
  const r = renderParam(evt, i, options);
  return r.resolved !== '' ? r.resolved : r.value;
}

/** formatArg of a string parameter, as renderParam renders it but without copying its bytes. */
function stringArg(evt: ScapEvent, i: number, type: number, options: ParamFormatOptions | undefined): string {
  const len = evt.paramLength(i);
  if (len === 0 || (len === LEGACY_NULL.length && isLegacyNull(evt.bytes(i)!))) return '<NA>';
  // str() decodes up to the first NUL, replacing invalid UTF-8 as the TextDecoder does.
  const value = evt.str(i) ?? '';
  if (type !== PT.CHARBUF && value !== '<NA>' && value !== '' && value.charCodeAt(0) !== 0x2f) {
    const resolved = options?.hooks?.absolutePath?.(evt, i, value) ?? '';
    if (resolved !== '') return resolved;
  }
  return value;
}

/** `evt.args`: every parameter as `name=value` or `name=value(resolved)`, space-separated. */
export function formatArgs(evt: ScapEvent, options?: ParamFormatOptions): string {
  // Generic exit events' parameters are internal: libsinsp prints nothing for them.
  if (evt.type === EVENT_CODE.GENERIC_X) return '';
  let s = '';
  const n = Math.min(evt.nparams, evt.info.params.length);
  for (let i = 0; i < n; i++) {
    const r = renderParam(evt, i, options);
    if (i > 0) s += ' ';
    s += evt.info.params[i].name + '=' + r.value;
    if (r.resolved !== '') s += '(' + r.resolved + ')';
  }
  return s;
}
