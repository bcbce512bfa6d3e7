// Rule-triggered captures, as Falco 0.44's `capture` configuration section defines them: when a
// rule with `capture: true` matches (mode `rules`), or any rule matches (mode `all_rules`), start
// recording the event stream into `<path_prefix>_<ts>_<evtnum>.scap` (gzip-compressed scap, 20-digit
// zero-padded event timestamp and number, as Falco names them), beginning with the state the agent
// has at that moment (threads, fds, users: what libsinsp's dumper writes), then every event, the
// triggering one included. The recording stops at the first of:
//   - its deadline: event time ≥ the latest `ts + duration` of the rules matched so far (a rule's
//     `capture_duration` in ms, else `default_duration`; later matches only extend it);
//   - `max_file_size_mb` (compressed bytes on disk, approximate as in Falco): then a
//     "Falco internal: capture size limit reached" message is reported.
// As in Falco, every matched rule extends the deadline, whether it asked for a capture or not.
//
// The event loop calls `onEvent(evt, matches)` once per event, after the rules ran, with the rules
// that matched (an empty list in the common case: that path does nothing but a comparison).
import { createWriteStream, type WriteStream } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { PeregrineConfig } from '../../cli/config/types.js';
import { Priority } from '../../engine/priority.js';
import { ScapWriter } from '../../scap/writer.js';
import { snapshotState } from '../../state/snapshot.js';
import type { SyscallEvent } from '../../state/syscall-event.js';
import { log } from '../../util/log.js';

/** What the recorder needs to know about a matched rule (a CompiledRule has both). */
export interface CaptureTrigger {
  readonly capture: boolean;
  /** Milliseconds; 0 for the configured default. */
  readonly captureDuration: number;
}

/** A message the recorder wants delivered as Falco's internal alerts are (through the outputs). */
export interface InternalMessage {
  readonly rule: string;
  readonly message: string;
  readonly priority: Priority;
  readonly fields: Record<string, number | string>;
  /** ns since the epoch */
  readonly time: bigint;
}

export interface CaptureRecorderOptions {
  /** Where the size-limit notice goes (the agent hands it to the outputs). */
  readonly onInternalMessage?: (m: InternalMessage) => void;
  /** Called when a capture file is complete on disk. */
  readonly onFileClosed?: (file: CaptureFileInfo) => void;
}

export interface CaptureFileInfo {
  readonly path: string;
  readonly events: number;
  /** Compressed bytes on disk. */
  readonly bytes: number;
  readonly reason: 'deadline' | 'size_limit' | 'shutdown';
}

const MS = 1_000_000n;

/** `<prefix>_<ts>_<num>.scap` with both numbers zero-padded to 20 digits (Falco's file names). */
export function captureFilePath(prefix: string, ts: bigint, evtNum: number | bigint): string {
  const pad = (n: bigint | number): string => String(n).padStart(20, '0');
  return `${prefix}_${pad(ts)}_${pad(evtNum)}.scap`;
}

interface ActiveCapture {
  readonly path: string;
  readonly writer: ScapWriter;
  readonly file: WriteStream;
}

export class CaptureRecorder {
  private readonly allRules: boolean;
  private readonly defaultNs: bigint;
  private readonly maxBytes: number;
  private deadline = 0n;
  private active: ActiveCapture | undefined;
  private readonly closing: Promise<void>[] = [];
  /** Capture files written so far (complete or being written). */
  readonly files: string[] = [];
  /** Write failures (the recording in progress is abandoned, the agent goes on). */
  errors = 0;

  constructor(private readonly settings: PeregrineConfig['capture'], private readonly opts: CaptureRecorderOptions = {}) {
    this.allRules = settings.mode === 'all_rules';
    this.defaultNs = BigInt(Math.max(0, Math.trunc(settings.default_duration))) * MS;
    this.maxBytes = settings.max_file_size_mb > 0 ? settings.max_file_size_mb * 1024 * 1024 : 0;
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Whether a recording is in progress. */
  get recording(): boolean {
    return this.active !== undefined;
  }

  /** Per event, after the rules: `matches` are the rules that matched it (often none). */
  onEvent(e: SyscallEvent, matches: readonly CaptureTrigger[]): void {
    if (!this.settings.enabled) return;
    if (matches.length > 0) this.onMatches(e, matches);
    if (this.active !== undefined) this.dump(e);
  }

  private onMatches(e: SyscallEvent, matches: readonly CaptureTrigger[]): void {
    const ts = e.evt.tsBig;
    let start = this.allRules;
    for (const m of matches) {
      if (m.capture) start = true;
      const end = ts + (m.captureDuration > 0 ? BigInt(Math.trunc(m.captureDuration)) * MS : this.defaultNs);
      if (end > this.deadline) this.deadline = end;
    }
    if (start && this.active === undefined) this.open(e, ts);
  }

  private open(e: SyscallEvent, ts: bigint): void {
    const path = captureFilePath(this.settings.path_prefix, ts, e.num);
    try {
      const file = createWriteStream(path);
      // A small buffer keeps the on-disk size (the max_file_size_mb check) close to what was recorded.
      const writer = ScapWriter.toStream(file, { gzip: true, bufferSize: 64 * 1024 });
      const state = e.state;
      const snap = snapshotState(state);
      writer.writeMachineInfo({
        numCpus: cpus().length, memorySizeBytes: BigInt(totalmem()), maxPid: 0n, hostname: e.stream.hostname,
        bootTsEpoch: state.bootTsEpoch, flags: 0n, reserved3: 0n, reserved4: 0n,
      });
      const net = state.network;
      if (net.ipv4.length + net.ipv6.length > 0) {
        // The state keeps what it needs of each interface; the rest is written as unknown.
        const zero16 = new Uint8Array(16);
        writer.writeInterfaces(
          net.ipv4.map((i) => ({ name: i.name, addr: i.addr, netmask: i.netmask, bcast: i.bcast, linkspeed: 0 })),
          net.ipv6.map((i) => ({ name: i.name, addr: i.addr, netmask: zero16, bcast: zero16, linkspeed: 0 })),
        );
      }
      writer.writeUsers(snap.users, snap.groups);
      writer.writeProcesses(snap.processes);
      for (const list of snap.fdLists) writer.writeFds(list.tid, list.fds);
      this.active = { path, writer, file };
      this.files.push(path);
      log.info(`Starting capture to ${path}`);
    } catch (err) {
      this.errors++;
      log.error(`Cannot start the capture ${path}: ${(err as Error).message}`);
      this.deadline = 0n;
    }
  }

  private dump(e: SyscallEvent): void {
    const a = this.active!;
    try {
      a.writer.writeEvent(e.evt);
    } catch (err) {
      this.errors++;
      log.error(`Capture ${a.path} abandoned: ${(err as Error).message}`);
      this.finish('shutdown');
      return;
    }
    if (e.evt.tsBig >= this.deadline) {
      this.finish('deadline');
      return;
    }
    if (this.maxBytes > 0) {
      const written = a.file.bytesWritten + a.file.writableLength;
      if (written >= this.maxBytes) {
        const limitMb = this.settings.max_file_size_mb;
        this.finish('size_limit');
        const rule = 'Falco internal: capture size limit reached';
        this.opts.onInternalMessage?.({
          rule,
          message: `${rule}. Configured limit: ${limitMb} MB.`,
          priority: Priority.Informational,
          fields: { max_file_size_mb: limitMb, written_bytes: written },
          time: BigInt(Date.now()) * MS,
        });
      }
    }
  }

  private finish(reason: CaptureFileInfo['reason']): void {
    const a = this.active;
    if (a === undefined) return;
    this.active = undefined;
    this.deadline = 0n;
    const events = a.writer.events;
    this.closing.push(a.writer.close().then(
      () => {
        const info: CaptureFileInfo = { path: a.path, events, bytes: a.file.bytesWritten, reason };
        log.info(`Capture ${a.path} complete: ${events} events (${reason === 'deadline' ? 'duration reached' : reason === 'size_limit' ? 'size limit reached' : 'stopped'})`);
        this.opts.onFileClosed?.(info);
      },
      (err: Error) => {
        this.errors++;
        log.error(`Cannot complete the capture ${a.path}: ${err.message}`);
      },
    ));
  }

  /** Ends a recording in progress (agent shutdown, restart) and waits for every file. */
  async close(): Promise<void> {
    this.finish('shutdown');
    await Promise.all(this.closing);
  }
}
