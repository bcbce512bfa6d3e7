// The machine's network interfaces (from the capture's interface list, or the host live), used
// to complete socket tuples that lack one side and to tell local from remote addresses
// (fd.lip/fd.rip, fd.is_server), as libsinsp does.
import { FD_TYPE } from '../scap/format.js';
import { type FdInfo, SOCK } from './fds.js';

export interface Ipv4Interface {
  readonly name: string;
  /** Address, netmask, broadcast as the contract's uint32 (127.0.0.1 = 0x7f000001). */
  readonly addr: number;
  readonly netmask: number;
  readonly bcast: number;
}

export interface Ipv6Interface {
  readonly name: string;
  readonly addr: Uint8Array;
}

const LOOPBACK_V4 = 0x7f000001;
const LOOPBACK_V6 = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

function bytesEqual(a: Uint8Array, b: Uint8Array, n = 16): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isZero(a: Uint8Array, off: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[off + i] !== 0) return false;
  return true;
}

export class NetworkInterfaces {
  ipv4: Ipv4Interface[] = [];
  ipv6: Ipv6Interface[] = [];

  set(ipv4: readonly Ipv4Interface[], ipv6: readonly Ipv6Interface[]): void {
    this.ipv4 = [...ipv4];
    this.ipv6 = [...ipv6];
  }

  /** The local address a socket to `dest` most likely uses. */
  inferIpv4(dest: number): number {
    for (const i of this.ipv4) if (i.addr === dest) return i.addr;
    for (const i of this.ipv4) if (((i.addr & i.netmask) >>> 0) === ((dest & i.netmask) >>> 0)) return i.addr;
    for (const i of this.ipv4) if (i.addr !== LOOPBACK_V4) return i.addr;
    return 0;
  }

  inferIpv6(dest: Uint8Array): Uint8Array | undefined {
    for (const i of this.ipv6) if (bytesEqual(dest, i.addr)) return i.addr;
    for (const i of this.ipv6) if (bytesEqual(dest, i.addr, 8)) return i.addr;
    for (const i of this.ipv6) if (!bytesEqual(i.addr, LOOPBACK_V6)) return i.addr;
    return undefined;
  }

  isLocalIpv4(addr: number): boolean {
    for (const i of this.ipv4) if (i.addr === addr) return true;
    return false;
  }

  /** IPv6 addresses are local when they share the first 64 bits with an interface's. */
  isLocalIpv6(addr: Uint8Array): boolean {
    for (const i of this.ipv6) if (bytesEqual(addr, i.addr, 8)) return true;
    return false;
  }

  /** Fills the missing side of a socket tuple with the most likely local address. */
  completeTuple(fd: FdInfo): void {
    if (fd.type === FD_TYPE.IPV4_SOCK) {
      const sip = fd.ipv4(SOCK.V4_SIP);
      const dip = fd.ipv4(SOCK.V4_DIP);
      if (sip !== 0 && dip !== 0) return;
      const samePort = fd.u16(SOCK.V4_SPORT) === fd.u16(SOCK.V4_DPORT);
      if (sip === 0) {
        const a = this.inferIpv4(dip);
        if (a === dip && samePort) return;
        writeIpv4(fd, SOCK.V4_SIP, a);
      } else {
        const a = this.inferIpv4(sip);
        if (a === sip && samePort) return;
        writeIpv4(fd, SOCK.V4_DIP, a);
      }
      return;
    }
    if (fd.type !== FD_TYPE.IPV6_SOCK) return;
    const s = fd.sockBytes();
    const sipEmpty = isZero(s, SOCK.V6_SIP, 16);
    const dipEmpty = isZero(s, SOCK.V6_DIP, 16);
    if (!sipEmpty && !dipEmpty) return;
    const samePort = fd.u16(SOCK.V6_SPORT) === fd.u16(SOCK.V6_DPORT);
    if (sipEmpty) {
      const dip = s.slice(SOCK.V6_DIP, SOCK.V6_DIP + 16);
      const a = this.inferIpv6(dip) ?? new Uint8Array(16);
      if (bytesEqual(a, dip) && samePort) return;
      s.set(a, SOCK.V6_SIP);
      return;
    }
    const sip = s.slice(SOCK.V6_SIP, SOCK.V6_SIP + 16);
    const a = this.inferIpv6(sip) ?? new Uint8Array(16);
    if (bytesEqual(a, sip) && samePort) return;
    s.set(a, SOCK.V6_DIP);
  }
}

export function writeIpv4(fd: FdInfo, off: number, addr: number): void {
  const s = fd.sockBytes();
  s[off] = (addr >>> 24) & 0xff;
  s[off + 1] = (addr >>> 16) & 0xff;
  s[off + 2] = (addr >>> 8) & 0xff;
  s[off + 3] = addr & 0xff;
}
