// Pure text transformations of the loader with Falco's exact semantics: list substitution in
// condition text, exception conditions, YAML scalar conversions, snippets, wildcards, wrapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substituteList } from '../../../src/engine/loader/compiler.js';
import { conditionWithExceptions, validateException, quoteItem } from '../../../src/engine/loader/exceptions.js';
import type { ExceptionEntry, ExceptionInfo } from '../../../src/engine/loader/items.js';
import { caretSnippet, LoadContext, RuleLoadError } from '../../../src/engine/loader/results.js';
import { decodeBool, decodeUint32 } from '../../../src/engine/loader/yaml.js';
import { matchesWildcard } from '../../../src/engine/ruleset.js';
import { wrapText } from '../../../src/engine/describe.js';

test('list names are replaced where they stand as words, with quoting of items with spaces', () => {
  assert.equal(substituteList('proc.name in (cat_binaries)', 'cat_binaries', ['cat', 'more']), 'proc.name in ( cat, more )');
  // bare use after '=' (list_sub_bare): Falco substitutes there too
  assert.equal(substituteList('proc.name=cat_binaries', 'cat_binaries', ['cat']), 'proc.name= cat ');
  assert.equal(substituteList('proc.name in (ls, cat_binaries, ps)', 'cat_binaries', ['cat']), 'proc.name in (ls, cat , ps)');
  assert.equal(substituteList('x in (a_list)', 'a_list', ['cat /dev/null', '"q u"']), 'x in ( "cat /dev/null", "q u" )');
  // not a word: part of a longer name, or inside a quoted string without blanks around
  assert.equal(substituteList('fd.name in (file_my_list)', 'my_list', ['x']), undefined);
  assert.equal(substituteList('proc.name = "my_list"', 'my_list', ['x']), undefined);
  // an empty list drops one neighbouring comma
  assert.equal(substituteList('x in (a, empty, b)', 'empty', []), 'x in (a  , b)');
  assert.equal(substituteList('x in (empty, b)', 'empty', []), 'x in (   b)');
  // every occurrence
  assert.equal(substituteList('a in (l) or b in (l)', 'l', ['1']), 'a in ( 1 ) or b in ( 1 )');
});

function ex(fields: ExceptionEntry, values: ExceptionEntry[], comps: ExceptionEntry = { isList: false, item: '' }): ExceptionInfo {
  return { ctx: LoadContext.root('t.yaml'), name: 'e', fields, comps, values };
}
const s = (item: string): ExceptionEntry => ({ isList: false, item });
const l = (...items: ExceptionEntry[]): ExceptionEntry => ({ isList: true, items });

test('exception conditions as Falco builds them', () => {
  const tuple = ex(l(s('proc.name'), s('proc.cmdline')), [l(s('cat'), s('cat /dev/null')), l(s('ls'), l(s('a b'), s('c')))]);
  validateException(tuple, undefined);
  assert.deepEqual(tuple.comps, l(s('='), s('=')));
  assert.equal(conditionWithExceptions('evt.type=open', [tuple]).condition,
    '(evt.type=open) and not (( proc.name = cat and  proc.cmdline = "cat /dev/null") or ( proc.name = ls and  proc.cmdline = ("a b", c)))');

  const single = ex(s('proc.cmdline'), [s('cat /dev/zero'), s('"cat /dev/null"')]);
  validateException(single, undefined);
  assert.deepEqual(single.comps, s('in'));
  assert.equal(conditionWithExceptions('c', [single]).condition, '(c) and not (proc.cmdline in ("cat /dev/zero", "cat /dev/null"))');

  // a value naming a list with a list operator gets parentheses (then list substitution applies)
  const listRef = ex(l(s('proc.name'), s('proc.cmdline')), [l(s('cat'), s('cat_cmdlines'))], l(s('='), s('in')));
  validateException(listRef, undefined);
  assert.equal(conditionWithExceptions('c', [listRef]).condition, '(c) and not (( proc.name = cat and  proc.cmdline in (cat_cmdlines)))');

  // no values: nothing added; fields of used exceptions are reported
  const empty = ex(l(s('proc.name')), []);
  validateException(empty, undefined);
  const built = conditionWithExceptions('c', [empty, single]);
  assert.equal(built.condition, '(c) and not (proc.cmdline in ("cat /dev/zero", "cat /dev/null"))');
  assert.deepEqual([...built.fields], ['proc.cmdline']);
});

test('exception validation messages', () => {
  const check = (e: ExceptionInfo, message: string): void => {
    assert.throws(() => { validateException(e, (f) => f.startsWith('proc.')); conditionWithExceptions('c', [e]); },
      (err: unknown) => err instanceof RuleLoadError && err.code === 'LOAD_ERR_VALIDATE' && err.message === message);
  };
  check(ex(l(s('proc.name'), s('fd.name')), [], l(s('='))), 'Fields and comps lists must have equal length');
  check(ex(l(s('proc.name')), [], l(s('no-comp'))), "'no-comp' is not a supported comparison operator");
  check(ex(l(s('not.exist')), []), "'not.exist' is not a supported filter field");
  check(ex(s('proc.name'), [], s('=')), 'When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)');
  check(ex(s('proc.name'), [], l(s('in'))), 'Fields and comps must both be strings');
  check(ex(l(s('proc.name'), s('proc.pname')), [l(s('nginx'))]), 'Fields and values lists must have equal length');
  check(ex(s('proc.name'), [l(s('a'))]), 'Expected values array to contain a list of strings');
  // comparison operators with a list modifier and blanks around them are accepted
  const mod = ex(s('proc.name'), [s('a')], s(' startswith oneof '));
  validateException(mod, () => true);
  assert.equal(conditionWithExceptions('c', [mod]).condition, '(c) and not (proc.name startswith oneof (a))');
  assert.equal(quoteItem("'a b'"), "'a b'");
});

test('YAML scalar conversions follow yaml-cpp', () => {
  for (const t of ['true', 'True', 'TRUE', 'yes', 'on', 'y', 'Y']) assert.equal(decodeBool(t), true, t);
  for (const f of ['false', 'No', 'OFF', 'n']) assert.equal(decodeBool(f), false, f);
  for (const bad of ['tRue', '1', '', 'truee']) assert.equal(decodeBool(bad), undefined, bad);
  assert.equal(decodeUint32('15'), 15);
  assert.equal(decodeUint32('0x10'), 16);
  assert.equal(decodeUint32('010'), 8);
  assert.equal(decodeUint32('7 '), 7);
  for (const bad of ['-1', ' 7', '0.26.0', '4294967296', 'abc']) assert.equal(decodeUint32(bad), undefined, bad);
});

test('snippets show the line with a caret, clamped past the end and shortened when long', () => {
  const text = 'first line\n  second: value\n';
  assert.equal(caretSnippet(text, 13), '  second: value\n  ^\n');
  // past the end (dangling key at end of file): the last character of the last line
  assert.equal(caretSnippet('a: b\nkey:', 100), 'key:\n   ^\n');
  const long = 'x'.repeat(300);
  const snip = caretSnippet(long, 150);
  assert.ok(snip.startsWith('...') && snip.split('\n')[0]!.endsWith('...'));
  assert.equal(snip.split('\n')[1]!.indexOf('^'), 80);
  assert.equal(caretSnippet('', 0), '<No context available>\n');
});

test('rule-name wildcards match as Falco matches them', () => {
  assert.ok(matchesWildcard('*', 'anything'));
  assert.ok(matchesWildcard('Open*', 'Open From Cat'));
  assert.ok(matchesWildcard('*From*', 'Open From Cat'));
  assert.ok(matchesWildcard('exact', 'exact'));
  assert.ok(!matchesWildcard('exact', 'exactly'));
  assert.ok(matchesWildcard('a*c', 'abc'));
  // a literal after '*' is matched at its first occurrence only
  assert.ok(!matchesWildcard('*a', 'aba'));
});

test('descriptions wrap as Falco wraps them', () => {
  assert.equal(wrapText('A process named cat does an open', 51, 110), 'A process named cat does an open ');
  const words = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
  const wrapped = wrapText(words, 51, 110);
  const lines = wrapped.split('\n');
  assert.equal(lines.length, 3);
  assert.ok(lines[1]!.startsWith(' '.repeat(51) + 'word'));
  assert.ok(lines.every((line) => line.trimStart().length <= 59));
});
