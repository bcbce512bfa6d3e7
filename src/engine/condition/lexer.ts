// The tokens of Falco's condition language, read from a cursor that tracks offset, line and column.
//
// Token shapes are libsinsp's (filter/parser.cpp; its regexes are POSIX leftmost-longest, which
// for these patterns is what greedy sticky regexes give):
//   identifier  [a-zA-Z]+[a-zA-Z0-9_]*
//   field name  identifier ('.' identifier)+            proc.name, evt.arg.flags, ka.req.pod.x
//   field arg   anything but brackets, quotes and blanks proc.env[HOME], ka.x[0], foo[a/b:c]
//   hex number  0[xX][0-9a-fA-F]+
//   number      [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?   (an exponent needs its sign)
//   bare word   anything but ( ) " ' = , and blanks      /usr/bin, a<b, 10.0.0.0/8
//   quoted      '...' or "..." with backslash escapes
// Blanks between tokens are space, tab, backspace, CR and LF (libsinsp's lex_blank); a CR or LF
// starts a new line (so CRLF counts two, as in libsinsp). Offsets and columns count JavaScript
// string units, where libsinsp counts bytes: they differ only after non-ASCII characters.
// The parser decides which token may come where; the cursor only reads.
import { ConditionSyntaxError, type Position } from './ast.js';

const SPACE_CLASS = '[ \\t\\n\\v\\f\\r]'; // POSIX [[:space:]]
const RE_NOT_BLANK = new RegExp(`not${SPACE_CLASS}+`, 'y');
const RE_IDENTIFIER = /[a-zA-Z]+[a-zA-Z0-9_]*/y;
const RE_FIELD_NAME = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const RE_FIELD_ARG_BARE = /[^\]["' \t\n\v\f\r]+/y;
const RE_HEX_NUMBER = /0[xX][0-9a-fA-F]+/y;
const RE_NUMBER = /[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y;
const RE_BARE_WORD = /[^()"' \t\n\v\f\r=,]+/y;

/** A saved cursor state, to backtrack as libsinsp does. */
export interface CursorState {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly lastToken: string;
}

export class Cursor {
  offset = 0;
  line = 1;
  column = 1;
  /**
   * The last token read (blanks excluded), named in libsinsp's "unexpected token after '...'"
   * messages. Quoted strings leave their unescaped content here.
   */
  lastToken = '';

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  /** The current character, or '' at the end. */
  peek(): string {
    return this.offset < this.text.length ? this.text[this.offset]! : '';
  }

  position(): Position {
    return { offset: this.offset, line: this.line, column: this.column };
  }

  save(): CursorState {
    return { offset: this.offset, line: this.line, column: this.column, lastToken: this.lastToken };
  }

  restore(s: CursorState): void {
    this.offset = s.offset;
    this.line = s.line;
    this.column = s.column;
    this.lastToken = s.lastToken;
  }

  fail(message: string): never {
    throw new ConditionSyntaxError(message, this.position());
  }

  /** Moves over `n` characters, counting lines at CR and LF as libsinsp does. */
  private advance(n: number): void {
    const end = this.offset + n;
    for (let i = this.offset; i < end; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 10 || c === 13) {
        this.line++;
        this.column = 1;
      } else {
        this.column++;
      }
    }
    this.offset = end;
  }

  /** Skips blanks; true when there was at least one. Does not change lastToken. */
  blank(): boolean {
    const start = this.offset;
    for (;;) {
      const c = this.text.charCodeAt(this.offset);
      if (c === 32 || c === 9 || c === 8 || c === 13 || c === 10) this.advance(1);
      else break;
    }
    return this.offset > start;
  }

  private regex(re: RegExp): boolean {
    re.lastIndex = this.offset;
    const m = re.exec(this.text);
    if (m === null) return false;
    this.lastToken = m[0];
    this.advance(m[0].length);
    return true;
  }

  /** Reads `word` exactly if it comes next (libsinsp lex_helper_str: a plain prefix match). */
  literal(word: string): boolean {
    if (!this.text.startsWith(word, this.offset)) return false;
    this.lastToken = word;
    this.advance(word.length);
    return true;
  }

  /** One of `words`, tried in order (first match wins). */
  oneOf(words: readonly string[]): boolean {
    for (const w of words) if (this.literal(w)) return true;
    return false;
  }

  /**
   * One of the operators `ops`, tried in order. Word operators (`contains`) must be followed by
   * a blank, which is consumed; symbols (`=`, `<=`) and `in`/`exists` need none.
   */
  operator(ops: readonly string[], needsBlank: (op: string) => boolean): boolean {
    for (const op of ops) {
      if (!needsBlank(op)) {
        if (this.literal(op)) return true;
        continue;
      }
      const saved = this.save();
      if (this.literal(op)) {
        if (this.blank()) return true;
        this.restore(saved);
      }
    }
    return false;
  }

  notKeyword(): boolean {
    return this.regex(RE_NOT_BLANK);
  }

  identifier(): boolean {
    return this.regex(RE_IDENTIFIER);
  }

  fieldName(): boolean {
    return this.regex(RE_FIELD_NAME);
  }

  fieldArgBare(): boolean {
    return this.regex(RE_FIELD_ARG_BARE);
  }

  hexNumber(): boolean {
    return this.regex(RE_HEX_NUMBER);
  }

  number(): boolean {
    return this.regex(RE_NUMBER);
  }

  bareWord(): boolean {
    return this.regex(RE_BARE_WORD);
  }

  /** Whether an identifier comes next (without consuming it). */
  identifierFollows(): boolean {
    RE_IDENTIFIER.lastIndex = this.offset;
    return RE_IDENTIFIER.test(this.text);
  }

  /** Whether `and`, `or` or `not` comes next as a whole word. */
  boolKeywordFollows(): boolean {
    for (const kw of ['and', 'or', 'not']) {
      if (!this.text.startsWith(kw, this.offset)) continue;
      const next = this.text.charCodeAt(this.offset + kw.length);
      const alnum = (next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122);
      if (!alnum) return true;
    }
    return false;
  }

  /**
   * A quoted string. As in libsinsp, a delimiter preceded by a backslash never closes the string
   * (so `"a\\"` does not end at its last quote), and escapes are then decoded by unescape().
   * An unterminated string reads nothing (the cursor does not move).
   */
  quoted(): boolean {
    const delimiter = this.peek();
    if (delimiter !== '"' && delimiter !== "'") return false;
    let prev = '\\';
    for (let i = this.offset; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === delimiter && prev !== '\\') {
        const raw = this.text.slice(this.offset, i + 1);
        this.advance(raw.length);
        this.lastToken = unescape(raw, this);
        return true;
      }
      prev = c;
    }
    // libsinsp leaves the partial text as the last token.
    this.lastToken = this.text.slice(this.offset);
    return false;
  }
}

/**
 * Decodes a quoted token (delimiters included) as libsinsp's unescape_str does: \b \f \n \r \t,
 * \\ and \/ , the other quote kind's escape only inside its own quotes, and `\ ` which libsinsp
 * keeps as a backslash (a compatibility quirk for an old Falco rule). Other escapes are errors.
 */
function unescape(raw: string, cursor: Cursor): string {
  const quote = raw[0];
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i]!;
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case ' ':
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case '"':
        if (quote !== '"') cursor.fail('invalid \\" escape in \'-quoted string');
        out += '"';
        break;
      case "'":
        if (quote !== "'") cursor.fail('invalid \\\' escape in "-quoted string');
        out += "'";
        break;
      default:
        cursor.fail(`unsupported string escape sequence: \\${e}`);
    }
  }
  return out;
}
