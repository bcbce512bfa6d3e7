import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  compileCondition,
  conditionEventTypes,
  ConditionCompileError,
  matchesTooManyEventTypes,
  parseCondition,
} from '../../../src/engine/condition/index.js';
import { createSyscallSourceDefinition } from '../../../src/sources/syscall/definition.js';
import { corpusOrSkip, corpusPath } from '../../helpers/corpus.js';
import { codesOf, EVENT_TYPE_COUNT, pluginLikeSource, testSource } from './test-source.js';

/** The event-type set as sorted codes, 'all', or the complement of some codes ('all but'). */
function types(condition: string): number[] | 'all' {
  const t = conditionEventTypes(parseCondition(condition), testSource);
  return t === 'all' ? 'all' : [...t].sort((a, b) => a - b);
}

function allBut(...names: string[]): number[] {
  const excluded = new Set(codesOf(...names));
  return Array.from({ length: EVENT_TYPE_COUNT }, (_, i) => i).filter((i) => !excluded.has(i));
}

test('evt.type checks give their codes; other checks are neutral', () => {
  assert.deepEqual(types('evt.type = open'), codesOf('open'));
  assert.deepEqual(types('evt.type == open'), codesOf('open'));
  assert.deepEqual(types('evt.type in (open, execve)'), codesOf('open', 'execve'));
  assert.deepEqual(types('evt.type in (open, open)'), codesOf('open'));
  assert.deepEqual(types('evt.type = mlock'), [0, 1]);
  assert.deepEqual(types('proc.name = bash'), 'all');
  assert.deepEqual(types('evt.type exists'), 'all');
  assert.deepEqual(types('evt.type != open'), allBut('open'));
  // Other operators, modifiers and arguments on evt.type are neutral.
  assert.deepEqual(types('evt.type startswith open'), 'all');
  assert.deepEqual(types('evt.type = anyof (open, close)'), 'all');
  assert.deepEqual(types('evt.type intersects (open)'), 'all');
});

test('and intersects, or unites, not complements evt.type checks only (De Morgan)', () => {
  assert.deepEqual(types('evt.type = open and proc.name = cat'), codesOf('open'));
  assert.deepEqual(types('evt.type = open or evt.type = execve'), codesOf('open', 'execve'));
  assert.deepEqual(types('evt.type = open and evt.type = execve'), []);
  assert.deepEqual(types('evt.type in (open, execve) and evt.type in (execve, connect)'), codesOf('execve'));
  assert.deepEqual(types('evt.type = open or proc.name = x'), 'all');
  assert.deepEqual(types('not evt.type = open'), allBut('open'));
  assert.deepEqual(types('not evt.type != open'), codesOf('open'));
  assert.deepEqual(types('not not evt.type = open'), codesOf('open'));
  assert.deepEqual(types('not (evt.type = open or evt.type = close)'), allBut('open', 'close'));
  assert.deepEqual(types('not (evt.type = open and proc.name = x)'), 'all');
  assert.deepEqual(types('not (evt.type = open and evt.type = close)'), 'all');
  assert.deepEqual(types('evt.type = open and not proc.name = cat'), codesOf('open'));
  assert.deepEqual(types('not evt.type exists'), []);
  assert.deepEqual(types('not evt.type in (open, execve) or evt.type = connect'), allBut('open', 'execve'));
  // libsinsp quirk: a literal argument of a transformer on the left of a negated check.
  assert.deepEqual(types('not concat(proc.name, "x") = y'), []);
  assert.deepEqual(types('concat(proc.name, "x") = y'), 'all');
});

test('comparing evt.type with fields or transformers is refused by event code search', () => {
  assert.throws(
    () => types('evt.type = val(proc.name)'),
    (e: unknown) => e instanceof ConditionCompileError &&
      e.message === 'right-hand field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search',
  );
  assert.throws(
    () => types('tolower(evt.type) = open'),
    (e: unknown) => e instanceof ConditionCompileError && e.message === 'event code search does not support `evt.type` checks with transformers',
  );
});

test('sources without event types always match all', () => {
  assert.equal(conditionEventTypes(parseCondition('evt.type = open'), pluginLikeSource), 'all');
  assert.equal(matchesTooManyEventTypes('all', pluginLikeSource), false);
  assert.equal(compileCondition(parseCondition('proc.name = a'), pluginLikeSource).eventTypes, 'all');
});

interface RuleItem {
  rule: string;
  condition: string;
}

test('falco_rules_warnings.yaml: LOAD_NO_EVTTYPE rules and event-type sets on the real syscall table', (t) => {
  if (corpusOrSkip(t) === undefined) return;
  const source = createSyscallSourceDefinition<unknown>();
  const rules = parseYaml(readFileSync(corpusPath('rules', 'falco_rules_warnings.yaml'), 'utf8')) as RuleItem[];
  const cases = JSON.parse(readFileSync(corpusPath('cases.json'), 'utf8')) as {
    id: string;
    expect: { warning_contains: { code: string; item_name: string }[] };
    unchecked: { rules_events: Record<string, string[]> };
  }[];
  const warningsCase = cases.find((c) => c.id === 'falco_tests/test_warnings')!;
  const expectedNoEvttype = new Set(
    warningsCase.expect.warning_contains.filter((w) => w.code === 'LOAD_NO_EVTTYPE').map((w) => w.item_name),
  );
  const codes = (...names: string[]): number[] => [...new Set(names.flatMap((n) => [...(source.eventTypeCodes(n) ?? [])]))].sort((a, b) => a - b);
  // Falco 0.44's sets where the old suite's expectations (never checked since falco#1715) differ:
  // libsinsp keeps neutral checks neutral under negation.
  const modern: Record<string, string[]> = {
    not_before_trailing_evttype: ['execve', 'open'],
    not_equals_before_trailing_evttype: ['execve', 'open'],
    not_equals_before_in: ['connect', 'execve', 'open'],
    not_before_in: ['connect', 'execve', 'open'],
    not_in_before_in: ['connect', 'execve', 'open'],
    leading_in_not_equals_before_evttype: ['connect', 'execve', 'open'],
    not_equals_before_evttype: ['execve'],
    not_equals_before_in_evttype: ['execve', 'open'],
    not_before_evttype: ['execve'],
    not_before_evttype_using_in: ['execve', 'open'],
  };
  const flagged = new Set<string>();
  for (const r of rules) {
    const compiled = compileCondition(parseCondition(r.condition), source);
    if (matchesTooManyEventTypes(compiled.eventTypes, source)) flagged.add(r.rule);
    const names = modern[r.rule] ?? warningsCase.unchecked.rules_events[r.rule];
    assert.ok(names !== undefined, r.rule);
    if (names.length === 1 && names[0] === 'all') {
      assert.ok(matchesTooManyEventTypes(compiled.eventTypes, source), `${r.rule} should match too many event types`);
    } else {
      assert.notEqual(compiled.eventTypes, 'all', r.rule);
      assert.deepEqual([...(compiled.eventTypes as ReadonlySet<number>)].sort((a, b) => a - b), codes(...names), r.rule);
    }
  }
  assert.deepEqual([...flagged].sort(), [...expectedNoEvttype].sort());
});
