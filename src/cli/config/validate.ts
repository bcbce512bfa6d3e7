// Schema validation of the merged configuration document. Unknown keys are warnings (Falco keeps
// running with them, and so do we); a value of the wrong type or outside its allowed set is an
// error. Every diagnostic names the key and where it was written (file:line:column or `-o`).
import { Ajv, type ErrorObject } from 'ajv';
import {
  type ConfigMap, type ConfigValue, type KeyPath, type Origin, OriginTable, formatKeyPath, formatOrigin, isConfigMap,
} from './document.js';
import { CONFIG_SCHEMA, type JsonSchema } from './schema.js';

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly origin?: Origin;
  readonly path: KeyPath;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.origin ? `${formatOrigin(d.origin)}: ` : ''}${d.message}`;
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'x-unused', schemaType: 'string' });
    compiled = ajv.compile(CONFIG_SCHEMA);
  }
  return compiled;
}

/** `/webserver/listen_port` → ['webserver', 'listen_port'] (numbers for list indexes). */
function pointerToPath(pointer: string, root: ConfigMap): KeyPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: ConfigValue | undefined = root;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(part));
      node = node[Number(part)];
    } else {
      path.push(part);
      node = isConfigMap(node) ? node[part] : undefined;
    }
  }
  return path;
}

function valueAt(root: ConfigMap, path: KeyPath): ConfigValue | undefined {
  let node: ConfigValue | undefined = root;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') node = node[part];
    else if (isConfigMap(node) && typeof part === 'string') node = node[part];
    else return undefined;
  }
  return node;
}

function describeValue(value: ConfigValue | undefined): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value === 'boolean' ? 'the boolean' : 'the number'} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  boolean: 'a boolean (true or false)', integer: 'an integer', number: 'a number', string: 'a string',
  object: 'a map', array: 'a list', null: 'empty',
};

function explain(e: ErrorObject, value: ConfigValue | undefined): string {
  const schema = e.parentSchema as JsonSchema | undefined;
  switch (e.keyword) {
    case 'type':
      return `must be ${TYPE_WORDS[String(e.params.type)] ?? String(e.params.type)}, not ${describeValue(value)}`;
    case 'enum':
      return `${describeValue(value)} is not allowed; use one of: ${(e.params.allowedValues as string[]).join(', ')}`;
    case 'anyOf':
      return `must be ${schema?.['x-expected'] ?? 'one of the allowed forms'}, not ${describeValue(value)}`;
    case 'minimum':
      return `must be at least ${String(e.params.limit)}, not ${String(value)}`;
    case 'maximum':
      return `must be at most ${String(e.params.limit)}, not ${String(value)}`;
    case 'required':
      return `missing required key '${String(e.params.missingProperty)}'`;
    default:
      return e.message ?? 'is not valid';
  }
}

/** The JSON type name of a value, as a schema's `type` spells it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Ajv reports a failed `anyOf` once for itself and once per alternative. When the value has the
 * shape of one alternative (a map where a map is allowed), that alternative's errors say what is
 * wrong inside it; otherwise the `anyOf` error alone says which shapes are allowed.
 */
function explainableErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  const handled = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf') continue;
    const alternatives = (e.schema as JsonSchema[] | undefined) ?? [];
    const shape = jsonType(e.data);
    const fitting = alternatives.findIndex((alt) => alt.type === shape || (alt.type === 'number' && shape === 'integer'));
    const inner = fitting < 0 ? [] : errors.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/${fitting}/`));
    if (inner.length > 0) kept.push(...inner);
    else kept.push(e);
    handled.add(e.schemaPath);
  }
  const insideAnyOf = (x: ErrorObject): boolean => [...handled].some((p) => x.schemaPath.startsWith(`${p}/`));
  const all = [...errors.filter((x) => x.keyword !== 'anyOf' && !insideAnyOf(x)), ...kept];
  // A value of the wrong type also fails its enum and range checks; the type error says it all.
  const mistyped = new Set(all.filter((x) => x.keyword === 'type').map((x) => x.instancePath));
  return all.filter((x) => x.keyword === 'type' || x.keyword === 'additionalProperties' || !mistyped.has(x.instancePath));
}

/** Validates the document against the schema; returns errors and warnings, errors first. */
export function validateDocument(root: ConfigMap, origins: OriginTable): Diagnostic[] {
  const validate = validator();
  const diagnostics: Diagnostic[] = [];
  if (!validate(root)) {
    for (const e of explainableErrors(validate.errors ?? [])) {
      const path = pointerToPath(e.instancePath, root);
      if (e.keyword === 'additionalProperties') {
        const keyPath = [...path, String(e.params.additionalProperty)];
        diagnostics.push({
          severity: 'warning', path: keyPath, origin: origins.find(root, keyPath),
          message: `unknown configuration key '${formatKeyPath(keyPath)}' (ignored)`,
        });
        continue;
      }
      const where = path.length > 0 ? formatKeyPath(path) : 'the configuration';
      diagnostics.push({
        severity: 'error', path, origin: origins.find(root, path),
        message: `${where}: ${explain(e, valueAt(root, path))}`,
      });
    }
  }
  collectUnused(root, CONFIG_SCHEMA, [], origins, root, diagnostics);
  return sortDiagnostics(diagnostics);
}

/** Errors first, then by file and position, so messages read top to bottom. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic): string => `${d.severity === 'error' ? 0 : 1}\0${d.origin?.source ?? ''}`;
  return list.sort((a, b) => {
    const byRank = rank(a).localeCompare(rank(b));
    if (byRank !== 0) return byRank;
    return (a.origin?.line ?? 0) - (b.origin?.line ?? 0) || (a.origin?.column ?? 0) - (b.origin?.column ?? 0);
  });
}

/** Warns about keys that are accepted for compatibility but have no effect in Peregrine. */
function collectUnused(
  map: ConfigMap, schema: JsonSchema, path: KeyPath, origins: OriginTable, root: ConfigMap, out: Diagnostic[],
): void {
  for (const [key, value] of Object.entries(map)) {
    const property = schema.properties?.[key];
    if (!property) continue;
    const keyPath = [...path, key];
    if (property['x-unused']) {
      out.push({
        severity: 'warning', path: keyPath, origin: origins.find(root, keyPath),
        message: `configuration key '${formatKeyPath(keyPath)}' is accepted for compatibility and has no effect in Peregrine ` +
          `(${property['x-unused']})`,
      });
    } else if (property.type === 'object' && property.properties && isConfigMap(value)) {
      collectUnused(value, property, keyPath, origins, root, out);
    }
  }
}
