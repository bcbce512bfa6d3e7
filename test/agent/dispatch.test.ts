// The rules side of an event source, on the engine's test source (real loader, real ruleset, real
// extractors over plain objects): first/all matching, alerts with output text and output_fields
// (extra fields formatted or typed), statistics and the exit summary, a swap of rules between two
// events, and an evaluation failure that costs one event and is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertFactory, RuleStats } from '../../src/agent/alerts.js';
import { EVALUATION_ERROR, SourceDispatch, type DispatchRules } from '../../src/agent/dispatch.js';
import { RulesLoader, type AnySource, type ExtraOutputField } from '../../src/engine/loader/index.js';
import { Ruleset } from '../../src/engine/ruleset.js';
import type { Alert } from '../../src/outputs/alert.js';
import { SourceCounters } from '../../src/server/metrics.js';
import { pluginLikeSource, type TestEvent } from '../engine/condition/test-source.js';
import { captureLog } from '../outputs/helpers.js';

const RULES = `
- rule: cat
  desc: cat runs
  condition: proc.name = cat
  output: "cat ran %proc.cmdline"
  priority: WARNING
  source: plugin
  tags: [b, a]
- rule: anything
  desc: any event
  condition: proc.pid > 0
  output: "pid %proc.pid"
  priority: DEBUG
  source: plugin
`;

function load(rules: string, extraOutputFields: ExtraOutputField[] = []): Ruleset {
  const sources = [pluginLikeSource as AnySource];
  const loader = new RulesLoader({ sources, extraOutputFields });
  const result = loader.loadContent('rules.yaml', rules);
  assert.ok(result.successful, result.toText(loader.contents));
  return new Ruleset(loader.compiled!, sources);
}

function dispatchRules(ruleset: Ruleset, matchAll: boolean, withFields: boolean): DispatchRules {
  return { rules: ruleset.forSource('plugin'), matchAll, alerts: new AlertFactory('plugin', withFields), stats: new RuleStats(ruleset.rules) };
}

function setup(matchAll: boolean, withFields = false, extra: ExtraOutputField[] = []) {
  const ruleset = load(RULES, extra);
  const alerts: Alert[] = [];
  const counters = new SourceCounters('plugin');
  const rules = dispatchRules(ruleset, matchAll, withFields);
  const dispatch = new SourceDispatch<TestEvent>('plugin', rules, (e) => e.rawtime ?? 0n, (a) => alerts.push(a), counters);
  return { dispatch, alerts, counters, rules, ruleset };
}

const catEvent: TestEvent = { name: 'cat', pid: 42, cmdline: 'cat /etc/passwd', rawtime: 1_700_000_000_123_456_789n };
const lsEvent: TestEvent = { name: 'ls', pid: 7, cmdline: 'ls', rawtime: 1_700_000_001_000_000_000n };

test('rule_matching first: the first matching rule in load order, one alert per event', () => {
  const { dispatch, alerts, rules } = setup(false);
  assert.equal(dispatch.process(0, catEvent), 1);
  assert.equal(dispatch.process(0, lsEvent), 1);
  assert.deepEqual(alerts.map((a) => [a.rule, a.output]), [['cat', 'cat ran cat /etc/passwd'], ['anything', 'pid 7']]);
  const cat = alerts[0]!;
  assert.equal(cat.time, 1_700_000_000_123_456_789n);
  assert.equal(cat.source, 'plugin');
  assert.deepEqual(cat.tags, ['a', 'b']);
  assert.deepEqual(cat.outputFields, {}, 'text alerts carry no fields');
  assert.equal(rules.stats.format(), 'Events detected: 2\nRule counts by severity:\n   WARNING: 1\n   DEBUG: 1\n' +
    'Triggered rules by rule name:\n   cat: 1\n   anything: 1\n');
});

test('rule_matching all: every matching rule; JSON alerts carry the output fields and extra fields', () => {
  const extra: ExtraOutputField[] = [
    { key: 'who', format: 'user %proc.name', raw: false },
    { key: 'proc.pid', format: 'proc.pid', raw: true },
  ];
  const { dispatch, alerts } = setup(true, true, extra);
  assert.equal(dispatch.process(0, catEvent), 2);
  assert.deepEqual(alerts.map((a) => a.rule), ['cat', 'anything']);
  assert.deepEqual(alerts[0]!.outputFields, { 'proc.cmdline': 'cat /etc/passwd', who: 'user cat', 'proc.pid': 42 });
  assert.deepEqual(alerts[1]!.outputFields, { 'proc.pid': 42, who: 'user cat' });
});

test('replace() swaps the rules between two events', () => {
  const { dispatch, alerts, ruleset } = setup(false);
  dispatch.process(0, catEvent);
  ruleset.setEnabledByName('cat', 'exact', false);
  const next = load(RULES.replace('proc.name = cat', 'proc.name = ls'));
  dispatch.replace(dispatchRules(next, false, false));
  dispatch.process(0, lsEvent);
  dispatch.process(0, catEvent);
  assert.deepEqual(alerts.map((a) => a.rule), ['cat', 'cat', 'anything']);
});

test('an evaluation failure skips that event only, is counted and logged once', () => {
  const { dispatch, alerts, counters } = setup(false);
  const broken = { get name(): string { throw new Error('state is broken'); }, pid: 1 } as unknown as TestEvent;
  const log = captureLog();
  try {
    assert.equal(dispatch.process(0, broken), 0);
    assert.equal(dispatch.process(0, broken), 0);
    assert.equal(dispatch.process(0, catEvent), 1);
  } finally {
    log.restore();
  }
  assert.equal(counters.drops[EVALUATION_ERROR], 2);
  assert.deepEqual(alerts.map((a) => a.rule), ['cat']);
  const errors = log.messages.filter((m) => m.level === 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /Internal error while evaluating the plugin rules on an event of type 0 .*: state is broken/);
});
