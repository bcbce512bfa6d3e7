import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../src/cli/config/load.js';
import { ConfigError, UserError } from '../../src/cli/errors.js';
import { tempFiles } from './fixtures.js';

const NO_FILE = '/nonexistent/peregrine.yaml';
const withOptions = (...overrides: string[]) => loadConfig({ defaultConfigFile: NO_FILE, overrides }).config;

test('-o values are typed by the key they set', () => {
  const c = withOptions('json_output=true', 'webserver.listen_port=9000', 'syscall_event_drops.threshold=0.5',
    'engine.kind=replay', 'engine.replay.capture_file=/tmp/x.scap', 'time_format_iso_8601=yes');
  assert.equal(c.json_output, true);
  assert.equal(c.webserver.listen_port, 9000);
  assert.equal(c.syscall_event_drops.threshold, 0.5);
  assert.equal(c.engine.kind, 'replay');
  assert.equal(c.engine.replay.capture_file, '/tmp/x.scap');
  assert.equal(c.time_format_iso_8601, true);
});

test('-o on a nested key keeps the sibling keys of the file', (t) => {
  const dir = tempFiles(t, { 'c.yaml': 'config_files: []\nwebserver:\n  listen_port: 1234\n  enabled: false\n' });
  const c = loadConfig({ configFile: path.join(dir, 'c.yaml'), overrides: ['webserver.listen_address=127.0.0.1'] }).config;
  assert.equal(c.webserver.listen_port, 1234);
  assert.equal(c.webserver.enabled, false);
  assert.equal(c.webserver.listen_address, '127.0.0.1');
});

test('list indexes replace items; [] appends; a single value is a one-item list', (t) => {
  const dir = tempFiles(t, { 'c.yaml': 'config_files: []\nrules_files: [a.yaml, b.yaml]\n' });
  const file = path.join(dir, 'c.yaml');
  assert.deepEqual(loadConfig({ configFile: file, overrides: ['rules_files[1]=B.yaml'] }).config.rules_files, ['a.yaml', 'B.yaml']);
  assert.deepEqual(loadConfig({ configFile: file, overrides: ['rules_files[2]=c.yaml'] }).config.rules_files,
    ['a.yaml', 'b.yaml', 'c.yaml']);
  assert.deepEqual(loadConfig({ configFile: file, overrides: ['rules_files[]=c.yaml', 'rules_files[]=d'] }).config.rules_files,
    ['a.yaml', 'b.yaml', 'c.yaml', 'd']);
  assert.deepEqual(loadConfig({ configFile: file, overrides: ['rules_files=/only.yaml'] }).config.rules_files, ['/only.yaml']);
});

test('rules[] selections from -o, in order', () => {
  const c = withOptions('rules[].disable.tag=maturity_incubating', 'rules[].enable.rule=Adding ssh keys to authorized_keys',
    'rules[]={"disable": {"rule": "Netcat*"}}');
  assert.deepEqual(c.rules, [
    { action: 'disable', tag: 'maturity_incubating' },
    { action: 'enable', rule: 'Adding ssh keys to authorized_keys' },
    { action: 'disable', rule: 'Netcat*' },
  ]);
});

test('append_output[]={...} adds complete entries after the default one', () => {
  const c = withOptions(
    'append_output[]={"match": {"source": "syscall", "tags": ["persistence"], "rule": "some rule"}, "extra_output": "gparent=%proc.aname[2]"}',
    'append_output[]={"match": {"source": "k8s_audit"}, "extra_fields": ["ka.verb", {"static_field": "static content"}]}');
  // A user list replaces the default [{suggested_output: true}] only when set; `[]` starts a new list here.
  assert.deepEqual(c.append_output, [
    { match: { source: 'syscall', tags: ['persistence'], rule: 'some rule' }, extra_output: 'gparent=%proc.aname[2]', extra_fields: [], suggested_output: false },
    { match: { source: 'k8s_audit', tags: [] }, extra_fields: [{ name: 'ka.verb' }, { name: 'static_field', format: 'static content' }], suggested_output: false },
  ]);
});

test('escaped key names and values with = signs', () => {
  const c = withOptions('static_fields.kubernetes\\.io/role=master', 'static_fields.expr=a=b');
  assert.deepEqual(c.static_fields, { 'kubernetes.io/role': 'master', expr: 'a=b' });
});

test('-o values are not environment-expanded (the shell already did)', () => {
  process.env.PEREGRINE_TEST_HOME = '/home/x';
  try {
    assert.equal(withOptions('file_output.filename=${PEREGRINE_TEST_HOME}/e.txt').file_output.filename, '${PEREGRINE_TEST_HOME}/e.txt');
  } finally {
    delete process.env.PEREGRINE_TEST_HOME;
  }
});

test('malformed -o options are errors naming the option', () => {
  const cases: [string, RegExp][] = [
    ['json_output', /Error parsing config option "json_output"\. Must be of the form key=val/],
    ['a..b=1', /Config error at key "a\.\.b" in -o 'a\.\.b=1': empty key name at position 2/],
    ['webserver[0]=1', /Cannot apply -o 'webserver\[0\]=1': 'webserver' is a map, not a list/],
    ['rules_files[7]=x', /index 7 is out of range: 'rules_files' has 3 item\(s\)/],
    ['json_output.x=1', /'json_output' holds the value "false", not a map/],
    ['append_output[]={not: [yaml}', /^Error parsing config option "append_output\[\]=\{not: \[yaml\}": invalid YAML map: column \d+ of the value: /],
    ['json_output[]=1', /'json_output' holds the value "false", not a list/],
  ];
  for (const [option, message] of cases) {
    assert.throws(() => withOptions('json_output=false', 'webserver.enabled=true', 'rules_files[]=a', 'rules_files[]=b', 'rules_files[]=c', option),
      (e: unknown) => e instanceof UserError && message.test(e.message), option);
  }
});

test('a bad value from -o is reported against the option', () => {
  assert.throws(() => withOptions('webserver.listen_port=http'), (e: unknown) =>
    e instanceof ConfigError && e.message === `-o 'webserver.listen_port=http': webserver.listen_port: must be an integer, not the string "http"`);
});
