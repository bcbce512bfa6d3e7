// Value tests behind each check: given the left-hand value of a check, does it satisfy the
// operator against the right-hand constants (or against another field's value, with val())?
// Semantics are libsinsp's (filter_compare.cpp flt_compare, sinsp_filtercheck.cpp compare_rhs):
// - strings compare as C strings: = != < <= > >= contains startswith endswith; icontains folds
//   ASCII case; glob/iglob are fnmatch; regex matches the whole value; pmatch is a path prefix;
//   in/intersects test membership.
// - buffers compare bytes; bcontains/bstartswith take hex literals.
// - numbers, times (bigint) and booleans compare by value.
// - IP addresses of different families are never equal (so only != holds); networks contain
//   addresses (= and in), != means "not in".
// - modifiers: `op oneof (…)` holds when exactly one value satisfies op, anyof when at least one,
//   allof when all; with no values they never hold.
// Missing values never reach these tests (a check on a missing value is false, whatever the
// operator, `!=` included: libsinsp's compare stops when extraction fails).
// Departure: libsinsp's fd.net (compare_net) tests only the first network of `fd.net in (a, b)`;
// here every listed network counts, as the rule says.
import type { FieldValue, IpAddr, IpNet, ScalarValue } from '../../fields/types.js';
import type { BinaryOperator, OperatorModifier } from './ast.js';
import {
  asciiLower,
  bytesContain,
  bytesEndWith,
  bytesEqual,
  bytesStartWith,
  globMatcher,
  PathPrefixSet,
  type StringPredicate,
} from './matchers.js';
import type { TypeClass } from './operators.js';
import { escapeChar, regexMatcher } from './regex.js';

/** The operators after `==` became `=`. */
export type Op = Exclude<BinaryOperator, '=='>;

export type ScalarTest = (v: ScalarValue) => boolean;

/** A converted right-hand literal: a string, number, bigint, boolean, bytes, address or network. */
export type Constant = string | number | bigint | boolean | Uint8Array | IpAddr | IpNet;

function isNet(c: unknown): c is IpNet {
  return typeof c === 'object' && c !== null && !(c instanceof Uint8Array) && 'prefix' in c;
}

/** Whether address `a` lies in network `n` (families must match). */
export function netContains(n: IpNet, a: IpAddr): boolean {
  if (typeof n.addr === 'number') {
    if (typeof a !== 'number') return false;
    if (n.prefix === 0) return true;
    const shift = 32 - n.prefix;
    return Math.floor(a / 2 ** shift) === Math.floor(n.addr / 2 ** shift);
  }
  if (typeof a === 'number' || a.length !== 16) return false;
  const full = n.prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== n.addr[i]) return false;
  const rest = n.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (n.addr[full]! & mask);
}

function addrEqual(a: IpAddr, b: IpAddr): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return bytesEqual(a, b);
}

/** The address a network-typed field yields (an address, or a network whose address counts). */
function addressOf(v: ScalarValue): IpAddr | undefined {
  if (typeof v === 'number' || v instanceof Uint8Array) return v;
  if (isNet(v)) return v.addr;
  return undefined;
}

function isAddr(v: ScalarValue): v is IpAddr {
  return typeof v === 'number' || v instanceof Uint8Array;
}

/** Equality of two values of one class (membership tests, val() comparisons). */
export function valuesEqual(cls: TypeClass, a: ScalarValue, b: ScalarValue): boolean {
  switch (cls) {
    case 'bytes':
      return a instanceof Uint8Array && b instanceof Uint8Array && bytesEqual(a, b);
    case 'ip':
      return isAddr(a) && isAddr(b) && addrEqual(a, b);
    case 'net': {
      const x = addressOf(a);
      if (x === undefined) return false;
      if (isNet(b)) return netContains(b, x);
      const y = addressOf(b);
      return y !== undefined && addrEqual(x, y);
    }
    case 'bigint':
      // bigint and number compare by value with ==
      return a == b;
    default:
      return a === b;
  }
}

/** A membership test for `in`/`intersects`/`= anyof` over constants. */
export function membershipTest(cls: TypeClass, constants: readonly Constant[]): ScalarTest {
  switch (cls) {
    case 'string':
    case 'number':
    case 'bool': {
      if (constants.length === 1) {
        const c = constants[0];
        return (v) => v === c;
      }
      const set = new Set<unknown>(constants);
      return (v) => set.has(v);
    }
    case 'bigint': {
      const set = new Set<unknown>(constants);
      return (v) => set.has(typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v);
    }
    default:
      return (v) => constants.some((c) => valuesEqual(cls, v, c as ScalarValue));
  }
}

/**
 * A search for `needle` ignoring the case of ASCII letters only (strcasestr in the C locale),
 * as a regex so that no lower-cased copy of each value is made.
 */
export function asciiCaseInsensitiveSearch(needle: string): StringPredicate {
  let src = '';
  for (const ch of needle) {
    const code = ch.codePointAt(0)!;
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    src += code < 128 && lower !== upper ? `[${lower}${upper}]` : escapeChar(code);
  }
  const re = new RegExp(src);
  return (s) => re.test(s);
}

/**
 * A string test that scans its value, remembering its last answer: values that come back event
 * after event (proc.env, proc.cmdline of a thread's events: the same string object) are not
 * scanned again. Pure tests only.
 */
function lastResultMemo(test: StringPredicate): ScalarTest {
  let lastValue: string | undefined;
  let lastResult = false;
  return (v) => {
    if (typeof v !== 'string') return false;
    if (v !== lastValue) {
      lastResult = test(v);
      lastValue = v;
    }
    return lastResult;
  };
}

function stringTest(op: Op, c: string): ScalarTest {
  switch (op) {
    case '=':
      return (v) => v === c;
    case '!=':
      return (v) => typeof v === 'string' && v !== c;
    case '<':
      return (v) => typeof v === 'string' && v < c;
    case '<=':
      return (v) => typeof v === 'string' && v <= c;
    case '>':
      return (v) => typeof v === 'string' && v > c;
    case '>=':
      return (v) => typeof v === 'string' && v >= c;
    case 'contains':
      return (v) => typeof v === 'string' && v.includes(c);
    case 'icontains':
      return lastResultMemo(asciiCaseInsensitiveSearch(c));
    case 'startswith':
      return (v) => typeof v === 'string' && v.startsWith(c);
    case 'endswith':
      return (v) => typeof v === 'string' && v.endsWith(c);
    case 'glob':
    case 'iglob':
      return lastResultMemo(globMatcher(c, op === 'iglob'));
    case 'regex':
      return lastResultMemo(regexMatcher(c));
    case 'pmatch': {
      const set = new PathPrefixSet([c]);
      return (v) => typeof v === 'string' && set.match(v);
    }
    case 'in':
    case 'intersects':
      return (v) => v === c;
    default:
      return () => false;
  }
}

function bytesTest(op: Op, c: Uint8Array): ScalarTest {
  const guard = (f: (v: Uint8Array) => boolean): ScalarTest => (v) => v instanceof Uint8Array && f(v);
  switch (op) {
    case '=':
    case 'in':
    case 'intersects':
      return guard((v) => bytesEqual(v, c));
    case '!=':
      return guard((v) => !bytesEqual(v, c));
    case 'contains':
    case 'bcontains':
      return guard((v) => bytesContain(v, c));
    case 'startswith':
    case 'bstartswith':
      return guard((v) => bytesStartWith(v, c));
    case 'endswith':
      return guard((v) => bytesEndWith(v, c));
    default:
      return () => false;
  }
}

function orderedTest(op: Op, c: number | bigint | boolean): ScalarTest {
  switch (op) {
    case '=':
    case 'in':
    case 'intersects':
      // numbers and bigints compare by value with ==
      return typeof c === 'bigint' ? (v) => v == c : (v) => v === c;
    case '!=':
      return typeof c === 'bigint' ? (v) => (typeof v === 'bigint' || typeof v === 'number') && v != c : (v) => typeof v === typeof c && v !== c;
    case '<':
      return (v) => (typeof v === 'number' || typeof v === 'bigint') && v < (c as number | bigint);
    case '<=':
      return (v) => (typeof v === 'number' || typeof v === 'bigint') && v <= (c as number | bigint);
    case '>':
      return (v) => (typeof v === 'number' || typeof v === 'bigint') && v > (c as number | bigint);
    case '>=':
      return (v) => (typeof v === 'number' || typeof v === 'bigint') && v >= (c as number | bigint);
    default:
      return () => false;
  }
}

function ipTest(op: Op, c: IpAddr): ScalarTest {
  if (op === '!=') return (v) => isAddr(v) && !addrEqual(v, c);
  return (v) => isAddr(v) && addrEqual(v, c);
}

function netTest(op: Op, c: IpNet): ScalarTest {
  if (op === '!=') {
    return (v) => {
      const a = addressOf(v);
      return a !== undefined && !netContains(c, a);
    };
  }
  return (v) => {
    const a = addressOf(v);
    return a !== undefined && netContains(c, a);
  };
}

/** The test of `op` against one constant, for values of class `cls`. */
export function constantTest(op: Op, cls: TypeClass, c: Constant): ScalarTest {
  switch (cls) {
    case 'string':
      return stringTest(op, c as string);
    case 'bytes':
      return bytesTest(op, c as Uint8Array);
    case 'number':
    case 'bigint':
    case 'bool':
      return orderedTest(op, c as number | bigint | boolean);
    case 'ip':
      return ipTest(op, c as IpAddr);
    case 'net':
      return netTest(op, c as IpNet);
    case 'raw':
      return () => false;
  }
}

/** The test of `op` (no modifier) against the constants of a check on a single-valued field. */
export function constantsTest(op: Op, cls: TypeClass, constants: readonly Constant[]): ScalarTest {
  if (op === 'in' || op === 'intersects') return membershipTest(cls, constants);
  if (op === 'pmatch') {
    const set = new PathPrefixSet(constants as string[]);
    return (v) => typeof v === 'string' && set.match(v);
  }
  return constantTest(op, cls, constants[0]!);
}

/** `op oneof|anyof|allof (constants)`. */
export function modifiedTest(op: Op, mod: OperatorModifier, cls: TypeClass, constants: readonly Constant[]): ScalarTest {
  if (constants.length === 0) return () => false;
  // Set lookups for the equality forms, as libsinsp does: `= anyof` is `in`, `!= allof` `not in`.
  if (mod === 'anyof' && op === '=') return membershipTest(cls, constants);
  if (mod === 'allof' && op === '!=') {
    const member = membershipTest(cls, constants);
    return (v) => !member(v);
  }
  const tests = constants.map((c) => constantTest(op, cls, c));
  switch (mod) {
    case 'anyof':
      return (v) => tests.some((t) => t(v));
    case 'allof':
      return (v) => tests.every((t) => t(v));
    case 'oneof':
      return (v) => {
        let n = 0;
        for (const t of tests) if (t(v) && ++n > 1) return false;
        return n === 1;
      };
  }
}

// ---- comparisons with another field (val() and transformers on the right) ----

export type DynamicTest = (v: ScalarValue, r: ScalarValue) => boolean;

/** A glob/iglob with a pattern that changes per event: keeps the last compiled matcher. */
function dynamicGlob(caseFold: boolean): DynamicTest {
  let lastPattern: string | undefined;
  let lastMatcher: StringPredicate = () => false;
  return (v, r) => {
    if (typeof v !== 'string' || typeof r !== 'string') return false;
    if (r !== lastPattern) {
      lastPattern = r;
      lastMatcher = globMatcher(r, caseFold);
    }
    return lastMatcher(v);
  };
}

function dynamicString(op: Op): DynamicTest {
  const both = (f: (v: string, r: string) => boolean): DynamicTest => (v, r) =>
    typeof v === 'string' && typeof r === 'string' && f(v, r);
  switch (op) {
    case '=':
    case 'in':
    case 'intersects':
      return both((v, r) => v === r);
    case '!=':
      return both((v, r) => v !== r);
    case '<':
      return both((v, r) => v < r);
    case '<=':
      return both((v, r) => v <= r);
    case '>':
      return both((v, r) => v > r);
    case '>=':
      return both((v, r) => v >= r);
    case 'contains':
      return both((v, r) => v.includes(r));
    case 'icontains':
      return both((v, r) => asciiLower(v).includes(asciiLower(r)));
    case 'startswith':
      return both((v, r) => v.startsWith(r));
    case 'endswith':
      return both((v, r) => v.endsWith(r));
    default:
      return () => false;
  }
}

function dynamicBytes(op: Op): DynamicTest {
  const both = (f: (v: Uint8Array, r: Uint8Array) => boolean): DynamicTest => (v, r) =>
    v instanceof Uint8Array && r instanceof Uint8Array && f(v, r);
  switch (op) {
    case '=':
    case 'in':
    case 'intersects':
      return both(bytesEqual);
    case '!=':
      return both((v, r) => !bytesEqual(v, r));
    case 'contains':
    case 'bcontains':
      return both(bytesContain);
    case 'startswith':
    case 'bstartswith':
      return both(bytesStartWith);
    case 'endswith':
      return both(bytesEndWith);
    default:
      return () => false;
  }
}

function dynamicOrdered(op: Op): DynamicTest {
  const num = (x: ScalarValue): x is number | bigint | boolean =>
    typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean';
  switch (op) {
    case '=':
    case 'in':
    case 'intersects':
      // numbers and bigints compare by value with ==
      return (v, r) => num(v) && num(r) && v == r;
    case '!=':
      return (v, r) => num(v) && num(r) && v != r;
    case '<':
      return (v, r) => num(v) && num(r) && v < r;
    case '<=':
      return (v, r) => num(v) && num(r) && v <= r;
    case '>':
      return (v, r) => num(v) && num(r) && v > r;
    case '>=':
      return (v, r) => num(v) && num(r) && v >= r;
    default:
      return () => false;
  }
}

/** `op` between a value and another field's value of the same type. */
export function dynamicTest(op: Op, cls: TypeClass): DynamicTest {
  if (op === 'glob' || op === 'iglob') return dynamicGlob(op === 'iglob');
  switch (cls) {
    case 'string':
      return dynamicString(op);
    case 'bytes':
      return dynamicBytes(op);
    case 'ip':
    case 'net':
      return op === '!=' ? (v, r) => !valuesEqual(cls, v, r) && isAddrLike(v) : (v, r) => valuesEqual(cls, v, r);
    default:
      return dynamicOrdered(op);
  }
}

function isAddrLike(v: ScalarValue): boolean {
  return addressOf(v) !== undefined;
}

/** The right-hand values of a val() comparison as a list. */
export function asValues(v: FieldValue): readonly ScalarValue[] {
  return Array.isArray(v) ? (v as readonly ScalarValue[]) : [v as ScalarValue];
}
