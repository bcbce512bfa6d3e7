import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyPathError, parseKeyPath } from '../../src/cli/config/key-path.js';

const key = (k: string) => ({ kind: 'key', key: k });
const index = (i: number) => ({ kind: 'index', index: i });
const append = { kind: 'append' };

test('dotted keys, list indexes, appends', () => {
  assert.deepEqual(parseKeyPath('json_output'), [key('json_output')]);
  assert.deepEqual(parseKeyPath('webserver.listen_port'), [key('webserver'), key('listen_port')]);
  assert.deepEqual(parseKeyPath('plugins[0].init_config.maxEventSize'),
    [key('plugins'), index(0), key('init_config'), key('maxEventSize')]);
  assert.deepEqual(parseKeyPath('matrix[1][3]'), [key('matrix'), index(1), index(3)]);
  assert.deepEqual(parseKeyPath('rules[].disable.tag'), [key('rules'), append, key('disable'), key('tag')]);
  assert.deepEqual(parseKeyPath('append_output[]'), [key('append_output'), append]);
});

test('backslash escapes ., [, ] and \\ in key names', () => {
  assert.deepEqual(parseKeyPath('annotations.kubernetes\\.io/role'), [key('annotations'), key('kubernetes.io/role')]);
  assert.deepEqual(parseKeyPath('a.example\\[0]'), [key('a'), key('example[0]')]);
  assert.deepEqual(parseKeyPath('a.example\\[0\\]'), [key('a'), key('example[0]')]);
  assert.deepEqual(parseKeyPath('a.back\\\\slash'), [key('a'), key('back\\slash')]);
  assert.deepEqual(parseKeyPath('level1\\.with\\.dots.inner'), [key('level1.with.dots'), key('inner')]);
});

test('malformed paths are errors that say where', () => {
  const cases: [string, RegExp][] = [
    ['', /empty key name/],
    ['.a', /empty key name at position 0/],
    ['a..b', /empty key name at position 2/],
    ['a.', /ends with '\.'/],
    ['a\\', /trailing backslash/],
    ['a\\x', /invalid escape sequence '\\x'/],
    ['a[x]', /expected a list index .* found 'x'/],
    ['a[-1]', /expected a list index/],
    ['a[0', /missing '\]'/],
    ['a[0]b', /expected '\.' or '\['/],
    ['[0]', /empty key name at position 0/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseKeyPath(text), (err: unknown) => err instanceof KeyPathError && message.test(err.message), text);
  }
});
