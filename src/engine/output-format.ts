// Output format strings: rules' `output:`, `-p`, extra output fields. Semantics of libsinsp's
// sinsp_evt_formatter (eventformatter.cpp, libs 0.25):
// - Text is copied as is; `%` starts a token: an optional width (`%20proc.name`: the value is
//   cut or padded with spaces to exactly that many characters), then a field or transformer
//   (`%proc.aname[2]`, `%tolower(proc.name)`).
// - A token is the longest prefix of the rest of the format that is a known field or a valid
//   transformer: `%proc.namex` is proc.name followed by the text `x`. Nothing valid is the error
//   `unknown filter: ...`; there is no escape for a literal `%` (`%%` is an error too).
// - A leading `*` allows missing values (printed `<NA>`); without it a format "needs all values"
//   (sysdig -p drops such events: textIfComplete). Falco always formats alert text the first
//   way, so `text` prints `<NA>` for missing values whatever the format says.
// - The JSON output fields are the fields the format names (inside transformers too), keyed by
//   their canonical text (`proc.aname[2]`); tokens that apply transformers are left out, as
//   libsinsp does by default. Keys come in sorted order, as Falco's JSON objects have them.
import { NA_TEXT, renderJson, renderText, type RenderOptions } from '../fields/render.js';
import type { BoundField, FieldDef, JsonFieldValue } from '../fields/types.js';
import { astToString, ConditionError, walkAst, type AnyNode, type OperandNode } from './condition/ast.js';
import { compileOperand } from './condition/compiler.js';
import type { Operand } from './condition/plan.js';
import { parseOperandPrefix } from './condition/parser.js';
import type { EventSourceDefinition } from './source.js';

export interface CompiledOutputFormat<E> {
  /** The formatted text; missing values print as `<NA>` (Falco always formats this way). */
  text(evt: E): string;
  /** sysdig `-p` semantics: undefined when a value is missing and the format has no leading `*`. */
  textIfComplete(evt: E): string | undefined;
  /** output_fields of JSON alerts: field as written → value (null when missing), keys sorted. */
  fields(evt: E): Record<string, JsonFieldValue>;
  /** Keys of `fields`, in the order the format names them. */
  readonly fieldNames: readonly string[];
  /** False when the format starts with `*` (missing values allowed). */
  readonly requiresAllValues: boolean;
}

export interface OutputFormatOptions {
  /** How byte buffers print (Falco's `buffer_format_base64`). */
  readonly render?: RenderOptions;
  /** Also list transformer tokens (`tolower(proc.name)`) in `fields` (libsinsp's
   *  set_resolve_transformed_fields; Falco leaves it off). */
  readonly includeTransformedFields?: boolean;
}

/** A format that cannot be compiled; `offset` is where the problem starts in the format. */
export class OutputFormatError extends Error {
  override readonly name = 'OutputFormatError';
  constructor(
    message: string,
    readonly offset: number,
    /** True for unknown fields (what `skip-if-unknown-filter` skips, as Falco's "unknown filter:"). */
    readonly unknownFilter: boolean,
  ) {
    super(message);
  }
}

/** One piece of a format: literal text, or a value token. */
type Piece<E> =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly width: number; readonly value: ValueToken<E> };

interface ValueToken<E> {
  readonly key: string;
  /** Text of the value; undefined when missing. */
  text(evt: E): string | undefined;
  json(evt: E): JsonFieldValue;
}

function fieldToken<E>(bound: BoundField<E>, key: string, options: RenderOptions): ValueToken<E> {
  return {
    key,
    text(evt) {
      if (bound.toText) return bound.toText(evt);
      const v = bound.extract(evt);
      return v === undefined ? undefined : renderText(bound.def, v, options);
    },
    json(evt) {
      if (bound.toJson) return bound.toJson(evt) ?? null;
      return renderJson(bound.def, bound.extract(evt), options);
    },
  };
}

function operandToken<E>(operand: Operand<E>, key: string, options: RenderOptions): ValueToken<E> {
  if (operand.bound !== undefined) return fieldToken(operand.bound, key, options);
  const def: FieldDef = { ...operand.renderDef, isList: operand.isList };
  return {
    key,
    text(evt) {
      const v = operand.get(evt);
      return v === undefined ? undefined : renderText(def, v, options);
    },
    json: (evt) => renderJson(def, operand.get(evt), options),
  };
}

/**
 * Reads the token at `start` (just after `%` and its width) as libsinsp does: the longest prefix
 * of the rest that parses as a field or transformer and compiles. Returns the token and its length.
 */
function readToken<E>(
  format: string,
  start: number,
  source: EventSourceDefinition<E>,
): { node: OperandNode; operand: Operand<E>; length: number } {
  let size = format.length - start;
  while (size > 0) {
    let parsed: { node: OperandNode; length: number };
    try {
      parsed = parseOperandPrefix(format.slice(start, start + size));
    } catch (e) {
      if (!(e instanceof ConditionError)) throw e;
      // Shorter candidates read the same text up to where this one stopped; nothing at all
      // could be read: no shorter candidate can be a field either.
      if (e.pos.offset === 0) break;
      size = Math.min(size - 1, e.pos.offset);
      continue;
    }
    try {
      return { node: parsed.node, operand: compileOperand(parsed.node, source), length: parsed.length };
    } catch (e) {
      if (!(e instanceof ConditionError)) throw e;
      size = Math.min(size - 1, parsed.length - 1);
    }
  }
  // libsinsp's message: its last attempt reads one character, which is never a field.
  throw new OutputFormatError("unknown filter: unexpected token after '", start, true);
}

/** Compiles an output format for `source`; throws OutputFormatError. */
export function compileOutputFormat<E>(
  format: string,
  source: EventSourceDefinition<E>,
  opts: OutputFormatOptions = {},
): CompiledOutputFormat<E> {
  if (format.length === 0) throw new OutputFormatError('empty formatting token', 0, false);
  const render = opts.render ?? {};
  const allowMissing = format.startsWith('*');
  const pieces: Piece<E>[] = [];
  const jsonTokens = new Map<string, ValueToken<E>>();
  let literalStart = allowMissing ? 1 : 0;
  let i = literalStart;
  while (i < format.length) {
    if (format[i] !== '%') {
      i++;
      continue;
    }
    if (i > literalStart) pieces.push({ kind: 'text', text: format.slice(literalStart, i) });
    if (i === format.length - 1) {
      throw new OutputFormatError('invalid formatting syntax: formatting cannot end with a %', i, false);
    }
    let j = i + 1;
    const digits = /^[0-9]+/.exec(format.slice(j))?.[0] ?? '';
    if (digits !== '') {
      j += digits.length;
      if (j >= format.length) {
        throw new OutputFormatError('invalid formatting syntax: formatting cannot end with a number', i, false);
      }
    }
    const width = digits === '' ? 0 : Math.min(Number(digits), 2 ** 31 - 1);
    let token: { node: OperandNode; operand: Operand<E>; length: number };
    try {
      token = readToken(format, j, source);
    } catch (e) {
      if (e instanceof OutputFormatError) throw new OutputFormatError(e.message, i, e.unknownFilter);
      throw e;
    }
    pieces.push({ kind: 'value', width, value: operandToken(token.operand, astToString(token.node), render) });
    collectJsonTokens(token.node, source, render, opts.includeTransformedFields === true, jsonTokens);
    i = j + token.length;
    literalStart = i;
  }
  if (literalStart < format.length) pieces.push({ kind: 'text', text: format.slice(literalStart) });
  return buildFormat(pieces, jsonTokens, allowMissing);
}

/**
 * The output fields a token contributes: every field inside it, and the token itself when it is
 * a transformer and transformed fields are wanted (libsinsp's formatter_visitor; nested
 * transformers count once, as their outermost one).
 */
function collectJsonTokens<E>(
  node: OperandNode,
  source: EventSourceDefinition<E>,
  render: RenderOptions,
  includeTransformed: boolean,
  out: Map<string, ValueToken<E>>,
): void {
  walkAst(node, (n: AnyNode) => {
    if (n.kind !== 'field') return;
    const key = astToString(n);
    if (!out.has(key)) out.set(key, operandToken(compileOperand(n, source), key, render));
  });
  if (includeTransformed && node.kind === 'transformer') {
    const key = astToString(node);
    if (!out.has(key)) out.set(key, operandToken(compileOperand(node, source), key, render));
  }
}

function fit(text: string, width: number): string {
  if (width === 0) return text;
  return text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);
}

function buildFormat<E>(
  pieces: readonly Piece<E>[],
  jsonTokens: ReadonlyMap<string, ValueToken<E>>,
  allowMissing: boolean,
): CompiledOutputFormat<E> {
  const fieldNames = [...jsonTokens.keys()];
  const sortedTokens = [...jsonTokens.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const render = (evt: E, needAll: boolean): string | undefined => {
    let out = '';
    for (const p of pieces) {
      if (p.kind === 'text') {
        out += p.text;
        continue;
      }
      let t = p.value.text(evt);
      if (t === undefined) {
        if (needAll) return undefined;
        t = NA_TEXT;
      }
      out += fit(t, p.width);
    }
    return out;
  };
  return {
    text: (evt) => render(evt, false)!,
    textIfComplete: (evt) => render(evt, !allowMissing),
    fields(evt) {
      const out: Record<string, JsonFieldValue> = {};
      for (const t of sortedTokens) out[t.key] = t.json(evt);
      return out;
    },
    fieldNames,
    requiresAllValues: !allowMissing,
  };
}
