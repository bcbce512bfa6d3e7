// Matchers behind the string and buffer operators: glob (fnmatch), path prefixes (pmatch), ASCII
// case folding (icontains, tolower), byte-string search. Each is built once per literal.

import { enableLinearFallback, escapeChar } from './regex.js';

// ---- ASCII case folding ----
// libsinsp folds with C's tolower/strcasestr in the C locale: ASCII letters only.

const HAS_UPPER_OR_NON_ASCII = /[A-Z\u0080-\uffff]/;

export function asciiLower(s: string): string {
  if (!HAS_UPPER_OR_NON_ASCII.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

export function asciiUpper(s: string): string {
  if (!/[a-z\u0080-\uffff]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 97 && c <= 122 ? String.fromCharCode(c - 32) : s[i];
  }
  return out;
}

// ---- glob (fnmatch(3) with flags 0, or FNM_CASEFOLD for iglob) ----
// `*` matches any run of characters (slashes and leading dots included), `?` one character,
// `[...]` a bracket expression (`!` or `^` negates, ranges, `[:class:]`), `\x` the character x.
// A `[` without its `]` is an ordinary character; a trailing lone `\` makes the pattern match
// nothing (glibc).

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  cntrl: '\\u0000-\\u001f\\u007f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\v\\f\\r',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

function esc(ch: string): string {
  return escapeChar(ch.codePointAt(0)!);
}

/** Reads a bracket expression at `start` (just after `[`); undefined when it has no end. */
function bracketToRegex(chars: string[], start: number, caseFold: boolean): { re: string; end: number } | undefined {
  let i = start;
  let negate = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < chars.length) {
    let ch = chars[i]!;
    if (ch === ']' && !first) {
      return { re: `[${negate ? '^' : ''}${body}]`, end: i };
    }
    first = false;
    if (ch === '[' && chars[i + 1] === ':') {
      const close = chars.indexOf(':', i + 2);
      if (close > 0 && chars[close + 1] === ']') {
        const name = chars.slice(i + 2, close).join('');
        let cls = POSIX_CLASSES[name];
        if (cls === undefined) return undefined; // invalid class: glibc treats the pattern as not matching
        if (caseFold && (name === 'lower' || name === 'upper')) cls = 'a-zA-Z';
        body += cls;
        i = close + 2;
        continue;
      }
    }
    if (ch === '\\' && i + 1 < chars.length) {
      i++;
      ch = chars[i]!;
    }
    if (chars[i + 1] === '-' && i + 2 < chars.length && chars[i + 2] !== ']') {
      let hi = chars[i + 2]!;
      let next = i + 3;
      if (hi === '\\' && i + 3 < chars.length) {
        hi = chars[i + 3]!;
        next = i + 4;
      }
      if (hi.codePointAt(0)! >= ch.codePointAt(0)!) body += `${esc(ch)}-${esc(hi)}`;
      i = next;
      continue;
    }
    body += esc(ch);
    i++;
  }
  return undefined;
}

/** Translates a glob into an anchored regex source; undefined when it can match nothing. */
function globToRegexSource(pattern: string, caseFold: boolean): string | undefined {
  const chars = [...pattern];
  let re = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      while (chars[i + 1] === '*') i++;
      re += '[^]*';
    } else if (ch === '?') {
      re += '[^]';
    } else if (ch === '[') {
      const b = bracketToRegex(chars, i + 1, caseFold);
      if (b === undefined) {
        re += esc('[');
      } else {
        re += b.re;
        i = b.end;
      }
    } else if (ch === '\\') {
      if (i + 1 >= chars.length) return undefined;
      re += esc(chars[++i]!);
    } else {
      re += esc(ch);
    }
  }
  return `^${re}$`;
}

export type StringPredicate = (s: string) => boolean;

const globCache = new Map<string, StringPredicate>();

/**
 * A predicate for `glob`/`iglob` with one pattern. Plain shapes (`abc`, `abc*`, `*abc`, `*abc*`)
 * become string tests; the others a regex.
 */
export function globMatcher(pattern: string, caseFold: boolean): StringPredicate {
  const key = (caseFold ? 'i:' : 's:') + pattern;
  const cached = globCache.get(key);
  if (cached !== undefined) return cached;
  let m: StringPredicate;
  const lead = /^\*+/.exec(pattern)?.[0].length ?? 0;
  const rest = pattern.slice(lead);
  const trail = /\*+$/.exec(rest)?.[0].length ?? 0;
  const inner = rest.slice(0, rest.length - trail);
  if (!caseFold && !/[*?[\\]/.test(inner)) {
    if (inner === '') m = lead + trail > 0 ? () => true : (s) => s === '';
    else if (lead > 0 && trail > 0) m = (s) => s.includes(inner);
    else if (lead > 0) m = (s) => s.endsWith(inner);
    else if (trail > 0) m = (s) => s.startsWith(inner);
    else m = (s) => s === inner;
  } else {
    const src = globToRegexSource(pattern, caseFold);
    if (src === undefined) {
      m = () => false;
    } else {
      enableLinearFallback();
      const re = new RegExp(src, caseFold ? 'i' : '');
      m = (s) => re.test(s);
    }
  }
  if (globCache.size > 10_000) globCache.clear();
  globCache.set(key, m);
  return m;
}

// ---- path prefixes (pmatch) ----
// libsinsp's path_prefix_search: paths are split at `/` (empty parts ignored, so `/a//b/` is
// `/a/b`, and relative paths compare like absolute ones); a value matches when the parts of one
// of the search paths are a prefix of its parts: `/a/b` matches `/a/b` and `/a/b/c`, not `/a/bc`
// nor `/a`. Search-path parts containing `*`, `?` or `[` are globs for one part. `/` matches all.

interface PrefixNode {
  /** A search path ends here: everything below matches. */
  terminal: boolean;
  readonly exact: Map<string, PrefixNode>;
  readonly globs: { match: StringPredicate; node: PrefixNode; text: string }[];
}

function newNode(): PrefixNode {
  return { terminal: false, exact: new Map(), globs: [] };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

export class PathPrefixSet {
  private readonly root = newNode();

  constructor(paths: Iterable<string>) {
    for (const p of paths) this.add(p);
  }

  private add(path: string): void {
    let node = this.root;
    for (const part of splitPath(path)) {
      if (node.terminal) return; // a shorter search path already covers this one
      let next: PrefixNode | undefined;
      if (/[*?[]/.test(part)) {
        next = node.globs.find((g) => g.text === part)?.node;
        if (next === undefined) {
          next = newNode();
          node.globs.push({ match: globMatcher(part, false), node: next, text: part });
        }
      } else {
        next = node.exact.get(part);
        if (next === undefined) {
          next = newNode();
          node.exact.set(part, next);
        }
      }
      node = next;
    }
    // A search path covers everything below it: drop the longer ones it makes redundant.
    node.terminal = true;
    node.exact.clear();
    node.globs.length = 0;
  }

  match(path: string): boolean {
    return this.matchFrom(this.root, splitPath(path), 0);
  }

  private matchFrom(node: PrefixNode, parts: string[], i: number): boolean {
    if (node.terminal) return true;
    if (i >= parts.length) return false;
    const part = parts[i]!;
    const exact = node.exact.get(part);
    if (exact !== undefined && this.matchFrom(exact, parts, i + 1)) return true;
    for (const g of node.globs) {
      if (g.match(part) && this.matchFrom(g.node, parts, i + 1)) return true;
    }
    return false;
  }
}

// ---- byte strings ----

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function bytesStartWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

export function bytesEndWith(a: Uint8Array, suffix: Uint8Array): boolean {
  if (suffix.length > a.length) return false;
  const off = a.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (a[off + i] !== suffix[i]) return false;
  return true;
}

export function bytesContain(a: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const first = needle[0];
  const last = a.length - n;
  outer: for (let i = 0; i <= last; i++) {
    if (a[i] !== first) continue;
    for (let j = 1; j < n; j++) if (a[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
