// Key paths of `-o KEY=VALUE`, with Falco's grammar:
//
//   Key     := NodeKey ('.' NodeKey)*
//   NodeKey := (Char | Escape)+ ('[' Index? ']')*
//   Escape  := '\' ('.' | '[' | ']' | '\')
//
// `a.b[0].c` walks maps and lists; `a.b[]` appends a new list item (only when setting); a backslash
// makes the next `.`, `[`, `]` or `\` part of the key name (`annotations.kubernetes\.io/role`).

export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'append' };

export class KeyPathError extends Error {}

export function parseKeyPath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let name = '';
  let nameStarted = false;
  let i = 0;
  // After `]` only `.`, `[` or the end may follow; after `.` a name must follow.
  let expectDotOrBracket = false;

  const endName = (pos: number): void => {
    if (!nameStarted) throw new KeyPathError(`empty key name at position ${pos}`);
    segments.push({ kind: 'key', key: name });
    name = '';
    nameStarted = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      if (expectDotOrBracket) throw new KeyPathError(`expected '.' or '[' at position ${i}`);
      const next = text[i + 1];
      if (next === undefined) throw new KeyPathError(`trailing backslash at position ${i}`);
      if (next !== '.' && next !== '[' && next !== ']' && next !== '\\') {
        throw new KeyPathError(`invalid escape sequence '\\${next}' at position ${i} ` +
          "(only '\\.', '\\[', '\\]' and '\\\\' are allowed)");
      }
      name += next;
      nameStarted = true;
      i += 2;
      continue;
    }
    if (c === '.') {
      if (expectDotOrBracket) expectDotOrBracket = false;
      else endName(i);
      if (i === text.length - 1) throw new KeyPathError(`key path ends with '.'`);
      i++;
      continue;
    }
    if (c === '[') {
      if (!expectDotOrBracket) endName(i);
      const close = text.indexOf(']', i);
      if (close === -1) throw new KeyPathError(`missing ']' after position ${i}`);
      const inside = text.slice(i + 1, close);
      if (inside === '') segments.push({ kind: 'append' });
      else if (/^[0-9]+$/.test(inside)) segments.push({ kind: 'index', index: Number(inside) });
      else throw new KeyPathError(`expected a list index (a number, or nothing to append), found '${inside}'`);
      expectDotOrBracket = true;
      i = close + 1;
      continue;
    }
    if (expectDotOrBracket) throw new KeyPathError(`expected '.' or '[' at position ${i}`);
    name += c;
    nameStarted = true;
    i++;
  }
  if (!expectDotOrBracket) endName(text.length);
  return segments;
}
