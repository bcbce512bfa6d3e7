// Shared pieces of the syscall field extractors: the extractor type, the state hooks that render
// event parameters with process knowledge (fd names, user names...), and time formatting.
import type { FieldExtractor } from '../../registry.js';
import type { FieldValue, JsonFieldValue } from '../../types.js';
import type { SyscallEvent } from '../../../state/syscall-event.js';
import type { ParamStateHooks } from '../../../scap/param-format.js';
import type { ScapEvent } from '../../../scap/event.js';
import { FD_TYPE } from '../../../scap/format.js';
import { L4, AT_FDCWD } from '../../../state/constants.js';
import { errnoName } from '../../../scap/param-format.js';
import { sanitizeString, concatenatePaths } from '../../../state/paths.js';
import { PT } from '../../../scap/event-table.js';

export type Extractor = FieldExtractor<SyscallEvent>;

/** An extractor from a function (the common case: value only, default rendering). */
export function value(extract: (e: SyscallEvent) => FieldValue | undefined): Extractor {
  return { extract };
}

/** An extractor with its own JSON rendering (libsinsp's extract_as_js overrides). */
export function withJson(
  extract: (e: SyscallEvent) => FieldValue | undefined,
  toJson: (e: SyscallEvent) => JsonFieldValue | undefined,
): Extractor {
  return { extract, toJson };
}

// ---------------------------------------------------------------------------- parameter rendering

function l4Char(p: number): string {
  switch (p) {
    case L4.Tcp: return 't';
    case L4.Udp: return 'u';
    case L4.Icmp: return 'i';
    case L4.Raw: return 'r';
    default: return '';
  }
}

/**
 * State hooks for the scap parameter renderer, reading the event's thread as libsinsp's
 * get_param_as_str does. `current` is the stateful event being rendered.
 */
export function paramHooks(current: () => SyscallEvent): ParamStateHooks {
  return {
    fdDecoration(_evt: ScapEvent, fd: number): string | undefined {
      const t = current().thread;
      // Without a thread libsinsp prints the bare number (not even AT_FDCWD or errno names).
      if (t === undefined) return '';
      if (fd >= 0) {
        const info = t.getFd(fd);
        if (info === undefined) return '';
        const sock = info.type === FD_TYPE.IPV4_SOCK || info.type === FD_TYPE.IPV6_SOCK ||
          info.type === FD_TYPE.IPV4_SERVSOCK || info.type === FD_TYPE.IPV6_SERVSOCK;
        return `<${info.typeChar}${sock ? l4Char(info.l4proto()) : ''}>${sanitizeString(info.name)}`;
      }
      if (fd === AT_FDCWD) return 'AT_FDCWD';
      return errnoName(fd) ?? '';
    },
    fdTypeChar(_evt: ScapEvent, fd: number): string | undefined {
      const info = current().thread?.getFd(fd);
      return info === undefined ? '?' : info.typeChar;
    },
    threadName(tid: number): string | undefined {
      return current().state.threads.peek(tid)?.comm;
    },
    userName(_evt: ScapEvent, uid: number): string | undefined {
      const e = current();
      const t = e.thread;
      if (t === undefined) return undefined;
      const u = e.state.users.user(e.state.userContainerId(t), uid);
      return u === undefined || u.name === '' ? undefined : sanitizeString(u.name);
    },
    groupName(_evt: ScapEvent, gid: number): string | undefined {
      const e = current();
      const t = e.thread;
      if (t === undefined) return undefined;
      const g = e.state.users.group(e.state.userContainerId(t), gid);
      return g === undefined || g.name === '' ? undefined : sanitizeString(g.name);
    },
    absolutePath(evt: ScapEvent, paramIndex: number, path: string): string | undefined {
      const e = current();
      const t = e.thread;
      // Without a thread libsinsp repeats the value as its resolved form.
      if (t === undefined) return path;
      let base = t.getCwd();
      const info = evt.paramInfo(paramIndex);
      if (info?.type === PT.FSRELPATH && info.dirfdParam !== undefined) {
        const dirInfo = evt.paramInfo(info.dirfdParam);
        if (dirInfo?.type === PT.FD) {
          const dirfd = evt.int(info.dirfdParam) ?? AT_FDCWD;
          if (dirfd !== AT_FDCWD) base = t.pathForDirFd(dirfd);
        }
      }
      return concatenatePaths(base, path);
    },
  };
}

// ---------------------------------------------------------------------------- times

const NS_PER_S = 1_000_000_000n;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Local time zone offset in seconds at `sec` (libsinsp uses the host's zone). */
function zoneOffset(sec: bigint): number {
  return -new Date(Number(sec) * 1000).getTimezoneOffset() * 60;
}

/** `HH:MM:SS.nnnnnnnnn` (local time), optionally preceded by `YYYY-MM-DD ` (sinsp ts_to_string). */
export function tsToString(ts: bigint, date: boolean, ns: boolean): string {
  const sec = ts / NS_PER_S;
  const nsec = Number(ts % NS_PER_S);
  const local = Number(sec) + zoneOffset(sec);
  const s = ((local % 86400) + 86400) % 86400;
  let out = '';
  if (date) {
    const d = new Date((local - s) * 1000);
    out = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `;
  }
  out += `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  if (ns) out += '.' + String(nsec).padStart(9, '0');
  return out;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (UTC, sinsp ts_to_iso_8601). */
export function tsToIso8601(ts: bigint): string {
  const sec = ts / NS_PER_S;
  const nsec = Number(ts % NS_PER_S);
  const d = new Date(Number(sec) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${String(nsec).padStart(9, '0')}+0000`;
}
