// Compiles everything collected so far (Falco compiles the whole collection after each rules
// file): lists (one level of list references), macros (in definition order, each seeing only the
// macros defined before its latest definition), then rules (exceptions, outputs, conditions,
// event-type sets), and reports unused lists and macros.
//
// Semantics kept from Falco on purpose:
// - List names are replaced in condition *text* before parsing, wherever they stand as a word
//   between blanks, parentheses, commas or `=` (so `proc.name=my_list` and exception values that
//   name lists work). Items with a space are quoted. There is no ordering between lists and
//   conditions: every list is visible to every condition.
// - Macro references are resolved on the syntax tree with definition-order visibility.
// - Loading stops at the first error; warnings about unused items come only from a clean compile.
import {
  ConditionCompileError, ConditionError, ConditionExpandError, compileCondition, expandCondition,
  matchesTooManyEventTypes, parseCondition, walkAst, type Ast, type CompiledCondition, type Position as AstPosition,
} from '../condition/index.js';
import { compileOutputFormat, type CompiledOutputFormat } from '../output-format.js';
import type { Priority } from '../priority.js';
import type { EventSourceDefinition } from '../source.js';
import type { Collector } from './collector.js';
import { conditionWithExceptions, quoteItem, type FieldChecker } from './exceptions.js';
import type { ListInfo, MacroInfo, RuleInfo } from './items.js';
import { DEPRECATED_FIELDS, LoadContext, RuleLoadError, type LoadErrorCode, type LoadResult } from './results.js';
import { log } from '../../util/log.js';

/** An event source the loader can compile rules for (events of any type). */
export type AnySource = EventSourceDefinition<unknown>;

/** Text appended to rule outputs (Falco's `append_output` with a `format`). */
export interface ExtraOutputFormat {
  readonly format: string;
  /** Only rules of this source ('' or undefined: all). */
  readonly source?: string;
  /** Only rules having all these tags. */
  readonly tags?: readonly string[];
  /** Only the rule of this name. */
  readonly rule?: string;
}

/** Extra `output_fields` (Falco's `append_output` with `extra_output_fields`). */
export interface ExtraOutputField {
  readonly key: string;
  /** A format string (`%proc.name ...`), or with `raw` a single field name. */
  readonly format: string;
  readonly raw: boolean;
  readonly source?: string;
  readonly tags?: readonly string[];
  readonly rule?: string;
}

export interface CompiledList {
  readonly info: ListInfo;
  readonly name: string;
  /** Items with references to earlier lists replaced by their items. */
  readonly items: readonly string[];
  used: boolean;
}

export interface CompiledMacro {
  readonly info: MacroInfo;
  readonly name: string;
  /** The condition with every macro reference expanded. */
  ast: Ast;
  used: boolean;
}

export interface CompiledRule {
  /** Position in the compiled rules (load order of first definition). */
  readonly id: number;
  readonly info: RuleInfo;
  readonly name: string;
  readonly source: string;
  readonly description: string;
  readonly priority: Priority;
  readonly tags: readonly string[];
  readonly capture: boolean;
  readonly captureDuration: number;
  /** The output format with appended extras (`append_output`). */
  readonly output: string;
  readonly outputFormat: CompiledOutputFormat<unknown>;
  /** Extra output fields: key → (format, raw, compiled). */
  readonly extraOutputFields: ReadonlyMap<string, { format: string; raw: boolean; compiled: CompiledOutputFormat<unknown> }>;
  /** The condition text with exceptions, before list substitution. */
  readonly condition: string;
  /** The fully expanded condition. */
  readonly ast: Ast;
  readonly compiled: CompiledCondition<unknown>;
  /** Fields the exceptions compare (sorted). */
  readonly exceptionFields: readonly string[];
}

export interface CompileOutput {
  readonly lists: CompiledList[];
  readonly macros: CompiledMacro[];
  readonly rules: CompiledRule[];
}

export interface CompileEnvironment {
  readonly collector: Collector;
  readonly sources: ReadonlyMap<string, AnySource>;
  readonly result: LoadResult;
  readonly extraOutputFormats: readonly ExtraOutputFormat[];
  readonly extraOutputFields: readonly ExtraOutputField[];
}

const NO_LISTS: ReadonlyMap<string, readonly string[]> = new Map();

/** Falco's test for "unknown field or event type" errors, which skip-if-unknown-filter skips. */
export function isUnknownFilterError(err: unknown): boolean {
  if (err instanceof ConditionCompileError) return err.unknownFilter;
  const flagged = (err as { unknownFilter?: unknown } | null)?.unknownFilter;
  if (typeof flagged === 'boolean') return flagged;
  const message = err instanceof Error ? err.message : String(err);
  return /nonexistent field|invalid formatting token|unknown event type|unknown filter:/.test(message);
}

/**
 * An unexpected failure inside the condition engine: reported against the item being compiled
 * (so one bad rule never takes the whole agent down), with the details in the debug log.
 */
function internalError(code: LoadErrorCode, err: unknown, ctx: LoadContext): RuleLoadError {
  log.debug(`rules loader: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return new RuleLoadError(code, `internal error: ${messageOf(err)}`, ctx);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function conditionPosition(pos: AstPosition): { offset: number; line: number; column: number } {
  return { offset: pos.offset, line: pos.line, column: pos.column };
}

// ---- lists ------------------------------------------------------------------------------------

const BLANKS = ' \t\n\r';
const DELIMITERS = BLANKS + '(),=';

/**
 * Replaces every occurrence of the list's name in `text` that stands as a word (start/end of
 * text or a delimiter on both sides) by its items, comma-separated. Undefined when nothing was
 * replaced.
 */
export function substituteList(text: string, name: string, items: readonly string[]): string | undefined {
  let cnd = text;
  let used = false;
  let start = cnd.indexOf(name);
  while (start >= 0) {
    let end = start + name.length;
    if ((start === 0 || DELIMITERS.includes(cnd[start - 1]!)) && (end >= cnd.length || DELIMITERS.includes(cnd[end]!))) {
      while (start > 0 && BLANKS.includes(cnd[start - 1]!)) start--;
      while (end < cnd.length && BLANKS.includes(cnd[end]!)) end++;
      const sub = items.map(quoteItem).join(', ');
      // An empty list leaves `(a, , b)`: drop one of the commas around it.
      if (sub === '') {
        if (start > 0 && cnd[start - 1] === ',') start--;
        else if (end < cnd.length && cnd[end] === ',') end++;
      }
      let next = '';
      if (start > 0) next += cnd.slice(0, start) + ' ';
      next += sub + ' ';
      if (end <= cnd.length) next += cnd.slice(end);
      cnd = next;
      start += sub.length + 1;
      used = true;
    }
    start = cnd.indexOf(name, start + 1);
  }
  return used ? cnd : undefined;
}

function compileLists(collector: Collector): CompiledList[] {
  const out: CompiledList[] = [];
  const referenced: string[] = [];
  for (const list of collector.lists) {
    const items: string[] = [];
    for (const item of list.items) {
      const ref = collector.lists.get(item);
      // A list may include the items of lists defined before its latest definition.
      if (ref && ref.index < list.visibility) {
        referenced.push(ref.name);
        items.push(...ref.items);
      } else {
        items.push(item);
      }
    }
    out.push({ info: list, name: list.name, items, used: false });
  }
  const byName = new Map(out.map((l) => [l.name, l]));
  for (const name of referenced) byName.get(name)!.used = true;
  return out;
}

/** Substitutes every list in `condition` (marking the lists used) and parses the result. */
/** The words of a condition text as list substitution delimits them. */
function delimitedWords(text: string): Set<string> {
  return new Set(text.split(/[ \t\n\r(),=]+/));
}

/** Names with a delimiter in them can only be found by scanning (they are invalid but allowed). */
const HAS_DELIMITER = /[ \t\n\r(),=]/;

/** Substitutes every list in `condition` (marking the lists used) and parses the result. */
function parseWithLists(condition: string, lists: readonly CompiledList[], condCtx: LoadContext): Ast {
  let text = condition;
  // Lists are substituted one after the other in definition order (text inserted for one list
  // may name a later one). The word set only skips lists that cannot match; it is recomputed
  // after each substitution.
  let words = delimitedWords(text);
  for (const list of lists) {
    if (!words.has(list.name) && !HAS_DELIMITER.test(list.name)) continue;
    const replaced = substituteList(text, list.name, list.items);
    if (replaced !== undefined) {
      text = replaced;
      list.used = true;
      words = delimitedWords(text);
    }
  }
  try {
    return parseCondition(text, { maxDepth: 1000 });
  } catch (err) {
    if (err instanceof ConditionError) {
      throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', err.message, condCtx.inCondition(text, conditionPosition(err.pos)));
    }
    throw internalError('LOAD_ERR_COMPILE_CONDITION', err, condCtx);
  }
}

// ---- macros -----------------------------------------------------------------------------------

/**
 * The macros a condition may use: those whose first definition comes before `visibility`, each
 * as already expanded (when compiled before) or as parsed.
 */
class VisibleMacros implements ReadonlyMap<string, Ast> {
  constructor(
    private readonly macros: readonly CompiledMacro[],
    private readonly positions: ReadonlyMap<string, number>,
    private readonly visibility: number,
  ) {}

  get(name: string): Ast | undefined {
    const i = this.positions.get(name);
    if (i === undefined) return undefined;
    const m = this.macros[i]!;
    return m.info.index < this.visibility ? m.ast : undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return [...this.keys()].length;
  }

  *entries(): MapIterator<[string, Ast]> {
    for (const m of this.macros) if (m.info.index < this.visibility) yield [m.name, m.ast];
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<Ast> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(fn: (value: Ast, key: string, map: ReadonlyMap<string, Ast>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  [Symbol.iterator](): MapIterator<[string, Ast]> {
    return this.entries();
  }
}

/** Expands the macro references of `ast`, marking the macros used. Throws LOAD_ERR_VALIDATE. */
function resolveMacros(
  ast: Ast, macros: ReadonlyMap<string, Ast>, byName: ReadonlyMap<string, CompiledMacro>, condition: string, ctx: LoadContext,
): Ast {
  try {
    const { ast: expanded, usedMacros } = expandCondition(ast, { macros, lists: NO_LISTS });
    for (const name of usedMacros) {
      const m = byName.get(name);
      if (m) m.used = true;
    }
    return expanded;
  } catch (err) {
    if (err instanceof ConditionError) {
      const code = err instanceof ConditionExpandError ? 'LOAD_ERR_VALIDATE' : 'LOAD_ERR_COMPILE_CONDITION';
      throw new RuleLoadError(code, err.message, ctx.inCondition(condition, conditionPosition(err.pos)));
    }
    throw internalError('LOAD_ERR_VALIDATE', err, ctx);
  }
}

function compileMacros(collector: Collector, lists: readonly CompiledList[]): CompiledMacro[] {
  const out: CompiledMacro[] = [];
  // Every macro is parsed before any is expanded (a syntax error anywhere wins).
  for (const info of collector.macros) {
    out.push({ info, name: info.name, ast: parseWithLists(info.cond, lists, info.condCtx), used: false });
  }
  const positions = new Map(out.map((m, i) => [m.name, i]));
  const byName = new Map(out.map((m) => [m.name, m]));
  for (const m of out) {
    const visible = new VisibleMacros(out, positions, m.info.visibility);
    m.ast = resolveMacros(m.ast, visible, byName, m.info.cond, m.info.ctx);
  }
  return out;
}

// ---- rules ------------------------------------------------------------------------------------

/** Whether a rule gets an extra output setting (source, tags and name filters). */
function extraApplies(extra: { source?: string; tags?: readonly string[]; rule?: string }, rule: RuleInfo): boolean {
  if (extra.source && extra.source !== rule.source) return false;
  if (extra.tags && !extra.tags.every((t) => rule.tags.includes(t))) return false;
  if (extra.rule && extra.rule !== rule.name) return false;
  return true;
}

/** Warnings Falco derives from the expanded condition: <NA> comparisons, deprecated fields. */
function conditionWarnings(ast: Ast, condition: string, condCtx: LoadContext, result: LoadResult): void {
  const ctx = condCtx.inCondition(condition, { offset: 0, line: 0, column: 0 });
  let unsafeNa = false;
  const deprecated = new Set<string>();
  walkAst(ast, (node) => {
    if (node.kind === 'field' && DEPRECATED_FIELDS.has(node.name)) deprecated.add(node.name);
    if (node.kind !== 'binary' || node.left.kind !== 'field') return;
    // Fields of JSON-ish sources may be missing: comparing them with "<NA>" is unreliable.
    const unsafeField = node.left.name.startsWith('ka.') || node.left.name.startsWith('jevt.');
    if (!unsafeField || !['==', '=', '!=', 'in', 'intersects', 'pmatch'].includes(node.operator) || node.modifier) return;
    const right = node.right;
    if ((right.kind === 'value' && right.value === '<NA>') || (right.kind === 'list' && right.items.some((i) => i.value === '<NA>'))) {
      unsafeNa = true;
    }
  });
  if (unsafeNa) result.addWarning('LOAD_UNSAFE_NA_CHECK', '', ctx);
  for (const field of DEPRECATED_FIELDS.keys()) {
    if (deprecated.has(field)) result.addWarning('LOAD_DEPRECATED_ITEM', DEPRECATED_FIELDS.get(field)!, ctx, field);
  }
}

function deprecatedFieldsInOutput(format: string, ctx: LoadContext, result: LoadResult): void {
  for (const field of DEPRECATED_FIELDS.keys()) {
    if (format.includes(field)) {
      result.addWarning('LOAD_DEPRECATED_ITEM', `usage of deprecated field '${field}' has been detected in the rule output`, ctx, field);
    }
  }
}

const CONTAINER_INFO = '%container.info';

function compileRules(env: CompileEnvironment, lists: readonly CompiledList[], macros: readonly CompiledMacro[]): CompiledRule[] {
  const { collector, result } = env;
  const out: CompiledRule[] = [];
  const allMacros = new Map(macros.map((m) => [m.name, m.ast]));
  const byName = new Map(macros.map((m) => [m.name, m]));
  for (const r of collector.rules) {
    if (r.unknownSource) continue;
    const source = env.sources.get(r.source);
    if (!source) throw new RuleLoadError('LOAD_ERR_VALIDATE', `Unknown source at compile-time${r.source}`, r.ctx);

    const { condition, fields: exceptionFields } = r.exceptions.length > 0
      ? conditionWithExceptions(r.cond, r.exceptions)
      : { condition: r.cond, fields: new Set<string>() };

    let output = r.output;
    for (const extra of env.extraOutputFormats) {
      if (extraApplies(extra, r)) output += ' ' + extra.format;
    }
    if (output.includes(CONTAINER_INFO)) {
      result.addWarning('LOAD_DEPRECATED_ITEM',
        '%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.',
        r.ctx);
      output = output.split(CONTAINER_INFO).join('');
    }
    const extraFieldSpecs = new Map<string, { format: string; raw: boolean }>();
    for (const extra of env.extraOutputFields) {
      if (extraApplies(extra, r)) extraFieldSpecs.set(extra.key, { format: extra.format, raw: extra.raw });
    }

    let outputFormat: CompiledOutputFormat<unknown>;
    try {
      outputFormat = compileOutputFormat(output, source);
    } catch (err) {
      if (isUnknownFilterError(err) && r.skipIfUnknownFilter) {
        result.addWarning('LOAD_UNKNOWN_FILTER', messageOf(err), r.outputCtx);
        continue;
      }
      throw new RuleLoadError('LOAD_ERR_COMPILE_OUTPUT', messageOf(err), r.outputCtx);
    }
    deprecatedFieldsInOutput(output, r.outputCtx, result);

    const extraOutputFields = new Map<string, { format: string; raw: boolean; compiled: CompiledOutputFormat<unknown> }>();
    for (const [key, spec] of extraFieldSpecs) {
      try {
        extraOutputFields.set(key, { ...spec, compiled: compileOutputFormat(spec.raw ? `%${spec.format}` : spec.format, source) });
      } catch (err) {
        throw new RuleLoadError('LOAD_ERR_COMPILE_OUTPUT', messageOf(err), r.outputCtx);
      }
      deprecatedFieldsInOutput(spec.format, r.outputCtx, result);
    }

    const parsed = parseWithLists(condition, lists, r.condCtx);
    const ast = resolveMacros(parsed, allMacros, byName, condition, r.ctx);
    conditionWarnings(ast, condition, r.condCtx, result);
    let compiled: CompiledCondition<unknown>;
    try {
      compiled = compileCondition(ast, source);
    } catch (err) {
      if (err instanceof ConditionCompileError) {
        const ctx = r.condCtx.inCondition(condition, conditionPosition(err.pos));
        if (err.unknownFilter && r.skipIfUnknownFilter) {
          result.addWarning('LOAD_UNKNOWN_FILTER', err.message, ctx);
          continue;
        }
        throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', err.message, ctx);
      }
      if (err instanceof ConditionError) {
        throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', err.message, r.condCtx.inCondition(condition, conditionPosition(err.pos)));
      }
      throw internalError('LOAD_ERR_COMPILE_CONDITION', err, r.condCtx);
    }
    for (const w of compiled.warnings) {
      result.addWarning('LOAD_COMPILE_CONDITION', w.message, r.condCtx.inCondition(condition, conditionPosition(w.pos)));
    }

    if (r.warnEvttypes && matchesTooManyEventTypes(compiled.eventTypes, source)) {
      result.addWarning('LOAD_NO_EVTTYPE', 'Rule matches too many evt.type values. This has a significant performance penalty.', r.ctx);
    }

    out.push({
      id: out.length,
      info: r,
      name: r.name,
      source: r.source,
      description: r.desc,
      priority: r.priority,
      tags: r.tags,
      capture: r.capture,
      captureDuration: r.captureDuration,
      output,
      outputFormat,
      extraOutputFields,
      condition,
      ast,
      compiled,
      exceptionFields: [...exceptionFields].sort(),
    });
  }
  return out;
}

/**
 * Compiles the collection into `env.result`: on the first error the result gets it and the
 * partial output comes back (Falco keeps it too); warnings about unused lists and macros are added
 * only when everything compiled.
 */
export function compileCollection(env: CompileEnvironment): { output: CompileOutput; ok: boolean } {
  const output: CompileOutput = { lists: [], macros: [], rules: [] };
  try {
    output.lists.push(...compileLists(env.collector));
    output.macros.push(...compileMacros(env.collector, output.lists));
    output.rules.push(...compileRules(env, output.lists, output.macros));
  } catch (err) {
    if (err instanceof RuleLoadError) {
      env.result.addError(err.code, err.message, err.context);
      return { output, ok: false };
    }
    throw err;
  }
  for (const m of output.macros) {
    if (!m.used) env.result.addWarning('LOAD_UNUSED_MACRO', 'Macro not referred to by any other rule/macro', m.info.ctx);
  }
  for (const l of output.lists) {
    if (!l.used) env.result.addWarning('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', l.info.ctx);
  }
  return { output, ok: true };
}

/** A checker of exception fields for a source: `<field> exists` must compile. */
export function fieldCheckerFor(source: AnySource): FieldChecker {
  const cache = new Map<string, boolean>();
  return (field: string): boolean => {
    let ok = cache.get(field);
    if (ok === undefined) {
      try {
        compileCondition(parseCondition(`${field} exists`), source);
        ok = true;
      } catch {
        ok = false;
      }
      cache.set(field, ok);
    }
    return ok;
  };
}
