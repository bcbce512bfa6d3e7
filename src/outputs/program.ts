// `program_output`: alerts written, one line each, to the standard input of a shell command (run
// with /bin/sh -c, as popen does). Without `keep_alive` the command runs once per alert and the
// output waits for it to finish (Falco's pclose); with `keep_alive` one long-lived process reads
// every alert, and is started again if it exits. The command's stdout and stderr are Peregrine's.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../util/log.js';
import { batchLines, LineWriter, sendEach, type AlertOutput, type OutputMessage } from './output.js';

/** Options from falco.yaml `program_output` (plus `buffered_outputs`). */
export interface ProgramOutputOptions {
  /** `program_output.program`: shell command line. */
  readonly program: string;
  /** `program_output.keep_alive` (default false). */
  readonly keepAlive: boolean;
  /** `buffered_outputs` (default false): with keep_alive, lines are written in blocks. */
  readonly buffered: boolean;
  /** How long close() waits for a long-lived program to exit after its input ends (default 5000 ms). */
  readonly exitWaitMs?: number;
}

/** Runs `program` through the shell with a pipe on stdin. */
function startProgram(program: string): ChildProcess {
  return spawn('/bin/sh', ['-c', program], { stdio: ['pipe', 'inherit', 'inherit'] });
}

/** Resolves with the exit description once `child` has exited (or failed to start). */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/** Writes `text` to a child's stdin, waiting when the pipe is full; rejects if the pipe breaks. */
async function writeToStdin(child: ChildProcess, text: string): Promise<void> {
  const stdin = child.stdin;
  if (!stdin || stdin.destroyed || stdin.writableEnded) throw new Error('program input is closed');
  if (stdin.write(text)) return;
  const waiting = new AbortController();
  try {
    await Promise.race([
      once(stdin, 'drain', { signal: waiting.signal }),
      once(stdin, 'error', { signal: waiting.signal }).then(([err]) => {
        throw err as Error;
      }),
    ]);
  } finally {
    waiting.abort();
  }
}

export class ProgramOutput implements AlertOutput {
  readonly name = 'program';
  private child: ChildProcess | undefined;
  private childExit: ReturnType<typeof exited> | undefined;
  private readonly writer: LineWriter;

  constructor(private readonly options: ProgramOutputOptions) {
    this.writer = new LineWriter(options.keepAlive && options.buffered, (chunk) => this.writeLongLived(chunk));
  }

  private describeFailure(detail: string): Error {
    return new Error(`Failed to open program output: ${this.options.program} (error: ${detail})`);
  }

  /** The long-lived process, started (again) when needed. */
  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const child = startProgram(this.options.program);
    // A broken pipe surfaces through write errors; keep it from becoming an uncaught exception.
    child.stdin?.on('error', () => undefined);
    const exit = exited(child);
    exit.then(({ code, signal, error }) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (error) log.error(`program: ${this.describeFailure(error.message).message}`);
      else log.warning(`program: "${this.options.program}" exited (${signal ?? `code ${code}`}); it is started again for the next alert`);
    });
    this.child = child;
    this.childExit = exit;
    return child;
  }

  private async writeLongLived(text: string): Promise<void> {
    const child = this.ensureChild();
    try {
      await writeToStdin(child, text);
    } catch (err) {
      throw this.describeFailure((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
  }

  /** One process for one alert: write the line, close its input, wait until it exits. */
  private async runOnce(text: string): Promise<void> {
    const child = startProgram(this.options.program);
    child.stdin?.on('error', () => undefined);
    const exit = exited(child);
    try {
      await writeToStdin(child, text);
    } catch {
      // The program did not read its input; its exit status below tells the story.
    }
    child.stdin?.end();
    const { code, signal, error } = await exit;
    if (error) throw this.describeFailure(error.message);
    if (code !== 0) throw new Error(`"${this.options.program}" exited with ${signal ?? `code ${code}`}`);
  }

  async send(batch: readonly OutputMessage[]): Promise<void> {
    if (this.options.keepAlive) return this.writer.write(batchLines(batch));
    return sendEach(batch, (message) => this.runOnce(message.text + '\n'));
  }

  /** Ends the long-lived process' input and waits (bounded) for it to exit. */
  private async stopChild(): Promise<void> {
    const child = this.child;
    const exit = this.childExit;
    this.child = undefined;
    this.childExit = undefined;
    if (!child || !exit) return;
    child.stdin?.end();
    const waitMs = this.options.exitWaitMs ?? 5000;
    const result = await Promise.race([exit, sleep(waitMs).then(() => 'timeout' as const)]);
    if (result === 'timeout') {
      log.warning(`program: "${this.options.program}" did not exit within ${waitMs} ms after its input closed; terminating it`);
      child.kill('SIGTERM');
      await exit;
    }
  }

  async reopen(): Promise<void> {
    await this.writer.flush();
    await this.stopChild();
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    try {
      await this.writer.flush();
    } finally {
      await this.stopChild();
    }
  }
}
