// Reads the items of a rules content (list, macro, rule, required_engine_version,
// required_plugin_versions) into the collector. Decoding order, defaults and message texts follow
// Falco 0.44: the first structural problem stops the content with LOAD_ERR_YAML_VALIDATE, and
// deprecated or unknown things are warnings.
import { parsePriority, type Priority } from '../priority.js';
import type { Collector, SourceLookup } from './collector.js';
import {
  EMPTY_ENTRY, parseVersion, sortedUnique,
  type ExceptionEntry, type ExceptionInfo, type PluginRequirement, type RuleInfo, type RuleUpdateInfo, type Version,
} from './items.js';
import { LoadContext, RuleLoadError, type ItemType, type LoadResult } from './results.js';
import { decodeBool, decodeUint32, keyText, mapGet, type YMap, type YNode } from './yaml.js';

export const WARNING_APPEND =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
export const WARNING_ENABLED =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
export const ERROR_OVERRIDE_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

/** Name patterns Falco checks (as the condition grammar defines identifiers and bare strings). */
const MACRO_NAME_PATTERN = '([a-zA-Z]+[a-zA-Z0-9_]*)';
const LIST_NAME_PATTERN = '([^()"\'[:space:]=,]+)';
const MACRO_NAME_RE = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;
const LIST_NAME_RE = /^[^()"'\s=,]+$/;

/** Keys each kind of item may have (others get LOAD_UNKNOWN_KEY). */
const KEYS = {
  engine: new Set(['required_engine_version']),
  plugins: new Set(['required_plugin_versions']),
  list: new Set(['list', 'items', 'append', 'override']),
  macro: new Set(['macro', 'condition', 'append', 'override']),
  rule: new Set(['rule', 'condition', 'output', 'desc', 'priority', 'source', 'enabled', 'capture', 'capture_duration',
    'warn_evttypes', 'skip-if-unknown-filter', 'tags', 'exceptions', 'override', 'append']),
};

const RULE_APPENDABLE = ['condition', 'output', 'desc', 'tags', 'exceptions'];
const RULE_REPLACEABLE = ['condition', 'output', 'desc', 'priority', 'capture', 'capture_duration', 'tags', 'exceptions',
  'enabled', 'warn_evttypes', 'skip-if-unknown-filter'];

function invalid(message: string, ctx: LoadContext): never {
  throw new RuleLoadError('LOAD_ERR_YAML_VALIDATE', message, ctx);
}

// ---- value decoding ---------------------------------------------------------------------------

interface DecodeMode {
  optional: boolean;
  canBeEmpty: boolean;
}

const REQUIRED: DecodeMode = { optional: false, canBeEmpty: false };
const OPTIONAL: DecodeMode = { optional: true, canBeEmpty: false };
const OPTIONAL_EMPTY: DecodeMode = { optional: true, canBeEmpty: true };

/** A scalar value of `key`, as text; undefined when absent (optional) or empty (allowed). */
function decodeText(item: YMap, key: string, ctx: LoadContext, mode: DecodeMode): { text: string; valueCtx: LoadContext } | undefined {
  const val = mapGet(item, key);
  if (val === undefined) {
    if (mode.optional) return undefined;
    invalid(`Item has no mapping for key '${key}'`, ctx);
  }
  if (val.kind === 'null') {
    if (mode.canBeEmpty) return undefined;
    invalid(`Mapping for key '${key}' is empty`, ctx);
  }
  const valueCtx = ctx.child('value for', key, val.mark);
  if (val.kind !== 'scalar') invalid('Value is not a scalar value', valueCtx);
  if (val.value === '') {
    if (mode.canBeEmpty) return undefined;
    invalid('Value must be non-empty', valueCtx);
  }
  return { text: val.value, valueCtx };
}

function decodeString(item: YMap, key: string, ctx: LoadContext, mode: DecodeMode = REQUIRED): string | undefined {
  return decodeText(item, key, ctx, mode)?.text;
}

function requireString(item: YMap, key: string, ctx: LoadContext): string {
  return decodeText(item, key, ctx, REQUIRED)!.text;
}

function decodeBoolean(item: YMap, key: string, ctx: LoadContext, mode: DecodeMode = REQUIRED): boolean | undefined {
  const v = decodeText(item, key, ctx, mode);
  if (!v) return undefined;
  const b = decodeBool(v.text);
  if (b === undefined) invalid("Can't decode YAML scalar value", v.valueCtx);
  return b;
}

function decodeUnsigned(item: YMap, key: string, ctx: LoadContext, mode: DecodeMode = REQUIRED): number | undefined {
  const v = decodeText(item, key, ctx, mode);
  if (!v) return undefined;
  const n = decodeUint32(v.text);
  if (n === undefined) invalid("Can't decode YAML scalar value", v.valueCtx);
  return n;
}

/** A sequence of scalars (`items`, `tags`). */
function decodeSequence(item: YMap, key: string, ctx: LoadContext, optional: boolean): string[] | undefined {
  const val = mapGet(item, key);
  if (val === undefined) {
    if (optional) return undefined;
    invalid(`Item has no mapping for key '${key}'`, ctx);
  }
  const valueCtx = ctx.child('value for', key, val.mark);
  if (val.kind !== 'seq') invalid('Value is not a sequence', valueCtx);
  return val.items.map((v) => {
    if (v.kind !== 'scalar') invalid('sequence value is not scalar', valueCtx.child('list item', '', v.mark));
    return v.value;
  });
}

/** Falco's priority names, any letter case, `info` for Informational; no surrounding blanks. */
function priorityOf(text: string): Priority | undefined {
  return text.trim() === text ? parsePriority(text) : undefined;
}

/** The overrides of an item: which keys are appended to and which are replaced. */
function decodeOverrides(
  item: YMap, appendable: readonly string[], replaceable: readonly string[], ctx: LoadContext,
): { append: string[]; replace: string[] } {
  const append: string[] = [];
  const replace: string[] = [];
  const val = mapGet(item, 'override');
  if (val === undefined || val.kind === 'null' || val.kind === 'scalar') return { append, replace };
  const overrideCtx = ctx.child('overrides', '', item.mark);
  if (val.kind !== 'map') invalid("Value of 'override' must be a mapping of keys to 'append' or 'replace'", overrideCtx);
  for (const { key: keyNode, value } of val.pairs) {
    const key = keyText(keyNode);
    const operation = value.kind === 'scalar' ? value.value : value.kind === 'null' ? 'null' : `<${value.kind}>`;
    const canAppend = appendable.includes(key);
    const canReplace = replaceable.includes(key);
    if (operation === 'append') {
      if (!canAppend) invalid(`Key '${key}' cannot be appended to, use 'replace' instead`, overrideCtx.child('overrides', key, keyNode.mark));
      append.push(key);
    } else if (operation === 'replace') {
      if (!canReplace) invalid(`Key '${key}' cannot be replaced`, overrideCtx.child('overrides', key, keyNode.mark));
      replace.push(key);
    } else {
      invalid(`Invalid override operation for key '${key}': '${operation}'. Allowed values are: ` +
        (canAppend ? 'append ' : '') + (canReplace ? 'replace ' : ''), overrideCtx.child('value for', key, value.mark));
    }
  }
  return { append, replace };
}

// ---- exceptions -------------------------------------------------------------------------------

function decodeExceptionEntry(val: YNode, key: string, ctx: LoadContext): ExceptionEntry {
  const valueCtx = ctx.child('value for', key, val.mark);
  if (val.kind === 'scalar') {
    if (val.value === '') invalid('Value must be non-empty', valueCtx);
    return { isList: false, item: val.value };
  }
  if (val.kind === 'seq') {
    return { isList: true, items: val.items.map((v) => decodeExceptionEntry(v, '', valueCtx.child('exception', '', v.mark))) };
  }
  return EMPTY_ENTRY;
}

function decodeExceptionKey(ex: YMap, key: string, ctx: LoadContext, optional: boolean): ExceptionEntry {
  const val = mapGet(ex, key);
  if (val === undefined) {
    if (optional) return EMPTY_ENTRY;
    invalid(`Item has no mapping for key '${key}'`, ctx);
  }
  return decodeExceptionEntry(val, key, ctx);
}

/** The `exceptions` of a rule item; `append` relaxes `fields` (only values may be appended). */
function readExceptions(item: YMap, ruleCtx: LoadContext, append: boolean, result: LoadResult): ExceptionInfo[] {
  const exceptions: ExceptionInfo[] = [];
  const exs = mapGet(item, 'exceptions');
  if (exs === undefined || exs.kind === 'null') return exceptions;
  const listCtx = ruleCtx.child('exceptions', '', exs.mark);
  if (exs.kind !== 'seq') invalid('Rule exceptions must be a sequence', listCtx);
  for (const ex of exs.items) {
    const tmp = listCtx.child('exception', '', ex.mark);
    if (ex.kind !== 'map') invalid('Rule exception must be a mapping', tmp);
    const name = requireString(ex, 'name', tmp);
    const exCtx = ruleCtx.child('exception', name, ex.mark);
    for (const other of exceptions) {
      if (other.name === name) {
        result.addWarning('LOAD_EXCEPTION_NAME_NOT_UNIQUE', `Multiple definitions of exception '${name}' in the same rule`, exCtx);
      }
    }
    const info: ExceptionInfo = {
      ctx: exCtx,
      name,
      fields: decodeExceptionKey(ex, 'fields', exCtx, append),
      comps: decodeExceptionKey(ex, 'comps', exCtx, true),
      values: [],
    };
    const values = mapGet(ex, 'values');
    if (values !== undefined) {
      const valuesCtx = exCtx.child('exception values', '', values.mark);
      if (values.kind !== 'seq') invalid('Rule exception values must be a sequence', valuesCtx);
      for (const v of values.items) {
        info.values.push(decodeExceptionEntry(v, '', valuesCtx.child('exception value', '', v.mark)));
      }
    } else if (append) {
      result.addWarning('LOAD_APPEND_NO_VALUES', 'Overriding/appending exception with no values', exCtx);
    }
    exceptions.push(info);
  }
  return exceptions;
}

// ---- items ------------------------------------------------------------------------------------

export interface ReaderEnvironment {
  readonly collector: Collector;
  readonly sources: SourceLookup;
  readonly result: LoadResult;
  /** Peregrine's rules engine version (integer requirements N mean `<major>.N.<patch>`). */
  readonly engineVersion: Version;
}

function warnUnknownKeys(item: YMap, expected: ReadonlySet<string>, ctx: LoadContext, result: LoadResult): void {
  for (const { key } of item.pairs) {
    const name = keyText(key);
    if (!expected.has(name)) result.addWarning('LOAD_UNKNOWN_KEY', `Unknown key '${name}'. The key will be ignored.`, ctx);
  }
}

/** Reads one top-level item of a rules content. Throws RuleLoadError at the first problem. */
export function readItem(env: ReaderEnvironment, item: YNode, parent: LoadContext): void {
  if (item.kind !== 'map') {
    invalid('Unexpected element type. Each element should be a yaml associative array.', parent.child('rules content item', '', item.mark));
  }
  if (mapGet(item, 'required_engine_version') !== undefined) readEngineVersion(env, item, parent);
  else if (mapGet(item, 'required_plugin_versions') !== undefined) readPluginVersions(env, item, parent);
  else if (mapGet(item, 'list') !== undefined) readList(env, item, parent);
  else if (mapGet(item, 'macro') !== undefined) readMacro(env, item, parent);
  else if (mapGet(item, 'rule') !== undefined) readRule(env, item, parent);
  else env.result.addWarning('LOAD_UNKNOWN_ITEM', 'Unknown top level item', parent.child('rules content item', '', item.mark));
}

function readEngineVersion(env: ReaderEnvironment, item: YMap, parent: LoadContext): void {
  const ctx = parent.child('required_engine_version', '', item.mark);
  let version: Version | undefined;
  try {
    // An integer N is the engine's minor version (the pre-semver way of writing requirements).
    const minor = decodeUnsigned(item, 'required_engine_version', ctx)!;
    version = { major: env.engineVersion.major, minor, patch: env.engineVersion.patch };
  } catch {
    const text = requireString(item, 'required_engine_version', ctx);
    version = parseVersion(text);
    if (!version) invalid(`Unable to parse engine version '${text}' as a semver string. Expected "x.y.z" semver format.`, ctx);
  }
  env.collector.defineEngineVersion({ ctx, version });
  warnUnknownKeys(item, KEYS.engine, ctx, env.result);
}

function readPluginVersions(env: ReaderEnvironment, item: YMap, parent: LoadContext): void {
  const list = mapGet(item, 'required_plugin_versions')!;
  const ctx = parent.child('required plugin versions', '', list.mark);
  if (list.kind !== 'seq') invalid('Value of required_plugin_versions must be a sequence', ctx);
  for (const plugin of list.items) {
    const tmp = ctx.child('required plugin versions entry', '', plugin.mark);
    if (plugin.kind !== 'map') invalid('Plugin version must be a mapping', tmp);
    const name = requireString(plugin, 'name', tmp);
    const entryCtx = ctx.child('required plugin versions entry', name, plugin.mark);
    const alternatives: PluginRequirement[] = [{ name, version: requireString(plugin, 'version', entryCtx) }];
    const alts = mapGet(plugin, 'alternatives');
    if (alts !== undefined) {
      if (alts.kind !== 'seq') invalid('Value of plugin version alternatives must be a sequence', entryCtx);
      for (const alt of alts.items) {
        const altTmp = entryCtx.child('required plugin versions alternative', '', alt.mark);
        if (alt.kind !== 'map') invalid('Plugin version alternative must be a mapping', altTmp);
        const altName = requireString(alt, 'name', altTmp);
        const altCtx = entryCtx.child('required plugin versions alternative', altName, alt.mark);
        alternatives.push({ name: altName, version: requireString(alt, 'version', altCtx) });
      }
    }
    env.collector.definePluginVersions({ ctx: entryCtx, alternatives });
  }
  warnUnknownKeys(item, KEYS.plugins, parent.child('required plugin versions', '', item.mark), env.result);
}

/** The deprecated `append: true` flag (with its warning). */
function readAppendFlag(env: ReaderEnvironment, item: YMap, ctx: LoadContext): boolean {
  const append = decodeBoolean(item, 'append', ctx, OPTIONAL) ?? false;
  if (append) env.result.addWarning('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  return append;
}

function namedContext(item: YMap, key: string, itemType: ItemType, parent: LoadContext): { name: string; ctx: LoadContext } {
  const name = requireString(item, key, parent.child(itemType, '', item.mark));
  return { name, ctx: parent.child(itemType, name, item.mark) };
}

function readList(env: ReaderEnvironment, item: YMap, parent: LoadContext): void {
  const { name, ctx } = namedContext(item, 'list', 'list', parent);
  if (!LIST_NAME_RE.test(name)) {
    env.result.addWarning('LOAD_INVALID_LIST_NAME', `List has an invalid name. List names should match a regular expression: ${LIST_NAME_PATTERN}`, ctx);
  }
  const items = decodeSequence(item, 'items', ctx, false)!;
  let append = readAppendFlag(env, item, ctx);
  const overrides = decodeOverrides(item, ['items'], ['items'], ctx);
  const hasOverrides = overrides.append.length > 0 || overrides.replace.length > 0;
  if (append && hasOverrides) invalid(ERROR_OVERRIDE_APPEND, ctx);
  append ||= overrides.append.includes('items');
  const info = { ctx, name, items, index: 0, visibility: 0 };
  if (append) env.collector.appendList(info);
  else env.collector.defineList(info);
  warnUnknownKeys(item, KEYS.list, ctx, env.result);
}

function readMacro(env: ReaderEnvironment, item: YMap, parent: LoadContext): void {
  const { name, ctx } = namedContext(item, 'macro', 'macro', parent);
  if (!MACRO_NAME_RE.test(name)) {
    env.result.addWarning('LOAD_INVALID_MACRO_NAME', `Macro has an invalid name. Macro names should match a regular expression: ${MACRO_NAME_PATTERN}`, ctx);
  }
  const cond = requireString(item, 'condition', ctx);
  const condCtx = ctx.child('macro condition', '', mapGet(item, 'condition')!.mark);
  let append = readAppendFlag(env, item, ctx);
  const overrides = decodeOverrides(item, ['condition'], ['condition'], ctx);
  const hasOverrides = overrides.append.length > 0 || overrides.replace.length > 0;
  if (append && hasOverrides) invalid(ERROR_OVERRIDE_APPEND, ctx);
  append ||= overrides.append.includes('condition');
  const info = { ctx, condCtx, name, cond, index: 0, visibility: 0 };
  if (append) env.collector.appendMacro(info);
  else env.collector.defineMacro(info);
  warnUnknownKeys(item, KEYS.macro, ctx, env.result);
}

function readRule(env: ReaderEnvironment, item: YMap, parent: LoadContext): void {
  const { name, ctx } = namedContext(item, 'rule', 'rule', parent);
  const source = decodeString(item, 'source', ctx, OPTIONAL_EMPTY) ?? '';
  const appendFlag = readAppendFlag(env, item, ctx);
  const overrides = decodeOverrides(item, RULE_APPENDABLE, RULE_REPLACEABLE, ctx);
  const hasOverrides = overrides.append.length > 0 || overrides.replace.length > 0;
  if (appendFlag && hasOverrides) invalid(ERROR_OVERRIDE_APPEND, ctx);

  if (hasOverrides) {
    readRuleOverrides(env, item, name, source, ctx, overrides);
  } else if (appendFlag) {
    const update: RuleUpdateInfo = { ctx, name, source };
    if (mapGet(item, 'condition') !== undefined) update.cond = requireString(item, 'condition', ctx);
    if (mapGet(item, 'exceptions') !== undefined) update.exceptions = readExceptions(item, ctx, true, env.result);
    env.collector.appendRule(update, env.sources);
  } else if (['condition', 'output', 'desc', 'priority'].every((k) => mapGet(item, k) === undefined)) {
    // An item that only switches an earlier rule on or off.
    const enabled = decodeBoolean(item, 'enabled', ctx)!;
    env.result.addWarning('LOAD_DEPRECATED_ITEM', WARNING_ENABLED, ctx);
    env.collector.enableRule(name, enabled, ctx);
  } else {
    env.collector.defineRule(readRuleDefinition(env, item, name, ctx), env.sources, env.result);
  }
  warnUnknownKeys(item, KEYS.rule, ctx, env.result);
}

function readRuleDefinition(env: ReaderEnvironment, item: YMap, name: string, ctx: LoadContext): RuleInfo {
  const cond = requireString(item, 'condition', ctx);
  const condCtx = ctx.child('rule condition', '', mapGet(item, 'condition')!.mark);
  const output = requireString(item, 'output', ctx).replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  const outputCtx = ctx.child('rule output', '', mapGet(item, 'output')!.mark);
  const desc = requireString(item, 'desc', ctx);
  const priorityText = requireString(item, 'priority', ctx);
  const priority = priorityOf(priorityText);
  if (priority === undefined) invalid('Invalid priority', ctx.child('rule priority', '', mapGet(item, 'priority')!.mark));
  return {
    ctx, condCtx, outputCtx, index: 0, visibility: 0, unknownSource: false,
    name, cond, output, desc, priority,
    source: decodeString(item, 'source', ctx, OPTIONAL) ?? 'syscall',
    enabled: decodeBoolean(item, 'enabled', ctx, OPTIONAL) ?? true,
    capture: decodeBoolean(item, 'capture', ctx, OPTIONAL) ?? false,
    captureDuration: decodeUnsigned(item, 'capture_duration', ctx, OPTIONAL) ?? 0,
    warnEvttypes: decodeBoolean(item, 'warn_evttypes', ctx, OPTIONAL) ?? true,
    skipIfUnknownFilter: decodeBoolean(item, 'skip-if-unknown-filter', ctx, OPTIONAL) ?? false,
    tags: sortedUnique(decodeSequence(item, 'tags', ctx, true) ?? []),
    exceptions: readExceptions(item, ctx, false, env.result),
  };
}

/** `override:` on a rule: appends first, then replacements; every overridden key must be given. */
function readRuleOverrides(
  env: ReaderEnvironment, item: YMap, name: string, source: string, ctx: LoadContext,
  overrides: { append: string[]; replace: string[] },
): void {
  // Keys the item defines that can be overridden: each must be claimed by an override entry.
  const expected = new Set([...RULE_APPENDABLE, ...RULE_REPLACEABLE].filter((k) => mapGet(item, k) !== undefined));
  const claim = (list: string[], operation: string, key: string): boolean => {
    if (!list.includes(key)) return false;
    if (!expected.has(key)) invalid(`An ${operation} override for '${key}' was specified but '${key}' is not defined`, ctx);
    expected.delete(key);
    return true;
  };

  if (overrides.append.length > 0) {
    const update: RuleUpdateInfo = { ctx, name, source: '' };
    if (claim(overrides.append, 'append', 'condition')) {
      update.source = source;
      update.cond = requireString(item, 'condition', ctx);
    }
    if (claim(overrides.append, 'append', 'exceptions')) update.exceptions = readExceptions(item, ctx, true, env.result);
    if (claim(overrides.append, 'append', 'output')) update.output = requireString(item, 'output', ctx);
    if (claim(overrides.append, 'append', 'desc')) update.desc = requireString(item, 'desc', ctx);
    if (claim(overrides.append, 'append', 'tags')) update.tags = sortedUnique(decodeSequence(item, 'tags', ctx, true) ?? []);
    env.collector.appendRule(update, env.sources);
  }

  if (overrides.replace.length > 0) {
    const update: RuleUpdateInfo = { ctx, name, source: '' };
    const r = overrides.replace;
    if (claim(r, 'replace', 'condition')) {
      update.source = source;
      update.cond = requireString(item, 'condition', ctx);
    }
    if (claim(r, 'replace', 'exceptions')) update.exceptions = readExceptions(item, ctx, false, env.result);
    if (claim(r, 'replace', 'output')) update.output = requireString(item, 'output', ctx);
    if (claim(r, 'replace', 'desc')) update.desc = requireString(item, 'desc', ctx);
    if (claim(r, 'replace', 'tags')) update.tags = sortedUnique(decodeSequence(item, 'tags', ctx, true) ?? []);
    if (claim(r, 'replace', 'priority')) {
      const text = requireString(item, 'priority', ctx);
      const priority = priorityOf(text);
      if (priority === undefined) invalid('Invalid priority', ctx.child('rule priority', '', mapGet(item, 'priority')!.mark));
      update.priority = priority;
    }
    if (claim(r, 'replace', 'capture')) update.capture = decodeBoolean(item, 'capture', ctx);
    if (claim(r, 'replace', 'capture_duration')) update.captureDuration = decodeUnsigned(item, 'capture_duration', ctx);
    if (claim(r, 'replace', 'enabled')) update.enabled = decodeBoolean(item, 'enabled', ctx);
    if (claim(r, 'replace', 'warn_evttypes')) update.warnEvttypes = decodeBoolean(item, 'warn_evttypes', ctx);
    if (claim(r, 'replace', 'skip-if-unknown-filter')) update.skipIfUnknownFilter = decodeBoolean(item, 'skip-if-unknown-filter', ctx);
    env.collector.replaceRule(update, env.sources);
  }

  for (const key of [...expected].sort()) {
    invalid(`Unexpected key '${key}': no corresponding entry under 'override' is defined.`, ctx.child('overrides', key, mapGet(item, key)!.mark));
  }
}
