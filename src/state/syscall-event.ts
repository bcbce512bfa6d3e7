// The syscall event as rules and outputs see it: the scap event view plus what the state engine
// attached to it (thread, fd, errno, Falco's event number). One reusable object per stream, valid
// until the stream moves to the next event (the view's lifetime rule, see src/scap/event.ts).
import type { BufferFormat } from '../fields/render.js';
import type { EventView, ScapEvent } from '../scap/event.js';
import { libsinspList, type EventParams } from './params.js';
import { EventContext } from './parser.js';
import type { SystemState } from './system-state.js';

const EMPTY = new Uint8Array(0);
// "(NULL)" plus its terminator: how old captures wrote a missing string.
const LEGACY_NULL = [0x28, 0x4e, 0x55, 0x4c, 0x4c, 0x29, 0x00];

function isLegacyNull(buf: Uint8Array, at: number): boolean {
  for (let k = 0; k < LEGACY_NULL.length; k++) if (buf[at + k] !== LEGACY_NULL[k]) return false;
  return true;
}

/** EventParams over a scap event view (no allocation; re-pointed at each event). */
export class ViewParams implements EventParams {
  view!: EventView;

  get type(): number {
    return this.view.type;
  }

  get tid(): number {
    return this.view.tid;
  }

  get ts(): number {
    return this.view.ts;
  }

  get cpu(): number {
    return this.view.cpu;
  }

  get nparams(): number {
    return this.view.nparams;
  }

  tsExact(): bigint {
    return this.view.tsBig;
  }

  paramLen(i: number): number {
    return this.view.paramLength(i);
  }

  int(i: number): number {
    return this.view.int(i) ?? 0;
  }

  uint(i: number): number {
    return this.view.uint(i) ?? 0;
  }

  u64(i: number): bigint {
    return this.view.bigint(i) ?? 0n;
  }

  str(i: number): string {
    const v = this.view;
    const len = v.paramLength(i);
    if (len === 0) return '<NA>';
    if (len === 7 && isLegacyNull(v.buf, v.paramOffset(i))) return '<NA>';
    return v.str(i) ?? '<NA>';
  }

  bytes(i: number): Uint8Array {
    return this.view.bytes(i) ?? EMPTY;
  }

  strList(i: number): string[] {
    return libsinspList(this.view.strList(i));
  }
}

/** How an event relates to Falco's processing. */
export const enum Delivery {
  /** Given to rules (evaluated by Falco). */
  Rules = 0,
  /** Seen by the state engine but not given to rules (open/connect/execve enter events kept for
   *  their exit, container and user events at the start of a capture). */
  StateOnly = 1,
  /** Dropped before the state engine by the capture converter (old-format enter events). */
  Dropped = 2,
}

export class SyscallEvent extends EventContext {
  /** The event (the reader's view, or its converted form for old captures). */
  evt!: ScapEvent;
  /** Parameter access for the state parsers over `evt`. */
  readonly params = new ViewParams();
  /** Falco's event number: events reaching the state engine, counted from 1; 0 for dropped ones. */
  num = 0;
  /** Position of the event in the capture, counting every event (sysdig's numbering). */
  fileNum = 0;
  delivery: Delivery = Delivery.Rules;
  /**
   * For Dropped events only: the fd the event names (its fd parameter), -1 when none. libsinsp
   * never parses such events, so the thread's last-event fd does not describe them.
   */
  droppedFd = -1;

  constructor(readonly state: SystemState, readonly stream: StreamInfo) {
    super();
  }

  /** Whether Falco gives this event to its rules. */
  get forRules(): boolean {
    return this.delivery === Delivery.Rules;
  }

  /** Set for each event: per-event caches of extractors are keyed by it. */
  seq = 0;
}

/** Facts about the stream that fields need (evt.reltime, evt.hostname...). */
export interface StreamInfo {
  /** Timestamp of the first event that is not a meta event (evt.reltime base), 0n before it. */
  firstEventTs: bigint;
  /** The machine's host name (evt.hostname): the capture's, or the local one live. */
  hostname: string;
  /** Whether events come from a capture file (libsinsp "capture mode"). */
  isCapture: boolean;
  /** How byte buffers print in evt.args, evt.buffer... (Falco's buffer_format_base64). */
  bufferFormat: BufferFormat;
}
