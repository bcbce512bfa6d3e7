// Collects the definitions of every rules file loaded so far, applying Falco's definition-order
// semantics: redefinitions replace earlier items in place (keeping their load-order slot),
// appends and overrides change earlier items, and every change bumps the item's visibility.
// Validation failures here are LOAD_ERR_VALIDATE errors.
import {
  entryIsSet, formatVersion, parseVersion, sortedUnique, compareVersions, updateHasAnyValue,
  type EngineVersionInfo, type ExceptionInfo, type ListInfo, type MacroInfo, type Ordered,
  type PluginRequirement, type PluginVersionInfo, type RuleInfo, type RuleUpdateInfo, type Version,
} from './items.js';
import { LoadContext, RuleLoadError, type LoadResult } from './results.js';
import { validateException, type FieldChecker } from './exceptions.js';

// Message texts are Falco's (users and tools match on them).
export const ERROR_NO_PREVIOUS_MACRO =
  "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
export const ERROR_NO_PREVIOUS_LIST =
  "List uses 'append' or 'override.items: append' but no list by that name already exists";
export const ERROR_NO_PREVIOUS_RULE_APPEND =
  "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
export const ERROR_NO_PREVIOUS_RULE_REPLACE =
  "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";

function fail(message: string, ctx: LoadContext): never {
  throw new RuleLoadError('LOAD_ERR_VALIDATE', message, ctx);
}

/** Items by name in first-definition order. */
export class NamedItems<T extends { name: string }> implements Iterable<T> {
  private readonly order: T[] = [];
  private readonly byName = new Map<string, number>();

  get(name: string): T | undefined {
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.order[i];
  }

  /** Adds a new item or replaces the one with the same name in place. */
  set(item: T): void {
    const i = this.byName.get(item.name);
    if (i === undefined) {
      this.byName.set(item.name, this.order.length);
      this.order.push(item);
    } else {
      this.order[i] = item;
    }
  }

  get size(): number {
    return this.order.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.order[Symbol.iterator]();
  }
}

/** What the collector needs to know about the sources loaded in the engine. */
export interface SourceLookup {
  has(source: string): boolean;
  /** Checks a left-hand-side field of an exception for `source` (undefined: source unknown). */
  fieldChecker(source: string): FieldChecker | undefined;
}

export class Collector {
  private counter = 0;
  readonly lists = new NamedItems<ListInfo>();
  readonly macros = new NamedItems<MacroInfo>();
  readonly rules = new NamedItems<RuleInfo>();
  readonly requiredPluginVersions: PluginRequirement[][] = [];
  requiredEngineVersion: EngineVersionInfo | undefined;

  constructor(private readonly engineVersion: Version) {}

  /** The next load-order slot. */
  private nextIndex(): number {
    return this.counter++;
  }

  private defineOrdered<T extends Ordered & { name: string }>(items: NamedItems<T>, info: T): void {
    const id = this.nextIndex();
    const prev = items.get(info.name);
    info.index = prev ? prev.index : id;
    info.visibility = id;
    items.set(info);
  }

  defineEngineVersion(info: EngineVersionInfo): void {
    const have = this.engineVersion;
    const wanted = info.version;
    if (!(have.major === wanted.major && compareVersions(have, wanted) >= 0)) {
      fail(`Rules require engine version ${formatVersion(wanted)}, but engine version is ${formatVersion(have)}`, info.ctx);
    }
    if (!this.requiredEngineVersion || compareVersions(this.requiredEngineVersion.version, wanted) < 0) {
      this.requiredEngineVersion = info;
    }
  }

  definePluginVersions(info: PluginVersionInfo): void {
    const names = new Set<string>();
    for (const req of info.alternatives) {
      if (!parseVersion(req.version)) fail(`Invalid required version '${req.version}' for plugin '${req.name}'`, info.ctx);
      if (names.has(req.name)) fail(`Defined multiple alternative version requirements for plugin '${req.name}'`, info.ctx);
      names.add(req.name);
    }
    this.requiredPluginVersions.push(info.alternatives);
  }

  defineList(info: ListInfo): void {
    this.defineOrdered(this.lists, info);
  }

  appendList(info: ListInfo): void {
    const prev = this.lists.get(info.name);
    if (!prev) fail(ERROR_NO_PREVIOUS_LIST, info.ctx);
    prev.items.push(...info.items);
    prev.visibility = this.nextIndex();
  }

  defineMacro(info: MacroInfo): void {
    this.defineOrdered(this.macros, info);
  }

  appendMacro(info: MacroInfo): void {
    const prev = this.macros.get(info.name);
    if (!prev) fail(ERROR_NO_PREVIOUS_MACRO, info.ctx);
    prev.cond += ' ' + info.cond;
    prev.visibility = this.nextIndex();
  }

  defineRule(info: RuleInfo, sources: SourceLookup, result: LoadResult): void {
    this.findPreviousRule(info.name, info.source, info.ctx);
    const known = sources.has(info.source);
    if (!known) {
      info.unknownSource = true;
      result.addWarning('LOAD_UNKNOWN_SOURCE', `Unknown source ${info.source}, skipping`, info.ctx);
    }
    const checker = known ? sources.fieldChecker(info.source) : undefined;
    for (const ex of info.exceptions) {
      if (!entryIsSet(ex.fields)) fail('Rule exception item must have fields property with a list of fields', ex.ctx);
      validateException(ex, checker);
    }
    this.defineOrdered(this.rules, info);
  }

  appendRule(info: RuleUpdateInfo, sources: SourceLookup): void {
    const prev = this.findPreviousRule(info.name, info.source, info.ctx);
    if (!prev) fail(ERROR_NO_PREVIOUS_RULE_APPEND, info.ctx);
    if (!updateHasAnyValue(info)) fail('Appended rule must have exceptions or condition property', info.ctx);
    const checker = this.checkerForPrevious(prev, sources, info.ctx);

    if (info.cond) prev.cond += ' ' + info.cond;
    if (info.output) prev.output += ' ' + info.output;
    if (info.desc) prev.desc += ' ' + info.desc;
    if (info.tags) prev.tags = sortedUnique([...prev.tags, ...info.tags]);
    for (const ex of info.exceptions ?? []) {
      const existing = prev.exceptions.find((e) => e.name === ex.name);
      if (!existing) {
        if (!entryIsSet(ex.fields)) fail('Rule exception must have fields property with a list of fields', ex.ctx);
        if (ex.values.length === 0) fail('Rule exception must have values property with a list of values', ex.ctx);
        validateException(ex, checker);
        prev.exceptions.push(ex);
      } else {
        if (entryIsSet(ex.fields)) fail('Can not append exception fields to existing exception, only values', ex.ctx);
        if (entryIsSet(ex.comps)) fail('Can not append exception comps to existing exception, only values', ex.ctx);
        existing.values.push(...ex.values);
      }
    }
    prev.visibility = this.nextIndex();
  }

  replaceRule(info: RuleUpdateInfo, sources: SourceLookup): void {
    const prev = this.findPreviousRule(info.name, info.source, info.ctx);
    if (!prev) fail(ERROR_NO_PREVIOUS_RULE_REPLACE, info.ctx);
    if (!updateHasAnyValue(info)) fail('The rule must have at least one field that can be replaced', info.ctx);
    this.checkerForPrevious(prev, sources, info.ctx);

    if (info.cond !== undefined) prev.cond = info.cond;
    if (info.output !== undefined) prev.output = info.output;
    if (info.desc !== undefined) prev.desc = info.desc;
    if (info.tags !== undefined) prev.tags = info.tags;
    if (info.exceptions !== undefined) prev.exceptions = info.exceptions;
    if (info.priority !== undefined) prev.priority = info.priority;
    if (info.capture !== undefined) prev.capture = info.capture;
    if (info.captureDuration !== undefined) prev.captureDuration = info.captureDuration;
    if (info.enabled !== undefined) prev.enabled = info.enabled;
    if (info.warnEvttypes !== undefined) prev.warnEvttypes = info.warnEvttypes;
    if (info.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = info.skipIfUnknownFilter;
    prev.visibility = this.nextIndex();
  }

  /** The deprecated item that only sets `enabled` of an earlier rule. */
  enableRule(name: string, enabled: boolean, ctx: LoadContext): void {
    const prev = this.rules.get(name);
    if (!prev) fail("Rule has 'enabled' key but no rule by that name already exists", ctx);
    prev.enabled = enabled;
  }

  private findPreviousRule(name: string, source: string, ctx: LoadContext): RuleInfo | undefined {
    const prev = this.rules.get(name);
    if (prev && prev.source !== '' && source !== '' && prev.source !== source) {
      fail('Rule has been re-defined with a different source', ctx);
    }
    return prev;
  }

  /** Exceptions added to a rule of an unknown source are not checked against fields. */
  private checkerForPrevious(prev: RuleInfo, sources: SourceLookup, ctx: LoadContext): FieldChecker | undefined {
    if (prev.unknownSource) return undefined;
    if (!sources.has(prev.source)) fail(`Unknown source ${prev.source}`, ctx);
    return sources.fieldChecker(prev.source);
  }
}

export type { ExceptionInfo };
