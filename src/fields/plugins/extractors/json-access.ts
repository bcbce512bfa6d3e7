// Reading parsed JSON payloads the way Falco's Go plugins (k8saudit, json) read theirs with the
// fastjson library, because rules observe the differences:
// - a key lookup on an object finds own keys only; on an array the key is a decimal index
//   (`/items/0/name` works on arrays); on anything else there is no value;
// - JSON `null` is a value (its text is `null`), unlike a missing key;
// - a value's text is the string itself for strings, and compact JSON for everything else
//   (`true`, `201`, `{"a":1}`), which is how lists of objects print (`ka.req.role.rules`).
//
// Departures: fastjson keeps the number text of the input (`1.50` stays `1.50`); JSON.parse turns
// numbers into doubles, so such a number prints as `1.5`. Audit events carry integers only in
// the places rules read (codes, uids, ports), where both agree. With a key repeated in one object,
// fastjson finds the first and JSON.parse keeps the last; the API server never repeats keys.

/** A parsed JSON value: what JSON.parse returns. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** An object node of a parsed payload. */
export type JsonObject = { readonly [key: string]: Json };

/** Go's strconv.Atoi syntax: optional sign, decimal digits. */
const ARRAY_INDEX = /^[+-]?\d+$/;

/** The value under `key` of `value` (object key or array index), undefined when there is none. */
export function child(value: Json | undefined, key: string): Json | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (!ARRAY_INDEX.test(key)) return undefined;
    const index = Number(key);
    return index >= 0 && index < value.length ? (value as readonly Json[])[index] : undefined;
  }
  const object = value as JsonObject;
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The value at a path of keys, undefined when any step has no value. */
export function lookup(value: Json | undefined, keys: readonly string[]): Json | undefined {
  let current = value;
  for (let i = 0; i < keys.length && current !== undefined; i++) current = child(current, keys[i]!);
  return current;
}

/** Whether a parsed value is a JSON object (not an array, not null). */
export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as the plugins render it: strings as they are, other values as compact JSON. */
export function jsonText(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The text of each element of an array value; undefined when the value is not an array. */
export function arrayTexts(value: Json | undefined): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return (value as readonly Json[]).map(jsonText);
}

/** Index filter meaning "every element" (no `[N]` argument). */
export const ALL_ELEMENTS = -1;

/**
 * The values found along `keys`, descending into every element of the arrays met on the way (or
 * only element `index` of each, when an index is given): the k8saudit plugin's traversal for
 * per-container and per-volume fields. An element where the path ends early contributes
 * `undefined` (so callers can skip it or substitute a default); undefined as a whole means that
 * the path fails before the first array, or that the index is out of range.
 *
 * An empty key keeps the current value (used to collect whole array elements).
 */
export function valuesAlong(value: Json | undefined, keys: readonly string[], index: number = ALL_ELEMENTS, from = 0): (Json | undefined)[] | undefined {
  let current = value;
  for (let i = from; i < keys.length; i++) {
    if (current === undefined) return undefined;
    if (Array.isArray(current)) {
      const elements = current as readonly Json[];
      if (index === ALL_ELEMENTS) {
        const found: (Json | undefined)[] = [];
        for (const element of elements) {
          const below = valuesAlong(element, keys, index, i);
          if (below === undefined) found.push(undefined);
          else for (const v of below) found.push(v);
        }
        return found;
      }
      if (index >= elements.length) return undefined;
      current = elements[index];
    }
    const key = keys[i]!;
    if (key !== '') current = child(current, key);
  }
  return current === undefined ? undefined : [current];
}
