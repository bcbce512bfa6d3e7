import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  astToString,
  ConditionExpandError,
  expandCondition,
  parseCondition,
  type Ast,
  type ExpandContext,
} from '../../../src/engine/condition/index.js';
import { corpusOrSkip, corpusPath } from '../../helpers/corpus.js';

function ctx(macros: Record<string, string>, lists: Record<string, string[]>): ExpandContext {
  return {
    macros: new Map(Object.entries(macros).map(([k, v]) => [k, parseCondition(v)])),
    lists: new Map(Object.entries(lists)),
  };
}

const expanded = (text: string, c: ExpandContext): string => astToString(expandCondition(parseCondition(text), c).ast);

function expandError(text: string, c: ExpandContext): ConditionExpandError {
  try {
    expandCondition(parseCondition(text), c);
  } catch (e) {
    assert.ok(e instanceof ConditionExpandError, String(e));
    return e;
  }
  assert.fail('expected an expansion error');
}

test('macros are replaced by their conditions, recursively, and reported as used', () => {
  const c = ctx(
    { open_read: 'evt.type in (open, openat) and fd.name exists', is_cat: 'proc.name = cat', both: 'open_read and is_cat' },
    {},
  );
  const r = expandCondition(parseCondition('both or not is_cat'), c);
  assert.equal(astToString(r.ast), '(((evt.type in (open, openat) and fd.name exists) and proc.name = cat) or not proc.name = cat)');
  assert.deepEqual([...r.usedMacros].sort(), ['both', 'is_cat', 'open_read']);
  assert.deepEqual([...r.usedLists], []);
  // Nodes copied from a macro say so; positions stay relative to the macro's text.
  const ast = r.ast;
  assert.equal(ast.kind, 'or');
  const notNode = ast.kind === 'or' ? ast.children[1]! : ast;
  assert.equal(notNode.kind === 'not' && notNode.child.macro, 'is_cat');
  assert.equal(notNode.macro, undefined);
});

test('undefined macros and loops are errors naming the macro (loops reported first)', () => {
  const c = ctx({ a: 'b', b: 'a', ok: 'proc.name = x' }, {});
  const undef = expandError('ok and\n missing', c);
  assert.equal(undef.message, "Undefined macro 'missing' used in filter.");
  assert.equal(undef.code, 'undefined-macro');
  assert.deepEqual(undef.pos, { offset: 8, line: 2, column: 2 });
  const loop = expandError('missing or a', c);
  assert.equal(loop.message, "reference loop in macro 'a'");
  assert.equal(loop.code, 'macro-loop');
  assert.equal(loop.macro, 'b');
  // Expanding a macro's own condition: a reference back to it is a loop.
  const self = expandError('proc.name = x or me', { ...ctx({ me: 'proc.name = y or me' }, {}), selfMacro: 'me' });
  assert.equal(self.message, "reference loop in macro 'me'");
  // A macro used twice (not nested) is no loop.
  assert.equal(expanded('ok and ok', c), '(proc.name = x and proc.name = x)');
});

test('list names become their items, as Falco joins and re-reads them', () => {
  const c = ctx({}, {
    shells: ['bash', 'sh'],
    one: ['cat'],
    none: [],
    quoted: ['"/usr/bin/a b"', "'single'", 'plain word', 'x'],
    nested_use: ['shells'],
  });
  assert.equal(expanded('proc.name in (shells)', c), 'proc.name in (bash, sh)');
  assert.equal(expanded('proc.name in (ls, shells, ps)', c), 'proc.name in (ls, bash, sh, ps)');
  assert.equal(expanded('proc.name in (none, a)', c), 'proc.name in (a)');
  assert.equal(expanded('proc.name in (none)', c), 'proc.name in ()');
  // Quotes of items are read as quotes; items with a space stay whole.
  assert.equal(expanded('fd.name in (quoted)', c), 'fd.name in ("/usr/bin/a b", single, "plain word", x)');
  // A list name alone after a list operator or a modifier.
  assert.equal(expanded('proc.name in shells', c), 'proc.name in (bash, sh)');
  assert.equal(expanded('fd.name startswith anyof shells', c), 'fd.name startswith anyof (bash, sh)');
  assert.equal(expanded('fd.name pmatch (shells)', c), 'fd.name pmatch (bash, sh)');
  // A one-item list as a single value (list_sub_bare, list_sub_whitespace).
  assert.equal(expanded('proc.name= one or proc.name=nopey', c), '(proc.name = cat or proc.name = nopey)');
  assert.equal(expandError('proc.name = shells', c).message, "list 'shells' has 2 items but '=' compares with a single value");
  // Not inside longer words, not in quotes, not as macro names.
  // (astToString prints quoted values without their quotes when none are needed, as libsinsp.)
  assert.equal(expanded('proc.name in (my_shells, "shells")', c), 'proc.name in (my_shells, shells)');
  // Items are not substituted again, even when an item is a list name.
  assert.equal(expanded('proc.name in (nested_use)', c), 'proc.name in (shells)');
  const r = expandCondition(parseCondition('proc.name in (shells) and proc.name = one'), c);
  assert.deepEqual([...r.usedLists].sort(), ['one', 'shells']);
});

test('lists inside macros are replaced too', () => {
  const c = ctx({ is_shell: 'proc.name in (shells)' }, { shells: ['bash', 'zsh'] });
  const r = expandCondition(parseCondition('evt.type = execve and is_shell'), c);
  assert.equal(astToString(r.ast), '(evt.type = execve and proc.name in (bash, zsh))');
  assert.deepEqual([...r.usedLists], ['shells']);
  // Expanding an already expanded tree changes nothing.
  assert.equal(astToString(expandCondition(r.ast, c).ast), astToString(r.ast));
});

interface YamlItem {
  list?: string;
  items?: string[];
  macro?: string;
  rule?: string;
  condition?: string;
}

/** Lists and macros of a small rules file (no append/override: the list_sub files use none). */
function loadSmallRulesFile(file: string): { c: ExpandContext; rules: Map<string, Ast> } {
  const items = parseYaml(readFileSync(file, 'utf8')) as YamlItem[];
  const lists = new Map<string, string[]>();
  const macros = new Map<string, Ast>();
  const rules = new Map<string, Ast>();
  for (const it of items) {
    if (it.list !== undefined) lists.set(it.list, it.items ?? []);
    if (it.macro !== undefined) macros.set(it.macro, parseCondition(it.condition!));
    if (it.rule !== undefined) rules.set(it.rule, parseCondition(it.condition!));
  }
  return { c: { macros, lists }, rules };
}

test('the corpus list substitution shapes (list_sub_*, list_substring)', (t) => {
  if (corpusOrSkip(t) === undefined) return;
  const expect: Record<string, string> = {
    'list_sub_bare.yaml': '(evt.type = open and proc.name = cat)',
    'list_sub_front.yaml': '(evt.type = open and proc.name in (cat, ps))',
    'list_sub_mid.yaml': '(evt.type = open and proc.name in (ls, cat, ps))',
    'list_sub_end.yaml': '(evt.type = open and proc.name in (ls, cat))',
    'list_sub_whitespace.yaml': '(evt.type = open and (proc.name = cat or proc.name = nopey))',
    'list_substring.yaml': '(evt.type = open and fd.name in (file_my_list))',
  };
  for (const [file, want] of Object.entries(expect)) {
    const { c, rules } = loadSmallRulesFile(corpusPath('rules', file));
    const [rule] = [...rules.values()];
    assert.equal(astToString(expandCondition(rule!, c).ast), want, file);
  }
});

test('macros nested thousands deep are an error, not a stack overflow', () => {
  const macros = new Map<string, Ast>();
  const n = 20000;
  for (let i = 0; i < n; i++) macros.set(`m${i}`, parseCondition(i === n - 1 ? 'proc.name = x' : `not m${i + 1}`));
  const e = expandError('m0', { macros, lists: new Map() });
  assert.equal(e.code, 'too-deep');
  assert.equal(e.message, 'macros are nested too deeply to expand');
});
