// Path and string hygiene shared by the state parsers and the field extractors, with libsinsp's
// exact semantics: how a relative path is joined to a directory (with `.`/`..` resolved
// lexically, never against the filesystem), and how unprintable characters are replaced before a
// value is shown to users (so a file name cannot inject control characters into alerts).

/** Longest path libsinsp builds (SCAP_MAX_PATH_SIZE, bytes including the terminator). */
const MAX_PATH_BYTES = 4096;
const TOO_LONG = '/DIR_TOO_LONG/FILENAME_TOO_LONG';
const REPLACEMENT = '\uFFFD';

// Characters libsinsp does not print: C0 controls and DEL, C1 controls, the U+FDD0..U+FDEF
// non-characters, U+FFFE/U+FFFF, and unpaired surrogates (invalid UTF-8 once re-encoded).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const SUSPECT = /[\x00-\x1F\x7F-\x9F\uFDD0-\uFDEF\uFFFE\uFFFF\uD800-\uDFFF]/;

/** Length of the printable character at `i`, or the negated length of an unprintable one. */
function charSpan(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) return -1;
  if ((c >= 0xfdd0 && c <= 0xfdef) || c === 0xfffe || c === 0xffff) return -1;
  if (c >= 0xd800 && c <= 0xdbff) {
    const lo = s.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) {
      // Plane non-characters U+xFFFE / U+xFFFF.
      return (c & 0x3f) === 0x3f && lo >= 0xdffe ? -2 : 2;
    }
    return -1;
  }
  if (c >= 0xdc00 && c <= 0xdfff) return -1;
  return 1;
}

/** Replaces every unprintable character with U+FFFD (libsinsp's sanitize_string). */
export function sanitizeString(s: string): string {
  if (!SUSPECT.test(s)) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const span = charSpan(s, i);
    if (span > 0) {
      out += s.slice(i, i + span);
      i += span;
    } else {
      out += REPLACEMENT;
      i -= span;
    }
  }
  return out;
}

/**
 * sanitizeString behind a one-entry memo, for one extractor: consecutive events mostly come from
 * the same thread and fd, so the same string object comes back and is not scanned again.
 */
export function memoSanitizer(): (s: string) => string {
  let lastIn = '';
  let lastOut = '';
  return (s) => {
    if (s !== lastIn) {
      lastOut = sanitizeString(s);
      lastIn = s;
    }
    return lastOut;
  };
}

function utf8Length(s: string): number {
  // ASCII fast path: most paths are plain ASCII.
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

/**
 * Whether concatenatePaths has nothing to do to `path` itself: printable ASCII only, not starting
 * with `.`, no `/.` or `//`, no trailing `/` (empty counts: it stands alone).
 */
function isPlainPath(path: string): boolean {
  const n = path.length;
  if (n === 0) return true;
  if (path.charCodeAt(0) === 0x2e || path.charCodeAt(n - 1) === 0x2f) return false;
  let prevSlash = false;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return false;
    if (prevSlash && (c === 0x2e || c === 0x2f)) return false;
    prevSlash = c === 0x2f;
  }
  return true;
}

/**
 * Joins `dir` and `path` as libsinsp does (sinsp_utils::concatenate_paths): an absolute or empty
 * `path` stands alone; a relative one is appended to `dir` (which callers give with a trailing
 * `/`, it is not added). `.` and `..` components of `path` are resolved lexically (a `..` may climb
 * into `dir`), repeated `/` collapse, a trailing `/` is dropped, unprintable characters become
 * U+FFFD. `dir` itself is copied as is.
 */
export function concatenatePaths(dir: string, path: string): string {
  const relative = path.length !== 0 && path.charCodeAt(0) !== 0x2f;
  // Fast path, one scan: a printable ASCII `path` with nothing to resolve or clean (no `.`
  // component, no `//`, no trailing `/`) and short enough with `dir`.
  // (A UTF-16 unit is at most 3 UTF-8 bytes: short directories need no exact count.)
  if (isPlainPath(path) && MAX_PATH_BYTES >= (dir.length * 3 <= MAX_PATH_BYTES ? dir.length * 3 : utf8Length(dir)) + path.length + 1) {
    return relative ? dir + path : path;
  }
  if (MAX_PATH_BYTES < utf8Length(dir) + utf8Length(path) + 1) return TOO_LONG;
  const out: string[] = [];
  if (relative) {
    for (let i = 0; i < dir.length; i++) out.push(dir[i]!);
  }
  const emptyBase = out.length === 0;
  // The path ends at its end or at an embedded NUL (C string semantics).
  const nul = path.indexOf('\0');
  const end = nul === -1 ? path.length : nul;
  const at = (k: number): string => (k < end ? path[k]! : '');
  let i = 0;
  const rewind = (delta: number): void => {
    if (out.length <= 1) {
      i += delta;
      return;
    }
    out.pop();
    while (out.length >= 1 && out[out.length - 1] !== '/') out.pop();
    i += delta;
  };
  while (i < end) {
    const span = charSpan(path, i);
    if (span > 1) {
      out.push(path.slice(i, i + span));
      i += span;
    } else if (span < 0) {
      out.push(REPLACEMENT);
      i -= span;
    } else {
      const ch = path[i]!;
      if (ch === '.' && (out.length === 0 || out[out.length - 1] === '/')) {
        if (at(i + 1) === '.' && at(i + 2) === '/') rewind(3);
        else if (at(i + 1) === '.' && at(i + 2) === '') rewind(2);
        else if (at(i + 1) === '/') i += 2;
        else if (at(i + 1) === '') i += 1;
        else {
          out.push(ch);
          i++;
        }
      } else if (ch === '/') {
        if ((out.length > 0 && out[out.length - 1] === '/') || (out.length === 0 && !emptyBase)) i++;
        else {
          out.push(ch);
          i++;
        }
      } else {
        out.push(ch);
        i++;
      }
    }
  }
  if (out.length > 1 && out[out.length - 1] === '/') out.pop();
  return out.join('');
}

/** Collapses runs of `/` (libsinsp applies this light clean-up to fd.nameraw). */
export function removeDuplicateSeparators(s: string): string {
  return s.includes('//') ? s.replace(/\/{2,}/g, '/') : s;
}
