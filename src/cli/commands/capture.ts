// `peregrine capture -w FILE [-M SECS] [-n NUM] [FILTER]`: record live system calls into a .scap
// file readable by Peregrine, Falco and sysdig (gzip-compressed when FILE ends in .gz).
//
// The file starts with what the driver lists at start (machine, interfaces, users and groups,
// processes and their fds), then the events. Without a filter every syscall the driver can trace
// is recorded, as `sysdig -w` does. With a filter (the rules condition language) only the syscalls
// the filter can match plus those that keep process and fd state are captured, and of those only
// the matching events are written, plus every state-changing event (clone, execve, open, close,
// socket, procexit...), so that the file replays with the right processes and fds.
//
// Stops after -M seconds, after -n events (counting the events the filter asked for), or on
// SIGINT/SIGTERM; in every case the file is completed and closed cleanly.
import { ConditionError, type Ast } from '../../engine/condition/ast.js';
import { compileCondition, expandCondition, parseCondition, type CompiledCondition } from '../../engine/condition/index.js';
import { createSyscallSource } from '../../fields/syscall/extractors/index.js';
import { EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO, EC, EF } from '../../scap/event-table.js';
import { ScapWriter } from '../../scap/writer.js';
import { CompatibleEventWriter } from '../../sources/live/capture-writer.js';
import { DriverError, totalDrops } from '../../sources/live/driver-process.js';
import { liveSourceOptionsFromConfig, LiveSyscallSource } from '../../sources/live/live-source.js';
import { syscallsToEventNames } from '../../sources/live/syscall-selection.js';
import { conditionEventTypeNames } from '../../sources/live/rule-event-types.js';
import { SYSCALL_ENTRIES } from '../../sources/live/syscall-table.js';
import type { SyscallEvent } from '../../state/syscall-event.js';
import { log } from '../../util/log.js';
import type { PeregrineConfig } from '../config/types.js';
import type { CliIO } from '../options.js';

export interface CaptureOptions {
  /** `-w`: the capture file to write. */
  outputFile: string;
  /** `-M`: stop after this many seconds; 0 until interrupted (SIGINT/SIGTERM end the file cleanly). */
  durationSeconds: number;
  /** Only events matching this filter (rules condition language); undefined for all. */
  filter?: string;
  /** `-n`: stop after this many events. */
  maxEvents?: number;
  config: PeregrineConfig;
  io: CliIO;
}

/** Event codes a filtered capture always keeps: those that change process, fd or user state. */
export const STATE_EVENT_CODES: Uint8Array = (() => {
  const keep = new Uint8Array(EVENT_CODE_COUNT);
  const stateFlags = EF.MODIFIES_STATE | EF.CREATES_FD | EF.DESTROYS_FD;
  for (const info of EVENT_INFO) {
    if ((info.flags & stateFlags) !== 0 || (info.category & EC.METAEVENT) !== 0) keep[info.code] = 1;
  }
  keep[EVENT_CODE.PROCEXIT_1_E] = 1;
  return keep;
})();

/** Every event name of the machine's syscalls: what an unfiltered capture selects (sysdig's "all"). */
const ALL_SYSCALL_EVENT_NAMES: readonly string[] = [...syscallsToEventNames(SYSCALL_ENTRIES.filter((e) => e.nr >= 0).map((e) => e.name))];

/** Returns the exit code. */
export async function captureCommand(opts: CaptureOptions): Promise<number> {
  const { io } = opts;
  const fail = (message: string): number => {
    io.err(`Error: ${message}\n`);
    return 1;
  };

  let filter: CompiledCondition<SyscallEvent> | undefined;
  let filterAst: Ast | undefined;
  if (opts.filter !== undefined && opts.filter.trim() !== '') {
    try {
      const expanded = expandCondition(parseCondition(opts.filter), { macros: new Map(), lists: new Map() });
      filterAst = expanded.ast;
      filter = compileCondition(expanded.ast, createSyscallSource());
    } catch (e) {
      if (e instanceof ConditionError) return fail(`invalid filter '${opts.filter}': ${e.describe()}`);
      throw e;
    }
  }

  // What to ask the driver for: everything, or what the filter can match plus the state set.
  const base = liveSourceOptionsFromConfig(opts.config);
  const everything = filter === undefined || filter.eventTypes === 'all';
  const rulesEventTypes = everything ? ALL_SYSCALL_EVENT_NAMES : [...conditionEventTypeNames(filter!.eventTypes, filterAst!)];
  const baseSyscalls = everything ? { custom_set: [], repair: false, all: true } : base.baseSyscalls;

  let source: LiveSyscallSource;
  try {
    source = await LiveSyscallSource.open({ ...base, rulesEventTypes, ...(baseSyscalls ? { baseSyscalls } : {}), userRefreshMs: 0 });
  } catch (e) {
    if (e instanceof DriverError) return fail(e.message);
    throw e;
  }

  let writer: ScapWriter;
  let events: CompatibleEventWriter;
  try {
    writer = ScapWriter.create(opts.outputFile);
    writer.writeHeader(source.capture.reader.header);
    events = new CompatibleEventWriter(writer);
  } catch (e) {
    await source.close();
    return fail(`cannot write ${opts.outputFile}: ${(e as Error).message}`);
  }

  const limit = opts.maxEvents !== undefined && opts.maxEvents > 0 ? opts.maxEvents : Infinity;
  let matched = 0;
  let writeError: Error | undefined;
  const stop = (why: string): void => {
    log.debug(`Stopping the capture: ${why}`);
    void source.stop();
  };
  const onSignal = (signal: NodeJS.Signals): void => stop(`${signal} received`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = opts.durationSeconds > 0 ? setTimeout(() => stop(`${opts.durationSeconds} s elapsed`), opts.durationSeconds * 1000) : undefined;
  const what = filter === undefined ? 'every system call' : `events matching '${opts.filter}'`;
  log.info(`Capturing ${what} to ${opts.outputFile}` +
    `${opts.durationSeconds > 0 ? ` for ${opts.durationSeconds} s` : ''}${limit !== Infinity ? ` (at most ${limit} events)` : ''}; ` +
    'Ctrl-C stops');

  try {
    await source.forEachPaced(
      (e) => {
        const wanted = filter === undefined || filter.evaluate(e);
        if (!wanted && STATE_EVENT_CODES[e.evt.type] !== 1) return true;
        try {
          events.write(e.evt);
        } catch (err) {
          writeError = err as Error;
          return false;
        }
        if (wanted && ++matched >= limit) return false;
        return true;
      },
      () => (writer.backpressure ? writer.drain() : undefined),
    );
  } catch (e) {
    if (!(e instanceof DriverError)) throw e;
    writeError ??= e;
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The stream has ended (or the -n limit was reached): the driver delivered what it had.
    await source.stop().catch(() => undefined);
  }
  try {
    await writer.close();
  } catch (e) {
    writeError ??= e as Error;
  }
  const driver = source.stats().driver;
  if (writeError === undefined) {
    const drops = driver ? totalDrops(driver) : 0;
    log.info(`Capture ${opts.outputFile} complete: ${matched} events${filter ? ' matching the filter' : ''}, ` +
      `${writer.events} written in total; ${drops} events dropped by the kernel`);
  }
  // Detaching from every traced syscall takes the driver a moment (longer with many syscalls).
  log.debug('Waiting for the eBPF driver to detach');
  await source.close().catch(() => undefined);
  if (writeError !== undefined) {
    return fail(writeError instanceof DriverError ? writeError.message : `cannot write ${opts.outputFile}: ${writeError.message}`);
  }
  return 0;
}
