// `file_output`: alerts appended to a file, one line each. With `keep_alive` the file stays open
// (so after a log rotation alerts keep going to the renamed file until reopen(), which Falco does
// on SIGUSR1); without it the file is opened, appended to and closed for every batch, so rotation
// and removal are picked up at once.
import { promises as fsp, writeSync } from 'node:fs';
import { batchLines, LineWriter, writeFully, type AlertOutput, type OutputMessage } from './output.js';

/** Options from falco.yaml `file_output` (plus `buffered_outputs`). */
export interface FileOutputOptions {
  /** `file_output.filename`: path of the file alerts are appended to. */
  readonly filename: string;
  /** `file_output.keep_alive` (default false). */
  readonly keepAlive: boolean;
  /** `buffered_outputs` (default false): only matters with keep_alive, where writes are batched. */
  readonly buffered: boolean;
}

export class FileOutput implements AlertOutput {
  readonly name = 'file';
  private handle: fsp.FileHandle | undefined;
  private readonly writer: LineWriter;
  private readonly onExit = (): void => {
    const rest = this.writer.takePending();
    if (rest.length > 0 && this.handle) {
      try {
        writeSync(this.handle.fd, rest);
      } catch {
        // Exiting: nothing more can be done.
      }
    }
  };

  constructor(private readonly options: FileOutputOptions) {
    this.writer = new LineWriter(options.keepAlive && options.buffered, async (chunk) => {
      const handle = await this.open();
      await writeFully(handle.fd, chunk);
    });
    if (options.keepAlive && options.buffered) process.on('exit', this.onExit);
  }

  private async open(): Promise<fsp.FileHandle> {
    if (this.handle) return this.handle;
    try {
      this.handle = await fsp.open(this.options.filename, 'a');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(`failed to open output file ${this.options.filename} (${reason})`);
    }
    return this.handle;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  async send(batch: readonly OutputMessage[]): Promise<void> {
    if (this.options.keepAlive) return this.writer.write(batchLines(batch));
    try {
      const handle = await this.open();
      await writeFully(handle.fd, batchLines(batch));
    } finally {
      await this.closeHandle();
    }
  }

  async reopen(): Promise<void> {
    await this.writer.flush();
    await this.closeHandle();
    if (this.options.keepAlive) await this.open();
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    try {
      await this.writer.flush();
    } finally {
      await this.closeHandle();
      process.off('exit', this.onExit);
    }
  }
}
