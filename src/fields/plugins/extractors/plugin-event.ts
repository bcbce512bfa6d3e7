// Events of plugin event sources (k8s_audit and the like) as the field extractors see them, and the
// extractors of libsinsp's generic `evt` class for those events: number, timestamps (text forms in
// the host's time zone, as libsinsp prints them), source, plugin name and summary, host name.
//
// Plugin events are never asynchronous meta-events: evt.is_async is false, evt.asynctype has no
// value.
import type { FieldExtractor, Registry } from '../../registry.js';
import type { FieldValue, JsonFieldValue } from '../../types.js';
import type { Json } from './json-access.js';

/** What every event of one plugin source stream shares. */
export interface PluginEventStream {
  /** Event source name (`k8s_audit`). */
  readonly source: string;
  /** Name of the plugin producing the events (`k8saudit`), for evt.pluginname. */
  readonly pluginName: string;
  /** Host name for evt.hostname ('' when unknown). */
  readonly hostname: string;
  /** Timestamp (ns) of the first event of the stream: the origin of evt.reltime. */
  readonly firstEventTs: bigint;
}

/** One event of a plugin event source. */
export interface PluginEvent {
  /** Event number, from 1 in delivery order (evt.num). */
  readonly num: number;
  /** Event time in nanoseconds since the epoch. */
  readonly ts: bigint;
  readonly stream: PluginEventStream;
  /** The plugin's one-line summary of the event (evt.plugininfo). */
  info(): string;
}

/** A plugin event whose payload is JSON (what the json plugin extracts from). */
export interface JsonPayloadEvent extends PluginEvent {
  /** The parsed payload. */
  readonly payload: Json;
  /** The payload as compact JSON text (the event data a Falco plugin would carry). */
  payloadText(): string;
}

const NS_PER_S = 1_000_000_000n;
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad9 = (n: bigint): string => n.toString().padStart(9, '0');

/** Offset of the host's time zone from UTC, in seconds, now (libsinsp's gmt2local(0)). */
function localZoneOffsetSeconds(): number {
  return -new Date().getTimezoneOffset() * 60;
}

/**
 * libsinsp's ts_to_string: `HH:MM:SS[.nnnnnnnnn]` in the host's time zone, preceded by
 * `YYYY-MM-DD ` when `withDate`.
 */
export function timestampText(ts: bigint, withDate: boolean, withNanos: boolean): string {
  const local = Number(ts / NS_PER_S) + localZoneOffsetSeconds();
  const secondOfDay = ((local % 86400) + 86400) % 86400;
  let text = '';
  if (withDate) {
    const day = new Date((local - secondOfDay) * 1000);
    text = `${day.getUTCFullYear().toString().padStart(4, '0')}-${pad2(day.getUTCMonth() + 1)}-${pad2(day.getUTCDate())} `;
  }
  text += `${pad2(Math.floor(secondOfDay / 3600))}:${pad2(Math.floor((secondOfDay % 3600) / 60))}:${pad2(secondOfDay % 60)}`;
  return withNanos ? `${text}.${pad9(ts % NS_PER_S)}` : text;
}

/** libsinsp's ts_to_iso_8601: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (UTC). */
export function timestampIso8601(ts: bigint): string {
  const d = new Date(Number(ts / NS_PER_S) * 1000);
  return `${d.getUTCFullYear().toString().padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad9(ts % NS_PER_S)}+0000`;
}

/** Time since the first event, as an unsigned 64-bit difference (libsinsp's arithmetic). */
function relativeTime(e: PluginEvent): bigint {
  return BigInt.asUintN(64, e.ts - e.stream.firstEventTs);
}

type Factory = () => FieldExtractor<PluginEvent>;

const valueOf = (extract: (e: PluginEvent) => FieldValue | undefined): Factory => () => ({ extract });

/** A text time field: the text in conditions and outputs, the timestamp in ns in JSON (libsinsp's extract_as_js). */
const timeTextOf = (text: (ts: bigint) => string): Factory => () => ({
  extract: (e) => text(e.ts),
  toJson: (e): JsonFieldValue => e.ts,
});

/** A time number: JSON gives it as a number even where the text is zero-padded (extract_as_js). */
const timeNumberOf = (extract: (e: PluginEvent) => bigint): Factory => () => ({ extract, toJson: extract });

/** The generic evt.* fields of plugin events, by field name. */
const PLUGIN_EVENT_EXTRACTORS: Readonly<Record<string, Factory>> = {
  'evt.num': valueOf((e) => e.num),
  'evt.time': timeTextOf((ts) => timestampText(ts, false, true)),
  'evt.time.s': timeTextOf((ts) => timestampText(ts, false, false)),
  'evt.time.iso8601': timeTextOf(timestampIso8601),
  'evt.datetime': timeTextOf((ts) => timestampText(ts, true, true)),
  'evt.datetime.s': timeTextOf((ts) => timestampText(ts, true, false)),
  'evt.rawtime': timeNumberOf((e) => e.ts),
  'evt.rawtime.s': timeNumberOf((e) => e.ts / NS_PER_S),
  'evt.rawtime.ns': timeNumberOf((e) => e.ts % NS_PER_S),
  'evt.reltime': timeNumberOf(relativeTime),
  'evt.reltime.s': timeNumberOf((e) => relativeTime(e) / NS_PER_S),
  'evt.reltime.ns': timeNumberOf((e) => relativeTime(e) % NS_PER_S),
  'evt.pluginname': valueOf((e) => e.stream.pluginName),
  'evt.plugininfo': valueOf((e) => e.info()),
  'evt.source': valueOf((e) => e.stream.source),
  'evt.is_async': valueOf(() => false),
  'evt.asynctype': valueOf(() => undefined),
  'evt.hostname': valueOf((e) => (e.stream.hostname === '' ? undefined : e.stream.hostname)),
};

/** Attaches the generic evt.* extractors to a plugin source's registry (events of type E). */
export function implementPluginEventFields<E extends PluginEvent>(registry: Registry<E>): void {
  for (const [name, factory] of Object.entries(PLUGIN_EVENT_EXTRACTORS)) {
    registry.implement(name, factory as () => FieldExtractor<E>);
  }
}
