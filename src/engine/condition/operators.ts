// The operators of the condition language: their spelling (one table for the parser, the compiler
// and the rules loader's exception `comps`), and which operators each value type accepts, with the
// error texts of libsinsp's filter_compare.cpp (flt_is_comparable).
import type { FieldType } from '../../fields/types.js';
import type { BinaryOperator, OperatorModifier } from './ast.js';

/** All check operators in libsinsp's order (`parser::supported_operators()`). */
export const OPERATORS: readonly string[] = [
  'exists',
  '<=', '<', '>=', '>',
  '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith',
  'bstartswith', 'endswith', 'regex',
  'intersects', 'in', 'pmatch',
];

/** Operators whose right-hand side is a list (`parser::supported_operators(true)`). */
export const LIST_OPERATORS: readonly string[] = ['intersects', 'in', 'pmatch'];

/** String operators that take a list modifier: `startswith anyof (...)`. */
export const MODIFIABLE_OPERATORS: readonly BinaryOperator[] = [
  '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith',
  'bstartswith', 'endswith', 'regex',
];

export const MODIFIERS: readonly OperatorModifier[] = ['oneof', 'anyof', 'allof'];

/** An operator as written in exception `comps`: `in`, `startswith oneof`, ... */
export interface ParsedOperator {
  readonly operator: BinaryOperator | 'exists';
  readonly modifier?: OperatorModifier;
}

/**
 * Parses an operator written on its own (exception `comps`): a plain operator, or a modifiable
 * string operator, one space, and a modifier. Undefined for anything else.
 */
export function parseOperator(text: string): ParsedOperator | undefined {
  const space = text.indexOf(' ');
  if (space < 0) {
    return OPERATORS.includes(text) ? { operator: text as BinaryOperator | 'exists' } : undefined;
  }
  const op = text.slice(0, space);
  const mod = text.slice(space + 1);
  if (!(MODIFIABLE_OPERATORS as readonly string[]).includes(op)) return undefined;
  if (!(MODIFIERS as readonly string[]).includes(mod)) return undefined;
  return { operator: op as BinaryOperator, modifier: mod as OperatorModifier };
}

/** Whether `text` takes a list on its right (list operators and operators with a modifier). */
export function isListOperator(text: string): boolean {
  const parsed = parseOperator(text);
  return parsed !== undefined && (parsed.modifier !== undefined || LIST_OPERATORS.includes(parsed.operator));
}

/** How a value type compares: decides the accepted operators and the value representation. */
export type TypeClass = 'number' | 'bigint' | 'bool' | 'string' | 'bytes' | 'ip' | 'net' | 'raw';

export function typeClass(type: FieldType): TypeClass {
  switch (type) {
    case 'ABSTIME':
    case 'RELTIME':
      return 'bigint';
    case 'BOOL':
      return 'bool';
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      return 'string';
    case 'BYTEBUF':
      return 'bytes';
    case 'IPV4ADDR':
    case 'IPV6ADDR':
    case 'IPADDR':
      return 'ip';
    case 'IPV4NET':
    case 'IPV6NET':
    case 'IPNET':
      return 'net';
    case 'SOCKADDR':
    case 'SOCKTUPLE':
    case 'FDLIST':
    case 'CHARBUFARRAY':
    case 'CHARBUF_PAIR_ARRAY':
    case 'DYN':
      // Raw parameter types (evt.rawarg of socket addresses, fd lists...): only `exists`.
      return 'raw';
    default:
      // Integer and double types. libsinsp refuses UID/GID/L4PROTO/SOCKFAMILY comparisons only
      // because its own fields never use those types; here they compare as the numbers they are.
      return 'number';
  }
}

const NUMERIC_OPS = new Set(['=', '==', '!=', '<', '<=', '>', '>=', 'in', 'intersects', 'exists']);
const BOOL_OPS = new Set(['=', '==', '!=', 'in', 'intersects', 'exists']);
const STRING_OPS = new Set([
  '=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'in', 'exists', 'icontains', 'startswith', 'glob',
  'pmatch', 'endswith', 'intersects', 'iglob', 'regex',
]);
const BUFFER_OPS = new Set([
  '=', '==', '!=', 'contains', 'in', 'exists', 'startswith', 'endswith', 'intersects', 'bcontains', 'bstartswith',
]);
const IP_OPS = new Set(['=', '==', '!=', 'in', 'exists', 'intersects']);
const LIST_FIELD_OPS = new Set(['in', 'exists', 'intersects']);

/** libsinsp's cmpop_to_str spelling (`==` prints as `=`). */
function opName(op: string): string {
  return op === '==' ? '=' : op;
}

/**
 * Why `op` (with `modifier`) cannot be applied to a value of this type, in libsinsp's words
 * (without the `filter error: ` prefix the compiler adds), or undefined when it can.
 */
export function operatorTypeError(
  op: BinaryOperator | 'exists',
  modifier: OperatorModifier | undefined,
  type: FieldType,
  isList: boolean,
): string | undefined {
  if (op === 'exists') return undefined;
  const name = opName(op);
  if (isList) {
    return LIST_FIELD_OPS.has(op) ? undefined : `'${name}' operator not supported list filters`;
  }
  switch (typeClass(type)) {
    case 'number':
    case 'bigint':
      return NUMERIC_OPS.has(op) ? undefined : `'${name}' operator not supported for numeric filters`;
    case 'bool':
      // libsinsp's text says "numeric" for booleans too.
      return BOOL_OPS.has(op) ? undefined : `'${name}' operator not supported for numeric filters`;
    case 'string':
      return STRING_OPS.has(op) ? undefined : `'${name}' operator not supported for string filters`;
    case 'bytes':
      return BUFFER_OPS.has(op) ? undefined : `'${name}' operator not supported for buffer filters`;
    case 'ip':
    case 'net':
      if (IP_OPS.has(op)) return undefined;
      return modifier === undefined
        ? `'${name}' operator not supported for ip address and network filters`
        : `'${name}' with modifier not supported for ip address and network filters`;
    case 'raw':
      return `'${name}' operator not supported for type '${type}'`;
  }
}
