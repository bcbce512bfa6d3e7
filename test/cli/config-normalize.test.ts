import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../src/cli/config/load.js';
import { checkRunnable, parsePrometheusDuration } from '../../src/cli/config/normalize.js';
import { PLUGINS_DIR } from '../../src/cli/config/defaults.js';
import { tempFiles } from './fixtures.js';

function configOf(t: Parameters<typeof tempFiles>[0], yaml: string, overrides: string[] = []) {
  const dir = tempFiles(t, { 'c.yaml': `config_files: []\n${yaml}` });
  return loadConfig({ configFile: path.join(dir, 'c.yaml'), overrides }).config;
}

test('rules: selections keep their order, with a name glob and/or a tag', (t) => {
  const c = configOf(t, "rules:\n  - enable:\n      rule: 'Terminal Shell in Container'\n  - disable:\n      tag: experimental\n" +
    "  - enable:\n      rule: 'hello*'\n      tag: t\n");
  assert.deepEqual(c.rules, [
    { action: 'enable', rule: 'Terminal Shell in Container' },
    { action: 'disable', tag: 'experimental' },
    { action: 'enable', rule: 'hello*', tag: 't' },
  ]);
});

test('append_output entries: match, extra_output, both forms of extra_fields, suggested_output', (t) => {
  process.env.PEREGRINE_TEST_NODE = 'node-7';
  try {
    const c = configOf(t, 'append_output:\n  - match:\n      source: syscall\n      tags: ["persistence"]\n      rule: some rule name\n' +
      '    extra_output: "gparent=%proc.aname[2]"\n  - match:\n      tags: [persistence, execution]\n    extra_fields:\n' +
      '      - proc.aname[2]: "%proc.aname[2]"\n      - evt.hostname\n      - node: "${PEREGRINE_TEST_NODE}"\n  - suggested_output: true\n');
    assert.deepEqual(c.append_output, [
      { match: { source: 'syscall', tags: ['persistence'], rule: 'some rule name' }, extra_output: 'gparent=%proc.aname[2]', extra_fields: [], suggested_output: false },
      {
        match: { tags: ['persistence', 'execution'] },
        extra_fields: [{ name: 'proc.aname[2]', format: '%proc.aname[2]' }, { name: 'evt.hostname' }, { name: 'node', format: 'node-7' }],
        suggested_output: false,
      },
      { match: { tags: [] }, extra_fields: [], suggested_output: true },
    ]);
  } finally {
    delete process.env.PEREGRINE_TEST_NODE;
  }
});

test('plugins: init_config as map, string or null; open_params trimmed; relative library paths resolved', (t) => {
  const c = configOf(t, 'plugins:\n  - name: k8saudit\n    library_path: libk8saudit.so\n    init_config:\n      maxEventSize: 262144\n' +
    '      sslCertificate: /etc/falco/falco.pem\n    open_params: "  http://:9765/k8s-audit  "\n' +
    "  - name: json\n    library_path: /opt/plugins/libjson.so\n    init_config: '{\"a\": 1}'\n  - name: nothing\n    library_path: x/liby.so\n    init_config: null\n");
  assert.deepEqual(c.plugins, [
    { name: 'k8saudit', library_path: 'libk8saudit.so', library_path_resolved: path.join(PLUGINS_DIR, 'libk8saudit.so'),
      init_config: { maxEventSize: 262144, sslCertificate: '/etc/falco/falco.pem' }, open_params: 'http://:9765/k8s-audit' },
    { name: 'json', library_path: '/opt/plugins/libjson.so', library_path_resolved: '/opt/plugins/libjson.so', init_config: '{"a": 1}', open_params: '' },
    { name: 'nothing', library_path: 'x/liby.so', library_path_resolved: path.join(PLUGINS_DIR, 'x/liby.so'), init_config: '', open_params: '' },
  ]);
  // `plugins` without `load_plugins`: every listed plugin loads (Falco's rule).
  assert.deepEqual(c.load_plugins, ['k8saudit', 'json', 'nothing']);
});

test('load_plugins selects and orders plugins; empty loads none', (t) => {
  const plugins = 'plugins:\n  - {name: a, library_path: liba.so}\n  - {name: b, library_path: libb.so}\n';
  assert.deepEqual(configOf(t, `${plugins}load_plugins: [b, a]\n`).load_plugins, ['b', 'a']);
  assert.deepEqual(configOf(t, `${plugins}load_plugins: []\n`).load_plugins, []);
  assert.deepEqual(configOf(t, '').load_plugins, []);
});

test('syscall_event_drops: no actions means ignore; duplicates collapse', (t) => {
  assert.deepEqual(configOf(t, 'syscall_event_drops:\n  actions: []\n').syscall_event_drops.actions, ['ignore']);
  assert.deepEqual(configOf(t, 'syscall_event_drops:\n  actions: [log, exit, log]\n').syscall_event_drops.actions, ['log', 'exit']);
});

test('priority accepts any letter case and info', (t) => {
  assert.equal(configOf(t, 'priority: WARNING\n').priority, 4);
  assert.equal(configOf(t, 'priority: info\n').priority, 6);
  assert.equal(configOf(t, 'priority: Informational\n').priority, 6);
});

test('Prometheus durations', () => {
  assert.equal(parsePrometheusDuration('1h'), 3_600_000);
  assert.equal(parsePrometheusDuration('15m'), 900_000);
  assert.equal(parsePrometheusDuration('1m30s'), 90_000);
  assert.equal(parsePrometheusDuration('500ms'), 500);
  assert.equal(parsePrometheusDuration(' 1d 2h '), 93_600_000);
  assert.equal(parsePrometheusDuration('1w'), 604_800_000);
  assert.equal(parsePrometheusDuration('1y'), 31_536_000_000);
  assert.equal(parsePrometheusDuration('5000'), undefined);
  assert.equal(parsePrometheusDuration('5 minutes'), undefined);
  assert.equal(parsePrometheusDuration(''), undefined);
});

test('checks made only before running: supported engine, usable metrics', (t) => {
  assert.deepEqual(checkRunnable(configOf(t, '')), []);
  assert.match(checkRunnable(configOf(t, 'engine:\n  kind: kmod\n'))[0]!, /engine.kind 'kmod' is a Falco driver that Peregrine does not provide/);
  assert.match(checkRunnable(configOf(t, 'metrics:\n  enabled: true\n  interval: "5000"\n'))[0]!, /numeric value without Prometheus time unit/);
  assert.match(checkRunnable(configOf(t, 'metrics:\n  enabled: true\n  interval: 50ms\n'))[0]!, /minimum value of 100ms/);
  assert.match(checkRunnable(configOf(t, 'metrics:\n  enabled: true\n  output_rule: false\n'))[0]!, /Metrics are enabled with no output configured/);
  assert.deepEqual(checkRunnable(configOf(t, 'metrics:\n  enabled: true\n  interval: 30s\n')), []);
  // Not enabled: an odd interval is not a problem (Falco checks it only when metrics run).
  assert.deepEqual(checkRunnable(configOf(t, 'metrics:\n  interval: soon\n')), []);
});
