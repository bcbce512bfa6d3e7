// The loaded ruleset: compiled rules in load order, which of them are enabled, and for each event
// source a dispatch table from event-type code to the enabled rules to evaluate, in order.
//
// Falco's semantics:
// - Rules below the minimum priority are left out entirely (they cannot be enabled later).
// - Rules start enabled or disabled as their `enabled` key says; then selections (by name, exact,
//   substring or `*` wildcard, and by tag) are applied in order.
// - The rules of one event type are evaluated in the order they were enabled: load order at first;
//   a rule disabled and enabled again moves to the end. With `rule_matching: first` the first
//   match wins.
// - A rule whose condition does not restrict event types is evaluated for every event type.
import { compileConditionGroup, type ConditionGroup } from './condition/index.js';
import type { CompiledRule, CompileOutput, AnySource } from './loader/index.js';
import { Priority } from './priority.js';
import { log } from '../util/log.js';

export type NameMatch = 'exact' | 'substring' | 'wildcard';

/** One `rules:` selection of Falco's configuration (`- disable: {rule: "X*"}`, `- enable: {tag: t}`). */
export interface RuleSelection {
  readonly operation: 'enable' | 'disable';
  readonly rule?: string;
  readonly tag?: string;
}

/**
 * Falco's wildcard match: `*` matches any run of characters; a literal after a `*` is matched at
 * its first occurrence (so `*a` does not match `aba`, as in Falco).
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === text;
  if (star === 0) {
    const nextStart = pattern.search(/[^*]/);
    if (nextStart < 0) return true;
    const next = pattern.slice(nextStart);
    const nextStar = next.indexOf('*');
    const literal = nextStar < 0 ? next : next.slice(0, nextStar);
    const at = text.indexOf(literal);
    if (at < 0) return false;
    return matchesWildcard(next.slice(literal.length), text.slice(at + literal.length));
  }
  if (pattern.slice(0, star) !== text.slice(0, star)) return false;
  return matchesWildcard(pattern.slice(star), text.slice(star));
}

function nameMatches(pattern: string, name: string, match: NameMatch): boolean {
  switch (match) {
    case 'exact': return pattern === '' || pattern === name;
    case 'substring': return pattern === '' || name.includes(pattern);
    case 'wildcard': return matchesWildcard(pattern, name);
  }
}

/** The rules of one source and its dispatch table. */
export class SourceRuleset {
  /** Candidate rules of this source (priority at or above the minimum), in load order. */
  readonly rules: readonly CompiledRule[];
  private readonly byCode: CompiledRule[][];
  /** Per code, the rules of `byCode` compiled together (built on first use, reset on changes). */
  private readonly groups: (ConditionGroup<unknown> | undefined)[];
  /** Groups by the ids of their rules: codes with the same rules share one group. */
  private readonly groupCache = new Map<string, ConditionGroup<unknown>>();
  private readonly scratch: number[] = [];
  private readonly enabledSet = new Set<CompiledRule>();
  private readonly codesOf = new Map<CompiledRule, readonly number[]>();
  private readonly allCodes: readonly number[];

  constructor(readonly source: AnySource, rules: readonly CompiledRule[]) {
    this.rules = rules;
    const count = Math.max(1, source.eventTypeCount);
    this.byCode = Array.from({ length: count }, () => []);
    this.groups = new Array<ConditionGroup<unknown> | undefined>(count).fill(undefined);
    this.allCodes = Array.from({ length: count }, (_, i) => i);
    for (const r of rules) {
      const types = source.hasEventTypes ? r.compiled.eventTypes : 'all';
      this.codesOf.set(r, types === 'all' ? this.allCodes : [...types].filter((c) => c < count).sort((a, b) => a - b));
    }
  }

  /** Enabled rules to evaluate for events of this code, in evaluation order. */
  rulesFor(code: number): readonly CompiledRule[] {
    return this.byCode[code] ?? [];
  }

  /** The rules of one code evaluated together: shared fields extracted once per event. */
  private group(code: number): ConditionGroup<unknown> | undefined {
    const list = this.byCode[code];
    if (list === undefined) return undefined;
    let g = this.groups[code];
    if (g === undefined) {
      // Fields every event of this code has the same value of (evt.type): their checks are
      // decided now. Codes with the same rules and the same known values share one group.
      const known = this.source.constantFields?.(code);
      const knownKey = known === undefined ? '' : JSON.stringify([...known]);
      const key = `${knownKey}|${list.map((r) => r.id).join(',')}`;
      g = this.groupCache.get(key);
      if (g === undefined) {
        g = compileConditionGroup(list.map((r) => r.compiled), known === undefined ? {} : { known });
        this.groupCache.set(key, g);
      }
      this.groups[code] = g;
    }
    return g;
  }

  /** Compiles the evaluation of every code now (otherwise each code compiles on first use). */
  prepare(): void {
    for (let code = 0; code < this.byCode.length; code++) this.group(code);
  }

  /** The first enabled rule matching the event (rule_matching: first). */
  firstMatch(code: number, evt: unknown): CompiledRule | undefined {
    const list = this.byCode[code];
    // Most events meet no rule: nothing to call.
    if (list === undefined || list.length === 0) return undefined;
    const g = this.groups[code] ?? this.group(code)!;
    const i = g.first(evt);
    return i < 0 ? undefined : list[i];
  }

  /** Every enabled rule matching the event, appended to `out` (rule_matching: all). */
  allMatches(code: number, evt: unknown, out: CompiledRule[]): number {
    const list = this.byCode[code];
    if (list === undefined || list.length === 0) return 0;
    const g = this.groups[code] ?? this.group(code);
    if (g === undefined) return 0;
    const indexes = this.scratch;
    indexes.length = 0;
    const n = g.all(evt, indexes);
    for (let i = 0; i < n; i++) out.push(list[indexes[i]!]!);
    return n;
  }

  isEnabled(rule: CompiledRule): boolean {
    return this.enabledSet.has(rule);
  }

  /** Enabled rules in load order. */
  enabledRules(): CompiledRule[] {
    return this.rules.filter((r) => this.enabledSet.has(r));
  }

  /** Event-type codes some enabled rule needs (for choosing what to capture). */
  enabledCodes(): Set<number> {
    const codes = new Set<number>();
    for (const r of this.enabledSet) for (const c of this.codesOf.get(r)!) codes.add(c);
    return codes;
  }

  setEnabled(rule: CompiledRule, enabled: boolean): void {
    const codes = this.codesOf.get(rule);
    if (!codes) return;
    // Groups are rebuilt on demand for the new rule lists (sharing resumes as they are built).
    this.groupCache.clear();
    if (enabled) {
      if (this.enabledSet.has(rule)) return;
      this.enabledSet.add(rule);
      for (const c of codes) {
        this.byCode[c]!.push(rule);
        this.groups[c] = undefined;
      }
    } else {
      if (!this.enabledSet.delete(rule)) return;
      for (const c of codes) {
        const list = this.byCode[c]!;
        const i = list.indexOf(rule);
        if (i >= 0) list.splice(i, 1);
        this.groups[c] = undefined;
      }
    }
  }
}

export interface RulesetOptions {
  /** Rules less severe than this are left out (Falco's `priority` setting); default Debug (all). */
  readonly minPriority?: Priority;
}

/** The compiled rules of every source, with enable/disable state and dispatch tables. */
export class Ruleset {
  /** Every compiled rule, in load order (including rules left out by the minimum priority). */
  readonly rules: readonly CompiledRule[];
  private readonly bySource = new Map<string, SourceRuleset>();
  private readonly byName = new Map<string, CompiledRule>();

  constructor(compiled: CompileOutput, sources: Iterable<AnySource>, opts: RulesetOptions = {}) {
    const min = opts.minPriority ?? Priority.Debug;
    this.rules = compiled.rules;
    for (const r of compiled.rules) this.byName.set(r.name, r);
    for (const source of sources) {
      const candidates = compiled.rules.filter((r) => r.source === source.name && r.priority <= min);
      const rs = new SourceRuleset(source, candidates);
      this.bySource.set(source.name, rs);
      for (const r of candidates) if (r.info.enabled) rs.setEnabled(r, true);
    }
  }

  /** The ruleset of a source, or undefined when the source has no rules loaded for it. */
  forSource(name: string): SourceRuleset | undefined {
    return this.bySource.get(name);
  }

  get sources(): IterableIterator<SourceRuleset> {
    return this.bySource.values();
  }

  rule(name: string): CompiledRule | undefined {
    return this.byName.get(name);
  }

  /** Enables or disables the rules whose name matches `pattern`; returns how many matched. */
  setEnabledByName(pattern: string, match: NameMatch, enabled: boolean): number {
    let n = 0;
    for (const rs of this.bySource.values()) {
      for (const r of rs.rules) {
        if (nameMatches(pattern, r.name, match)) {
          rs.setEnabled(r, enabled);
          n++;
        }
      }
    }
    return n;
  }

  /** Enables or disables the rules having any of `tags`; returns how many matched. */
  setEnabledByTags(tags: readonly string[], enabled: boolean): number {
    let n = 0;
    for (const rs of this.bySource.values()) {
      for (const r of rs.rules) {
        if (r.tags.some((t) => tags.includes(t))) {
          rs.setEnabled(r, enabled);
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Applies configuration selections in order (names with `*` wildcards, tags), logging each as
   * Falco does (`Disabling rules with name: X`).
   */
  applySelections(selections: readonly RuleSelection[]): void {
    for (const s of selections) {
      const enable = s.operation === 'enable';
      const verb = enable ? 'Enabling' : 'Disabling';
      if (s.rule !== undefined && s.rule !== '') {
        log.info(`${verb} rules with name: ${s.rule}`);
        this.setEnabledByName(s.rule, 'wildcard', enable);
      }
      if (s.tag !== undefined && s.tag !== '') {
        log.info(`${verb} rules with tag: ${s.tag}`);
        this.setEnabledByTags([s.tag], enable);
      }
    }
  }

  /** Enabled rules of every source, in load order. */
  enabledRules(): CompiledRule[] {
    const enabled = new Set<CompiledRule>();
    for (const rs of this.bySource.values()) for (const r of rs.enabledRules()) enabled.add(r);
    return this.rules.filter((r) => enabled.has(r));
  }
}
