import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../src/cli/config/load.js';
import { ConfigError } from '../../src/cli/errors.js';
import { tempFiles } from './fixtures.js';

function load(t: Parameters<typeof tempFiles>[0], yaml: string, overrides: string[] = []) {
  const dir = tempFiles(t, { 'c.yaml': `config_files: []\n${yaml}` });
  const file = path.join(dir, 'c.yaml');
  return { file, load: () => loadConfig({ configFile: file, overrides }) };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  assert.fail('expected a ConfigError');
}

test('unknown keys are warnings with file:line:column, and the file is marked failed', (t) => {
  const { file, load: run } = load(t, 'falco_libss:\n  thread_table_size: 50\nfalco_libs:\n  thread_table_sizeee: 50\n');
  const loaded = run();
  assert.deepEqual(loaded.warnings, [
    `${file}:2:1: unknown configuration key 'falco_libss' (ignored)`,
    `${file}:5:3: unknown configuration key 'falco_libs.thread_table_sizeee' (ignored)`,
  ]);
  assert.equal(loaded.files[0]!.validation, 'failed');
  assert.equal(loaded.config.falco_libs.thread_table_size, 262144);
});

test('wrong values are errors naming file:line:column, key and value; all are reported at once', (t) => {
  const { file, load: run } = load(t, 'falco_libs: 512\nwebserver:\n  listen_port: eighty\nrule_matching: best\njson_output: maybe\n');
  assert.deepEqual(problemsOf(run), [
    `${file}:2:1: falco_libs: must be a map, not the number 512`,
    `${file}:4:3: webserver.listen_port: must be an integer, not the string "eighty"`,
    `${file}:5:1: rule_matching: the string "best" is not allowed; use one of: first, all`,
    `${file}:6:1: json_output: must be a boolean (true or false), not the string "maybe"`,
  ]);
});

test('YAML syntax errors and duplicate keys name the position', (t) => {
  const bad = load(t, 'webserver:\n  enabled: [true\n');
  assert.match(problemsOf(bad.load)[0]!, new RegExp(`^${bad.file}:\\d+:\\d+: invalid YAML: `));
  const dup = load(t, 'json_output: true\njson_output: false\n');
  assert.match(problemsOf(dup.load)[0]!, new RegExp(`^${dup.file}:3:1: invalid YAML: Map keys must be unique`));
  const scalar = tempFiles(t, { 's.yaml': 'just text\n' });
  assert.throws(() => loadConfig({ configFile: path.join(scalar, 's.yaml') }), /s\.yaml:1:1: a configuration file must be a map/);
});

test("Falco's weak typing: booleans, numbers and lists written loosely", (t) => {
  const { load: run } = load(t, 'json_output: "yes"\nbuffered_outputs: On\nwebserver:\n  listen_port: "9000"\n' +
    'rules_files: /etc/x.yaml\nstatic_fields:\n  n: 5\n  b: true\noutputs_queue:\n  capacity: 0x10\n');
  const c = run().config;
  assert.equal(c.json_output, true);
  assert.equal(c.buffered_outputs, true);
  assert.equal(c.webserver.listen_port, 9000);
  assert.deepEqual(c.rules_files, ['/etc/x.yaml']);
  assert.deepEqual(c.static_fields, { n: '5', b: 'true' });
  assert.equal(c.outputs_queue.capacity, 16);
});

test('empty values: a map or list key means empty, a scalar key means its default', (t) => {
  const { load: run } = load(t, 'webserver:\nrules_files:\nlisten_port_holder: x\nfile_output:\n  filename:\n');
  const loaded = run();
  assert.equal(loaded.config.webserver.listen_port, 8765);
  assert.deepEqual(loaded.config.rules_files, []);
  assert.equal(loaded.config.file_output.filename, './events.txt');
});

test("Falco's semantic checks, with its messages and the value's position", (t) => {
  const cases: [string, string][] = [
    ['priority: loud\n', 'priority: Unknown priority "loud"--must be one of emergency'],
    ['engine:\n  kind: replay\n', "engine.kind is 'replay' but no engine.replay.capture_file specified."],
    ['file_output:\n  enabled: true\n  filename: ""\n', 'file output enabled but no filename in configuration block'],
    ['program_output:\n  enabled: true\n  program: ""\n', 'program output enabled but no program in configuration block'],
    ['http_output:\n  enabled: true\n', 'http output enabled but no url in configuration block'],
    ['webserver:\n  listen_address: 327.0.0.1\n', 'webserver listen address "327.0.0.1" is not a valid IP address'],
    ['syscall_event_drops:\n  actions: [ignore, log]\n', 'syscall event drop action "log" does not make sense with the "ignore" action'],
    ['syscall_event_drops:\n  threshold: 1.5\n', 'syscall_event_drops.threshold: must be at most 1, not 1.5'],
    ['syscall_event_timeouts:\n  max_consecutives: 0\n', 'syscall_event_timeouts.max_consecutives: must be at least 1, not 0'],
    ['load_plugins: [k8saudit]\n', "Cannot load plugin 'k8saudit': plugin config not found for given name"],
    ['plugins:\n  - name: evil\n    library_path: ../../tmp/evil.so\n', "plugin library_path '../../tmp/evil.so' resolves outside the plugins directory"],
    ['plugins:\n  - name: evil\n    library_path: sub/../../../x.so\n', 'resolves outside the plugins directory'],
    ['plugins:\n  - library_path: libx.so\n', "plugins[0]: missing required key 'name'"],
    ['rules_files: [a.yaml]\nrules_file: [b.yaml]\n', "both 'rules_files' and 'rules_file' keys set"],
    ['rules:\n  - enable: {}\n', "rules[0].enable: needs a 'rule:' name or a 'tag:'"],
    ['rules:\n  - {enable: {rule: a}, disable: {rule: b}}\n', "rules[0]: needs exactly one of 'enable:' or 'disable:'"],
    ['append_output:\n  - extra_fields: [a, {a: "%x"}]\n', "append_output[0].extra_fields[1]: defines 'a' more than once"],
    ['append_output:\n  - extra_fields: [[a]]\n', 'append_output[0].extra_fields[0]: must be a field name, or a map {name: format}, not a list'],
    ['engine:\n  kind: kernel\n', 'engine.kind: the string "kernel" is not allowed; use one of: modern_ebpf, replay, nodriver, kmod, ebpf, gvisor'],
  ];
  for (const [yaml, expected] of cases) {
    const { file, load: run } = load(t, yaml);
    const problems = problemsOf(run);
    assert.equal(problems.length, 1, `${yaml} → ${problems.join(' | ')}`);
    assert.ok(problems[0]!.startsWith(`${file}:`), problems[0]);
    assert.ok(problems[0]!.includes(expected), `${problems[0]} should include ${expected}`);
  }
});

test('valid IPv4 and IPv6 listen addresses', (t) => {
  for (const address of ['127.0.0.1', '0.0.0.0', '::', '::1', '1200:0000:AB00:1234:0000:2552:7777:1313', '21DA:D3:0:2F3B:2AA:FF:FE28:9C5A']) {
    const { load: run } = load(t, '', [`webserver.listen_address=${address}`]);
    assert.equal(run().config.webserver.listen_address, address);
  }
});

test('deprecated and compatibility-only keys are warnings', (t) => {
  const { file, load: run } = load(t, 'rules_file: [old.yaml]\ncontainer_engines:\n  docker:\n    enabled: true\n');
  const loaded = run();
  assert.deepEqual(loaded.config.rules_files, ['old.yaml']);
  assert.deepEqual(loaded.warnings, [
    `${file}:2:1: rules_file: Using deprecated config key 'rules_file' (singular form). Please use new 'rules_files' config key (plural form).`,
    `${file}:3:1: configuration key 'container_engines' is accepted for compatibility and has no effect in Peregrine ` +
      '(the container plugin settings (plugins[].init_config))',
  ]);
});

test('append_output with both a rule and tags warns as Falco does', (t) => {
  const { load: run } = load(t, 'append_output:\n  - match:\n      rule: R\n      tags: [a, b]\n    extra_output: x\n');
  const loaded = run();
  assert.equal(loaded.warnings.length, 1);
  assert.match(loaded.warnings[0]!, /specifies both a rule \(R\) and a list of tags \(a, b\)/);
});
