// The definitions read from rules files, before compilation: what each `list`, `macro`, `rule`,
// `required_engine_version` and `required_plugin_versions` item says, with the contexts findings
// about it will name.
import type { Priority } from '../priority.js';
import type { LoadContext } from './results.js';

/**
 * Order bookkeeping shared by lists, macros and rules (Falco's semantics):
 * - `index`: the load-order slot of the first definition (redefinitions keep it);
 * - `visibility`: the load-order counter of the latest definition, append or override. A macro
 *   or list may use the names whose `index` is lower than its own `visibility`.
 */
export interface Ordered {
  index: number;
  visibility: number;
}

export interface ListInfo extends Ordered {
  ctx: LoadContext;
  name: string;
  items: string[];
}

export interface MacroInfo extends Ordered {
  ctx: LoadContext;
  condCtx: LoadContext;
  name: string;
  cond: string;
}

/**
 * An exception's `fields`, `comps` or one of its `values`: each may be a single string or a list
 * (whose entries may themselves be lists: a value tuple can hold a list of alternatives).
 */
export type ExceptionEntry =
  | { readonly isList: false; readonly item: string }
  | { readonly isList: true; readonly items: readonly ExceptionEntry[] };

export const EMPTY_ENTRY: ExceptionEntry = { isList: false, item: '' };

/** Set in YAML: a non-empty string, or a non-empty list. */
export function entryIsSet(e: ExceptionEntry): boolean {
  return e.isList ? e.items.length > 0 : e.item !== '';
}

export interface ExceptionInfo {
  ctx: LoadContext;
  name: string;
  fields: ExceptionEntry;
  comps: ExceptionEntry;
  values: ExceptionEntry[];
}

export interface RuleInfo extends Ordered {
  ctx: LoadContext;
  condCtx: LoadContext;
  outputCtx: LoadContext;
  /** The rule's source is not loaded: kept (so appends still work) but never compiled. */
  unknownSource: boolean;
  name: string;
  cond: string;
  source: string;
  desc: string;
  output: string;
  /** Sorted, unique (Falco keeps tags in an ordered set). */
  tags: string[];
  exceptions: ExceptionInfo[];
  priority: Priority;
  capture: boolean;
  captureDuration: number;
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
}

/** An append to, or a selective replacement of, an earlier rule. */
export interface RuleUpdateInfo {
  ctx: LoadContext;
  name: string;
  /** `source:` as written on the update item ('' when absent). */
  source: string;
  cond?: string;
  output?: string;
  desc?: string;
  tags?: string[];
  exceptions?: ExceptionInfo[];
  priority?: Priority;
  capture?: boolean;
  captureDuration?: number;
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
}

export function updateHasAnyValue(u: RuleUpdateInfo): boolean {
  return u.cond !== undefined || u.output !== undefined || u.desc !== undefined || u.tags !== undefined ||
    u.exceptions !== undefined || u.priority !== undefined || u.enabled !== undefined ||
    u.capture !== undefined || u.captureDuration !== undefined || u.warnEvttypes !== undefined ||
    u.skipIfUnknownFilter !== undefined;
}

/** A semantic version `major.minor.patch`. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface EngineVersionInfo {
  ctx: LoadContext;
  version: Version;
}

export interface PluginRequirement {
  readonly name: string;
  readonly version: string;
}

/** One `required_plugin_versions` entry: the plugin and its accepted alternatives, first = main. */
export interface PluginVersionInfo {
  ctx: LoadContext;
  alternatives: PluginRequirement[];
}

/**
 * Parses `x.y.z` the way Falco does (three unsigned numbers separated by dots; anything may
 * follow, e.g. `0.26.0-rc1`). Undefined when it is not a version.
 */
export function parseVersion(text: string): Version | undefined {
  const m = /^\s*\+?(\d+)\.\s*\+?(\d+)\.\s*\+?(\d+)/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]) >>> 0, minor: Number(m[2]) >>> 0, patch: Number(m[3]) >>> 0 };
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `have` satisfies a requirement of `wanted`: same major, not older. */
export function versionSatisfies(have: Version, wanted: Version): boolean {
  return have.major === wanted.major && compareVersions(have, wanted) >= 0;
}

/** Sorted unique strings, ordered as C++ std::set<std::string> orders them (by bytes). */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareBytes);
}

export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
