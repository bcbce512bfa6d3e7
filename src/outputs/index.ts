// Alert delivery as configured by falco.yaml: `createOutputs(settings)` builds the formatter, the
// enabled outputs and the queue from the configuration keys Falco uses (the settings object takes
// them with their falco.yaml names and nesting, so a parsed falco.yaml section fits as is), and
// returns the handle the engine pushes alerts into.
import { log } from '../util/log.js';
import { resolveHostname, type Alert } from './alert.js';
import { FileOutput } from './file.js';
import { AlertFormatter } from './format.js';
import { HttpOutput, type HttpOutputOptions } from './http.js';
import type { AlertOutput } from './output.js';
import { ProgramOutput } from './program.js';
import { OutputsQueue, type OutputsQueueStats } from './queue.js';
import { StdoutOutput } from './stdout.js';
import { installSyslogLogSink, SyslogOutput, type SyslogLogSinkStats } from './syslog.js';

export { type Alert, type AlertFieldValue, internalAlert, syscallEventDropAlert, metricsSnapshotAlert, nowNs, resolveHostname } from './alert.js';
export { AlertFormatter, type AlertFormatOptions } from './format.js';
export { JsonFloat, toFalcoJson } from './json.js';
export type { OutputsQueueStats, DropReason } from './queue.js';

/**
 * Peregrine additions to `syslog_output` (Falco has only `enabled`): where the syslog socket is and
 * which program name the messages carry. Also used by `log_syslog`.
 */
export interface SyslogSocketSettings {
  /** Path of the local syslog socket (default `/dev/log`). */
  socket_path?: string;
  /** Program name in each message (default `peregrine`; Falco's is `falco`). */
  ident?: string;
}

/**
 * The falco.yaml keys that configure alert delivery, with their names, nesting and defaults.
 * Missing keys take Falco's defaults.
 */
export interface OutputsSettings {
  /** `json_output` (default false). */
  json_output?: boolean;
  /** `json_include_output_property` (default true). */
  json_include_output_property?: boolean;
  /** `json_include_tags_property` (default true). */
  json_include_tags_property?: boolean;
  /** `json_include_message_property` (default false). */
  json_include_message_property?: boolean;
  /** `json_include_output_fields_property` (default true). */
  json_include_output_fields_property?: boolean;
  /** `time_format_iso_8601` (default false). */
  time_format_iso_8601?: boolean;
  /** `buffered_outputs` (default false). */
  buffered_outputs?: boolean;
  /** `outputs_queue.capacity` (default 0 = unbounded). */
  outputs_queue?: { capacity?: number };
  /** `output_timeout` in ms (default 2000). */
  output_timeout?: number;
  /** `stdout_output.enabled` (default true in falco.yaml). */
  stdout_output?: { enabled?: boolean };
  /** `syslog_output.enabled` (default true in falco.yaml), plus Peregrine's socket settings. */
  syslog_output?: { enabled?: boolean } & SyslogSocketSettings;
  /** `file_output`: `enabled` (false), `keep_alive` (false), `filename` (required when enabled). */
  file_output?: { enabled?: boolean; keep_alive?: boolean; filename?: string };
  /** `program_output`: `enabled` (false), `keep_alive` (false), `program` (required when enabled). */
  program_output?: { enabled?: boolean; keep_alive?: boolean; program?: string };
  /** `http_output`: `enabled` (false) and every sub-key of HttpOutputOptions (url required). */
  http_output?: { enabled?: boolean } & Partial<Omit<HttpOutputOptions, 'json_output'>>;
}

/** A configuration that cannot work; the message names the falco.yaml key. */
export class OutputsConfigError extends Error {}

/** The handle the engine and the application use once outputs are configured. */
export interface Outputs {
  readonly formatter: AlertFormatter;
  readonly queue: OutputsQueue;
  /** Names of the enabled outputs, in Falco's order. */
  readonly names: readonly string[];
  /** Hands an alert over (never waits); false when dropped. */
  push(alert: Alert): boolean;
  /** Delivery counters (also read by the metrics). */
  readonly stats: OutputsQueueStats;
  /** Waits (bounded) until what was pushed so far has been written out. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Reopens files and programs (SIGUSR1). */
  reopen(): Promise<void>;
  /** Delivers what is queued (bounded by output_timeout) and closes every output. */
  close(timeoutMs?: number): Promise<void>;
}

export interface CreateOutputsOptions {
  /** Host name for JSON alerts (default: FALCO_HOSTNAME or the system host name). */
  hostname?: string;
  /** Where stdout_output writes (default 1). */
  stdoutFd?: number;
}

/** Builds the outputs Falco would from `settings`. Throws OutputsConfigError for unusable settings. */
export function createOutputs(settings: OutputsSettings, options: CreateOutputsOptions = {}): Outputs {
  const buffered = settings.buffered_outputs ?? false;
  const json = settings.json_output ?? false;
  const outputs: AlertOutput[] = [];

  // Falco's order: file, stdout, syslog, program, http.
  const file = settings.file_output;
  if (file?.enabled) {
    if (!file.filename) throw new OutputsConfigError('file output enabled but no filename in configuration block (file_output.filename)');
    outputs.push(new FileOutput({ filename: file.filename, keepAlive: file.keep_alive ?? false, buffered }));
  }
  if (settings.stdout_output?.enabled) {
    outputs.push(new StdoutOutput({ buffered, fd: options.stdoutFd }));
  }
  const syslog = settings.syslog_output;
  if (syslog?.enabled) {
    outputs.push(new SyslogOutput({ path: syslog.socket_path, ident: syslog.ident }));
  }
  const program = settings.program_output;
  if (program?.enabled) {
    if (!program.program) throw new OutputsConfigError('program output enabled but no program in configuration block (program_output.program)');
    outputs.push(new ProgramOutput({ program: program.program, keepAlive: program.keep_alive ?? false, buffered }));
  }
  const http = settings.http_output;
  if (http?.enabled) {
    if (!http.url) throw new OutputsConfigError('http output enabled but no url in configuration block (http_output.url)');
    try {
      outputs.push(new HttpOutput({ ...http, url: http.url, json_output: json }));
    } catch (err) {
      throw new OutputsConfigError((err as Error).message);
    }
  }
  if (outputs.length === 0) {
    throw new OutputsConfigError('No output configured, please make sure at least one output is configured and enabled.');
  }

  let hostname = options.hostname;
  if (hostname === undefined) {
    hostname = resolveHostname();
    if (process.env.FALCO_HOSTNAME !== undefined) {
      log.info(`Hostname value has been overridden via environment variable to: ${hostname}`);
    }
  }
  const formatter = new AlertFormatter({
    json,
    includeOutput: settings.json_include_output_property ?? true,
    includeTags: settings.json_include_tags_property ?? true,
    includeMessage: settings.json_include_message_property ?? false,
    includeOutputFields: settings.json_include_output_fields_property ?? true,
    iso8601: settings.time_format_iso_8601 ?? false,
    hostname,
  });
  const queue = new OutputsQueue(outputs, formatter, {
    capacity: settings.outputs_queue?.capacity ?? 0,
    outputTimeoutMs: settings.output_timeout ?? 2000,
  });
  return {
    formatter,
    queue,
    names: outputs.map((o) => o.name),
    push: (alert) => queue.push(alert),
    stats: queue.stats,
    flush: (timeoutMs) => queue.flush(timeoutMs),
    reopen: () => queue.reopen(),
    close: (timeoutMs) => queue.close(timeoutMs),
  };
}

/**
 * `log_syslog`: sends the log's lines to syslog too. Call after configuring the log; returns the
 * sink's counters and its removal.
 */
export function enableLogSyslog(settings: SyslogSocketSettings = {}): { stats: SyslogLogSinkStats; uninstall(): void } {
  return installSyslogLogSink({ path: settings.socket_path, ident: settings.ident });
}

