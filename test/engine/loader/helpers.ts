// Helpers for loader tests: load YAML contents (as files of one engine, in order) with the real
// built-in sources, and look findings up.
import { builtinRulesEnvironment } from '../../../src/cli/commands/validate.js';
import { RulesLoader, type LoadResult, type LoadWarningCode, type LoadErrorCode } from '../../../src/engine/loader/index.js';

export const ENV = builtinRulesEnvironment();

export interface Loaded {
  loader: RulesLoader;
  results: LoadResult[];
  /** The result of the last content. */
  last: LoadResult;
}

/** Loads contents in order; `contents` maps file names to YAML (dedented with `yaml`). */
export function load(contents: Record<string, string> | string): Loaded {
  const files = typeof contents === 'string' ? { 'rules.yaml': contents } : contents;
  const loader = new RulesLoader({ sources: ENV.sources });
  const results = Object.entries(files).map(([name, text]) => loader.loadContent(name, text));
  return { loader, results, last: results.at(-1)! };
}

/** Removes the common indentation of a template literal (so YAML can be written indented). */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export function codes(list: readonly { code: string }[]): string[] {
  return list.map((f) => f.code);
}

export function warningsOf(r: LoadResult, code: LoadWarningCode): { message: string; item: string }[] {
  return r.warnings.filter((w) => w.code === code).map((w) => ({ message: w.message, item: itemOf(w.context.locations) }));
}

export function errorOf(r: LoadResult): { code: LoadErrorCode; message: string; item: string } | undefined {
  const e = r.errors[0];
  return e && { code: e.code, message: e.message, item: itemOf(e.context.locations) };
}

/** Locations that point into a value of an item rather than at an item. */
const VALUE_LOCATIONS = new Set(['value for', 'list item', 'condition expression', 'rule condition', 'macro condition',
  'rule output', 'rule priority', 'exception values', 'exception value', 'overrides']);

/** `type 'name'` of the innermost item, or of the innermost named value location. */
function itemOf(locations: readonly { itemType: string; itemName: string }[]): string {
  const named = [...locations].reverse().find((l) => l.itemName !== '' || !VALUE_LOCATIONS.has(l.itemType)) ?? locations.at(-1)!;
  return named.itemName === '' ? named.itemType : `${named.itemType} '${named.itemName}'`;
}

/** Minimal rule text. */
export function rule(name: string, condition: string, extra = ''): string {
  return `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: WARNING\n${extra}`;
}
