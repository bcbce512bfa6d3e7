// Rule exceptions with Falco's semantics: validation and defaults when an exception is defined,
// and the condition text each exception adds to its rule (`(<condition>) and not (...)`).
//
// The exception condition is built as text, exactly as Falco builds it, and then goes through
// the same list substitution and parser as every condition. That is what makes values that name
// lists (`[cat, cat_cmdlines]`, `(cat_cmdlines)`), quoting of values with spaces, and values that
// are condition fragments behave as they do in Falco.
import type { ExceptionEntry, ExceptionInfo } from './items.js';
import { entryIsSet } from './items.js';
import { RuleLoadError } from './results.js';

/** Whether `field` (possibly with an argument or transformers) is a valid left-hand side. */
export type FieldChecker = (field: string) => boolean;

const UNARY_OPERATORS = ['exists'];
const NUMERIC_OPERATORS = ['<=', '<', '>=', '>'];
/** String operators; the ones before `in...` also accept a list modifier (`startswith oneof`). */
const STRING_OPERATORS = ['==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex'];
/** Operators whose right-hand side is a list. */
export const LIST_OPERATORS = ['intersects', 'in', 'pmatch'];
const LIST_MODIFIERS = ['oneof', 'anyof', 'allof'];

/** Every comparison operator of the condition language (Falco's `supported_operators`). */
export const SUPPORTED_OPERATORS: readonly string[] = [...UNARY_OPERATORS, ...NUMERIC_OPERATORS, ...STRING_OPERATORS, ...LIST_OPERATORS];

/** `startswith oneof` and the like: a string operator, one space, a list modifier. */
export function isStringOperatorWithModifier(op: string): boolean {
  const space = op.indexOf(' ');
  if (space < 0) return false;
  return STRING_OPERATORS.includes(op.slice(0, space)) && LIST_MODIFIERS.includes(op.slice(space + 1));
}

function isListOperator(op: string): boolean {
  return LIST_OPERATORS.includes(op) || isStringOperatorWithModifier(op);
}

function fail(message: string, ex: ExceptionInfo): never {
  throw new RuleLoadError('LOAD_ERR_VALIDATE', message, ex.ctx);
}

/** Falco strips ASCII blanks around comparison operators written in `comps`. */
function normalizeComp(e: ExceptionEntry): ExceptionEntry {
  return e.isList ? e : { isList: false, item: e.item.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '') };
}

/**
 * Checks an exception and fills in default comparison operators (`=` for each field of a tuple,
 * `in` for a single field). `checkField` is undefined when the rule's source is not loaded (its
 * fields cannot be checked). Throws RuleLoadError (LOAD_ERR_VALIDATE).
 */
export function validateException(ex: ExceptionInfo, checkField: FieldChecker | undefined): void {
  if (ex.fields.isList) {
    const fields = ex.fields.items;
    if (!entryIsSet(ex.comps)) {
      ex.comps = { isList: true, items: fields.map(() => ({ isList: false, item: '=' })) };
    }
    const comps = ex.comps.isList ? ex.comps.items : [];
    if (fields.length !== comps.length) fail('Fields and comps lists must have equal length', ex);
    const normalized = comps.map(normalizeComp);
    ex.comps = { isList: true, items: normalized };
    for (const c of normalized) {
      const op = c.isList ? '' : c.item;
      if (!SUPPORTED_OPERATORS.includes(op) && !isStringOperatorWithModifier(op)) {
        fail(`'${op}' is not a supported comparison operator`, ex);
      }
    }
    if (checkField) {
      for (const f of fields) {
        const name = f.isList ? '' : f.item;
        if (!checkField(name)) fail(`'${name}' is not a supported filter field`, ex);
      }
    }
  } else {
    if (!entryIsSet(ex.comps)) ex.comps = { isList: false, item: 'in' };
    if (ex.comps.isList) fail('Fields and comps must both be strings', ex);
    ex.comps = normalizeComp(ex.comps);
    const op = ex.comps.isList ? '' : ex.comps.item;
    if (op !== 'in' && op !== 'pmatch' && op !== 'intersects' && !isStringOperatorWithModifier(op)) {
      fail('When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)', ex);
    }
    if (checkField && !checkField(ex.fields.item)) fail(`'${ex.fields.item}' is not a supported filter field`, ex);
  }
}

/** A value with a space is double-quoted unless it already starts with a quote. */
export function quoteItem(value: string): string {
  return value.includes(' ') && value[0] !== '"' && value[0] !== "'" ? `"${value}"` : value;
}

function parenItem(value: string): string {
  return value[0] === '(' ? value : `(${value})`;
}

function itemOf(e: ExceptionEntry): string {
  return e.isList ? '' : e.item;
}

/**
 * The rule condition with its exceptions: `(<condition>) and not <exception> ...`, and the
 * fields the exceptions use. Throws RuleLoadError when a value does not fit its exception.
 */
export function conditionWithExceptions(condition: string, exceptions: readonly ExceptionInfo[]): { condition: string; fields: Set<string> } {
  const fields = new Set<string>();
  let out = `(${condition})`;
  for (const ex of exceptions) {
    let part = '';
    if (!ex.fields.isList) {
      const field = ex.fields.item;
      const comp = itemOf(ex.comps);
      for (const value of ex.values) {
        if (value.isList) fail('Expected values array to contain a list of strings', ex);
        part += part === '' ? `(${field} ${comp} (` : ', ';
        fields.add(field);
        part += quoteItem(value.item);
      }
      if (part !== '') part += '))';
    } else {
      const exFields = ex.fields.items;
      const comps = ex.comps.isList ? ex.comps.items : [];
      part = '(';
      for (const tuple of ex.values) {
        const values = tuple.isList ? tuple.items : [];
        if (exFields.length !== values.length) fail('Fields and values lists must have equal length', ex);
        part += part === '(' ? '(' : ' or (';
        exFields.forEach((field, k) => {
          const value = values[k]!;
          const comp = itemOf(comps[k] ?? { isList: false, item: '' });
          let rhs: string;
          if (value.isList) {
            rhs = '(' + value.items.map((v) => quoteItem(itemOf(v))).join(', ') + ')';
          } else {
            rhs = isListOperator(comp) ? parenItem(value.item) : quoteItem(value.item);
          }
          part += `${k === 0 ? '' : ' and '} ${itemOf(field)} ${comp} ${rhs}`;
          fields.add(itemOf(field));
        });
        part += ')';
      }
      part += ')';
      if (part === '()') part = '';
    }
    if (part !== '') out += ' and not ' + part;
  }
  return { condition: out, fields };
}
