// Just enough C reading for the table generator (generate-tables.ts): comment stripping, `#define`
// and `enum` constants, integer constant expressions and brace initialisers. It reads the
// falcosecurity/libs driver headers as data; it is not a C preprocessor and knows nothing about
// conditional compilation beyond what the generator asks for explicitly.

/** Removes `/* *\/` and `//` comments (outside string and char literals) and joins `\`-continued lines. */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '"' || c === "'") {
      const end = skipLiteral(src, i);
      out += src.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      // Keep line structure so that later line-based scans still see the same lines.
      const body = src.slice(i, end < 0 ? src.length : end + 2);
      out += body.replace(/[^\n]/g, ' ');
      i = end < 0 ? src.length : end + 2;
    } else if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/\\\r?\n/g, ' ');
}

function skipLiteral(src: string, start: number): number {
  const quote = src[start];
  let i = start + 1;
  while (i < src.length && src[i] !== quote) {
    if (src[i] === '\\') i++;
    i++;
  }
  return i + 1;
}

/** `#define NAME VALUE` lines (object-like macros only), values as raw text. */
export function collectDefines(src: string): Map<string, string> {
  const defines = new Map<string, string>();
  for (const line of src.split('\n')) {
    const m = /^\s*#\s*define\s+([A-Za-z_]\w*)\b(?!\()\s*(.*)$/.exec(line);
    if (m) defines.set(m[1], m[2].trim());
  }
  return defines;
}

/** Members of every `enum { ... }` in the source, with C's implicit numbering. */
export function collectEnums(src: string, constants: ConstantResolver): Map<string, bigint> {
  const values = new Map<string, bigint>();
  const enumRe = /\benum\s*\w*\s*\{([^}]*)\}/g;
  for (const m of src.matchAll(enumRe)) {
    let next = 0n;
    for (const raw of m[1].split(',')) {
      const member = raw.trim();
      if (member === '' || member.startsWith('#')) continue;
      const eq = member.indexOf('=');
      const name = (eq < 0 ? member : member.slice(0, eq)).trim();
      if (!/^[A-Za-z_]\w*$/.test(name)) continue;
      const value = eq < 0 ? next : constants.evaluate(member.slice(eq + 1));
      values.set(name, value);
      constants.define(name, value);
      next = value + 1n;
    }
  }
  return values;
}

type Token = { kind: 'num'; value: bigint } | { kind: 'id'; text: string } | { kind: 'op'; text: string };

function tokenizeExpression(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|[-+*/%|&^~()!]))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read expression "${text}" at "${text.slice(pos)}"`);
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      const lit = m[1];
      // C: a leading 0 means octal.
      const value = /^0[0-7]+$/.test(lit) ? BigInt('0o' + lit.slice(1)) : BigInt(lit);
      tokens.push({ kind: 'num', value });
    } else if (m[2] !== undefined) {
      tokens.push({ kind: 'id', text: m[2] });
    } else {
      tokens.push({ kind: 'op', text: m[3] });
    }
  }
  return tokens;
}

const BINARY_PRECEDENCE: Record<string, number> = {
  '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

/** Evaluates integer constant expressions over known macros and enum members. */
export class ConstantResolver {
  private readonly values = new Map<string, bigint>();
  private readonly resolving = new Set<string>();

  constructor(private readonly macros: Map<string, string> = new Map()) {}

  define(name: string, value: bigint): void {
    this.values.set(name, value);
  }

  addMacros(macros: Map<string, string>): void {
    for (const [k, v] of macros) this.macros.set(k, v);
  }

  has(name: string): boolean {
    return this.values.has(name) || this.macros.has(name);
  }

  value(name: string): bigint {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const text = this.macros.get(name);
    if (text === undefined) throw new Error(`unknown constant ${name}`);
    if (this.resolving.has(name)) throw new Error(`recursive constant ${name}`);
    this.resolving.add(name);
    try {
      const v = this.evaluate(text);
      this.values.set(name, v);
      return v;
    } finally {
      this.resolving.delete(name);
    }
  }

  evaluate(text: string): bigint {
    const tokens = tokenizeExpression(text);
    let pos = 0;
    const peek = (): Token | undefined => tokens[pos];
    const expectOp = (op: string): void => {
      const t = tokens[pos++];
      if (!t || t.kind !== 'op' || t.text !== op) throw new Error(`expected "${op}" in "${text}"`);
    };
    const primary = (): bigint => {
      const t = tokens[pos++];
      if (!t) throw new Error(`unexpected end of expression "${text}"`);
      if (t.kind === 'num') return t.value;
      if (t.kind === 'id') return this.value(t.text);
      switch (t.text) {
        case '(': {
          // A cast such as (uint32_t) or (int64_t): skip it.
          const a = tokens[pos];
          const b = tokens[pos + 1];
          if (a?.kind === 'id' && /_t$|^(unsigned|int|long|char)$/.test(a.text) && b?.kind === 'op' && b.text === ')') {
            pos += 2;
            return primary();
          }
          const v = binary(0);
          expectOp(')');
          return v;
        }
        case '-': return -primary();
        case '+': return primary();
        case '~': return ~primary();
        case '!': return primary() === 0n ? 1n : 0n;
        default: throw new Error(`unexpected "${t.text}" in "${text}"`);
      }
    };
    const binary = (minPrecedence: number): bigint => {
      let left = primary();
      for (;;) {
        const t = peek();
        if (!t || t.kind !== 'op') break;
        const prec = BINARY_PRECEDENCE[t.text];
        if (prec === undefined || prec < minPrecedence) break;
        pos++;
        const right = binary(prec + 1);
        left = applyBinary(t.text, left, right);
      }
      return left;
    };
    const v = binary(0);
    if (pos !== tokens.length) throw new Error(`trailing tokens in expression "${text}"`);
    return v;
  }
}

function applyBinary(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '<<': return a << b;
    case '>>': return a >> b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    default: throw new Error(`unknown operator ${op}`);
  }
}

/**
 * A parsed brace initialiser: a list of entries, each a nested list, a string literal or an
 * expression kept as text; designators (`[X] =`, `.field =`) are recorded on the entry.
 */
export type InitValue =
  | { kind: 'list'; items: InitEntry[] }
  | { kind: 'string'; value: string }
  | { kind: 'expr'; text: string };

export interface InitEntry {
  /** `[INDEX] =` designator text, or `.name =` field name. */
  index?: string;
  field?: string;
  value: InitValue;
}

/** Parses the brace initialiser that starts at `src[start] === '{'`. */
export function parseInitializer(src: string, start: number): { value: InitValue; end: number } {
  let pos = start;
  const skipSpace = (): void => {
    while (pos < src.length && /\s/.test(src[pos])) pos++;
  };
  const parseValue = (): InitValue => {
    skipSpace();
    if (src[pos] === '{') {
      pos++;
      const items: InitEntry[] = [];
      for (;;) {
        skipSpace();
        if (src[pos] === '}') {
          pos++;
          break;
        }
        const entry: InitEntry = { value: { kind: 'expr', text: '' } };
        if (src[pos] === '[') {
          const close = src.indexOf(']', pos);
          entry.index = src.slice(pos + 1, close).trim();
          pos = close + 1;
          skipSpace();
          if (src[pos] !== '=') throw new Error(`expected = after designator at ${pos}`);
          pos++;
        } else if (src[pos] === '.') {
          const m = /^\.\s*([A-Za-z_]\w*)\s*=/.exec(src.slice(pos));
          if (m) {
            entry.field = m[1];
            pos += m[0].length;
          }
        }
        entry.value = parseValue();
        items.push(entry);
        skipSpace();
        if (src[pos] === ',') pos++;
      }
      return { kind: 'list', items };
    }
    if (src[pos] === '"') {
      // Adjacent string literals concatenate.
      let value = '';
      while (src[pos] === '"') {
        const end = skipLiteral(src, pos);
        value += JSON.parse(src.slice(pos, end)) as string;
        pos = end;
        skipSpace();
      }
      return { kind: 'string', value };
    }
    // An expression runs to the next top-level comma or closing brace.
    let depth = 0;
    const begin = pos;
    while (pos < src.length) {
      const c = src[pos];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if ((c === ',' || c === '}') && depth === 0) break;
      pos++;
    }
    return { kind: 'expr', text: src.slice(begin, pos).trim() };
  };
  const value = parseValue();
  return { value, end: pos };
}

/** Finds `NAME[...] = {` in the source and parses that initialiser. */
export function findArrayInitializer(src: string, name: string): InitValue {
  const re = new RegExp(`\\b${name}\\s*\\[[^\\]]*\\]\\s*=\\s*\\{`);
  const m = re.exec(src);
  if (!m) throw new Error(`array ${name} not found`);
  return parseInitializer(src, m.index + m[0].length - 1).value;
}

/** All `const struct TYPE NAME[...] = {` arrays of a given struct type, by name. */
export function findAllArrays(src: string, structType: string): Map<string, InitValue> {
  const re = new RegExp(`\\bstruct\\s+${structType}\\s+([A-Za-z_]\\w*)\\s*\\[[^\\]]*\\]\\s*=\\s*\\{`, 'g');
  const arrays = new Map<string, InitValue>();
  for (const m of src.matchAll(re)) {
    arrays.set(m[1], parseInitializer(src, m.index + m[0].length - 1).value);
  }
  return arrays;
}

export function asList(v: InitValue): InitEntry[] {
  if (v.kind !== 'list') throw new Error(`expected a braced list, got ${JSON.stringify(v)}`);
  return v.items;
}

export function asExpr(v: InitValue): string {
  if (v.kind !== 'expr') throw new Error(`expected an expression, got ${JSON.stringify(v)}`);
  return v.text;
}

export function asString(v: InitValue): string {
  if (v.kind !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v.value;
}
