// Running the real `peregrine` command (bin/peregrine.js) from the agent tests: to completion, or
// in the background with ways to wait for output, send signals and collect the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../helpers/corpus.js';

export const PEREGRINE = path.join(REPO_ROOT, 'bin', 'peregrine.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

/** The environment of a run: FALCO_HOSTNAME fixed, plus `extra`. */
function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, FALCO_HOSTNAME: 'test-host', ...extra };
}

/** A running peregrine. */
export class Peregrine {
  stdout = '';
  stderr = '';
  readonly exited: Promise<RunResult>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(args: readonly string[], options: RunOptions = {}) {
    this.child = spawn(process.execPath, [PEREGRINE, ...args], {
      env: environment(options.env), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.notify();
    });
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearTimeout(timeout);
        this.notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `test` holds on (stdout, stderr); rejects after `timeoutMs` or at exit. */
  async waitFor(test: (stdout: string, stderr: string) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!test(this.stdout, this.stderr)) {
      if (exited) throw new Error(`peregrine exited before ${what}\nstdout: ${this.stdout.slice(-2000)}\nstderr: ${this.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get pid(): number {
    return this.child.pid!;
  }
}

/** Runs peregrine to completion. */
export function runPeregrine(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Peregrine(args, options).exited;
}

/** `-o` options replaying a capture. */
export function replayArgs(capture: string): string[] {
  return ['-o', 'engine.kind=replay', '-o', `engine.replay.capture_file=${capture}`];
}

/** A temporary directory removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peregrine-agent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to `name` in `dir`; returns the path. */
export function writeFile(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/**
 * A configuration for tests: quiet outputs (stdout only, no syslog), no web server, no file
 * watching, a long output_timeout, plus `extra` YAML. (At shutdown, alerts still queued after
 * output_timeout are discarded, as in Falco; a loaded machine can drain the thousands of alerts
 * of a long replay slower than the default 2 s, and the tests count every alert.)
 */
export function testConfig(dir: string, extra = ''): string {
  return writeFile(dir, 'config.yaml', [
    'syslog_output: {enabled: false}',
    'log_syslog: false',
    'webserver: {enabled: false}',
    'watch_config_files: false',
    'output_timeout: 60000',
    extra,
  ].join('\n') + '\n');
}

/** JSON alert lines of stdout. */
export function jsonAlerts(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
