// Shared helpers of the scap tests: corpus capture lists, synthetic events, reading whole captures.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { EVENT_CODE, EVENT_INFO, PT } from '../../src/scap/event-table.js';
import type { ScapEvent } from '../../src/scap/event.js';
import { renderParam } from '../../src/scap/param-format.js';
import { ScapReader, type ScapHeader } from '../../src/scap/reader.js';
import { BLOCK, EVT_HEADER_SIZE, paddedLength } from '../../src/scap/format.js';
import { corpusPath } from '../helpers/corpus.js';

/** Every capture of the corpus (path under captures/ without .scap). */
export const CORPUS_CAPTURES = [
  'cat_write', 'connect_localhost', 'empty', 'history/empty_with_containers', 'libs_e2e/curl_google',
  'libs_e2e/curl_google_comments', 'libs_e2e/single_ipv6_conn', 'libs_e2e/test_ipv6_client', 'open-multiple-files',
  'ping_sendto', 'psp/privileged', 'psp/run_as_user_0_container', 'psp/run_as_user_65534_container',
  'psp/write_tmp_test', 'syscall',
];

export function capturePath(name: string): string {
  return corpusPath('captures', `${name}.scap`);
}

/** The uncompressed bytes of a corpus capture. */
export function captureBytes(name: string): Buffer {
  const raw = readFileSync(capturePath(name));
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** A comparable snapshot of an event (the view itself is reused). */
export interface EventSnapshot {
  num: number;
  type: number;
  ts: bigint;
  tid: number;
  cpu: number;
  flags: number;
  nparams: number;
  length: number;
  params: string;
}

export async function readAll(reader: ScapReader): Promise<{ header: ScapHeader; events: EventSnapshot[] }> {
  const events: EventSnapshot[] = [];
  await reader.forEach((e) => {
    events.push({
      num: e.num, type: e.type, ts: e.tsBig, tid: e.tid, cpu: e.cpu, flags: e.flags, nparams: e.nparams,
      length: e.length, params: Buffer.from(e.paramBytes()).toString('hex'),
    });
  });
  return { header: reader.header, events };
}

/** Encodes a parameter value for a synthetic event. */
export const p = {
  u8: (v: number): Uint8Array => Uint8Array.of(v),
  u16: (v: number): Uint8Array => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; },
  u32: (v: number): Uint8Array => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; },
  i64: (v: number | bigint): Uint8Array => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b; },
  u64: (v: number | bigint): Uint8Array => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; },
  str: (s: string): Uint8Array => Buffer.from(s + '\0', 'utf8'),
  raw: (b: ArrayLike<number>): Uint8Array => Uint8Array.from(b),
};

export interface SyntheticEvent {
  type: number;
  params: Uint8Array[];
  ts?: bigint;
  tid?: number;
}

/** The bytes of an event in the V2 layout (lengths u16, or u32 for large-payload events). */
export function encodeEvent(e: SyntheticEvent): Uint8Array {
  const width = EVENT_INFO[e.type]?.largePayload ? 4 : 2;
  const len = EVT_HEADER_SIZE + e.params.length * width + e.params.reduce((s, x) => s + x.length, 0);
  const b = Buffer.alloc(len);
  b.writeBigUInt64LE(e.ts ?? 1_700_000_000_000_000_000n, 0);
  b.writeBigInt64LE(BigInt(e.tid ?? 1234), 8);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(e.type, 20);
  b.writeUInt32LE(e.params.length, 22);
  let at = EVT_HEADER_SIZE;
  for (const x of e.params) {
    if (width === 2) b.writeUInt16LE(x.length, at); else b.writeUInt32LE(x.length, at);
    at += width;
  }
  for (const x of e.params) {
    b.set(x, at);
    at += x.length;
  }
  return b;
}

/** A block: type, length, body, padding, trailer. */
export function encodeBlock(type: number, body: Uint8Array): Buffer {
  const total = paddedLength(8 + body.length + 4);
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  b.set(body, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** A minimal capture: a section header then the given blocks. */
export function captureOf(...blocks: Uint8Array[]): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(2, 6);
  shb.writeBigInt64LE(-1n, 8);
  return Buffer.concat([encodeBlock(BLOCK.SHB, shb), ...blocks]);
}

/** An EV_V2 block holding an event (cpu 0). */
export function eventBlock(e: SyntheticEvent, cpu = 0): Buffer {
  const ev = encodeEvent(e);
  const body = Buffer.alloc(2 + ev.length);
  body.writeUInt16LE(cpu, 0);
  body.set(ev, 2);
  return encodeBlock(EVENT_INFO[e.type]?.largePayload ? BLOCK.EV_V2_LARGE : BLOCK.EV_V2, body);
}

/** Parameter types whose resolved text needs process state (fd names, thread names, users, cwd). */
const STATEFUL = new Set<number>([PT.FD, PT.PID, PT.UID, PT.GID, PT.FSPATH, PT.FSRELPATH]);
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** libsinsp sanitizes string field values in outputs: control characters become U+FFFD. */
const sanitize = (s: string): string =>
  Array.from(s, (c) => (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) ? '\ufffd' : c)).join('');

/**
 * A regular expression for the `evt.args` text Falco prints for this event, where the parts that
 * need process state may take any value: `(...)` decorations after fds, pids, users and paths, and
 * the fd type letters of fd lists (`?` without state).
 */
export function argsPattern(e: ScapEvent): RegExp {
  let re = '';
  if (e.type !== EVENT_CODE.GENERIC_X) {
    for (let i = 0; i < e.nparams && i < e.info.params.length; i++) {
      const info = e.info.params[i];
      const r = renderParam(e, i);
      re += i > 0 ? ' ' : '';
      if (info.type === PT.FDLIST) {
        re += escapeRe(`${info.name}=`) + r.value.split(' ').map((x) => escapeRe(x).replace(':\\?', ':.')).join(' ');
        continue;
      }
      re += escapeRe(sanitize(`${info.name}=${r.value}`));
      if (STATEFUL.has(info.type)) re += '(\\(.*?\\))?';
      else if (r.resolved !== '') re += escapeRe(`(${r.resolved})`);
    }
  }
  return new RegExp(`^${re}$`, 's');
}
