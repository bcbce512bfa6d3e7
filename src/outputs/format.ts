// Rendering an Alert to the line every output sends, exactly as Falco 0.44 renders it
// (falcosecurity/falco userspace/engine/formats.cpp for rule alerts, falco_outputs.cpp handle_msg
// for internal ones):
//
// text  `<time>: <Priority> <output>`; <time> is `%evt.time` (local time of day,
//       `HH:MM:SS.nnnnnnnnn`) or, with time_format_iso_8601, `%evt.time.iso8601`
//       (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`, UTC).
// JSON  one object with sorted keys: hostname, message?, output?, output_fields?, priority, rule,
//       source, tags?, time (ISO 8601 UTC with nanoseconds and `Z`). output_fields also carries
//       the prefix's time field (`evt.time` or `evt.time.iso8601`) as the integer ns timestamp.
// Internal messages (source `internal`): text `<time>: <Priority> <message> (k=v k=v ...)` with
//       JSON-encoded values in key order and always the `HH:MM:SS.nnnnnnnnn` time; JSON without
//       tags or message.
import { priorityName } from '../engine/priority.js';
import type { Alert, AlertFieldValue } from './alert.js';
import { toFalcoJson, writeObject } from './json.js';

/** Formatting settings; each comes from the falco.yaml key named in its comment. */
export interface AlertFormatOptions {
  /** `json_output` (default false). */
  readonly json: boolean;
  /** `json_include_output_property` (default true): the full text line as `output`. */
  readonly includeOutput: boolean;
  /** `json_include_tags_property` (default true): the rule's tags as `tags`. */
  readonly includeTags: boolean;
  /** `json_include_message_property` (default false): the output without prefix as `message`. */
  readonly includeMessage: boolean;
  /** `json_include_output_fields_property` (default true): field values as `output_fields`. */
  readonly includeOutputFields: boolean;
  /** `time_format_iso_8601` (default false). */
  readonly iso8601: boolean;
  /** Host name for JSON alerts (`FALCO_HOSTNAME` or the system's: see resolveHostname). */
  readonly hostname: string;
}

export const DEFAULT_FORMAT_OPTIONS: Omit<AlertFormatOptions, 'hostname'> = {
  json: false,
  includeOutput: true,
  includeTags: true,
  includeMessage: false,
  includeOutputFields: true,
  iso8601: false,
};

const NS_PER_S = 1_000_000_000n;
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad9 = (n: bigint): string => n.toString().padStart(9, '0');

/** Splits a ns timestamp into whole seconds and the nanosecond remainder (both non-negative). */
function splitNs(ns: bigint): [number, bigint] {
  const nanos = ((ns % NS_PER_S) + NS_PER_S) % NS_PER_S;
  return [Number((ns - nanos) / NS_PER_S), nanos];
}

// Alerts come in bursts within the same second: the date part is computed once per second.
let cachedSecond = NaN;
let cachedDateTime = '';

/** `YYYY-MM-DDTHH:MM:SS` in UTC for a time in seconds since the epoch. */
function utcDateTime(seconds: number): string {
  if (seconds !== cachedSecond) {
    cachedDateTime = new Date(seconds * 1000).toISOString().slice(0, 19);
    cachedSecond = seconds;
  }
  return cachedDateTime;
}

/**
 * `%evt.time`: time of day in local time with nanoseconds. Like libsinsp, the zone offset in force
 * now (not at the event's time) is applied, which only matters for captures replayed across a
 * daylight-saving change.
 */
export function formatEventTime(ns: bigint): string {
  const [seconds, nanos] = splitNs(ns);
  const offsetSeconds = -new Date().getTimezoneOffset() * 60;
  const dayS = (((seconds + offsetSeconds) % 86400) + 86400) % 86400;
  return `${pad2(Math.floor(dayS / 3600))}:${pad2(Math.floor((dayS % 3600) / 60))}:${pad2(dayS % 60)}.${pad9(nanos)}`;
}

/** `%evt.time.iso8601`: `2016-08-04T16:17:57.881785348+0000` (always UTC). */
export function formatEventTimeIso8601(ns: bigint): string {
  const [seconds, nanos] = splitNs(ns);
  return `${utcDateTime(seconds)}.${pad9(nanos)}+0000`;
}

/** The `time` property of JSON alerts: `2016-08-04T16:17:57.881785348Z`. */
export function formatJsonTime(ns: bigint): string {
  const [seconds, nanos] = splitNs(ns);
  return `${utcDateTime(seconds)}.${pad9(nanos)}Z`;
}

// Rules hand the same tags array with every alert: its JSON is computed once per array.
const tagsJsonCache = new WeakMap<readonly string[], string>();

/** JSON of the tags sorted and de-duplicated (Falco keeps them in a std::set). */
function tagsJson(tags: readonly string[]): string {
  let json = tagsJsonCache.get(tags);
  if (json === undefined) {
    json = toFalcoJson([...new Set(tags)].sort());
    tagsJsonCache.set(tags, json);
  }
  return json;
}

/** Renders alerts to the text or JSON line that every output sends. */
export class AlertFormatter {
  readonly options: AlertFormatOptions;

  constructor(options: Partial<AlertFormatOptions> & { hostname: string }) {
    this.options = { ...DEFAULT_FORMAT_OPTIONS, ...options };
  }

  /** The line for `alert`, without a trailing newline. */
  format(alert: Alert): string {
    return alert.internal ? this.formatInternal(alert) : this.formatRule(alert);
  }

  private formatRule(alert: Alert): string {
    const o = this.options;
    const time = o.iso8601 ? formatEventTimeIso8601(alert.time) : formatEventTime(alert.time);
    const line = `${time}: ${priorityName(alert.priority)} ${alert.output}`;
    if (!o.json) return line;

    // Properties written directly in nlohmann's (sorted) order: hostname, message, output,
    // output_fields, priority, rule, source, tags, time.
    let json = '{"hostname":' + JSON.stringify(o.hostname);
    if (o.includeMessage) json += ',"message":' + JSON.stringify(alert.output);
    if (o.includeOutput) json += ',"output":' + JSON.stringify(line);
    if (o.includeOutputFields) {
      // The prefix's time field joins the rule's fields with the raw ns timestamp as its JSON value.
      json += ',"output_fields":' + writeObject(alert.outputFields, o.iso8601 ? 'evt.time.iso8601' : 'evt.time', alert.time);
    }
    json += ',"priority":' + JSON.stringify(priorityName(alert.priority)) + ',"rule":' + JSON.stringify(alert.rule) +
      ',"source":' + JSON.stringify(alert.source);
    if (o.includeTags) json += ',"tags":' + tagsJson(alert.tags);
    return json + ',"time":"' + formatJsonTime(alert.time) + '"}';
  }

  private formatInternal(alert: Alert): string {
    const o = this.options;
    if (o.json) {
      return toFalcoJson({
        hostname: o.hostname,
        output: alert.output,
        output_fields: alert.outputFields,
        priority: priorityName(alert.priority),
        rule: alert.rule,
        source: alert.source,
        time: formatJsonTime(alert.time),
      });
    }
    const fields = Object.keys(alert.outputFields)
      .sort()
      .map((key) => `${key}=${toFalcoJson(alert.outputFields[key] as AlertFieldValue)}`)
      .join(' ');
    return `${formatEventTime(alert.time)}: ${priorityName(alert.priority)} ${alert.output} (${fields})`;
  }
}
