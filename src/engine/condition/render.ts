// Minimal rendering of values by type, for output formats and for transformers that turn values
// into text (join, transformer lists). Stand-in until src/fields/render.ts (fields module) exists;
// then this file should re-export that one.
import type { FieldType, FieldValue, IpAddr, IpNet, JsonFieldValue, ScalarValue } from '../../fields/types.js';

/** inet_ntop(AF_INET6) text: lowercase, longest zero run (2+ groups) as `::`, v4-mapped tail. */
export function ipv6ToText(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const mapped = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
  if (mapped) {
    const prefix = bestLen === 5 ? '::ffff:' : '::';
    return `${prefix}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipv4ToText(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function ipToText(a: IpAddr): string {
  return typeof a === 'number' ? ipv4ToText(a) : ipv6ToText(a);
}

function isIpNet(v: unknown): v is IpNet {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'prefix' in v;
}

/** Printable ASCII as is, other bytes as `.` (libsinsp's default for buffers). */
function bytesToText(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += c >= 32 && c < 127 ? String.fromCharCode(c) : '.';
  return s;
}

function scalarToText(v: ScalarValue, type: FieldType): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (type === 'IPV4ADDR' || type === 'IPADDR' || type === 'IPV4NET' || type === 'IPNET') return ipv4ToText(v);
    return String(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) {
    if (v.length === 16 && (type === 'IPV6ADDR' || type === 'IPADDR' || type === 'IPV6NET' || type === 'IPNET')) {
      return ipv6ToText(v);
    }
    return bytesToText(v);
  }
  if (isIpNet(v)) return `${ipToText(v.addr)}/${v.prefix}`;
  return String(v);
}

/** Text of a value (lists joined with commas as libsinsp prints them: `(a,b)`). */
export function valueToText(v: FieldValue, type: FieldType): string {
  if (Array.isArray(v)) return `(${v.map((x: ScalarValue) => scalarToText(x, type)).join(',')})`;
  return scalarToText(v as ScalarValue, type);
}

/** JSON value (numbers stay numbers, bigint stays exact, addresses become text). */
export function valueToJson(v: FieldValue, type: FieldType): JsonFieldValue {
  if (Array.isArray(v)) return v.map((x: ScalarValue) => scalarToJson(x, type));
  return scalarToJson(v as ScalarValue, type);
}

function scalarToJson(v: ScalarValue, type: FieldType): JsonFieldValue {
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    return type === 'IPV4ADDR' || type === 'IPADDR' || type === 'IPV4NET' || type === 'IPNET' ? ipv4ToText(v) : v;
  }
  return scalarToText(v, type);
}
