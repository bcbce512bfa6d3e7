// `peregrine inspect FILE.scap [-p FORMAT] [-j] [-n NUM] [FILTER]`: print the events of a capture
// file, like `sysdig -r`. The command line (src/cli/options.ts) parses the arguments and loads the
// configuration; the capture reader implements this entry point.
import type { PeregrineConfig } from '../config/types.js';
import { NotIntegratedError } from '../errors.js';
import type { CliIO } from '../options.js';

export interface InspectOptions {
  /** The .scap file (plain or gzip). */
  captureFile: string;
  /** `-p`: per-event output format with %field references; undefined for the default line. */
  format?: string;
  /** `-j`: one JSON object per event. */
  json: boolean;
  /** Filter in the rules condition language; undefined for every event. */
  filter?: string;
  /** `-n`: stop after this many events. */
  maxEvents?: number;
  /** Configuration (-c/-o): buffer_format_base64, time_format_iso_8601, falco_libs, ... */
  config: PeregrineConfig;
  io: CliIO;
}

/** Returns the exit code: 0, or 1 with a message naming the file and byte offset of bad input. */
export async function inspectCommand(_options: InspectOptions): Promise<number> {
  throw new NotIntegratedError('peregrine inspect', 'inspectCommand (src/cli/commands/inspect.ts)');
}
