// Field transformers (libs 0.25: sinsp_filter_transformers/ and the multi-value transformers of
// sinsp_filtercheck_multivalue_transformer.cpp): which value types each accepts, the type of its
// result, and what it computes.
//
// Single-value transformers apply to every value of a list, and fail as a whole when one value
// fails (b64 of something that is not base64): the value is then missing.
//   tolower, toupper  strings (CHARBUF, FSPATH, FSRELPATH) → same type; ASCII letters only
//   b64               CHARBUF or BYTEBUF → same type; strict standard base64, `=` padding optional
//   basename          strings → same type; the text after the last `/`
//   len               strings and buffers → UINT64 length in bytes (a string stops at a NUL);
//                     any list → UINT64 number of items
// Multi-value transformers take several arguments (fields, transformers, literals, lists):
//   join(sep, list)         CHARBUF: the items' text joined with sep
//   concat(a, b, ...)       CHARBUF: the arguments' text concatenated (2+ string arguments)
//   getopt(args, optstring) list of CHARBUF, getopt(3) over args: each option found (`?` for an
//                           unknown one) followed by its argument when it takes one; with a
//                           selector, getopt(...)[t], the argument of the last -t (or `t` when
//                           it takes none; missing when -t is absent)
import { renderText } from '../../fields/render.js';
import type { FieldDef, FieldType, FieldValue, ScalarValue } from '../../fields/types.js';
import { asciiLower, asciiUpper } from './matchers.js';

/** A transformer that cannot be applied; the message is libsinsp's where it has one. */
export class TransformerError extends Error {}

export interface ValueShape {
  readonly type: FieldType;
  readonly isList: boolean;
}

export const SINGLE_VALUE_TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'] as const;
export type SingleValueTransformer = (typeof SINGLE_VALUE_TRANSFORMERS)[number];

const isStringType = (t: FieldType): boolean => t === 'CHARBUF' || t === 'FSPATH' || t === 'FSRELPATH';

/** The result shape of `name` applied to a value of `shape`, or undefined when not supported. */
function resultShape(name: SingleValueTransformer, shape: ValueShape): ValueShape | undefined {
  const same: ValueShape = { type: shape.type, isList: shape.isList };
  switch (name) {
    case 'tolower':
    case 'toupper':
    case 'basename':
      return isStringType(shape.type) ? same : undefined;
    case 'b64':
      return shape.type === 'CHARBUF' || shape.type === 'BYTEBUF' ? same : undefined;
    case 'len':
      if (shape.isList) return { type: 'UINT64', isList: false };
      return isStringType(shape.type) || shape.type === 'BYTEBUF' ? { type: 'UINT64', isList: false } : undefined;
  }
}

const B64_VALUES = (() => {
  const t = new Int16Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * Strict base64 decoding as libsinsp's Base64::decodeWithoutPadding: standard alphabet, up to two
 * `=` at the end, no blanks, unused trailing bits zero. Undefined when the text is not base64.
 */
export function decodeBase64(input: Uint8Array): Uint8Array | undefined {
  let n = input.length;
  if (n === 0) return new Uint8Array(0);
  if (input[n - 1] === 61) {
    n--;
    if (n > 0 && input[n - 1] === 61) n--;
  }
  if (n === 0 || n % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const v = B64_VALUES[input[i]!]!;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    if (i % 4 === 3) {
      out[o++] = (acc >> 16) & 255;
      out[o++] = (acc >> 8) & 255;
      out[o++] = acc & 255;
      acc = 0;
    }
  }
  const rest = n % 4;
  if (rest === 2) {
    if ((acc & 0b1111) !== 0) return undefined;
    out[o++] = (acc >> 4) & 255;
  } else if (rest === 3) {
    if ((acc & 0b11) !== 0) return undefined;
    out[o++] = (acc >> 10) & 255;
    out[o++] = (acc >> 2) & 255;
  }
  return out.subarray(0, o);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes as a C string: up to the first NUL, decoded as UTF-8. */
function bytesToCString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return decoder.decode(nul < 0 ? b : b.subarray(0, nul));
}

function utf8Length(s: string): number {
  const nul = s.indexOf('\0');
  const t = nul < 0 ? s : s.slice(0, nul);
  // Fast path for ASCII.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(t) ? t.length : encoder.encode(t).length;
}

/** One value through a single-value transformer; undefined when it fails. */
function applyScalar(name: SingleValueTransformer, v: ScalarValue): ScalarValue | undefined {
  switch (name) {
    case 'tolower':
      return typeof v === 'string' ? asciiLower(v) : undefined;
    case 'toupper':
      return typeof v === 'string' ? asciiUpper(v) : undefined;
    case 'basename':
      return typeof v === 'string' ? v.slice(v.lastIndexOf('/') + 1) : undefined;
    case 'b64': {
      if (typeof v === 'string') {
        const bytes = decodeBase64(encoder.encode(v));
        return bytes === undefined ? undefined : bytesToCString(bytes);
      }
      if (v instanceof Uint8Array) return decodeBase64(v);
      return undefined;
    }
    case 'len':
      if (typeof v === 'string') return utf8Length(v);
      if (v instanceof Uint8Array) return v.length;
      return undefined;
  }
}

export interface SingleTransform {
  readonly shape: ValueShape;
  apply(v: FieldValue): FieldValue | undefined;
}

/**
 * A single-value transformer for values of `shape`. `fieldName` names the field in the error
 * message, as libsinsp's add_transformer does.
 */
export function singleTransform(name: SingleValueTransformer, shape: ValueShape, fieldName: string): SingleTransform {
  const out = resultShape(name, shape);
  if (out === undefined) {
    throw new TransformerError(
      `can't add field transformer: type '${shape.type}' is not supported by '${name}' transformer applied on ` +
        `${shape.isList ? 'list ' : ''}field '${fieldName}'`,
    );
  }
  if (name === 'len' && shape.isList) {
    return { shape: out, apply: (v) => (Array.isArray(v) ? v.length : 1) };
  }
  return {
    shape: out,
    apply(v) {
      if (!Array.isArray(v)) return applyScalar(name, v as ScalarValue);
      const res: ScalarValue[] = [];
      for (const x of v as readonly ScalarValue[]) {
        const t = applyScalar(name, x);
        if (t === undefined) return undefined;
        res.push(t);
      }
      return res;
    },
  };
}

// ---- multi-value transformers ----

/** What a multi-value transformer receives: its arguments' shapes and value getters. */
export interface TransformerArgument<E> extends ValueShape {
  /** Literal text, for literal arguments (`"t:"` in getopt). */
  readonly literal?: string;
  /** How the argument's values print (type and print format), when turned into text. */
  readonly renderDef: FieldDef;
  get(evt: E): FieldValue | undefined;
}

/** A declaration to render a computed value of `type` with (transformer results, literals). */
export function syntheticDef(type: FieldType, isList = false): FieldDef {
  return { name: 'INTERNAL', className: '', type, isList, desc: '' };
}

export interface MultiTransform<E> {
  readonly shape: ValueShape;
  get(evt: E): FieldValue | undefined;
}

function asList(v: FieldValue): readonly ScalarValue[] {
  return Array.isArray(v) ? v : [v as ScalarValue];
}

/** One value as text: strings as they are, other values as outputs print them. */
export function scalarText(v: ScalarValue, def: FieldDef): string {
  return typeof v === 'string' ? v : renderText(def.isList ? { ...def, isList: false } : def, v);
}

export function joinTransform<E>(args: readonly TransformerArgument<E>[], arg: string | undefined): MultiTransform<E> {
  if (arg !== undefined) throw new TransformerError("transformer 'join' does not support field arguments");
  if (args.length !== 2) throw new TransformerError('join() requires exactly 2 arguments: separator and list');
  const [sep, list] = args as [TransformerArgument<E>, TransformerArgument<E>];
  if (sep.isList) throw new TransformerError('join() first argument (separator) must be a single value, not a list');
  if (!list.isList) throw new TransformerError('join() second argument must be a list');
  return {
    shape: { type: 'CHARBUF', isList: false },
    get(evt) {
      const s = sep.get(evt);
      if (s === undefined) return undefined;
      const l = list.get(evt);
      if (l === undefined) return undefined;
      const sepText = scalarText(asList(s)[0] ?? '', sep.renderDef);
      return asList(l).map((x) => scalarText(x, list.renderDef)).join(sepText);
    },
  };
}

export function concatTransform<E>(args: readonly TransformerArgument<E>[], arg: string | undefined): MultiTransform<E> {
  if (arg !== undefined) throw new TransformerError("transformer 'concat' does not support field arguments");
  if (args.length < 2) throw new TransformerError('concat() requires at least 2 arguments');
  for (const a of args) {
    if (!isStringType(a.type) || a.isList) throw new TransformerError('concat() arguments must be strings');
  }
  return {
    shape: { type: 'CHARBUF', isList: false },
    get(evt) {
      let out = '';
      for (const a of args) {
        const v = a.get(evt);
        if (v === undefined) return undefined;
        const first = asList(v)[0];
        if (first === undefined) return undefined;
        out += scalarText(first, a.renderDef);
      }
      return out;
    },
  };
}

interface OptString {
  readonly valid: Set<string>;
  readonly withArg: Set<string>;
}

/** getopt(3) optstring: letters, `:` after one that takes an argument, optional leading `:`. */
function parseOptString(s: string): OptString {
  const valid = new Set<string>();
  const withArg = new Set<string>();
  for (let i = s.startsWith(':') ? 1 : 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ':') continue;
    valid.add(c);
    if (s[i + 1] === ':') {
      withArg.add(c);
      i++;
    }
  }
  return { valid, withArg };
}

/** The getopt walk over argv; `selector` keeps only the last value of that option. */
function runGetopt(argv: readonly string[], opts: OptString, selector: string | undefined): string[] | undefined {
  const results: string[] = [];
  let selected: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') break;
    if (a.length > 2 && a.startsWith('--')) continue; // long options are skipped
    if (a.length < 2 || a[0] !== '-') break; // first operand ends the options
    for (let i = 1; i < a.length; i++) {
      const c = a[i]!;
      if (c === ':' || !opts.valid.has(c)) {
        if (selector === undefined) results.push('?');
        continue;
      }
      const matches = selector === undefined || c === selector;
      if (!opts.withArg.has(c)) {
        if (matches) {
          if (selector === undefined) results.push(c);
          else selected = c;
        }
        continue;
      }
      let value: string | undefined;
      if (i + 1 < a.length) value = a.slice(i + 1);
      else if (k + 1 < argv.length) value = argv[++k]!;
      if (matches) {
        if (selector !== undefined) selected = value ?? '';
        else if (value === undefined) results.push('');
        else results.push(c, value);
      }
      break;
    }
  }
  if (selector !== undefined) return selected === undefined ? undefined : [selected];
  return results;
}

export function getoptTransform<E>(args: readonly TransformerArgument<E>[], arg: string | undefined): MultiTransform<E> {
  if (args.length !== 2) throw new TransformerError('getopt() requires exactly 2 arguments: args list and optstring');
  const [argv, optstring] = args as [TransformerArgument<E>, TransformerArgument<E>];
  if (!argv.isList) throw new TransformerError('getopt() first argument must be a list');
  if (optstring.isList) throw new TransformerError('getopt() second argument (optstring) must be a single value');
  if (!isStringType(argv.type) || !isStringType(optstring.type)) {
    throw new TransformerError('getopt() arguments must be strings');
  }
  if (arg !== undefined && [...arg].length !== 1) {
    throw new TransformerError('getopt() field argument must be a single option character');
  }
  const constant = optstring.literal === undefined ? undefined : parseOptString(optstring.literal);
  let lastText: string | undefined;
  let lastOpts: OptString | undefined;
  return {
    shape: { type: 'CHARBUF', isList: arg === undefined },
    get(evt) {
      let opts = constant;
      if (opts === undefined) {
        const o = optstring.get(evt);
        if (o === undefined) return undefined;
        const t = scalarText(asList(o)[0] ?? '', optstring.renderDef);
        if (t !== lastText) {
          lastText = t;
          lastOpts = parseOptString(t);
        }
        opts = lastOpts!;
      }
      const v = argv.get(evt);
      if (v === undefined) return undefined;
      const res = runGetopt(asList(v).map((x) => scalarText(x, argv.renderDef)), opts, arg);
      if (res === undefined) return undefined;
      return arg === undefined ? res : res[0]!;
    },
  };
}
