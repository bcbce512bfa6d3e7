// Events of plugin event sources (k8s_audit and the like) as the field extractors see them, and the
// extractors of libsinsp's generic `evt` class for those events: number, timestamps (text forms in
// the host's time zone, as for syscall events), source, plugin name and summary, host name.
//
// Plugin events are never asynchronous meta-events: evt.is_async is false, evt.asynctype has no
// value.
import type { FieldExtractor, Registry } from '../../registry.js';
import type { FieldValue, JsonFieldValue } from '../../types.js';
import type { Json } from './json-access.js';
// One time formatting for every source (libsinsp's ts_to_string and ts_to_iso_8601).
import { tsToIso8601, tsToString } from '../../syscall/extractors/common.js';

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

/** A plugin source's stream; the source sets `firstEventTs` when it delivers its first event. */
export class PluginStream implements PluginEventStream {
  firstEventTs = 0n;
  constructor(readonly source: string, readonly pluginName: string, readonly hostname: string) {}
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
  'evt.time': timeTextOf((ts) => tsToString(ts, false, true)),
  'evt.time.s': timeTextOf((ts) => tsToString(ts, false, false)),
  'evt.time.iso8601': timeTextOf(tsToIso8601),
  'evt.datetime': timeTextOf((ts) => tsToString(ts, true, true)),
  'evt.datetime.s': timeTextOf((ts) => tsToString(ts, true, false)),
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
