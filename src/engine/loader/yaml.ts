// Reading rules content as YAML the way Falco's YAML library (yaml-cpp) presents it: every
// scalar is text (conversions to booleans and numbers happen when a key is decoded, with
// yaml-cpp's rules), `~`/`null`/empty plain values are null nodes, duplicate keys are allowed
// (the first one wins), tags such as `!=` in `desc: != foo` are ignored, and every node carries
// its position ("mark") so that findings can name file, line and column.
//
// Parsing uses the `yaml` package (failsafe schema, positions from node ranges).
import {
  parseAllDocuments, isAlias, isMap, isScalar, isSeq, Scalar,
  type Document, type Node as YamlPackageNode, type YAMLError,
} from 'yaml';
import type { Position } from './results.js';

export type YNode = YScalar | YNull | YSeq | YMap;

interface YBase {
  readonly mark: Position;
}

export interface YScalar extends YBase {
  readonly kind: 'scalar';
  readonly value: string;
}

/** A null node (`~`, `null`, or nothing after `key:`). */
export interface YNull extends YBase {
  readonly kind: 'null';
}

export interface YSeq extends YBase {
  readonly kind: 'seq';
  readonly items: readonly YNode[];
}

export interface YPair {
  readonly key: YNode;
  readonly value: YNode;
}

export interface YMap extends YBase {
  readonly kind: 'map';
  readonly pairs: readonly YPair[];
}

/** The value of `key` in a map (first occurrence, keys compared as text), or undefined. */
export function mapGet(map: YMap, key: string): YNode | undefined {
  for (const p of map.pairs) {
    if (p.key.kind === 'scalar' && p.key.value === key) return p.value;
  }
  return undefined;
}

/** A key of a map as text (non-scalar keys render as their YAML-ish kind). */
export function keyText(node: YNode): string {
  return node.kind === 'scalar' ? node.value : node.kind === 'null' ? '' : `<${node.kind}>`;
}

/** A YAML syntax error, positioned and worded as Falco (yaml-cpp) reports it. */
export class YamlSyntaxError extends Error {
  constructor(message: string, readonly mark: Position) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

/**
 * Converts string indices of a content to Falco's positions: 0-based line and column, offsets
 * and columns in UTF-8 bytes (as a C++ reader counts them).
 */
export class SourceText {
  private readonly lineStarts: number[] = [0];
  private readonly ascii: boolean;
  private lineByteStarts?: number[];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    // eslint-disable-next-line no-control-regex
    this.ascii = /^[\x00-\x7f]*$/.test(text);
  }

  position(index: number): Position {
    const line = this.lineOf(index);
    const start = this.lineStarts[line]!;
    if (this.ascii) return { offset: index, line, column: index - start };
    const column = Buffer.byteLength(this.text.slice(start, index));
    return { offset: this.byteStarts()[line]! + column, line, column };
  }

  private lineOf(index: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private byteStarts(): number[] {
    if (!this.lineByteStarts) {
      const starts = [0];
      for (let l = 1; l < this.lineStarts.length; l++) {
        starts.push(starts[l - 1]! + Buffer.byteLength(this.text.slice(this.lineStarts[l - 1]!, this.lineStarts[l]!)));
      }
      this.lineByteStarts = starts;
    }
    return this.lineByteStarts;
  }
}

const NULL_PLAIN = new Set(['', '~', 'null', 'Null', 'NULL']);

/**
 * Parses every document of a content. Throws YamlSyntaxError for the first syntax error of any
 * document (nothing is read from a content that does not parse, as in Falco). Empty documents
 * come back as null nodes.
 */
export function parseYamlDocuments(source: SourceText): YNode[] {
  const parsed = parseAllDocuments(source.text, { uniqueKeys: false, merge: false, schema: 'failsafe', prettyErrors: false });
  const docs: readonly Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw toSyntaxError(doc.errors[0]!, source);
  }
  return docs.map((doc) => convert(doc, doc.contents, source, 0));
}

function convert(doc: Document.Parsed, node: unknown, source: SourceText, depth: number): YNode {
  if (depth > 1000) throw new YamlSyntaxError(yamlCppMessage(source, 0, 'document nested too deeply'), source.position(0));
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) {
      const at = node.range?.[0] ?? 0;
      throw new YamlSyntaxError(yamlCppMessage(source, at, `the referenced anchor is not defined: ${node.source}`), source.position(at));
    }
    return convert(doc, target, source, depth + 1);
  }
  const start = (node as YamlPackageNode | null)?.range?.[0] ?? 0;
  const mark = source.position(start);
  if (isScalar(node)) {
    const value = String(node.value ?? '');
    if (node.type === Scalar.PLAIN && NULL_PLAIN.has(value) && !node.tag) return { kind: 'null', mark };
    return { kind: 'scalar', value, mark };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => convert(doc, item, source, depth + 1)), mark };
  }
  if (isMap(node)) {
    return {
      kind: 'map',
      pairs: node.items.map((pair) => ({
        key: convert(doc, pair.key, source, depth + 1),
        value: pair.value === null ? nullAfter(pair.key as YamlPackageNode | null, source) : convert(doc, pair.value, source, depth + 1),
      })),
      mark,
    };
  }
  return { kind: 'null', mark };
}

/** A missing value (`key:` with nothing after it) is a null node just after its key. */
function nullAfter(key: YamlPackageNode | null, source: SourceText): YNull {
  return { kind: 'null', mark: source.position(key?.range?.[1] ?? 0) };
}

function yamlCppMessage(source: SourceText, index: number, what: string): string {
  const p = source.position(index);
  return `yaml-cpp: error at line ${p.line + 1}, column ${p.column + 1}: ${what}`;
}

/**
 * Words a syntax error as yaml-cpp would where the two libraries agree on the cause, keeping
 * Falco's `yaml-cpp: error at line L, column C: <what>` shape (1-based, as yaml-cpp prints it).
 */
function toSyntaxError(err: YAMLError, source: SourceText): YamlSyntaxError {
  let at = err.pos[0];
  let what = err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
  switch (err.code) {
    case 'BLOCK_AS_IMPLICIT_KEY': {
      // `a: b: c`: yaml-cpp stops at the second map-value indicator.
      const colon = source.text.slice(at).search(/:(\s|$)/);
      if (colon >= 0) at += colon;
      what = 'illegal map value';
      break;
    }
    case 'TAB_AS_INDENT':
      what = 'illegal tab when looking for indentation';
      break;
    case 'BAD_DQ_ESCAPE': {
      const m = /escape sequence \\?(\S+)/.exec(err.message);
      what = `unknown escape character: ${m ? m[1]!.charAt(0) : ''}`;
      break;
    }
    case 'BAD_INDENT':
      if (/Flow sequence/.test(err.message)) what = 'end of sequence flow not found';
      else if (/Flow map/.test(err.message)) what = 'end of map flow not found';
      break;
    case 'MISSING_CHAR':
      if (/quote/.test(err.message)) what = 'illegal EOF in scalar';
      break;
    default:
      break;
  }
  return new YamlSyntaxError(yamlCppMessage(source, at, what), source.position(at));
}

// ---- yaml-cpp's scalar conversions -------------------------------------------------------------

/** yaml-cpp accepts booleans in lower, upper or capitalized case only. */
function isFlexibleCase(s: string): boolean {
  if (s === '') return true;
  const lower = s.toLowerCase();
  const upper = s.toUpperCase();
  if (s === lower || s === upper) return true;
  return s[0] === upper[0] && s.slice(1) === lower.slice(1);
}

const TRUE_WORDS = new Set(['y', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['n', 'no', 'false', 'off']);

/** A boolean as yaml-cpp decodes it (y/yes/true/on and their negations), or undefined. */
export function decodeBool(text: string): boolean | undefined {
  if (!isFlexibleCase(text)) return undefined;
  const lower = text.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return undefined;
}

/**
 * An unsigned 32-bit integer as yaml-cpp decodes it (C++ stream rules with automatic base:
 * `0x1f` hex, `017` octal; trailing whitespace allowed; no sign, no leading whitespace), or
 * undefined.
 */
export function decodeUint32(text: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*|\+[0-9]+)\s*$/.exec(text);
  if (!m) return undefined;
  const digits = m[1]!;
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits[0] === '0') value = parseInt(digits, 8);
  else value = parseInt(digits, 10);
  return value <= 0xffffffff ? value : undefined;
}
