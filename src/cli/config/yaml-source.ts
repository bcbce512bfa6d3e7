// Reading one configuration file (or `-o` value) from YAML into the configuration document: plain
// values, each with its origin, and `${ENV}` references expanded as Falco does at load time.
import { readFileSync } from 'node:fs';
import {
  LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, Scalar,
  type Document, type Node as YamlNode,
} from 'yaml';
import { ConfigError } from '../errors.js';
import { type ConfigMap, type ConfigValue, type Origin, OriginTable } from './document.js';
import { EnvExpansionError, expandEnv, type Environment } from './env.js';

export interface ParseOptions {
  /** Expand `${NAME}` in string values (files: yes; `-o` values: no, as in Falco). */
  expandEnv: boolean;
  env?: Environment;
}

/** Reads and parses a configuration file; the root must be a map (an empty file is an empty map). */
export function readConfigFile(file: string, origins: OriginTable, options: ParseOptions): ConfigMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read configuration file ${file}: ${(err as NodeJS.ErrnoException).message}`]);
  }
  const root = parseConfigYaml(text, file, origins, options);
  if (root === null) return {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    throw new ConfigError([`${file}:1:1: a configuration file must be a map of keys to values`]);
  }
  return root;
}

/**
 * Parses YAML text into plain values, recording origins under `sourceName`. Syntax errors are
 * reported together, each with its line and column.
 */
export function parseConfigYaml(
  text: string, sourceName: string, origins: OriginTable, options: ParseOptions,
): ConfigValue {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Origin => {
    const pos = lines.linePos(offset);
    return { source: sourceName, line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const o = at(e.pos[0]);
      return `${o.source}:${o.line}:${o.column}: invalid YAML: ${e.message}`;
    }));
  }
  const problems: string[] = [];
  const value = new YamlConverter(doc, origins, at, options, problems).convert(doc.contents);
  if (problems.length > 0) throw new ConfigError(problems);
  return value;
}

// Plain scalars are untyped in yaml-cpp (Falco's parser): after `${VAR}` expansion the resulting text
// is typed like any other plain scalar, so `port: ${PORT}` is a number and `on: ${FLAG}` a boolean.
const YAML_NULL = /^(?:~|null|Null|NULL)$/;
const YAML_BOOL_TRUE = /^(?:true|True|TRUE)$/;
const YAML_BOOL_FALSE = /^(?:false|False|FALSE)$/;
const YAML_INT = /^[-+]?[0-9]+$/;
const YAML_HEX = /^0x[0-9a-fA-F]+$/;
const YAML_OCT = /^0o[0-7]+$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

function typePlainScalar(text: string): ConfigValue {
  if (YAML_NULL.test(text)) return null;
  if (YAML_BOOL_TRUE.test(text)) return true;
  if (YAML_BOOL_FALSE.test(text)) return false;
  if (YAML_INT.test(text) || YAML_FLOAT.test(text)) return Number(text);
  if (YAML_HEX.test(text)) return parseInt(text.slice(2), 16);
  if (YAML_OCT.test(text)) return parseInt(text.slice(2), 8);
  return text;
}

class YamlConverter {
  constructor(
    private readonly doc: Document,
    private readonly origins: OriginTable,
    private readonly at: (offset: number) => Origin,
    private readonly options: ParseOptions,
    private readonly problems: string[],
  ) {}

  convert(node: unknown): ConfigValue {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.convert(node.resolve(this.doc));
    if (isScalar(node)) return this.scalar(node);
    if (isMap(node)) {
      const out: ConfigMap = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const key = this.mapKey(keyNode);
        if (key === undefined) continue;
        const valueNode = pair.value as YamlNode | null;
        const where = keyNode?.range ?? valueNode?.range;
        out[key] = this.convert(valueNode);
        if (where) this.origins.set(out, key, this.at(where[0]));
      }
      return out;
    }
    if (isSeq(node)) {
      const out: ConfigValue[] = [];
      for (const item of node.items) {
        const itemNode = item as YamlNode | null;
        out.push(this.convert(itemNode));
        if (itemNode?.range) this.origins.set(out, out.length - 1, this.at(itemNode.range[0]));
      }
      return out;
    }
    return null;
  }

  private mapKey(keyNode: YamlNode | null): string | undefined {
    if (keyNode === null) return 'null';
    if (isScalar(keyNode)) return String(keyNode.value);
    const where = keyNode.range ? this.at(keyNode.range[0]) : undefined;
    this.problems.push(`${where ? `${where.source}:${where.line}:${where.column}: ` : ''}` +
      'configuration keys must be plain values, not lists or maps');
    return undefined;
  }

  private scalar(node: Scalar): ConfigValue {
    const value: unknown = node.value;
    if (typeof value === 'string') {
      if (!this.options.expandEnv || !value.includes('$')) return value;
      let expanded: string;
      try {
        expanded = expandEnv(value, this.options.env);
      } catch (err) {
        if (!(err instanceof EnvExpansionError)) throw err;
        const where = node.range ? this.at(node.range[0]) : undefined;
        this.problems.push(`${where ? `${where.source}:${where.line}:${where.column}: ` : ''}${err.message}`);
        return value;
      }
      return node.type === Scalar.PLAIN && expanded !== value ? typePlainScalar(expanded) : expanded;
    }
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
    if (typeof value === 'bigint') return Number(value);
    return String(value);
  }
}
