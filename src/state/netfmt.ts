// Text forms of socket addresses as libsinsp writes them into fd names (fd.name of sockets):
// `1.2.3.4:80`, `1.2.3.4:5000->5.6.7.8:80`, IPv6 in the C library's inet_ntop form. Port names are
// never resolved (Falco's default).
import { formatIpv6 } from '../scap/param-format.js';

/** IPv4 from 4 raw network-order bytes. */
export function ipv4BytesToString(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** IPv6 from 16 raw bytes at `off`, as glibc's inet_ntop prints it. */
export function ipv6BytesToString(b: Uint8Array, off = 0): string {
  return formatIpv6(b.subarray(off, off + 16));
}

/** True for ::ffff:a.b.c.d and for the all-zero address (libsinsp treats both as IPv4). */
export function isIpv4MappedIpv6(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  if (b[off + 10] === 0xff && b[off + 11] === 0xff) return true;
  return b[off + 10] === 0 && b[off + 11] === 0 && b[off + 12] === 0 && b[off + 13] === 0 &&
    b[off + 14] === 0 && b[off + 15] === 0;
}

export function ipv4Endpoint(b: Uint8Array, ipOff: number, port: number): string {
  return `${ipv4BytesToString(b, ipOff)}:${port}`;
}

export function ipv6Endpoint(b: Uint8Array, ipOff: number, port: number): string {
  return `${ipv6BytesToString(b, ipOff)}:${port}`;
}

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

function u16le(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

function hex64le(b: Uint8Array, off: number): string {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i]!);
  return v.toString(16);
}

/** A NUL-terminated string inside a parameter, unprintable characters replaced. */
export function cString(b: Uint8Array, off: number, sanitize: (s: string) => string): string {
  let end = off;
  while (end < b.length && b[end] !== 0) end++;
  return sanitize(Buffer.from(b.buffer, b.byteOffset + off, end - off).toString('utf8'));
}

/** A socket address parameter (PT_SOCKADDR) as libsinsp prints it. */
export function formatSockaddr(b: Uint8Array, sanitize: (s: string) => string): string {
  if (b.length === 0) return '<NA>';
  const family = b[0]!;
  if (family === AF_UNIX) return cString(b, 1, sanitize);
  if (family === AF_INET) return b.length === 7 ? ipv4Endpoint(b, 1, u16le(b, 5)) : 'INVALID IPv4';
  if (family === AF_INET6) return b.length === 19 ? ipv6Endpoint(b, 1, u16le(b, 17)) : 'INVALID IPv6';
  return `family ${family}`;
}

/** A socket tuple parameter (PT_SOCKTUPLE) as libsinsp prints it. */
export function formatSocktuple(b: Uint8Array, sanitize: (s: string) => string): string {
  if (b.length === 0) return 'NULL';
  const family = b[0]!;
  if (family === AF_INET) {
    if (b.length !== 13) return 'INVALID IPv4';
    return `${ipv4Endpoint(b, 1, u16le(b, 5))}->${ipv4Endpoint(b, 7, u16le(b, 11))}`;
  }
  if (family === AF_INET6) {
    if (b.length !== 37) return 'INVALID IPv6';
    if (isIpv4MappedIpv6(b, 1) && isIpv4MappedIpv6(b, 19)) {
      return `${ipv4Endpoint(b, 13, u16le(b, 17))}->${ipv4Endpoint(b, 31, u16le(b, 35))}`;
    }
    return `${ipv6Endpoint(b, 1, u16le(b, 17))}->${ipv6Endpoint(b, 19, u16le(b, 35))}`;
  }
  if (family === AF_UNIX) {
    return `${hex64le(b, 1)}->${hex64le(b, 9)} ${cString(b, 17, sanitize)}`;
  }
  return `family ${family}`;
}
