import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileCondition,
  compileConditionGroup,
  parseCondition,
  type CompiledCondition,
} from '../../../src/engine/condition/index.js';
import { extractions, pluginLikeSource, testSource, type TestEvent } from './test-source.js';

const compile = (c: string): CompiledCondition<TestEvent> => compileCondition(parseCondition(c), testSource);

test('a group gives the first and all matching conditions, in the order given', () => {
  const conds = ['proc.name = bash', 'fd.name startswith /etc', 'proc.name = zsh', 'proc.pid > 10'].map(compile);
  const g = compileConditionGroup(conds);
  const e: TestEvent = { name: 'bash', fdname: '/etc/passwd', pid: 42 };
  assert.equal(g.first(e), 0);
  const out: number[] = [];
  assert.equal(g.all(e, out), 3);
  assert.deepEqual(out, [0, 1, 3]);
  assert.equal(g.first({ name: 'zsh' }), 2);
  assert.equal(g.first({}), -1);
  assert.equal(compileConditionGroup([]).first(e), -1);
});

test('a group extracts each field once per event and evaluates shared checks once', () => {
  const g = compileConditionGroup([
    compile('evt.type in (open, openat) and proc.name = a'),
    compile('evt.type in (open, openat) and fd.name = x and proc.name = b'),
    compile('evt.type in (open, openat) and proc.name startswith c'),
    compile('not evt.type in (open, openat) or proc.name = bash'),
  ]);
  const out: number[] = [];
  extractions.clear();
  assert.equal(g.all({ type: 'open', name: 'bash', fdname: 'x' }, out), 1);
  assert.deepEqual(out, [3]);
  assert.equal(extractions.get('evt.type'), 1);
  assert.equal(extractions.get('proc.name'), 1);
  assert.equal(extractions.get('fd.name'), 1);
  // Next event: values are extracted again.
  assert.equal(g.first({ type: 'close', name: 'c' }), 3);
  assert.equal(extractions.get('evt.type'), 2);
  // Short-circuits still apply: no field of a condition is read past its first false check.
  extractions.clear();
  assert.equal(g.first({ type: 'close' }), 3);
  assert.equal(extractions.get('fd.name'), undefined);
});

test('a group agrees with evaluating each condition alone (random conditions and events)', () => {
  let seed = 777;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const atoms = [
    'evt.type = open', 'evt.type in (open, close)', 'proc.name = bash', 'proc.name in (a, bash)', 'proc.pid > 10',
    'fd.name startswith /etc', 'fd.name glob "*sh*"', 'proc.name exists', 'tolower(proc.name) = bash', 'fd.ip = 10.0.0.1',
    'proc.name = val(proc.pname)', 'proc.args intersects (x)',
  ];
  const gen = (depth: number): string => {
    const k = rnd(depth > 2 ? 2 : 5);
    if (k < 2) return atoms[rnd(atoms.length)]!;
    if (k === 2) return `not ${gen(depth + 1)}`;
    return `(${Array.from({ length: 2 + rnd(3) }, () => gen(depth + 1)).join(k === 3 ? ' and ' : ' or ')})`;
  };
  const events: TestEvent[] = [
    { type: 'open', name: 'bash', pname: 'bash', pid: 42, fdname: '/etc/shadow', sip: 0x0a000001 },
    { type: 'close', name: 'BASH', pid: 5, args: ['x'] },
    {},
    { type: 'open', name: 'a', fdname: '/tmp/sh' },
  ];
  for (let round = 0; round < 40; round++) {
    const conds = Array.from({ length: 12 }, () => compile(gen(0)));
    const g = compileConditionGroup(conds);
    for (const e of events) {
      const expected = conds.map((c, i) => (c.evaluate(e) ? i : -1)).filter((i) => i >= 0);
      const out: number[] = [];
      assert.equal(g.all(e, out), expected.length);
      assert.deepEqual(out, expected);
      assert.equal(g.first(e), expected[0] ?? -1);
    }
  }
});

test('a group needs conditions of one source, compiled by compileCondition', () => {
  const other = compileCondition(parseCondition('proc.name = a'), pluginLikeSource);
  assert.throws(() => compileConditionGroup([compile('proc.name = a'), other]), /different sources/);
  assert.throws(() => compileConditionGroup([{ evaluate: () => true, eventTypes: 'all', fields: [], warnings: [] }]), /not a condition compiled/);
});
