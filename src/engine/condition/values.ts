// Conversion of right-hand-side literals to the JavaScript representation of a field type
// (src/fields/types.ts), done once at compile time. Accepted syntax and error texts follow
// libsinsp's value_parser.cpp (string_to_rawval), sinsp_numparser and the ipv6 helpers:
// - integers: optional leading blanks, optional sign, decimal digits only (`0x10` and `1.5` are
//   "not a valid number"), then wrapped to the type's width as C's casts do;
// - ports: digits, or a service name from /etc/services (`http`), as getservbyname;
// - booleans: `true` or `false` only;
// - IPv4 addresses in strict dotted-quad form (inet_pton), IPv6 in RFC 4291 text form;
//   IPADDR/IPNET choose IPv4 when the text contains a dot;
// - networks need a `/prefix` (IPv4 0..32, IPv6 1..128).
// Departure: DOUBLE accepts decimals (libsinsp reads only integers there, a documented TODO).
import { readFileSync } from 'node:fs';
import type { FieldType, IpAddr, IpNet } from '../../fields/types.js';

/** A literal that cannot be converted; the message is libsinsp's. */
export class ValueError extends Error {}

const INT_RE = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/;

function parseInteger(text: string): bigint {
  const m = INT_RE.exec(text);
  if (m === null) throw new ValueError(`${text} is not a valid number`);
  return BigInt(m[1]!);
}

/** Integer widths and signedness of the numeric types (as libsinsp stores their values). */
const INT_LAYOUT: Partial<Record<FieldType, { bits: number; signed: boolean }>> = {
  INT8: { bits: 8, signed: true },
  INT16: { bits: 16, signed: true },
  INT32: { bits: 32, signed: true },
  INT64: { bits: 64, signed: true },
  ERRNO: { bits: 64, signed: true },
  FD: { bits: 64, signed: true },
  PID: { bits: 64, signed: true },
  FD32: { bits: 32, signed: true },
  PID32: { bits: 32, signed: true },
  UINT8: { bits: 8, signed: false },
  FLAGS8: { bits: 8, signed: false },
  ENUMFLAGS8: { bits: 8, signed: false },
  L4PROTO: { bits: 8, signed: false },
  SIGTYPE: { bits: 8, signed: false },
  UINT16: { bits: 16, signed: false },
  FLAGS16: { bits: 16, signed: false },
  ENUMFLAGS16: { bits: 16, signed: false },
  SYSCALLID: { bits: 16, signed: false },
  SOCKFAMILY: { bits: 16, signed: false },
  UINT32: { bits: 32, signed: false },
  FLAGS32: { bits: 32, signed: false },
  ENUMFLAGS32: { bits: 32, signed: false },
  MODE: { bits: 32, signed: false },
  UID: { bits: 32, signed: false },
  GID: { bits: 32, signed: false },
  SIGSET: { bits: 32, signed: false },
  UINT64: { bits: 64, signed: false },
};

let services: Map<string, number> | undefined;

/** Service name → port, from /etc/services (what getservbyname reads). */
function serviceNames(): Map<string, number> {
  if (services !== undefined) return services;
  services = new Map();
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    // No services database: only numeric ports are accepted, as getservbyname would fail.
  }
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const port = Number.parseInt(fields[1]!, 10);
    if (!Number.isFinite(port)) continue;
    for (const name of [fields[0]!, ...fields.slice(2)]) {
      if (!services.has(name)) services.set(name, port);
    }
  }
  return services;
}

function parsePort(text: string): number {
  if (text === '') return 0;
  if (/^[0-9]+$/.test(text)) return Number(BigInt.asUintN(16, BigInt(text)));
  const port = serviceNames().get(text);
  if (port === undefined) throw new ValueError(`unrecognized protocol ${text}`);
  return port;
}

/** Strict dotted quad as inet_pton(AF_INET): four decimal parts 0..255, no leading zeros. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let addr = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    addr = addr * 256 + n;
  }
  return addr;
}

/** RFC 4291 text form as inet_pton(AF_INET6), with an optional trailing dotted quad. */
export function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length === 0) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const words: number[] = [];
  const pushGroups = (gs: string[], isLastPart: boolean): boolean => {
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i]!;
      if (isLastPart && i === gs.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return false;
        words.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      words.push(Number.parseInt(g, 16));
    }
    return true;
  };
  const compressed = halves.length === 2;
  if (!pushGroups(head, !compressed)) return undefined;
  const headWords = words.length;
  if (!pushGroups(tail, true)) return undefined;
  const tailWords = words.slice(headWords);
  words.length = headWords;
  if (compressed) {
    const missing = 8 - headWords - tailWords.length;
    if (missing < 1) return undefined;
    for (let i = 0; i < missing; i++) words.push(0);
  }
  words.push(...tailWords);
  if (words.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function parseIpv4Net(text: string): IpNet {
  const slash = text.indexOf('/');
  if (slash < 0) throw new ValueError(`unrecognized IP network ${text}`);
  const addr = parseIpv4(text.slice(0, slash));
  if (addr === undefined) throw new ValueError(`unrecognized IP address ${text}`);
  const maskText = text.slice(slash + 1);
  // parseu8: a 32-bit read truncated to 8 bits.
  const prefix = Number(BigInt.asUintN(8, BigInt.asUintN(32, parseInteger(maskText))));
  if (prefix > 32) throw new ValueError(`invalid netmask ${maskText}`);
  return { addr, prefix };
}

function parseIpv6Net(text: string): IpNet {
  const slash = text.indexOf('/');
  if (slash < 0) throw new ValueError(`invalid v6 netmask: ${text}`);
  const addr = parseIpv6(text.slice(0, slash));
  if (addr === undefined) throw new ValueError(`unrecognized IPv6 address ${text}`);
  const maskText = text.slice(slash + 1);
  const prefix = Number(BigInt.asUintN(8, BigInt.asUintN(32, parseInteger(maskText))));
  if (prefix === 0 || prefix > 128) throw new ValueError(`invalid v6 netmask ${maskText}`);
  return { addr, prefix };
}

export function parseIpAddr(text: string, type: FieldType): IpAddr {
  const v4 = type === 'IPV4ADDR' || (type === 'IPADDR' && text.includes('.'));
  if (v4) {
    const a = parseIpv4(text);
    if (a === undefined) throw new ValueError(`unrecognized IPv4 address ${text}`);
    return a;
  }
  const a = parseIpv6(text);
  if (a === undefined) throw new ValueError(`unrecognized IPv6 address ${text}`);
  return a;
}

export function parseIpNet(text: string, type: FieldType): IpNet {
  const v4 = type === 'IPV4NET' || (type === 'IPNET' && text.includes('.'));
  return v4 ? parseIpv4Net(text) : parseIpv6Net(text);
}

/** Decodes a hex string (even length, hex digits only) as libsinsp's unhex; undefined otherwise. */
export function parseHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const utf8 = new TextEncoder();

/**
 * The value a literal stands for when compared with a field of `type` (IP networks for network
 * types, bytes for BYTEBUF, numbers for integer types, ...). Throws ValueError.
 */
export function parseLiteral(text: string, type: FieldType): string | number | bigint | boolean | Uint8Array | IpAddr | IpNet {
  switch (type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      return text;
    case 'BYTEBUF':
      return utf8.encode(text);
    case 'BOOL':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new ValueError(`filter error: unrecognized boolean value ${text}`);
    case 'ABSTIME':
    case 'RELTIME':
      return BigInt.asUintN(64, parseInteger(text));
    case 'DOUBLE': {
      const trimmed = text.replace(/^[ \t\n\v\f\r]+/, '');
      const n = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
      if (Number.isNaN(n)) throw new ValueError(`${text} is not a valid number`);
      return n;
    }
    case 'PORT':
      return parsePort(text);
    case 'IPV4ADDR':
    case 'IPV6ADDR':
    case 'IPADDR':
      return parseIpAddr(text, type);
    case 'IPV4NET':
    case 'IPV6NET':
    case 'IPNET':
      return parseIpNet(text, type);
    default: {
      const layout = INT_LAYOUT[type];
      if (layout === undefined) throw new ValueError(`wrong parameter type ${type}`);
      const n = parseInteger(text);
      // libsinsp reads 32-bit types with 32-bit scans and narrower ones by truncating those.
      const scanned = layout.bits <= 32 ? BigInt.asIntN(32, n) : n;
      const wrapped = layout.signed ? BigInt.asIntN(layout.bits, scanned) : BigInt.asUintN(layout.bits, scanned);
      return Number(wrapped);
    }
  }
}
