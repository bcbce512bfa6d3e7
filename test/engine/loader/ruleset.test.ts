// The ruleset: which compiled rules are candidates (minimum priority), enabled state (the rule's
// `enabled`, then selections by name and tag in order), dispatch by event type in enabling order,
// and first/all matching — on a small source of our own whose events are plain objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declareClass } from '../../../src/fields/declare.js';
import { Registry } from '../../../src/fields/registry.js';
import type { EventSourceDefinition } from '../../../src/engine/source.js';
import { RulesLoader, type CompiledRule } from '../../../src/engine/loader/index.js';
import { Ruleset } from '../../../src/engine/ruleset.js';
import { Priority } from '../../../src/engine/priority.js';

interface Evt {
  code: number;
  type: string;
  name: string;
}

/** Event types: open = codes 2 and 3, close = 4 and 5, execve = 6 and 7 (10 codes in all). */
const TYPES: Record<string, number[]> = { open: [2, 3], close: [4, 5], execve: [6, 7] };

function testSource(): EventSourceDefinition<Evt> {
  const registry = new Registry<Evt>('test', [declareClass({ name: 'test' }, [
    { name: 'evt.type', type: 'CHARBUF', desc: 'event type' },
    { name: 'proc.name', type: 'CHARBUF', desc: 'process name' },
  ])]);
  registry.implement('evt.type', () => ({ extract: (e) => e.type }));
  registry.implement('proc.name', () => ({ extract: (e) => e.name }));
  return { name: 'syscall', fields: registry, eventTypeCount: 10, eventTypeCodes: (n) => TYPES[n], hasEventTypes: true };
}

const RULES = `
- rule: open_cat
  desc: d
  condition: evt.type = open and proc.name = cat
  output: o
  priority: WARNING
  tags: [files]
- rule: any_cat
  desc: d
  condition: proc.name = cat
  output: o
  priority: INFO
  warn_evttypes: false
- rule: exec_debug
  desc: d
  condition: evt.type = execve
  output: o
  priority: DEBUG
  tags: [process, noisy]
- rule: off_by_default
  desc: d
  condition: evt.type in (open, close)
  output: o
  priority: ERROR
  enabled: false
  tags: [files]
`;

function build(minPriority?: Priority): { ruleset: Ruleset; source: EventSourceDefinition<Evt> } {
  const source = testSource();
  const loader = new RulesLoader({ sources: [source as EventSourceDefinition<unknown>] });
  const result = loader.loadContent('rules.yaml', RULES);
  assert.deepEqual(result.errors, []);
  return { ruleset: new Ruleset(loader.compiled!, [source as EventSourceDefinition<unknown>], { minPriority }), source };
}

const names = (rules: readonly CompiledRule[]): string[] => rules.map((r) => r.name);

test('dispatch tables: typed rules under their codes, untyped rules under every code, load order', () => {
  const { ruleset } = build();
  const rs = ruleset.forSource('syscall')!;
  assert.deepEqual(names(rs.rulesFor(2)), ['open_cat', 'any_cat']);
  assert.deepEqual(names(rs.rulesFor(4)), ['any_cat']);
  assert.deepEqual(names(rs.rulesFor(6)), ['any_cat', 'exec_debug']);
  assert.deepEqual(names(rs.rulesFor(9)), ['any_cat']);
  assert.deepEqual(names(ruleset.enabledRules()), ['open_cat', 'any_cat', 'exec_debug']);
  assert.deepEqual([...rs.enabledCodes()].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('first match and all matches follow the dispatch order', () => {
  const { ruleset } = build();
  const rs = ruleset.forSource('syscall')!;
  const openCat: Evt = { code: 2, type: 'open', name: 'cat' };
  assert.equal(rs.firstMatch(2, openCat)?.name, 'open_cat');
  const all: CompiledRule[] = [];
  assert.equal(rs.allMatches(2, openCat, all), 2);
  assert.deepEqual(names(all), ['open_cat', 'any_cat']);
  assert.equal(rs.firstMatch(2, { code: 2, type: 'open', name: 'ls' }), undefined);
  assert.equal(rs.firstMatch(6, { code: 6, type: 'execve', name: 'ls' })?.name, 'exec_debug');
});

test('minimum priority leaves less severe rules out for good', () => {
  const { ruleset } = build(Priority.Informational);
  const rs = ruleset.forSource('syscall')!;
  assert.deepEqual(names(rs.rules), ['open_cat', 'any_cat', 'off_by_default']);
  assert.equal(ruleset.setEnabledByName('exec_debug', 'exact', true), 0);
  assert.deepEqual(names(rs.rulesFor(6)), ['any_cat']);
});

test('selections by name (exact, substring, wildcard) and tag apply in order; re-enabled rules go last', () => {
  const { ruleset } = build();
  const rs = ruleset.forSource('syscall')!;
  ruleset.applySelections([{ operation: 'disable', rule: '*' }, { operation: 'enable', tag: 'files' }]);
  assert.deepEqual(names(ruleset.enabledRules()), ['open_cat', 'off_by_default']);
  assert.deepEqual(names(rs.rulesFor(4)), ['off_by_default']);
  ruleset.setEnabledByName('any', 'substring', true);
  // any_cat was enabled last: it comes after the others for open events
  assert.deepEqual(names(rs.rulesFor(2)), ['open_cat', 'off_by_default', 'any_cat']);
  ruleset.setEnabledByName('open_cat', 'exact', false);
  ruleset.setEnabledByName('open_cat', 'exact', true);
  assert.deepEqual(names(rs.rulesFor(2)), ['off_by_default', 'any_cat', 'open_cat']);
  // evaluation follows the new order (the compiled groups are rebuilt)
  const openCat: Evt = { code: 2, type: 'open', name: 'cat' };
  assert.equal(rs.firstMatch(2, openCat)?.name, 'off_by_default');
  const all: CompiledRule[] = [];
  rs.allMatches(2, openCat, all);
  assert.deepEqual(names(all), ['off_by_default', 'any_cat', 'open_cat']);
  rs.prepare();
  ruleset.setEnabledByTags(['noisy', 'other'], true);
  assert.ok(rs.isEnabled(ruleset.rule('exec_debug')!));
  // an empty exact pattern matches every rule, as in Falco
  assert.equal(ruleset.setEnabledByName('', 'exact', false), 4);
  assert.deepEqual(ruleset.enabledRules(), []);
});
