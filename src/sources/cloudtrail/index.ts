// The `aws_cloudtrail` event source: AWS CloudTrail records read the way Falco's cloudtrail plugin
// (0.17) reads local CloudTrail logs, with the cloudtrail and json plugins' fields.
//
// open_params: a CloudTrail log file or a directory, searched recursively in name order for
// `*.json` and `*.json.gz` files, each holding {"Records": [...]}. The records of each file are
// delivered in file order, each timestamped by its eventTime. Like the plugin, a record that is
// not JSON, has no parseable eventTime or eventType, or is an `AwsCloudTrailInsight` is skipped;
// Peregrine counts those (rejected, by reason) and logs the first ones. Reading from S3 buckets and
// SQS queues (`s3://`, `sqs://`) needs AWS access, which Peregrine does not provide yet: such
// open_params are refused with a message.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { EventSourceDefinition } from '../../engine/source.js';
import { cloudtrailPluginClass, createPluginSourceFieldRegistry, jsonPluginClass } from '../../fields/plugins/index.js';
import { cloudTrailInfo, implementCloudTrailFields } from '../../fields/plugins/extractors/cloudtrail.js';
import type { JsonObject } from '../../fields/plugins/extractors/json-access.js';
import { implementJsonFields } from '../../fields/plugins/extractors/json.js';
import { implementPluginEventFields, PluginStream, type JsonPayloadEvent } from '../../fields/plugins/extractors/plugin-event.js';
import type { FieldClassDecl, Registry } from '../../fields/registry.js';
import { log } from '../../util/log.js';

export const CLOUDTRAIL_SOURCE = 'aws_cloudtrail';
export const CLOUDTRAIL_PLUGIN_NAME = 'cloudtrail';

/** Why a record was skipped. */
export type CloudTrailRejectReason = 'not_json' | 'no_event_time' | 'no_event_type' | 'insight' | 'unreadable_file';

export class CloudTrailStream extends PluginStream {
  constructor(hostname: string) {
    super(CLOUDTRAIL_SOURCE, CLOUDTRAIL_PLUGIN_NAME, hostname);
  }
}

/** One CloudTrail record. */
export class CloudTrailEvent implements JsonPayloadEvent {
  num = 0;
  constructor(readonly payload: JsonObject, readonly ts: bigint, readonly stream: CloudTrailStream, private readonly text: string) {}

  /** The record's JSON as it stands in the file (the plugin's event data). */
  payloadText(): string {
    return this.text;
  }

  info(): string {
    return cloudTrailInfo(this.payload);
  }
}

export interface CloudTrailSourceDefinition extends EventSourceDefinition<CloudTrailEvent> {
  readonly fields: Registry<CloudTrailEvent>;
}

/** The aws_cloudtrail source for the rules engine: evt.*, static fields, cloudtrail and json fields. */
export function createCloudTrailSourceDefinition(options: { staticFields?: Readonly<Record<string, string>>; withJsonPlugin?: boolean } = {}):
  CloudTrailSourceDefinition {
  const withJson = options.withJsonPlugin ?? true;
  const classes: FieldClassDecl[] = [cloudtrailPluginClass];
  if (withJson) classes.push(jsonPluginClass);
  const staticFields = options.staticFields && Object.keys(options.staticFields).length > 0 ? options.staticFields : undefined;
  const fields = createPluginSourceFieldRegistry<CloudTrailEvent>(CLOUDTRAIL_SOURCE, classes, staticFields);
  implementPluginEventFields(fields);
  implementCloudTrailFields(fields);
  if (withJson) implementJsonFields(fields);
  return { name: CLOUDTRAIL_SOURCE, fields, eventTypeCount: 1, eventTypeCodes: () => undefined, hasEventTypes: false };
}

/** open_params the source cannot use, with the reason for the user. */
export class CloudTrailOpenError extends Error {}

/** The log files of open_params, in the plugin's order (a recursive walk in name order). */
export function cloudTrailFiles(openParams: string): string[] {
  const target = openParams.trim();
  if (target === '') throw new CloudTrailOpenError('cloudtrail plugin error: missing input directory argument');
  if (/^(s3|sqs):\/\//.test(target)) {
    throw new CloudTrailOpenError(`cloudtrail plugin: ${target}: reading CloudTrail logs from S3 or SQS is not supported by ` +
      'Peregrine; copy the log files locally and give their directory as open_params');
  }
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new CloudTrailOpenError(`cloudtrail plugin error: cannot open ${target}`);
  }
  const files: string[] = [];
  const visit = (p: string, isDir: boolean): void => {
    if (isDir) {
      for (const entry of readdirSync(p, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        visit(path.join(p, entry.name), entry.isDirectory());
      }
    } else if (p.endsWith('.json') || p.endsWith('.json.gz')) {
      files.push(p);
    }
  };
  visit(target, stat.isDirectory());
  if (files.length === 0) throw new CloudTrailOpenError(`cloudtrail plugin error: no json files found in ${target}`);
  return files;
}

/**
 * The text of each record of a CloudTrail file: the objects at depth 2 of {"Records": [...]},
 * found by scanning braces outside strings, as the plugin does (so a record stays as written).
 */
export function recordTexts(text: string): string[] {
  const records: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (escaped) {
      escaped = false;
    } else if (inString) {
      if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b) {
      if (depth === 1) start = i;
      depth++;
    } else if (c === 0x7d) {
      depth--;
      if (depth === 1) records.push(text.slice(start, i + 1));
    }
  }
  return records;
}

/** Go's time.RFC3339 parse of eventTime (seconds, optional fraction, Z or an offset), in ns. */
export function parseEventTime(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (Number.isNaN(ms)) return undefined;
  let ns = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const zone = m[8]!;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const minutes = BigInt(Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    ns -= sign * minutes * 60_000_000_000n;
  }
  return ns;
}

export interface CloudTrailCounters {
  /** Files read. */
  readonly inputs: number;
  /** Records delivered to the rules. */
  readonly events: number;
  readonly rejected: Readonly<Record<CloudTrailRejectReason, number>>;
}

const LOGGED_PER_REASON = 20;

/** Reads the CloudTrail files of open_params and delivers their records. */
export class CloudTrailSource implements AsyncIterable<CloudTrailEvent> {
  readonly stream: CloudTrailStream;
  private stopping = false;
  private inputs = 0;
  private delivered = 0;
  private readonly rejected: Record<CloudTrailRejectReason, number> = {
    not_json: 0, no_event_time: 0, no_event_type: 0, insight: 0, unreadable_file: 0,
  };

  private constructor(readonly files: readonly string[], readonly definition: CloudTrailSourceDefinition, hostname: string) {
    this.stream = new CloudTrailStream(hostname);
  }

  /** Checks open_params (CloudTrailOpenError with the plugin's message when unusable). */
  static open(options: { openParams: string; definition?: CloudTrailSourceDefinition; hostname?: string }): CloudTrailSource {
    return new CloudTrailSource(cloudTrailFiles(options.openParams), options.definition ?? createCloudTrailSourceDefinition(),
      options.hostname ?? '');
  }

  get counters(): CloudTrailCounters {
    return { inputs: this.inputs, events: this.delivered, rejected: { ...this.rejected } };
  }

  async stop(): Promise<void> {
    this.stopping = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CloudTrailEvent> {
    for (const file of this.files) {
      if (this.stopping) return;
      let text: string;
      try {
        const bytes = await readFile(file);
        text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      } catch (err) {
        this.reject('unreadable_file', `${file}: ${(err as Error).message}`);
        continue;
      }
      this.inputs++;
      const records = recordTexts(text);
      for (let i = 0; i < records.length; i++) {
        if (this.stopping) return;
        const evt = this.record(records[i]!, `${file}: record ${i + 1}`);
        if (evt === undefined) continue;
        evt.num = ++this.delivered;
        if (this.delivered === 1) this.stream.firstEventTs = evt.ts;
        yield evt;
      }
    }
  }

  private record(text: string, where: string): CloudTrailEvent | undefined {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return this.reject('not_json', `${where}: not JSON`);
    }
    const record = payload as JsonObject;
    const time = record.eventTime;
    const ts = typeof time === 'string' ? parseEventTime(time) : undefined;
    if (ts === undefined) return this.reject('no_event_time', `${where}: no eventTime in RFC 3339 form`);
    const type = record.eventType;
    if (typeof type !== 'string') return this.reject('no_event_type', `${where}: no eventType`);
    if (type === 'AwsCloudTrailInsight') {
      this.rejected.insight++; // the plugin leaves Insights events out; not a problem of the input
      return undefined;
    }
    return new CloudTrailEvent(record, ts, this.stream, text);
  }

  private reject(reason: CloudTrailRejectReason, message: string): undefined {
    const n = ++this.rejected[reason];
    if (n <= LOGGED_PER_REASON) log.warning(`aws_cloudtrail: record skipped (${reason}): ${message}`);
    if (n === LOGGED_PER_REASON) log.warning(`aws_cloudtrail: further records skipped for ${reason} are only counted`);
    return undefined;
  }
}
