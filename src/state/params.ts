// What the state parsers read from an event: its header and its parameters by index, decoded the
// way libsinsp's parsers decode them. Implemented over the scap event view; kept as a small
// interface so that the parsers do not depend on how events are stored.

export interface EventParams {
  /** Event code (scap event table index). */
  readonly type: number;
  readonly tid: number;
  /** Timestamp in ns since the epoch (a double: exact to ~256 ns, enough for state decisions). */
  readonly ts: number;
  readonly cpu: number;
  readonly nparams: number;
  /** Exact timestamp. */
  tsExact(): bigint;
  /** Byte length of parameter `i` (0 for an empty or missing parameter). */
  paramLen(i: number): number;
  /** Signed integer parameter of any width (1, 2, 4 or 8 bytes); 0 when empty. */
  int(i: number): number;
  /** Unsigned integer parameter of any width; 0 when empty. */
  uint(i: number): number;
  /** Unsigned 64-bit parameter, exact. */
  u64(i: number): bigint;
  /** String parameter (PT_CHARBUF/FSPATH): "<NA>" when empty or "(NULL)" (libsinsp's legacy rule). */
  str(i: number): string;
  /** Raw bytes of parameter `i` (a view valid until the next event). */
  bytes(i: number): Uint8Array;
  /** NUL-separated string list (args, env, cgroups), without the final NUL. */
  strList(i: number): string[];
}

/**
 * A NUL-separated list as libsinsp splits it: a lone terminator ("\0") is an empty list, not one
 * empty string.
 */
export function libsinspList(list: string[] | undefined): string[] {
  if (list === undefined) return [];
  return list.length === 1 && list[0] === '' ? [] : list;
}
