// Rule descriptions for `-L` (all rules) and `-l RULE` (one rule), as Falco 0.44 prints them:
// a two-column text table of names and wrapped descriptions, or (with json_output) the detailed
// JSON object of rules, macros and lists. Peregrine adds a Markdown table (`--format markdown`).
import { astToString, conditionEventTypes, parseCondition, walkAst, type Ast } from './condition/index.js';
import type { AnySource, CompiledList, CompiledMacro, CompiledRule, RulesLoader } from './loader/index.js';
import { priorityName } from './priority.js';

export type DescribeFormat = 'text' | 'markdown' | 'json';

/** A described rule could not be found (Falco fails the run with this message). */
export class RuleNotLoadedError extends Error {
  constructor(readonly ruleName: string) {
    super(`Rule "${ruleName}" is not loaded`);
    this.name = 'RuleNotLoadedError';
  }
}

export interface DescribeOptions {
  /** Name of an event-type code of the syscall source (for the `events` of JSON details). */
  readonly eventTypeName?: (code: number) => string | undefined;
  /** The syscall source, to compute event types of macros (which have no source of their own). */
  readonly syscallSource?: AnySource;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Sorts object keys recursively, as Falco's JSON output orders them. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]!);
    return out;
  }
  return value;
}

/** What a condition uses: fields, operators, macros, lists, event-type names (Falco's details). */
interface ConditionDetails {
  fields: Set<string>;
  operators: Set<string>;
  macros: Set<string>;
  lists: Set<string>;
}

function fieldText(node: { name: string; arg?: string }): string {
  return node.arg !== undefined && node.arg !== '' ? `${node.name}[${node.arg}]` : node.name;
}

function conditionDetails(ast: Ast, knownMacros: ReadonlySet<string>, knownLists: ReadonlySet<string>): ConditionDetails {
  const d: ConditionDetails = { fields: new Set(), operators: new Set(), macros: new Set(), lists: new Set() };
  walkAst(ast, (node) => {
    switch (node.kind) {
      case 'identifier':
        if (knownMacros.has(node.name)) d.macros.add(node.name);
        break;
      case 'field':
        d.fields.add(fieldText(node));
        break;
      case 'unary':
        d.operators.add(node.operator);
        break;
      case 'binary':
        d.operators.add(node.modifier ? `${node.operator} ${node.modifier}` : node.operator);
        if (node.right.kind === 'list') {
          for (const item of node.right.items) if (knownLists.has(item.value)) d.lists.add(item.value);
        }
        break;
      default:
        break;
    }
  });
  return d;
}

function eventNames(types: ReadonlySet<number> | 'all', source: AnySource | undefined, opts: DescribeOptions): string[] {
  if (!source || !source.hasEventTypes || !opts.eventTypeName) return [];
  const codes = types === 'all' ? Array.from({ length: source.eventTypeCount }, (_, i) => i) : [...types];
  const names = new Set<string>();
  for (const c of codes) {
    const n = opts.eventTypeName(c);
    if (n !== undefined && n !== 'NA') names.add(n);
  }
  return sorted(names);
}

function exceptionOperators(rule: CompiledRule): string[] {
  const ops: string[] = [];
  for (const ex of rule.info.exceptions) {
    if (!ex.comps.isList) ops.push(ex.comps.item);
    else for (const c of ex.comps.items) {
      if (c.isList) for (const i of c.items) ops.push(i.isList ? '' : i.item);
      else ops.push(c.item);
    }
  }
  return sorted(ops);
}

export class RuleDescriber {
  private readonly knownMacros: Set<string>;
  private readonly knownLists: Set<string>;

  constructor(private readonly loader: RulesLoader, private readonly opts: DescribeOptions = {}) {
    this.knownMacros = new Set([...loader.collection.macros].map((m) => m.name));
    this.knownLists = new Set([...loader.collection.lists].map((l) => l.name));
  }

  private get rules(): readonly CompiledRule[] {
    return this.loader.compiled?.rules ?? [];
  }

  /** The rules to describe: all compiled rules, or the one named (RuleNotLoadedError). */
  select(ruleName?: string): CompiledRule[] {
    if (ruleName === undefined) return [...this.rules];
    const rule = this.rules.find((r) => r.name === ruleName);
    if (!rule) throw new RuleNotLoadedError(ruleName);
    return [rule];
  }

  /** Falco's text table: `Rule`/`Description` columns, descriptions wrapped at 110 columns. */
  text(ruleName?: string): string {
    const rules = this.select(ruleName);
    let out = twoColumns('Rule', 'Description') + twoColumns('----', '-----------');
    for (const r of rules) out += twoColumns(r.name, wrapText(r.description, 51, 110) + '\n');
    return out;
  }

  /** A Markdown table of names, priorities, sources, tags and descriptions. */
  markdown(ruleName?: string): string {
    const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
    let out = '| Rule | Priority | Source | Tags | Description |\n|---|---|---|---|---|\n';
    for (const r of this.select(ruleName)) {
      out += `| ${cell(r.name)} | ${priorityName(r.priority)} | ${cell(r.source)} | ${cell(r.tags.join(', '))} | ${cell(r.description)} |\n`;
    }
    return out;
  }

  /** Falco's JSON description: everything (no name), or `{"rules":[...]}` for one rule. */
  json(ruleName?: string): Json {
    const rules = this.select(ruleName).map((r) => this.ruleDetails(r));
    if (ruleName !== undefined) return sortKeys({ rules });
    const col = this.loader.collection;
    const compiled = this.loader.compiled;
    return sortKeys({
      required_engine_version: this.loader.requiredEngineVersion,
      required_plugin_versions: col.requiredPluginVersions.map((alts) => ({
        name: alts[0]!.name,
        version: alts[0]!.version,
        alternatives: alts.slice(1).map((a) => ({ name: a.name, version: a.version })),
      })),
      rules,
      macros: (compiled?.macros ?? []).map((m) => this.macroDetails(m)),
      lists: (compiled?.lists ?? []).map((l) => listDetails(l)),
    });
  }

  render(format: DescribeFormat, ruleName?: string): string {
    switch (format) {
      case 'text': return this.text(ruleName);
      case 'markdown': return this.markdown(ruleName);
      case 'json': return JSON.stringify(this.json(ruleName)) + '\n';
    }
  }

  private rawDetails(condition: string): ConditionDetails | undefined {
    try {
      return conditionDetails(parseCondition(condition), this.knownMacros, this.knownLists);
    } catch {
      return undefined;
    }
  }

  private ruleDetails(r: CompiledRule): Json {
    const raw = this.rawDetails(r.info.cond);
    const compiled = conditionDetails(r.ast, this.knownMacros, this.knownLists);
    const source = this.loader.source(r.source);
    const outputFields = [...[...r.extraOutputFields.values()].map((f) => f.format), ...r.outputFormat.fieldNames];
    const details: { [key: string]: Json } = {
      macros: sorted(raw?.macros ?? []),
      lists: sorted(raw?.lists ?? []),
      condition_operators: sorted(compiled.operators),
      condition_fields: sorted(compiled.fields),
      output_fields: outputFields,
      exception_fields: [...r.exceptionFields],
      exception_names: sorted(r.info.exceptions.map((e) => e.name)),
      exception_operators: exceptionOperators(r),
      events: eventNames(r.compiled.eventTypes, source, this.opts),
      condition_compiled: astToString(r.ast),
      output_compiled: r.output,
      plugins: [],
    };
    const formatted = [...r.extraOutputFields].filter(([, f]) => !f.raw);
    if (formatted.length > 0) details.extra_output_formatted_fields = Object.fromEntries(formatted.map(([k, f]) => [k, f.format]));
    return {
      info: {
        name: r.name,
        condition: r.info.cond,
        priority: priorityName(r.priority),
        output: r.info.output,
        description: r.description,
        enabled: r.info.enabled,
        source: r.source,
        capture: r.capture,
        capture_duration: r.captureDuration,
        tags: [...r.tags],
      },
      details,
    };
  }

  private macroDetails(m: CompiledMacro): Json {
    const raw = this.rawDetails(m.info.cond);
    const compiled = conditionDetails(m.ast, this.knownMacros, this.knownLists);
    let events: string[] = [];
    const syscall = this.opts.syscallSource;
    if (syscall) {
      try {
        events = eventNames(conditionEventTypes(m.ast, syscall), syscall, this.opts);
      } catch {
        events = [];
      }
    }
    return {
      info: { name: m.name, condition: m.info.cond },
      details: {
        used: m.used,
        macros: sorted(raw?.macros ?? []),
        lists: sorted(raw?.lists ?? []),
        condition_operators: sorted(compiled.operators),
        condition_fields: sorted(compiled.fields),
        events,
        condition_compiled: astToString(m.ast),
        plugins: [],
      },
    };
  }
}

function listDetails(l: CompiledList): Json {
  // Items of the definition that are not among the compiled items were references to lists.
  const compiled = new Set(l.items);
  const items = l.info.items.filter((i) => compiled.has(i));
  const lists = l.info.items.filter((i) => !compiled.has(i));
  return {
    info: { name: l.name, items },
    details: { used: l.used, lists: sorted(lists), items_compiled: [...l.items], plugins: [] },
  };
}

/** `%-50s %s` and a line break, as Falco prints its two-column tables. */
function twoColumns(left: string, right: string): string {
  return `${left.padEnd(50)} ${right}\n`;
}

/**
 * Falco's word wrap: words separated by blanks, each followed by a space; a word that would pass
 * `lineLength - indent` characters starts a new line indented by `indent` spaces.
 */
export function wrapText(text: string, indent: number, lineLength: number): string {
  let out = '';
  let len = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (len + word.length + 1 <= lineLength - indent) {
      len += word.length + 1;
    } else {
      out += '\n' + ' '.repeat(indent);
      len = word.length + 1;
    }
    out += word + ' ';
  }
  return out;
}

export type { Json as DescribeJson };
