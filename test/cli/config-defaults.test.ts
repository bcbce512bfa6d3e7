import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { Priority } from '../../src/engine/priority.js';
import { DEFAULT_RULES_FILE, DEFAULT_RULES_FILES } from '../../src/cli/config/defaults.js';
import { loadConfig } from '../../src/cli/config/load.js';
import { CONFIG_SCHEMA } from '../../src/cli/config/schema.js';
import { tempFiles } from './fixtures.js';

const NO_FILE = '/nonexistent/peregrine.yaml';
const FALCO_MIRROR = process.env.PEREGRINE_FALCO_MIRROR ?? '/work/.mirror/falcosecurity+falco/repo';

test('without a configuration file every key has its default', () => {
  const loaded = loadConfig({ defaultConfigFile: NO_FILE });
  assert.equal(loaded.mainFile, undefined);
  assert.deepEqual(loaded.files, []);
  assert.deepEqual(loaded.warnings, []);
  const c = loaded.config;
  // A few defaults users depend on, as falco.yaml states them.
  assert.equal(c.engine.kind, 'modern_ebpf');
  assert.equal(c.priority, Priority.Debug);
  assert.equal(c.rule_matching, 'first');
  assert.equal(c.webserver.listen_port, 8765);
  assert.equal(c.stdout_output.enabled, true);
  assert.deepEqual(c.syscall_event_drops.actions, ['log', 'alert']);
  assert.equal(c.syscall_event_drops.threshold, 0.1);
  assert.equal(c.metrics.interval_ms, 3_600_000);
  assert.equal(c.falco_libs.snaplen, 80);
  assert.deepEqual(c.load_plugins, []);
  // Peregrine's own rules come first, from the package (rules/peregrine_rules.yaml).
  assert.equal(c.rules_files[0], DEFAULT_RULES_FILE);
  assert.ok(existsSync(DEFAULT_RULES_FILE), DEFAULT_RULES_FILE);
  assert.deepEqual(c.append_output, [{ match: { tags: [] }, extra_fields: [], suggested_output: true }]);
});

test('config/peregrine.yaml loads to exactly the built-in defaults, without warnings', () => {
  const shipped = loadConfig({ configFile: path.join(REPO_ROOT, 'config', 'peregrine.yaml') });
  assert.deepEqual(shipped.warnings, []);
  assert.deepEqual(shipped.files.map((f) => f.validation), ['ok']);
  assert.deepEqual(shipped.config, loadConfig({ defaultConfigFile: NO_FILE }).config);
});

test("Falco 0.44.1's falco.yaml loads to exactly the built-in defaults", (t) => {
  if (!existsSync(FALCO_MIRROR)) {
    t.skip(`falcosecurity/falco mirror not found at ${FALCO_MIRROR} (set PEREGRINE_FALCO_MIRROR)`);
    return;
  }
  const text = execFileSync('git', ['-C', FALCO_MIRROR, 'show', '0.44.1:falco.yaml'], { encoding: 'utf8' });
  const dir = tempFiles(t);
  const file = path.join(dir, 'falco.yaml');
  writeFileSync(file, text);
  const falco = loadConfig({ configFile: file });
  assert.deepEqual(falco.warnings, []);
  // Except the rules: Peregrine's built-in default loads its own rules, Falco's file its own.
  assert.deepEqual(falco.config.rules_files, ['/etc/falco/falco_rules.yaml', '/etc/falco/falco_rules.local.yaml', '/etc/falco/rules.d']);
  assert.deepEqual({ ...falco.config, rules_files: [...DEFAULT_RULES_FILES] }, loadConfig({ defaultConfigFile: NO_FILE }).config);
});

test('the schema carries the defaults, and lists every top-level key of the typed configuration', () => {
  const props = CONFIG_SCHEMA.properties!;
  assert.equal(props.priority!.default, 'debug');
  assert.equal(props.webserver!.properties!.listen_port!.default, 8765);
  const typedKeys = Object.keys(loadConfig({ defaultConfigFile: NO_FILE }).config);
  for (const key of typedKeys) assert.ok(props[key], `schema lacks ${key}`);
});
