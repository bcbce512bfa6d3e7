// Rendering of field values for outputs, as Falco 0.44 (libsinsp 0.25) renders them: text for
// `%field` in text outputs and `-p`, JSON values for `output_fields` of JSON alerts.
//
// Text: integers in decimal (upper-case hex or 9-digit zero padding where the field's print
// format says so), doubles with one decimal, booleans `true`/`false`, IPv4 dotted, IPv6 as
// inet_ntop compresses it, byte buffers with non-printable bytes as `.` (or base64), networks as
// `<IPNET>`, lists as `(a,b)`, no value as `<NA>`. Long byte buffers and lists are cut where
// libsinsp's 1 KiB rendering buffer cuts them.
//
// JSON: numbers for integer and boolean types (bigint for exact 64-bit times), strings for
// everything else (the text form), null for no value; lists as arrays, an empty list as null.
//
// Deviations, on purpose: libsinsp cannot render some raw parameter types that only
// evt.rawarg.NAME can produce (errno, signal, syscall id, mode in JSON; socket addresses) and
// fails or prints nothing; here integer types always render as numbers and socket address /
// tuple / fd-list parameters as <NA> (null).
import type { BoundField, FieldDef, FieldType, FieldValue, IpAddr, JsonFieldValue, ScalarValue } from './types.js';

/** How byte buffers are printed: printable bytes and dots (default), or base64 (`buffer_format_base64`). */
export type BufferFormat = 'normal' | 'base64';

export interface RenderOptions {
  readonly bufferFormat?: BufferFormat;
}

/** Text libsinsp prints for a missing value. */
export const NA_TEXT = '<NA>';

/** libsinsp renders into a 1024-byte buffer: lists keep 1023 characters, byte buffers 1021. */
const MAX_LIST_TEXT = 1023;
const MAX_BUFFER_TEXT = 1021;

type TypeKind = 'signed' | 'unsigned' | 'time' | 'double' | 'bool' | 'string' | 'bytes' | 'ip' | 'net' | 'raw';

const KIND: Readonly<Record<FieldType, TypeKind>> = {
  INT8: 'signed', INT16: 'signed', INT32: 'signed', INT64: 'signed',
  ERRNO: 'signed', FD: 'signed', FD32: 'signed', PID: 'signed', PID32: 'signed',
  UINT8: 'unsigned', UINT16: 'unsigned', UINT32: 'unsigned', UINT64: 'unsigned',
  UID: 'unsigned', GID: 'unsigned', PORT: 'unsigned', L4PROTO: 'unsigned', SOCKFAMILY: 'unsigned', MODE: 'unsigned',
  FLAGS8: 'unsigned', FLAGS16: 'unsigned', FLAGS32: 'unsigned',
  ENUMFLAGS8: 'unsigned', ENUMFLAGS16: 'unsigned', ENUMFLAGS32: 'unsigned',
  SYSCALLID: 'unsigned', SIGTYPE: 'unsigned', SIGSET: 'unsigned',
  ABSTIME: 'time', RELTIME: 'time',
  DOUBLE: 'double', BOOL: 'bool',
  CHARBUF: 'string', FSPATH: 'string', FSRELPATH: 'string', DYN: 'string',
  BYTEBUF: 'bytes',
  IPV4ADDR: 'ip', IPV6ADDR: 'ip', IPADDR: 'ip',
  IPV4NET: 'net', IPV6NET: 'net', IPNET: 'net',
  SOCKADDR: 'raw', SOCKTUPLE: 'raw', FDLIST: 'raw', CHARBUFARRAY: 'raw', CHARBUF_PAIR_ARRAY: 'raw',
};

/** Bit width of the small signed types: libsinsp's %X prints them promoted to 32-bit int. */
const HEX_BITS: Partial<Record<FieldType, number>> = { INT64: 64, ERRNO: 64, FD: 64, PID: 64, UINT64: 64 };

/** Text of a field value (`%field`); undefined gives `<NA>`. */
export function renderText(def: FieldDef, value: FieldValue | undefined, options: RenderOptions = {}): string {
  if (value === undefined) return NA_TEXT;
  if (def.isList && Array.isArray(value)) {
    let text = '(';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += scalarText(def, value[i] as ScalarValue, options);
    }
    text += ')';
    return text.length > MAX_LIST_TEXT ? text.slice(0, MAX_LIST_TEXT) : text;
  }
  return scalarText(def, value as ScalarValue, options);
}

/** JSON value of a field value (`output_fields`); undefined gives null. */
export function renderJson(def: FieldDef, value: FieldValue | undefined, options: RenderOptions = {}): JsonFieldValue {
  if (value === undefined) return null;
  if (def.isList && Array.isArray(value)) {
    // libsinsp appends each element to a null JSON value: no element leaves it null.
    if (value.length === 0) return null;
    return value.map((v) => scalarJson(def, v as ScalarValue, options));
  }
  return scalarJson(def, value as ScalarValue, options);
}

/** Text of a bound field for an event: its own toText if it has one, else rendering by type. */
export function boundText<E>(field: BoundField<E>, evt: E, options: RenderOptions = {}): string {
  if (field.toText) return field.toText(evt) ?? NA_TEXT;
  return renderText(field.def, field.extract(evt), options);
}

/** JSON value of a bound field for an event: its own toJson if it has one, else rendering by type. */
export function boundJson<E>(field: BoundField<E>, evt: E, options: RenderOptions = {}): JsonFieldValue {
  if (field.toJson) return field.toJson(evt) ?? null;
  return renderJson(field.def, field.extract(evt), options);
}

function scalarText(def: FieldDef, value: ScalarValue, options: RenderOptions): string {
  switch (KIND[def.type]) {
    case 'signed':
    case 'unsigned':
    case 'time':
      return integerText(def, value as number | bigint);
    case 'double':
      return doubleText(value as number);
    case 'bool':
      return value ? 'true' : 'false';
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'bytes':
      return bytesText(value as Uint8Array, options.bufferFormat ?? 'normal');
    case 'ip':
      return ipText(value as IpAddr);
    case 'net':
      return '<IPNET>';
    case 'raw':
      return NA_TEXT;
  }
}

function scalarJson(def: FieldDef, value: ScalarValue, options: RenderOptions): JsonFieldValue {
  switch (KIND[def.type]) {
    case 'signed':
    case 'unsigned':
    case 'time':
      if (def.printFormat !== undefined) return integerText(def, value as number | bigint);
      return value as number | bigint;
    case 'double':
      return Number.isFinite(value) ? (value as number) : null;
    case 'bool':
      return Boolean(value);
    case 'raw':
      return null;
    default:
      return scalarText(def, value, options);
  }
}

function integerText(def: FieldDef, value: number | bigint): string {
  switch (def.printFormat) {
    case undefined:
      return typeof value === 'bigint' ? value.toString() : String(Math.trunc(value));
    case 'PADDED_DEC': {
      // printf("%09d"): zero padding to 9 characters, the sign counting as one.
      const big = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
      const digits = (big < 0n ? -big : big).toString();
      return big < 0n ? '-' + digits.padStart(8, '0') : digits.padStart(9, '0');
    }
    case 'HEX':
    case 'OCT': {
      const radix = def.printFormat === 'HEX' ? 16 : 8;
      const bits = HEX_BITS[def.type] ?? 32;
      const big = BigInt.asUintN(bits, typeof value === 'bigint' ? value : BigInt(Math.trunc(value)));
      return big.toString(radix).toUpperCase();
    }
  }
}

/** printf("%.1f"): one decimal, exact ties (odd multiples of 0.25) rounded to even as C does. */
export function doubleText(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const scaled = value * 10;
  if (Number.isInteger(value * 4) && !Number.isInteger(value * 2) && Math.abs(scaled) < 2 ** 52) {
    const low = Math.floor(scaled);
    const even = low % 2 === 0 ? low : low + 1;
    const sign = even < 0 || (even === 0 && value < 0) ? '-' : '';
    const abs = Math.abs(even);
    return `${sign}${Math.floor(abs / 10)}.${abs % 10}`;
  }
  return value.toFixed(1);
}

/** Byte buffer text: printable ASCII kept, other bytes as '.', cut as libsinsp cuts it. */
export function bytesText(buf: Uint8Array, format: BufferFormat = 'normal'): string {
  if (format === 'base64') return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('base64');
  const n = Math.min(buf.length, MAX_BUFFER_TEXT);
  let out = '';
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
  }
  return out;
}

/** IPv4 (uint32 number or 4 bytes) dotted, IPv6 (16 bytes) as inet_ntop writes it. */
export function ipText(addr: IpAddr): string {
  if (typeof addr === 'number') return ipv4Text(addr);
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  if (addr.length === 16) return ipv6Text(addr);
  return NA_TEXT;
}

export function ipv4Text(addr: number): string {
  return `${(addr >>> 24) & 0xff}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/**
 * glibc's inet_ntop for IPv6: lower-case hex groups without leading zeros; the first longest run
 * of two or more zero groups becomes `::`; IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible
 * (::a.b.c.d) addresses end in dotted IPv4.
 */
export function ipv6Text(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
      if (i === bestStart) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    const embedsIpv4 = i === 6 && bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
    if (embedsIpv4) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestStart >= 0 && bestStart + bestLen === 8) out += ':';
  return out;
}
