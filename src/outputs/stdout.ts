// `stdout_output`: one line per alert on standard output. With `buffered_outputs: false` (Falco's
// default) every alert is written as soon as the queue hands it over; with `true` lines collect in
// blocks (as C++ streams do on a pipe or file) and are written when a block fills, on flush, and
// at the latest when the process exits.
import { writeSync } from 'node:fs';
import { batchLines, LineWriter, writeFully, type AlertOutput, type OutputMessage } from './output.js';

export interface StdoutOutputOptions {
  /** `buffered_outputs` (default false). */
  readonly buffered: boolean;
  /** File descriptor to write to; 1 (standard output) unless a test or embedding says otherwise. */
  readonly fd?: number;
}

export class StdoutOutput implements AlertOutput {
  readonly name = 'stdout';
  private readonly fd: number;
  private readonly writer: LineWriter;
  // Lines still in the block buffer when the process exits are written synchronously: a user who
  // stops Peregrine must not lose the last alerts.
  private readonly onExit = (): void => {
    const rest = this.writer.takePending();
    if (rest.length > 0) {
      try {
        writeSync(this.fd, rest);
      } catch {
        // Nothing more can be done while exiting (e.g. the reader went away).
      }
    }
  };

  constructor(options: StdoutOutputOptions) {
    this.fd = options.fd ?? 1;
    this.writer = new LineWriter(options.buffered, (chunk) => writeFully(this.fd, chunk));
    if (options.buffered) process.on('exit', this.onExit);
  }

  send(batch: readonly OutputMessage[]): Promise<void> {
    return this.writer.write(batchLines(batch));
  }

  async reopen(): Promise<void> {
    // Nothing is held open besides the descriptor itself.
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    await this.writer.flush();
    process.off('exit', this.onExit);
  }
}
