// `peregrine inspect FILE.scap [-p FORMAT] [-j] [FILTER]`: prints the events of a capture in the
// spirit of `sysdig -r`, with the state Peregrine rebuilds from it. Unlike a rules run it shows
// EVERY event: enter events, the events libsinsp only keeps for state, and those it discards.
//
// Output: one line per event, through Peregrine's output-format syntax (the same as rule outputs);
// missing values print `<NA>`. `-j` prints the format's fields as a JSON object per line instead.
// A filter condition (Falco's condition language) selects the events.
import { ConditionError } from '../../engine/condition/ast.js';
import { compileCondition, expandCondition, parseCondition, type CompiledCondition } from '../../engine/condition/index.js';
import { compileOutputFormat, OutputFormatError, type CompiledOutputFormat } from '../../engine/output-format.js';
import { createSyscallSource } from '../../fields/syscall/extractors/index.js';
import type { JsonFieldValue } from '../../fields/types.js';
import { ScapFormatError } from '../../scap/reader.js';
import { ScapReplaySource } from '../../sources/scap-replay.js';
import type { SyscallEvent } from '../../state/syscall-event.js';
import type { PeregrineConfig } from '../config/types.js';
import { processIO, type CliIO } from '../options.js';

/** sysdig's default line (without its leading `*`: Peregrine prints every event anyway). */
export const DEFAULT_INSPECT_FORMAT = '%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';

export interface InspectOptions {
  /** The .scap file (plain or gzip). */
  captureFile: string;
  /** `-p`: per-event output format with %field references; DEFAULT_INSPECT_FORMAT when absent. */
  format?: string;
  /** `-j`: the format's fields as one JSON object per event. */
  json: boolean;
  /** Filter in the rules condition language; every event when absent. */
  filter?: string;
  /** `-n`: stop after printing this many events. */
  maxEvents?: number;
  /** Configuration: buffer_format_base64, falco_libs.thread_table_size. */
  config: PeregrineConfig;
  /** Where lines and errors go. Standard output is written with backpressure. */
  io: CliIO;
}

/** Flushes output in chunks of about this many characters. */
const FLUSH_AT = 64 * 1024;

/** Returns the process exit code: 0, or 1 after an error (printed on `err`). */
export async function inspectCommand(opts: InspectOptions): Promise<number> {
  const io = opts.io;
  const fail = (message: string): number => {
    io.err(`peregrine inspect: ${message}\n`);
    return 1;
  };

  const source = createSyscallSource();
  let format: CompiledOutputFormat<SyscallEvent>;
  const formatText = opts.format ?? DEFAULT_INSPECT_FORMAT;
  try {
    const bufferFormat = opts.config.buffer_format_base64 ? 'base64' : 'normal';
    format = compileOutputFormat(formatText, source, { render: { bufferFormat } });
  } catch (e) {
    if (e instanceof OutputFormatError) return fail(`invalid output format '${formatText}': ${e.message} (at offset ${e.offset})`);
    throw e;
  }
  let filter: CompiledCondition<SyscallEvent> | undefined;
  if (opts.filter !== undefined && opts.filter.trim() !== '') {
    try {
      const ast = parseCondition(opts.filter);
      const expanded = expandCondition(ast, { macros: new Map(), lists: new Map() });
      filter = compileCondition(expanded.ast, source);
    } catch (e) {
      if (e instanceof ConditionError) return fail(`invalid filter '${opts.filter}': ${e.describe()}`);
      throw e;
    }
  }

  let replay: ScapReplaySource;
  try {
    replay = await ScapReplaySource.open(opts.captureFile, {
      threadTableSize: opts.config.falco_libs.thread_table_size,
      bufferFormat: opts.config.buffer_format_base64 ? 'base64' : 'normal',
    });
  } catch (e) {
    return fail(describeOpenError(opts.captureFile, e));
  }

  const render = opts.json === true ? (e: SyscallEvent) => jsonLine(format.fields(e)) : (e: SyscallEvent) => format.text(e);
  const limit = opts.maxEvents ?? Infinity;
  let printed = 0;
  let pending = '';
  let outputClosed = false;
  // Standard output is written directly so that a slow reader (a pager, a pipe) holds the replay
  // back instead of the output piling up in memory.
  const stdout = io === processIO ? process.stdout : undefined;
  const onOutputError = (): void => {
    // `peregrine inspect ... | head`: the reader went away; stop quietly.
    outputClosed = true;
  };
  stdout?.on('error', onOutputError);
  const flush = async (): Promise<void> => {
    if (pending.length === 0 || outputClosed) return;
    const chunk = pending;
    pending = '';
    if (stdout === undefined) io.out(chunk);
    else if (!stdout.write(chunk)) await waitDrainOrClose(stdout);
  };

  try {
    await replay.forEachPaced(
      (e) => {
        if (printed >= limit || outputClosed) return false;
        if (filter !== undefined && !filter.evaluate(e)) return true;
        pending += render(e) + '\n';
        printed++;
        return printed < limit;
      },
      () => (pending.length >= FLUSH_AT || outputClosed ? flush() : undefined),
    );
    await flush();
  } catch (e) {
    await flush().catch(() => undefined);
    if (e instanceof ScapFormatError) return fail(e.message);
    if (e instanceof Error && isFsError(e)) return fail(`${opts.captureFile}: ${e.message}`);
    throw e;
  } finally {
    await replay.close();
    stdout?.off('error', onOutputError);
  }
  return 0;
}

function waitDrainOrClose(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

function isFsError(e: Error): boolean {
  return typeof (e as NodeJS.ErrnoException).code === 'string';
}

function describeOpenError(file: string, e: unknown): string {
  if (e instanceof ScapFormatError) return e.message;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${file}: no such file`;
    if (code === 'EISDIR') return `${file}: is a directory, not a capture file`;
    if (code === 'EACCES') return `${file}: permission denied`;
    if (code !== undefined) return `${file}: ${e.message}`;
  }
  throw e;
}

/** One JSON object per line; 64-bit values (bigint) print as exact JSON numbers. */
export function jsonLine(fields: Record<string, JsonFieldValue>): string {
  let s = '{';
  let first = true;
  for (const key in fields) {
    if (!first) s += ',';
    first = false;
    s += JSON.stringify(key) + ':' + jsonValue(fields[key]!);
  }
  return s + '}';
}

function jsonValue(v: JsonFieldValue): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return '[' + (v as readonly JsonFieldValue[]).map(jsonValue).join(',') + ']';
  return JSON.stringify(v);
}
