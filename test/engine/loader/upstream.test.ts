// The upstream rules files as Falco 0.44.1 loads them: the three syscall rules files together
// (in order) and the k8s audit rules with no error and no warning, schema validation ok; the
// plugin rules files parse (their sources are not built in, so their rules are skipped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RulesLoader, expandRulesPaths } from '../../../src/engine/loader/index.js';
import { RULES_FILE_SCHEMA } from '../../../src/engine/rule-schema.js';
import { corpusOrSkip } from '../../helpers/corpus.js';
import { ENV } from './helpers.js';

function loadFiles(files: readonly string[]): { loader: RulesLoader; results: ReturnType<RulesLoader['loadContent']>[] } {
  const loader = new RulesLoader({ sources: ENV.sources });
  return { loader, results: files.map((f) => loader.loadContent(f, readFileSync(f, 'utf8'))) };
}

test('falco, incubating and sandbox rules load together without errors or warnings', (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const files = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => path.join(corpus, 'upstream-rules', f));
  const { loader, results } = loadFiles(files);
  for (const r of results) {
    assert.deepEqual(r.errors.map((e) => e.message), [], r.name);
    assert.deepEqual(r.warnings.map((w) => `${w.code}: ${w.message}`), [], r.name);
    assert.equal(r.schemaValidation, 'ok', r.name);
  }
  assert.equal(loader.checkPluginRequirements(ENV.providedPlugins), undefined);
  const rules = loader.compiled!.rules;
  const defined = files.map((f) => readFileSync(f, 'utf8').match(/^- rule:/gm)?.length ?? 0).reduce((a, b) => a + b);
  assert.equal(rules.length, defined, 'every rule compiled');
  assert.ok(rules.every((r) => r.source === 'syscall'));
  // every rule has an event-type restriction (no LOAD_NO_EVTTYPE) and a compiled output
  assert.ok(rules.every((r) => r.compiled.eventTypes !== 'all' && r.outputFormat !== undefined));
});

test('k8s audit rules load against the built-in k8s_audit source', (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const { loader, results } = loadFiles([path.join(corpus, 'upstream-rules', 'k8s_audit_rules.yaml')]);
  assert.deepEqual(results[0]!.errors.map((e) => e.message), []);
  assert.deepEqual(results[0]!.warnings.map((w) => w.code), []);
  assert.ok(loader.compiled!.rules.length > 20);
  assert.equal(loader.checkPluginRequirements(ENV.providedPlugins), undefined);
});

test('plugin rules files parse; rules of sources that are not built in are skipped with a warning', (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const dir = path.join(corpus, 'upstream-rules', 'plugins');
  for (const sub of ['cloudtrail', 'gcpaudit', 'github', 'okta', 'k8saudit-gke']) {
    for (const file of expandRulesPaths([path.join(dir, sub)])) {
      const content = readFileSync(file, 'utf8');
      // the GKE file adds to the rules of the k8saudit plugin's file
      const base = sub === 'k8saudit-gke' ? [path.join(corpus, 'upstream-rules', 'k8s_audit_rules.yaml')] : [];
      const { results } = loadFiles([...base, file]);
      const r = results.at(-1)!;
      if (!content.includes('\n')) {
        // k8saudit-gke/k8s_audit_rules.yaml is a symbolic link stored as a one-line text file
        assert.equal(r.errors[0]?.message, 'Rules content is not yaml', file);
        continue;
      }
      assert.deepEqual(r.errors.map((e) => e.message), [], file);
      assert.ok(r.warnings.some((w) => w.code === 'LOAD_UNKNOWN_SOURCE') || r.warnings.length === 0, file);
      assert.equal(r.schemaValidation, 'ok', file);
    }
  }
});

test('the rule schema is a draft-07 schema of an array of items', () => {
  assert.equal(RULES_FILE_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(RULES_FILE_SCHEMA.type, 'array');
  const item = RULES_FILE_SCHEMA.definitions.Item;
  for (const key of ['rule', 'macro', 'list', 'condition', 'output', 'priority', 'exceptions', 'override', 'skip-if-unknown-filter']) {
    assert.ok(key in item.properties, key);
  }
});
