// Synthetic event streams for the state tests: events encoded in the current layout, pushed
// through a StateStream, fields read through the real syscall extractors.
import { EVENT_INFO, PT } from '../../src/scap/event-table.js';
import { EventView } from '../../src/scap/event.js';
import type { ProcessRecord } from '../../src/scap/records.js';
import { boundJson, boundText } from '../../src/fields/render.js';
import type { BoundField, JsonFieldValue } from '../../src/fields/types.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import { StateStream, type StateStreamOptions } from '../../src/state/stream.js';
import type { SyscallEvent } from '../../src/state/syscall-event.js';
import { encodeEvent, p } from '../scap/helpers.js';

export { p };

const source = createSyscallSource();
const bound = new Map<string, BoundField<SyscallEvent>>();

function bind(field: string): BoundField<SyscallEvent> {
  let b = bound.get(field);
  if (b === undefined) {
    b = source.fields.bindText(field);
    if (b === undefined) throw new Error(`unknown field ${field}`);
    bound.set(field, b);
  }
  return b;
}

/** A field of an event as Falco prints it in text outputs (`<NA>` when missing). */
export function text(e: SyscallEvent, field: string): string {
  return boundText(bind(field), e);
}

/** A field of an event as Falco puts it in JSON output fields (null when missing). */
export function json(e: SyscallEvent, field: string): JsonFieldValue {
  return boundJson(bind(field), e);
}

/** The value conditions compare (undefined when missing). */
export function value(e: SyscallEvent, field: string): unknown {
  return bind(field).extract(e);
}

/** A process-list entry with defaults (tid = pid, root user, host cgroups). */
export function processRecord(r: Partial<ProcessRecord> & { tid: number }): ProcessRecord {
  return {
    pid: r.tid, ptid: 1, sid: r.tid, vpgid: r.tid, pgid: r.tid, comm: 'proc', exe: '/bin/proc', exepath: '/bin/proc',
    args: [], cwd: '/', fdlimit: 1024, flags: 0, uid: 0, gid: 0, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pfMajor: 0,
    pfMinor: 0, env: [], vtid: r.tid, vpid: r.pid ?? r.tid, cgroups: [], root: '/', pidnsInitStartTs: 0n, tty: 0, loginuid: -1,
    exeWritable: false, capInheritable: 0n, capPermitted: 0n, capEffective: 0n, exeUpperLayer: false,
    exeLowerLayer: false, exeFromMemfd: false, exeIno: 0, exeInoCtime: 0n, exeInoMtime: 0n,
    ...r,
  };
}

/** Pushes synthetic events through a state stream. */
export class Synth {
  readonly stream: StateStream;
  private readonly view = new EventView();
  private num = 0;
  /** Timestamp of the next event (advances by 1 µs per event). */
  ts = 1_700_000_000_000_000_000n;

  constructor(opts: StateStreamOptions = {}) {
    this.stream = new StateStream({ isCapture: true, ...opts });
  }

  get state(): StateStream['state'] {
    return this.stream.state;
  }

  /** Adds processes as a capture's process list would. */
  seed(...records: ProcessRecord[]): this {
    for (const r of records) this.state.seedProcess(r);
    this.state.linkSeededThreads();
    return this;
  }

  /** Pushes one event (current layout) and returns the stateful event. */
  push(type: number, tid: number, params: Uint8Array[]): SyscallEvent {
    const bytes = encodeEvent({ type, tid, params, ts: this.ts });
    this.ts += 1000n;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view.load(bytes, dv, 0, true, type, EVENT_INFO[type]!, params.length, bytes.length);
    this.view.num = ++this.num;
    return this.stream.push(this.view);
  }
}

/** Parameter encoders beyond the scap helpers'. */
export const q = {
  /** NUL-separated string list (args, env, cgroups). */
  list: (items: string[]): Uint8Array => Buffer.from(items.map((s) => s + '\0').join(''), 'utf8'),
  /** An IPv4 socket tuple: family 2, source ip/port, destination ip/port. */
  tuple4: (sip: string, sport: number, dip: string, dport: number): Uint8Array => {
    const b = Buffer.alloc(13);
    b[0] = 2;
    Buffer.from(sip.split('.').map(Number)).copy(b, 1);
    b.writeUInt16LE(sport, 5);
    Buffer.from(dip.split('.').map(Number)).copy(b, 7);
    b.writeUInt16LE(dport, 11);
    return b;
  },
  /** An IPv4 socket address. */
  addr4: (ip: string, port: number): Uint8Array => {
    const b = Buffer.alloc(7);
    b[0] = 2;
    Buffer.from(ip.split('.').map(Number)).copy(b, 1);
    b.writeUInt16LE(port, 5);
    return b;
  },
  empty: (): Uint8Array => new Uint8Array(0),
};

/**
 * Parameters for an event of `type` built from its table entry: `res` (8 bytes) first, then zeros
 * of each parameter's size, and `name` for strings (overrides by index).
 */
export function defaultParams(type: number, res: number, overrides: Record<number, Uint8Array> = {}): Uint8Array[] {
  return EVENT_INFO[type]!.params.map((param, i) => {
    if (overrides[i] !== undefined) return overrides[i];
    if (i === 0) return p.i64(res);
    switch (param.type) {
      case PT.CHARBUF: case PT.FSPATH: case PT.FSRELPATH:
        return p.str('name');
      case PT.BYTEBUF: case PT.SOCKADDR: case PT.SOCKTUPLE: case PT.FDLIST:
        return new Uint8Array(0);
      case PT.INT8: case PT.UINT8: case PT.FLAGS8: case PT.ENUMFLAGS8: case PT.SIGTYPE:
        return new Uint8Array(1);
      case PT.INT16: case PT.UINT16: case PT.FLAGS16: case PT.ENUMFLAGS16: case PT.SYSCALLID: case PT.PORT:
        return new Uint8Array(2);
      case PT.INT32: case PT.UINT32: case PT.FLAGS32: case PT.ENUMFLAGS32: case PT.UID: case PT.GID: case PT.MODE:
      case PT.SIGSET: case PT.FD32: case PT.PID32:
        return new Uint8Array(4);
      default:
        return new Uint8Array(8);
    }
  });
}
