// From a JSON payload (a line of a file, a webhook body) to audit events, with the k8saudit
// plugin's rules:
// - the payload is an Event (`"kind":"Event"`), an EventList (its `items`), or a JSON array of
//   any of these; anything else is "data not recognized as a k8s audit event";
// - an event's time is its `stageTimestamp` (RFC 3339 with up to nanoseconds);
// - an event whose compact JSON text exceeds `maxEventSize` bytes is refused.
// Every refusal is reported with its reason; the other events of the payload are kept (the
// plugin drops a whole array when one element is not an audit event; keeping the valid ones loses
// nothing and the refusal is still reported).
//
// Departure: an event without `stageTimestamp` takes `requestReceivedTimestamp` (the plugin refuses
// it); Kubernetes always sets both, so this only helps hand-written events.
import type { Json, JsonObject } from '../../fields/plugins/extractors/json-access.js';
import { child, isObject } from '../../fields/plugins/extractors/json-access.js';
import { K8sAuditEvent, type K8sAuditStream } from './event.js';

/** Why an input or an event was refused (the keys of the source's `rejected` counters). */
export type RejectReason =
  /** The input is not JSON. */
  | 'invalid_json'
  /** JSON that is not an audit Event, EventList or array of them. */
  | 'not_audit_event'
  /** An audit event without a usable timestamp. */
  | 'invalid_timestamp'
  /** An audit event larger than maxEventSize. */
  | 'event_too_large'
  /** A webhook request body larger than webhookMaxBatchSize. */
  | 'body_too_large'
  /** A webhook request that is not a POST. */
  | 'method_not_allowed'
  /** A webhook request whose Content-Type is not JSON. */
  | 'wrong_content_type'
  /** A webhook request to another path than the endpoint. */
  | 'not_found';

export const REJECT_REASONS: readonly RejectReason[] = [
  'invalid_json', 'not_audit_event', 'invalid_timestamp', 'event_too_large',
  'body_too_large', 'method_not_allowed', 'wrong_content_type', 'not_found',
];

export interface PayloadProblem {
  readonly reason: RejectReason;
  readonly message: string;
}

export interface ParsedPayload {
  readonly events: K8sAuditEvent[];
  readonly problems: PayloadProblem[];
}

export const NOT_AUDIT_MESSAGE = 'data not recognized as a k8s audit event';

/** Parses a payload's text; `byteLength` is its size in bytes when the caller knows it. */
export function parseAuditPayload(text: string, stream: K8sAuditStream, maxEventSize: number, byteLength?: number): ParsedPayload {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    return { events: [], problems: [{ reason: 'invalid_json', message: `invalid JSON: ${(err as Error).message}` }] };
  }
  return auditEventsOf(value, stream, maxEventSize, byteLength ?? Buffer.byteLength(text));
}

/**
 * The audit events of an already parsed payload. `payloadBytes` is the size of its text: when it
 * is within maxEventSize, no event of it can exceed the limit and sizes are not computed.
 */
export function auditEventsOf(value: Json, stream: K8sAuditStream, maxEventSize: number, payloadBytes: number): ParsedPayload {
  const result: ParsedPayload = { events: [], problems: [] };
  collect(value, { stream, maxEventSize, checkSizes: payloadBytes > maxEventSize, result });
  return result;
}

interface CollectContext {
  readonly stream: K8sAuditStream;
  readonly maxEventSize: number;
  readonly checkSizes: boolean;
  readonly result: ParsedPayload;
}

function collect(value: Json, ctx: CollectContext): void {
  if (Array.isArray(value)) {
    for (const element of value as readonly Json[]) collect(element, ctx);
    return;
  }
  const kind = child(value, 'kind');
  if (kind === 'Event') {
    single(value as JsonObject, ctx);
    return;
  }
  if (kind === 'EventList') {
    const items = child(value, 'items');
    if (Array.isArray(items)) {
      for (const item of items as readonly Json[]) single(item, ctx);
      return;
    }
  }
  ctx.result.problems.push({ reason: 'not_audit_event', message: NOT_AUDIT_MESSAGE });
}

function single(item: Json, ctx: CollectContext): void {
  const { result } = ctx;
  if (!isObject(item)) {
    result.problems.push({ reason: 'not_audit_event', message: `${NOT_AUDIT_MESSAGE} (an EventList item is not an object)` });
    return;
  }
  const stamp = child(item, 'stageTimestamp') ?? child(item, 'requestReceivedTimestamp');
  if (stamp === undefined) {
    result.problems.push({ reason: 'invalid_timestamp', message: `can't read stageTimestamp${auditIdSuffix(item)}` });
    return;
  }
  const ts = typeof stamp === 'string' ? parseRfc3339Nano(stamp) : undefined;
  if (ts === undefined) {
    result.problems.push({ reason: 'invalid_timestamp', message: `invalid stageTimestamp ${JSON.stringify(stamp)}${auditIdSuffix(item)}` });
    return;
  }
  if (ctx.checkSizes) {
    const size = compactJsonSize(item, ctx.maxEventSize);
    if (size > ctx.maxEventSize) {
      // The exact size, for the message (rare: only for refused events).
      const exact = Buffer.byteLength(JSON.stringify(item));
      result.problems.push({
        reason: 'event_too_large',
        message: `event larger than maxEventSize: size=${exact} (maxEventSize=${ctx.maxEventSize})${auditIdSuffix(item)}`,
      });
      return;
    }
  }
  result.events.push(new K8sAuditEvent(item, ts, ctx.stream));
}

/** Strings JSON.stringify writes as they are, one byte per character in UTF-8. */
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of a string in compact JSON (quotes and escapes included), in UTF-8. */
function jsonStringSize(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length + 2;
  let size = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) size += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) size += 2;
    else if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) size += 6; // a lone surrogate is written \uXXXX
    else size += 3;
  }
  return size;
}

/**
 * The UTF-8 size of JSON.stringify(value) (the event data the plugin measures), computed without
 * building the text; stops counting once past `limit` (the result is then only known to exceed it).
 */
export function compactJsonSize(value: Json, limit = Infinity): number {
  if (value === null) return 4;
  switch (typeof value) {
    case 'string': return jsonStringSize(value);
    case 'number': return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean': return value ? 4 : 5;
  }
  let size = 2;
  if (Array.isArray(value)) {
    const items = value as readonly Json[];
    for (let i = 0; i < items.length && size <= limit; i++) size += (i > 0 ? 1 : 0) + compactJsonSize(items[i]!, limit - size);
    return size;
  }
  let first = true;
  for (const key in value as JsonObject) {
    size += (first ? 0 : 1) + jsonStringSize(key) + 1 + compactJsonSize((value as JsonObject)[key]!, limit - size);
    first = false;
    if (size > limit) break;
  }
  return size;
}

function auditIdSuffix(item: JsonObject): string {
  const id = child(item, 'auditID');
  return typeof id === 'string' ? ` (auditID ${id})` : '';
}

// ---------------------------------------------------------------------------- RFC 3339 times

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return DAYS_IN_MONTH[month - 1]!;
}

/**
 * Nanoseconds since the epoch of an RFC 3339 time such as `2019-02-04T07:54:49.458597Z` or
 * `2024-01-01T10:00:00.123456789+02:00`, with Go's time.Parse(RFC3339Nano) rules (fraction
 * optional, digits past the ninth ignored, fields range-checked); undefined when invalid or
 * before 1970.
 */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetSeconds = 0;
  if (m[8] !== 'Z') {
    const zoneHours = +m[10]!;
    const zoneMinutes = +m[11]!;
    if (zoneHours > 24 || zoneMinutes > 59) return undefined;
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (zoneHours * 3600 + zoneMinutes * 60);
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  if (seconds < 0) return undefined;
  const fraction = m[7];
  const nanos = fraction === undefined ? 0 : +(fraction.length >= 9 ? fraction.slice(0, 9) : fraction.padEnd(9, '0'));
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
