// The live capture driver as a child process: starts the loader binary (driver/build/peregrine-driver),
// exposes the scap byte stream it writes on stdout, follows its statistics and messages on stderr,
// changes the captured syscalls at run time, notices when it dies or stalls, and stops it cleanly
// (SIGTERM: the loader detaches, delivers everything already captured, then exits).
//
// The loader speaks JSON lines on stderr ({"type":"ready"|"selection"|"stats"|"error"|"exit",...})
// and takes commands on stdin (`select <names>`, `exclude <pid>`, `include <pid>`, `snaplen <n>`,
// `stats`, `stop`); see driver/loader/main.c.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { ScapReader, type ScapReaderOptions } from '../../scap/reader.js';
import { log } from '../../util/log.js';

/** Counters the driver reports (kernel-side counts are totals since the driver started). */
export interface DriverStats {
  /** Events the probe put into the ring buffer. */
  readonly events: number;
  /** Events lost, by cause. `buffer_full`: the consumer did not keep up. */
  readonly drops: { readonly buffer_full: number; readonly too_large: number; readonly no_scratch: number };
  /** buffer_full drops split by the kind of event lost. */
  readonly buffer_full_by_class: { readonly process: number; readonly file: number; readonly net: number };
  /** User-memory reads that failed (the parameter was sent empty). */
  readonly read_faults: number;
  /** Events and bytes the loader wrote to the stream. */
  readonly written_events: number;
  readonly written_bytes: number;
  /** Number of syscalls currently attached. */
  readonly selected: number;
  /** CPU time the loader has used. */
  readonly cpu_seconds: number;
}

/** Total events lost so far. */
export function totalDrops(s: DriverStats): number {
  return s.drops.buffer_full + s.drops.too_large + s.drops.no_scratch;
}

export interface SelectionResult {
  /** Syscalls now captured. */
  readonly selected: readonly string[];
  /** Names that are not syscalls of this machine (ignored). */
  readonly unsupported: readonly string[];
  /** Syscalls this kernel cannot trace (no tracepoint: e.g. module calls without module support). */
  readonly unavailable: readonly string[];
  /** Syscalls whose tracepoint could not be attached (an error of the kernel or of privileges). */
  readonly failed: readonly string[];
}

export type DriverErrorCode =
  | 'binary'        // the loader binary is missing
  | 'capabilities'  // not enough privileges
  | 'start'         // the loader failed before it was ready (load, tracefs, attach...)
  | 'exited'        // the loader died while running
  | 'stalled';      // the loader stopped reporting while the stream was being read

/** A driver failure with a message meant for the user (no stack trace needed). */
export class DriverError extends Error {
  constructor(readonly code: DriverErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'DriverError';
  }
}

export interface DriverOptions {
  /** Loader binary; default $PEREGRINE_DRIVER or driver/build/peregrine-driver of this package. */
  readonly binary?: string;
  /** Syscalls (ppm_sc names) to capture from the start; see computeSyscallSelection. */
  readonly syscalls: readonly string[];
  /** Processes never captured, besides the driver itself; default: this Node process. */
  readonly excludePids?: readonly number[];
  /** Ring buffer size in MiB (a power of two); default 16. */
  readonly ringBufferMiB?: number;
  /** How often the loader drains the ring buffer when it is not woken up; default 10 ms. */
  readonly pollMs?: number;
  /** Statistics interval; default 1000 ms. */
  readonly statsIntervalMs?: number;
  /** Bytes of I/O data kept per event; default 80 (Falco's snaplen). */
  readonly snaplen?: number;
  /** Do not capture failed syscalls, those returning a negative value (drop_failed_exit). */
  readonly dropFailedExit?: boolean;
  /** Write the initial process and fd tables (default true). */
  readonly procScan?: boolean;
  /** Declare the driver stalled after this long without statistics or data while the stream is
   *  being read; default 5 statistics intervals (at least 5 s). */
  readonly stallTimeoutMs?: number;
  /** How long to wait for the driver to be ready; default 30 s. */
  readonly startTimeoutMs?: number;
  /** A command the driver is started under, e.g. ['taskset', '-c', '1']. */
  readonly wrapper?: readonly string[];
  /** Log "Opening 'syscall' source ..." as Falco does (default true). */
  readonly logOpen?: boolean;
}

/** Where the loader binary is, unless configured: next to this package's sources. */
export function defaultDriverBinary(): string {
  if (process.env.PEREGRINE_DRIVER) return process.env.PEREGRINE_DRIVER;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(dir, 'driver', 'build', 'peregrine-driver');
}

/** The one message a user gets when privileges are missing. */
export function capabilityMessage(missing: readonly string[], binary: string): string {
  return `Cannot open the 'syscall' source: the eBPF driver needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), ` +
    `and this process lacks ${missing.join(' and ')}. Run Peregrine as root, or grant the capabilities to ` +
    `the driver (setcap cap_bpf,cap_perfmon,cap_sys_admin,cap_dac_read_search,cap_sys_ptrace+ep ${binary}), ` +
    `or add them to the container (Kubernetes: securityContext.capabilities.add: [BPF, PERFMON, SYS_ADMIN, ` +
    `DAC_READ_SEARCH, SYS_PTRACE]).`;
}

interface DriverMessage {
  type: string;
  [key: string]: unknown;
}

/**
 * A running driver. Events: 'stats' (DriverStats), 'error' (DriverError: the driver died or
 * stalled), 'exit' (final DriverStats or undefined, exit code, signal).
 */
export class DriverProcess extends EventEmitter {
  /** The scap stream (header blocks, then event blocks); read it with ScapReader.fromStream. */
  readonly stream: Readable;
  readonly pid: number;
  private lastStats?: DriverStats;
  private lastActivity = Date.now();
  private stopping = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly pendingSelections: ((r: SelectionResult) => void)[] = [];
  private currentSelection: readonly string[] = [];
  private readonly recentErrors: string[] = [];
  private stallTimer?: NodeJS.Timeout;
  private readyReached = false;
  /** Length of the header blocks the driver wrote before its first event (from its ready message). */
  private headerBytes: number | undefined;

  private constructor(private readonly child: ChildProcess, private readonly options: DriverOptions, readonly binary: string) {
    super();
    if (!child.stdout || !child.stdin || !child.stderr || child.pid === undefined) {
      throw new DriverError('start', 'the driver process has no standard streams');
    }
    this.stream = child.stdout;
    this.pid = child.pid;
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts the driver and resolves when it is capturing (its header blocks are on the stream). */
  static async start(options: DriverOptions): Promise<DriverProcess> {
    const binary = options.binary ?? defaultDriverBinary();
    if (!existsSync(binary)) {
      throw new DriverError('binary', `Cannot open the 'syscall' source: the eBPF driver ${binary} does not exist; ` +
        'build it with `npm run build:driver` (needs clang, libbpf-dev, bpftool: scripts/setup.sh)');
    }
    const args = ['--syscalls', options.syscalls.join(','), '--stats-ms', String(options.statsIntervalMs ?? 1000)];
    for (const pid of options.excludePids ?? [process.pid]) args.push('--exclude-pid', String(pid));
    if (options.ringBufferMiB !== undefined) args.push('--ring-mb', String(options.ringBufferMiB));
    if (options.pollMs !== undefined) args.push('--poll-ms', String(options.pollMs));
    if (options.snaplen !== undefined) args.push('--snaplen', String(options.snaplen));
    if (options.dropFailedExit === true) args.push('--drop-failed');
    if (options.procScan === false) args.push('--no-proc-scan');
    const [command, ...prefix] = options.wrapper && options.wrapper.length > 0 ? [...options.wrapper, binary] : [binary];
    if (options.logOpen !== false) {
      log.info("Opening 'syscall' source with modern BPF probe.");
    }
    const child = spawn(command, [...prefix, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const driver = await new Promise<DriverProcess>((resolve, reject) => {
      child.once('error', (err) => reject(new DriverError('start', `Cannot start the eBPF driver ${binary}: ${err.message}`)));
      child.once('spawn', () => resolve(new DriverProcess(child, options, binary)));
    });
    await driver.waitReady(options.startTimeoutMs ?? 30_000);
    return driver;
  }

  /**
   * A reader of the stream whose header is complete as soon as the driver's header blocks are in,
   * without waiting for a first event (a quiet host may not produce one for a long time).
   */
  openReader(options: ScapReaderOptions = {}): Promise<ScapReader> {
    return ScapReader.fromStream(this.stream, { headerBytes: this.headerBytes, ...options });
  }

  private waitReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.off('message', onStartupMessage);
        if (err) {
          this.child.kill('SIGKILL');
          reject(err);
        } else {
          resolve();
        }
      };
      const timer = setTimeout(() => settle(new DriverError('start',
        `Cannot open the 'syscall' source: the eBPF driver did not become ready within ${timeoutMs} ms`)), timeoutMs);
      let capabilityError: DriverError | undefined;
      const onStartupMessage = (msg: DriverMessage): void => {
        if (msg.type === 'ready') {
          const ncpu = Number(msg.ncpus ?? 0);
          if (this.options.logOpen !== false && ncpu > 0) log.info(`One ring buffer every '${ncpu}' CPUs.`);
          settle();
        } else if (msg.type === 'error' && msg.code === 'capabilities') {
          const missing = String(msg.missing ?? '').split(/,\s*/).filter((s) => s !== '');
          capabilityError = new DriverError('capabilities', capabilityMessage(missing, this.binary), { missing });
        }
      };
      this.on('message', onStartupMessage);
      this.child.once('exit', (code, signal) => {
        if (capabilityError) return settle(capabilityError);
        const why = this.recentErrors.length > 0 ? `: ${this.recentErrors.join('; ')}` : '';
        settle(new DriverError('start', `Cannot open the 'syscall' source: the eBPF driver exited ` +
          `${signal ? `on signal ${signal}` : `with status ${code}`} before it was ready${why}`, { code, signal }));
      });
      this.listen();
    });
  }

  private listen(): void {
    let pending = '';
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.lastActivity = Date.now();
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.onLine(line);
      }
    });
    this.child.stdin!.on('error', () => { /* the driver exited: reported by the exit handler */ });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      if (this.stallTimer) clearInterval(this.stallTimer);
      for (const waiter of this.pendingSelections.splice(0)) {
        waiter({ selected: this.currentSelection, unsupported: [], unavailable: [], failed: [] });
      }
      if (!this.stopping && this.readyReached) {
        const why = this.recentErrors.length > 0 ? `: ${this.recentErrors.join('; ')}` : '';
        this.fail(new DriverError('exited', `The eBPF driver (pid ${this.pid}) exited unexpectedly ` +
          `${signal ? `on signal ${signal}` : `with status ${code}`}${why}; live capture has stopped`, { code, signal }));
      }
      this.emit('exit', this.lastStats, code, signal);
    });
    const stats = this.options.statsIntervalMs ?? 1000;
    const stallMs = this.options.stallTimeoutMs ?? Math.max(5000, 5 * stats);
    if (stats > 0) {
      this.stallTimer = setInterval(() => this.checkStall(stallMs), Math.min(stallMs, 1000));
      this.stallTimer.unref();
    }
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let msg: DriverMessage | undefined;
    if (line.startsWith('{')) {
      try {
        msg = JSON.parse(line) as DriverMessage;
      } catch {
        msg = undefined;
      }
    }
    if (!msg) {
      // libbpf's own diagnostics: keep the last few for error messages.
      this.remember(line);
      if (log.enabled('debug')) log.debug(`driver: ${line}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.readyReached = true;
        if (typeof msg.header_bytes === 'number') this.headerBytes = msg.header_bytes;
        break;
      case 'stats':
      case 'exit':
        this.lastStats = statsFrom(msg);
        this.emit('stats', this.lastStats);
        break;
      case 'selection': {
        const result: SelectionResult = {
          selected: asStrings(msg.selected),
          unsupported: asStrings(msg.unsupported),
          unavailable: asStrings(msg.unavailable),
          failed: asStrings(msg.failed),
        };
        this.currentSelection = result.selected;
        if (result.failed.length > 0) log.warning(`eBPF driver: cannot capture ${result.failed.join(', ')}`);
        if (result.unavailable.length > 0 && log.enabled('debug')) {
          log.debug(`eBPF driver: this kernel cannot trace ${result.unavailable.join(', ')}`);
        }
        this.pendingSelections.shift()?.(result);
        break;
      }
      case 'error':
        this.remember(String(msg.message ?? line));
        if (this.readyReached) log.error(`eBPF driver: ${String(msg.message ?? line)}`);
        break;
      case 'warning':
        log.warning(`eBPF driver: ${String(msg.message ?? line)}`);
        break;
    }
    this.emit('message', msg);
  }

  /** Reports a failure to the 'error' listeners, or logs it when nobody listens (an unhandled
   *  'error' event would throw and take the agent down). */
  private fail(err: DriverError): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else log.error(err.message);
  }

  private remember(text: string): void {
    this.recentErrors.push(text);
    if (this.recentErrors.length > 5) this.recentErrors.shift();
  }

  private checkStall(stallMs: number): void {
    if (this.exited || this.stopping || !this.readyReached) return;
    // The driver reports statistics on a timer, unless it is blocked writing the stream because the
    // consumer does not keep up (the stream's buffer is full): that is back-pressure, not a stall.
    // (Activity is tracked on stderr only: listening to the stream's data would consume it.)
    if (this.stream.readableLength >= this.stream.readableHighWaterMark) {
      this.lastActivity = Date.now();
      return;
    }
    const idle = Date.now() - this.lastActivity;
    if (idle >= stallMs) {
      this.lastActivity = Date.now();
      this.fail(new DriverError('stalled', `The eBPF driver (pid ${this.pid}) has sent neither events nor ` +
        `statistics for ${Math.round(idle / 1000)} s; it is stuck or overloaded. Live capture may be incomplete.`));
    }
  }

  /** The latest statistics (undefined before the first report). */
  get stats(): DriverStats | undefined {
    return this.lastStats;
  }

  /** The syscalls captured, as the driver last reported them. */
  get selected(): readonly string[] {
    return this.currentSelection;
  }

  private send(command: string): void {
    if (this.exited) throw new DriverError('exited', 'The eBPF driver is not running');
    this.child.stdin!.write(command + '\n');
  }

  /** Replaces the captured syscalls without restarting the driver (hot reload of rules). */
  select(syscalls: readonly string[]): Promise<SelectionResult> {
    return new Promise((resolve) => {
      this.pendingSelections.push(resolve);
      this.send(`select ${syscalls.join(',')}`);
    });
  }

  /** Stops capturing a process (at most 7 processes besides the driver itself). */
  exclude(pid: number): void {
    this.send(`exclude ${pid}`);
  }

  /** Resumes capturing a process excluded before. */
  include(pid: number): void {
    this.send(`include ${pid}`);
  }

  setSnaplen(bytes: number): void {
    this.send(`snaplen ${bytes}`);
  }

  /** Asks for statistics now; resolves with them. */
  requestStats(): Promise<DriverStats> {
    return new Promise((resolve) => {
      this.once('stats', resolve);
      this.send('stats');
    });
  }

  /**
   * Stops the driver: it stops capturing, writes everything already captured, reports its final
   * statistics and ends the stream, then detaches from the kernel and exits (detaching takes a
   * moment: this resolves as soon as the stream is complete; see waitExit). Keep reading the
   * stream until it ends. After `timeoutMs` the driver is killed (undelivered events are lost).
   */
  async stop(timeoutMs = 10_000): Promise<DriverStats | undefined> {
    if (this.exited) return this.lastStats;
    this.stopping = true;
    const final = new Promise<void>((resolve) => {
      const onMessage = (msg: DriverMessage): void => {
        if (msg.type === 'exit') {
          this.off('message', onMessage);
          resolve();
        }
      };
      this.on('message', onMessage);
    });
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    timer.unref();
    await Promise.race([final, this.exitPromise]);
    this.exitPromise.then(() => clearTimeout(timer), () => clearTimeout(timer));
    return this.lastStats;
  }

  /** Resolves when the driver process has exited. */
  waitExit(): Promise<void> {
    return this.exitPromise;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function statsFrom(msg: DriverMessage): DriverStats {
  const drops = (msg.drops ?? {}) as Record<string, unknown>;
  const byClass = (msg.buffer_full_by_class ?? {}) as Record<string, unknown>;
  return {
    events: num(msg.events),
    drops: { buffer_full: num(drops.buffer_full), too_large: num(drops.too_large), no_scratch: num(drops.no_scratch) },
    buffer_full_by_class: { process: num(byClass.process), file: num(byClass.file), net: num(byClass.net) },
    read_faults: num(msg.read_faults),
    written_events: num(msg.written_events),
    written_bytes: num(msg.written_bytes),
    selected: num(msg.selected),
    cpu_seconds: num(msg.cpu_seconds),
  };
}
