// Timing a whole command for the benchmarks, with its peak resident memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessMeasure {
  /** Whole-process wall time. */
  seconds: number;
  /** Peak resident set (VmHWM), sampled from /proc while the command runs. */
  peakRssMiB: number;
  stdout: string;
}

/** Runs `cmd`, collecting its stdout; its stderr is shown or discarded. Rejects on a non-zero exit. */
export function measureProcess(cmd: string, args: readonly string[], stderr: 'inherit' | 'ignore' = 'ignore'): Promise<ProcessMeasure> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', stderr] });
    let stdout = '';
    let peakKiB = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const sample = (): void => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 5);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
      else resolve({ seconds, peakRssMiB: peakKiB / 1024, stdout });
    });
  });
}
