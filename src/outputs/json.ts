// JSON text exactly as Falco writes it. Falco builds its alerts with nlohmann::json, whose objects
// are std::maps: keys come out sorted (byte order), without spaces, and floating-point numbers keep
// a fractional part (`2.0`, not `2`). JSON.stringify can do neither, nor print bigint, so alerts,
// internal messages and metrics snapshots are serialized here.

import type { JsonFieldValue } from '../fields/types.js';

/**
 * A number that Falco holds as a double (metrics rates, CPU percentages, memory in MB): printed in
 * nlohmann's float form, e.g. `2.0`, `0.1`, `1e+16`. Plain `number`s print as integers when they
 * are integral.
 */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** Any value Peregrine serializes the way Falco does. */
export type FalcoJsonValue =
  | JsonFieldValue
  | JsonFloat
  | readonly FalcoJsonValue[]
  | { readonly [key: string]: FalcoJsonValue | undefined };

/** Orders keys as std::map<std::string> does: by UTF-8 bytes, which for BMP text is code-unit order. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A double in nlohmann::json's dump format: the shortest digits that round-trip (JavaScript finds
 * the same digits), laid out in plain notation for decimal exponents in (-4, 15] and in
 * `d.ddde+XX` notation (at least two exponent digits) otherwise; integral values get `.0`.
 * NaN and infinities have no JSON form: nlohmann writes `null`.
 */
export function formatJsonDouble(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const negative = x < 0;
  // toExponential() without an argument gives the shortest round-trip digits: "d.ddde±n".
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const k = digits.length;
  // n: position of the decimal point relative to the start of the digits (value = 0.digits × 10^n).
  const n = Number(exponentText) + 1;
  let text: string;
  if (k <= n && n <= 15) {
    text = digits + '0'.repeat(n - k) + '.0';
  } else if (0 < n && n <= 15) {
    text = digits.slice(0, n) + '.' + digits.slice(n);
  } else if (-4 < n && n <= 0) {
    text = '0.' + '0'.repeat(-n) + digits;
  } else {
    const e = n - 1;
    const exp = (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
    text = (k === 1 ? digits : digits[0] + '.' + digits.slice(1)) + 'e' + exp;
  }
  return negative ? '-' + text : text;
}

/** A JavaScript number as nlohmann prints it: integers as integers, anything else as a double. */
function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 64) {
    // Integral doubles beyond 2^53 print in full, as the integer they are.
    return Math.abs(x) <= Number.MAX_SAFE_INTEGER ? String(x) : BigInt(x).toString();
  }
  return formatJsonDouble(x);
}

/** The JSON text of `value`; `undefined` (no value) is `null`. */
function write(value: FalcoJsonValue | undefined): string {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes exactly what nlohmann escapes: quote, backslash, control characters
      // (\b \f \n \r \t by name, the rest as lower-case \u00xx); non-ASCII is written as is.
      return JSON.stringify(value);
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
  }
  if (value === null) return 'null';
  if (value instanceof JsonFloat) return formatJsonDouble(value.value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + write(value[i] as FalcoJsonValue);
    return text + ']';
  }
  return writeObject(value as { readonly [key: string]: FalcoJsonValue | undefined });
}

/** An object with its keys sorted; `extraKey` (when given) is added with `extraValue`. */
export function writeObject(
  object: { readonly [key: string]: FalcoJsonValue | undefined },
  extraKey?: string,
  extraValue?: FalcoJsonValue,
): string {
  const keys = Object.keys(object);
  if (extraKey !== undefined && !(extraKey in object)) keys.push(extraKey);
  keys.sort(compareKeys);
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    text += (i > 0 ? ',' : '') + JSON.stringify(key) + ':' + write(key === extraKey ? extraValue : object[key]);
  }
  return text + '}';
}

/** Serializes `value` as Falco's nlohmann::json `dump()` does (sorted keys, compact). */
export function toFalcoJson(value: FalcoJsonValue | undefined): string {
  return write(value);
}
