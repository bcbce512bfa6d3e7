// The `regex` operator: libsinsp compiles its patterns with RE2 in POSIX mode and matches the
// whole value (RE2::Match with ANCHOR_BOTH). This module reads that syntax and writes an
// equivalent JavaScript RegExp:
// - POSIX (egrep) syntax only: literals, `.`, `[...]` with ranges and `[:class:]`, `^`, `$`,
//   groups, `|`, `*` `+` `?` `{n}` `{n,}` `{n,m}` (at most 1000), escapes of punctuation,
//   \a \f \t \n \r \v, octal and \x hex escapes. Perl syntax is refused as RE2 refuses it in
//   POSIX mode: \d \s \w \b \pL \A \z, `(?i)`, `(?:`.
// - `.` does not match a line feed; `^` and `$` match at line starts and ends (RE2 without
//   one_line); negated classes do match a line feed.
// - Repeating a repetition (`a**`, `a*?`) is allowed and means what it says, as in POSIX.
// The JavaScript regex is anchored at both ends. It is written without the `u` flag and, for the
// usual leading `^` and trailing `$`, without lookarounds, so that V8 can switch to its
// linear-time engine when a match backtracks excessively (see enableLinearFallback): RE2's
// promise that no input can stall the engine is kept for the patterns V8's linear engine handles.
import v8 from 'node:v8';

export class RegexSyntaxError extends Error {}

let fallbackEnabled = false;

/**
 * Lets V8 retry a regex with its linear-time engine when backtracking explodes. A process-wide
 * V8 setting that never changes match results, only how long pathological matches take.
 */
export function enableLinearFallback(): void {
  if (fallbackEnabled) return;
  fallbackEnabled = true;
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}

/** A character as an escape valid in and out of classes without the `u` flag. */
export function escapeChar(code: number): string {
  // Letters and digits are safe as they are (and keep generated sources readable).
  if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
    return String.fromCharCode(code);
  }
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  const hi = Math.floor((code - 0x10000) / 0x400) + 0xd800;
  const lo = ((code - 0x10000) % 0x400) + 0xdc00;
  return `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\u0000-\\u007f',
  blank: '\\t ',
  cntrl: '\\u0000-\\u001f\\u007f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

interface Piece {
  readonly src: string;
  readonly repeated: boolean;
}

const LINE_START = '(?<![^\\n])';
const LINE_END = '(?![^\\n])';

class Re2PosixReader {
  private i = 0;
  private readonly chars: string[];

  constructor(private readonly pattern: string) {
    this.chars = [...pattern];
  }

  private fail(what: string, arg: string): never {
    throw new RegexSyntaxError(arg === '' ? what : `${what}: ${arg}`);
  }

  /** JS source of the whole pattern, without the outer anchors. */
  read(): string {
    const src = this.alternation(0);
    if (this.i < this.chars.length) this.fail('unexpected )', this.pattern);
    return src;
  }

  private alternation(depth: number): string {
    const branches = [this.concatenation(depth)];
    while (this.chars[this.i] === '|') {
      this.i++;
      branches.push(this.concatenation(depth));
    }
    return branches.join('|');
  }

  private concatenation(depth: number): string {
    const pieces: Piece[] = [];
    for (;;) {
      const ch = this.chars[this.i];
      if (ch === undefined || ch === '|' || ch === ')') break;
      const rep = this.repetitionAt(this.i);
      if (rep !== undefined) {
        const last = pieces.pop();
        if (last === undefined) this.fail('missing argument to repetition operator', rep.text);
        this.i += [...rep.text].length;
        pieces.push({ src: last.repeated ? `(?:${last.src})${rep.js}` : `${last.src}${rep.js}`, repeated: true });
        continue;
      }
      pieces.push({ src: this.atom(depth, pieces.length === 0), repeated: false });
    }
    return pieces.map((p) => p.src).join('');
  }

  /** A repetition operator at `at`, or undefined (a `{` that is no valid count is a literal). */
  private repetitionAt(at: number): { text: string; js: string } | undefined {
    const ch = this.chars[at];
    if (ch === '*' || ch === '+' || ch === '?') return { text: ch, js: ch };
    if (ch !== '{') return undefined;
    const rest = this.chars.slice(at, at + 24).join('');
    const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(rest);
    if (m === null) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : m[3] === '' ? -1 : Number(m[3]);
    if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo)) this.fail('invalid repetition size', m[0]);
    return { text: m[0], js: m[0] };
  }

  private atom(depth: number, firstInBranch: boolean): string {
    const ch = this.chars[this.i++]!;
    switch (ch) {
      case '(': {
        const inner = this.alternation(depth + 1);
        if (this.chars[this.i] !== ')') this.fail('missing )', this.pattern);
        this.i++;
        return `(?:${inner})`;
      }
      case '[':
        return this.charClass();
      case '.':
        return '[^\\n]';
      case '^':
        // At the start of a top-level branch, `^` is the start of the value: always true.
        return depth === 0 && firstInBranch ? '(?:)' : LINE_START;
      case '$': {
        const next = this.chars[this.i];
        return depth === 0 && (next === undefined || next === '|') ? '(?:)' : LINE_END;
      }
      case '\\':
        return escapeChar(this.escape(false));
      default:
        return escapeChar(ch.codePointAt(0)!);
    }
  }

  /** The character of an escape sequence (after the backslash). */
  private escape(inClass: boolean): number {
    const c = this.chars[this.i];
    if (c === undefined) this.fail('trailing \\', '');
    this.i++;
    if (c >= '0' && c <= '7') {
      // `\1`..`\7` alone would be a backreference, which RE2 does not support.
      if (c !== '0' && !/[0-7]/.test(this.chars[this.i] ?? '')) this.fail('invalid escape sequence', `\\${c}`);
      let v = c.charCodeAt(0) - 48;
      for (let k = 0; k < 2 && /[0-7]/.test(this.chars[this.i] ?? ''); k++) {
        v = v * 8 + (this.chars[this.i++]!.charCodeAt(0) - 48);
      }
      return v;
    }
    if (c === 'x') {
      if (this.chars[this.i] === '{') {
        const close = this.chars.indexOf('}', this.i);
        const hex = close < 0 ? '' : this.chars.slice(this.i + 1, close).join('');
        if (!/^[0-9a-fA-F]{1,8}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) {
          this.fail('invalid escape sequence', `\\x${this.chars.slice(this.i, close < 0 ? undefined : close + 1).join('')}`);
        }
        this.i = close + 1;
        return Number.parseInt(hex, 16);
      }
      const hex = this.chars.slice(this.i, this.i + 2).join('');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail('invalid escape sequence', `\\x${hex}`);
      this.i += 2;
      return Number.parseInt(hex, 16);
    }
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    const code = c.codePointAt(0)!;
    // Escaped ASCII punctuation (and `_`) is the character itself; letters, digits 8-9 and
    // non-ASCII characters are not escapes (Perl classes like \d are refused in POSIX mode).
    if (code < 0x80 && !/[A-Za-z0-9]/.test(c)) return code;
    void inClass;
    return this.fail('invalid escape sequence', `\\${c}`);
  }

  private classChar(): number {
    const c = this.chars[this.i]!;
    if (c === '\\') {
      this.i++;
      return this.escape(true);
    }
    this.i++;
    return c.codePointAt(0)!;
  }

  /** `[...]` after the opening bracket. */
  private charClass(): string {
    const start = this.i - 1;
    let negate = false;
    if (this.chars[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let body = '';
    let first = true;
    while (this.i < this.chars.length && (this.chars[this.i] !== ']' || first)) {
      const ch = this.chars[this.i]!;
      // POSIX: an unescaped `-` only first or last.
      if (ch === '-' && !first && this.chars[this.i + 1] !== ']' && this.i + 1 < this.chars.length) {
        this.fail('invalid character class range', this.chars.slice(this.i, this.i + 2).join(''));
      }
      first = false;
      if (ch === '[' && this.chars[this.i + 1] === ':') {
        const close = this.chars.join('').indexOf(':]', this.i + 2);
        if (close >= 0) {
          const name = this.chars.slice(this.i + 2, close).join('');
          const cls = POSIX_CLASSES[name];
          if (cls === undefined) this.fail('invalid character class range', `[:${name}:]`);
          body += cls;
          this.i = close + 2;
          continue;
        }
      }
      const lo = this.classChar();
      if (this.chars[this.i] === '-' && this.i + 1 < this.chars.length && this.chars[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classChar();
        if (hi < lo) this.fail('invalid character class range', `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
        body += `${escapeChar(lo)}-${escapeChar(hi)}`;
      } else {
        body += escapeChar(lo);
      }
    }
    if (this.i >= this.chars.length) this.fail('missing ]', this.chars.slice(start).join(''));
    this.i++;
    return `[${negate ? '^' : ''}${body}]`;
  }
}

/** The JavaScript equivalent of an RE2 POSIX pattern, anchored at both ends. */
export function translateRe2Posix(pattern: string): RegExp {
  const src = new Re2PosixReader(pattern).read();
  return new RegExp(`^(?:${src})$`);
}

const cache = new Map<string, (s: string) => boolean>();

/** Full-match predicate for a `regex` pattern; throws RegexSyntaxError with RE2's wording. */
export function regexMatcher(pattern: string): (s: string) => boolean {
  let m = cache.get(pattern);
  if (m === undefined) {
    enableLinearFallback();
    const re = translateRe2Posix(pattern);
    m = (s) => re.test(s);
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, m);
  }
  return m;
}
