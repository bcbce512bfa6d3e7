// `peregrine capture -w FILE [-M SECS] [-n NUM] [FILTER]`: record live system calls into a .scap
// file readable by Peregrine, Falco and sysdig. The command line parses the arguments and loads the
// configuration (engine.modern_ebpf settings, falco_libs.snaplen); the live driver implements this.
import type { PeregrineConfig } from '../config/types.js';
import { NotIntegratedError } from '../errors.js';
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

/** Returns the exit code. */
export async function captureCommand(_options: CaptureOptions): Promise<number> {
  throw new NotIntegratedError('peregrine capture', 'captureCommand (src/cli/commands/capture.ts)');
}
