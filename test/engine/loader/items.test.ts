// Items of rules files: what each key means, defaults, decoding rules, and the checks Falco makes
// on each kind of item (with its message texts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Priority } from '../../../src/engine/priority.js';
import { codes, errorOf, load, rule, warningsOf, yaml } from './helpers.js';

test('a rule with every key, and defaults', () => {
  const { last, loader } = load(yaml`
    - rule: Full
      desc: all keys
      condition: evt.type = open and proc.name = cat
      output: "  opened (%proc.name)  "
      priority: critical
      source: syscall
      enabled: false
      tags: [zeta, alpha, zeta]
      capture: true
      capture_duration: 5000
      warn_evttypes: false
      skip-if-unknown-filter: true
    - rule: Defaults
      desc: d
      condition: evt.type = execve
      output: o
      priority: info
  `);
  assert.deepEqual(last.errors, []);
  const [full, defaults] = loader.compiled!.rules;
  assert.equal(full!.priority, Priority.Critical);
  assert.equal(full!.output, 'opened (%proc.name)', 'output is trimmed');
  assert.deepEqual(full!.tags, ['alpha', 'zeta'], 'tags are a sorted set');
  assert.equal(full!.info.enabled, false);
  assert.equal(full!.capture, true);
  assert.equal(full!.captureDuration, 5000);
  assert.equal(full!.info.warnEvttypes, false);
  assert.equal(full!.info.skipIfUnknownFilter, true);
  assert.equal(defaults!.priority, Priority.Informational);
  assert.equal(defaults!.source, 'syscall');
  assert.equal(defaults!.info.enabled, true);
  assert.equal(defaults!.capture, false);
  assert.deepEqual(defaults!.tags, []);
});

test('priorities in any letter case; anything else is invalid', () => {
  for (const p of ['EMERGENCY', 'Alert', 'critical', 'ERROR', 'warning', 'NOTICE', 'INFO', 'Informational', 'debug']) {
    assert.deepEqual(load(rule('r', 'evt.type=open').replace('WARNING', p)).last.errors, [], p);
  }
  const bad = load(rule('r', 'evt.type=open').replace('WARNING', 'LOUD')).last;
  assert.deepEqual(errorOf(bad), { code: 'LOAD_ERR_YAML_VALIDATE', message: 'Invalid priority', item: "rule 'r'" });
  assert.equal(bad.errors[0]!.context.last.itemType, 'rule priority');
});

test('required keys, empty values, scalar types', () => {
  const cases: [string, string, string][] = [
    ['- rule: r\n  desc: d\n  condition: evt.type=open\n  priority: INFO\n', "Item has no mapping for key 'output'", "rule 'r'"],
    ['- macro: m\n  nope: 1\n', "Item has no mapping for key 'condition'", "macro 'm'"],
    ['- list: l\n  no_items: [a]\n', "Item has no mapping for key 'items'", "list 'l'"],
    ['- list:\n  items: [a]\n', "Mapping for key 'list' is empty", 'list'],
    ['- macro: ""\n  condition: a\n', 'Value must be non-empty', "value for 'macro'"],
    ['- macro: [a]\n  condition: a\n', 'Value is not a scalar value', "value for 'macro'"],
    ['- list: l\n  items: a\n', 'Value is not a sequence', "value for 'items'"],
    ['- list: l\n  items: [a, [b]]\n', 'sequence value is not scalar', "value for 'items'"],
    [rule('r', 'evt.type=open', '  enabled: maybe\n'), "Can't decode YAML scalar value", "value for 'enabled'"],
    [rule('r', 'evt.type=open', '  capture_duration: -1\n'), "Can't decode YAML scalar value", "value for 'capture_duration'"],
    ['- foo\n', 'Unexpected element type. Each element should be a yaml associative array.', 'rules content item'],
  ];
  for (const [text, message, item] of cases) {
    const err = errorOf(load(text).last);
    assert.deepEqual(err, { code: 'LOAD_ERR_YAML_VALIDATE', message, item }, text);
  }
});

test('documents that are not sequences of maps', () => {
  assert.deepEqual(errorOf(load('This is not yaml\n').last), { code: 'LOAD_ERR_YAML_VALIDATE', message: 'Rules content is not yaml', item: 'rules content' });
  assert.deepEqual(errorOf(load('foo: bar\n').last), { code: 'LOAD_ERR_YAML_VALIDATE', message: 'Rules content is not yaml array of objects', item: 'rules content' });
  const parse = load('this : is : not : yaml\n').last;
  assert.deepEqual(errorOf(parse), { code: 'LOAD_ERR_YAML_PARSE', message: 'yaml-cpp: error at line 1, column 11: illegal map value', item: 'rules content' });
  // empty contents and null items are fine
  assert.deepEqual(load('').last.errors, []);
  assert.deepEqual(load('# only a comment\n').last.errors, []);
  assert.deepEqual(load('- \n- list: l\n  items: []\n').last.errors, []);
});

test('booleans and numbers decode as yaml-cpp decodes them', () => {
  const { loader, last } = load(rule('r', 'evt.type=open', '  enabled: "Off"\n  capture: Yes\n  capture_duration: 0x10\n'));
  assert.deepEqual(last.errors, []);
  const r = loader.compiled!.rules[0]!;
  assert.equal(r.info.enabled, false);
  assert.equal(r.capture, true);
  assert.equal(r.captureDuration, 16);
});

test('YAML that Falco accepts: flow sequences with operators, tags as in "desc: != x", anchors', () => {
  const { last, loader } = load(yaml`
    - list: ops
      items: [=, in]
    - rule: r
      desc: != after evt.type
      condition: evt.type=open
      output: o
      priority: INFO
    - list: &anchor_list a
      items: &items [x, y]
    - list: b
      items: *items
    - rule: r2
      desc: d
      condition: evt.type=open and proc.name in (a, b)
      output: o
      priority: INFO
  `);
  assert.deepEqual(last.errors, []);
  assert.equal(loader.compiled!.rules[0]!.description, 'after evt.type');
  assert.deepEqual(loader.compiled!.lists.find((l) => l.name === 'b')!.items, ['x', 'y']);
});

test('required_engine_version: integer N means 0.N.0, semver, mismatch and bad text', () => {
  assert.deepEqual(load('- required_engine_version: 15\n').last.errors, []);
  assert.deepEqual(load('- required_engine_version: 0.63.0\n').last.errors, []);
  assert.equal(load('- required_engine_version: 0.26.0-rc1\n').loader.requiredEngineVersion, '0.26.0');
  assert.deepEqual(errorOf(load('- required_engine_version: 9999999\n').last), {
    code: 'LOAD_ERR_VALIDATE',
    message: 'Rules require engine version 0.9999999.0, but engine version is 0.63.0',
    item: 'required_engine_version',
  });
  assert.deepEqual(errorOf(load('- required_engine_version: 1.0.0\n').last)?.message,
    'Rules require engine version 1.0.0, but engine version is 0.63.0');
  assert.deepEqual(errorOf(load('- required_engine_version: not-a-number\n').last), {
    code: 'LOAD_ERR_YAML_VALIDATE',
    message: 'Unable to parse engine version \'not-a-number\' as a semver string. Expected "x.y.z" semver format.',
    item: 'required_engine_version',
  });
  // the highest requirement is kept
  const { loader } = load({ a: '- required_engine_version: 0.10.0\n', b: '- required_engine_version: 0.57.0\n', c: '- required_engine_version: 20\n' });
  assert.equal(loader.requiredEngineVersion, '0.57.0');
});

test('required_plugin_versions with alternatives, checks and requirement matching', () => {
  const text = yaml`
    - required_plugin_versions:
        - name: k8saudit
          version: 0.18.0
          alternatives:
            - name: k8saudit-eks
              version: 0.9.0
        - name: json
          version: 0.7.0
  `;
  const { loader, last } = load(text);
  assert.deepEqual(last.errors, []);
  assert.deepEqual(loader.requiredPluginVersions.map((alts) => alts.map((a) => a.name)), [['k8saudit', 'k8saudit-eks'], ['json']]);
  assert.equal(loader.checkPluginRequirements([{ name: 'k8saudit-eks', version: '0.9.1' }, { name: 'json', version: '0.7.4' }]), undefined);
  assert.equal(loader.checkPluginRequirements([{ name: 'json', version: '0.7.4' }]),
    'Plugin requirement not satisfied, must load one of: k8saudit (>= 0.18.0), k8saudit-eks (>= 0.9.0)');
  assert.equal(loader.checkPluginRequirements([{ name: 'k8saudit', version: '0.17.0' }, { name: 'json', version: '0.7.4' }]),
    "Plugin 'k8saudit' version '0.17.0' is not compatible with required plugin version '0.18.0'");
  assert.equal(loader.checkPluginRequirements([{ name: 'k8saudit', version: '1.18.0' }]),
    "Plugin 'k8saudit' version '1.18.0' is not compatible with required plugin version '0.18.0'");

  assert.deepEqual(errorOf(load('- required_plugin_versions:\n  - name: p\n    version: latest\n').last), {
    code: 'LOAD_ERR_VALIDATE', message: "Invalid required version 'latest' for plugin 'p'", item: "required plugin versions entry 'p'",
  });
  assert.deepEqual(errorOf(load('- required_plugin_versions:\n  - name: p\n    version: 1.0.0\n    alternatives:\n      - name: p\n        version: 1.0.0\n').last)?.message,
    "Defined multiple alternative version requirements for plugin 'p'");
  assert.deepEqual(errorOf(load('- required_plugin_versions: p\n').last)?.message, 'Value of required_plugin_versions must be a sequence');
  assert.deepEqual(errorOf(load('- required_plugin_versions:\n  - p\n').last)?.message, 'Plugin version must be a mapping');
});

test('unknown keys and items are warnings; invalid macro and list names too', () => {
  const r = load(yaml`
    - list: l
      items: [a]
      itemz: [b]
    - macro: bad-name
      condition: evt.type=open
    - list: "bad name"
      items: []
    - something: else
    - rule: r
      desc: d
      condition: evt.type=open and proc.name in (l)
      output: o
      priority: INFO
      prority: INFO
  `).last;
  assert.deepEqual(r.errors, []);
  assert.deepEqual(warningsOf(r, 'LOAD_UNKNOWN_KEY'), [
    { message: "Unknown key 'itemz'. The key will be ignored.", item: "list 'l'" },
    { message: "Unknown key 'prority'. The key will be ignored.", item: "rule 'r'" },
  ]);
  assert.deepEqual(warningsOf(r, 'LOAD_UNKNOWN_ITEM'), [{ message: 'Unknown top level item', item: 'rules content item' }]);
  assert.deepEqual(warningsOf(r, 'LOAD_INVALID_MACRO_NAME'), [{
    message: 'Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)', item: "macro 'bad-name'",
  }]);
  assert.deepEqual(warningsOf(r, 'LOAD_INVALID_LIST_NAME'), [{
    message: 'List has an invalid name. List names should match a regular expression: ([^()"\'[:space:]=,]+)', item: "list 'bad name'",
  }]);
});

test('rules of unknown sources are kept but skipped, with a warning', () => {
  const { last, loader } = load(yaml`
    - rule: Cloud
      desc: d
      condition: ct.name = "StartInstances"
      output: o
      priority: INFO
      source: aws_cloudtrail
      exceptions:
        - name: e
          fields: [aws.user, aws.region]
    - rule: Cloud
      append: true
      condition: or ct.name = "StopInstances"
  `);
  assert.deepEqual(last.errors, []);
  assert.deepEqual(warningsOf(last, 'LOAD_UNKNOWN_SOURCE'), [{ message: 'Unknown source aws_cloudtrail, skipping', item: "rule 'Cloud'" }]);
  assert.deepEqual(loader.compiled!.rules, []);
});

test('a rule redefined with another source is an error', () => {
  const err = errorOf(load(rule('r', 'evt.type=open') + rule('r', 'ka.verb=get', '  source: k8s_audit\n')).last);
  assert.deepEqual(err, { code: 'LOAD_ERR_VALIDATE', message: 'Rule has been re-defined with a different source', item: "rule 'r'" });
});

test('k8s_audit rules compile against their own fields; syscall fields are unknown there', () => {
  const ok = load(rule('k', 'ka.verb = create and ka.target.resource = pods', '  source: k8s_audit\n'));
  assert.deepEqual(ok.last.errors, []);
  assert.deepEqual(warningsOf(ok.last, 'LOAD_NO_EVTTYPE'), [], 'no event-type warning for plugin sources');
  const bad = errorOf(load(rule('k', 'proc.name = cat', '  source: k8s_audit\n')).last);
  assert.equal(bad?.code, 'LOAD_ERR_COMPILE_CONDITION');
});

test('LOAD_NO_EVTTYPE for syscall rules without event-type restriction, unless warn_evttypes is false', () => {
  const r = load(rule('a', 'proc.name = cat') + rule('b', 'evt.type != open') + rule('c', 'proc.name = cat', '  warn_evttypes: false\n') +
    rule('d', 'evt.type in (open, openat)') + rule('e', 'evt.type = open and evt.type = close')).last;
  assert.deepEqual(warningsOf(r, 'LOAD_NO_EVTTYPE').map((w) => w.item), ["rule 'a'", "rule 'b'", "rule 'e'"]);
  assert.equal(warningsOf(r, 'LOAD_NO_EVTTYPE')[0]!.message, 'Rule matches too many evt.type values. This has a significant performance penalty.');
});

test('skip-if-unknown-filter turns unknown fields and event types into warnings and skips the rule', () => {
  const { last, loader } = load(
    rule('field', 'evt.type=open and proc.nobody=cat', '  skip-if-unknown-filter: true\n') +
    rule('evt', 'evt.type=some_invalid_event', '  skip-if-unknown-filter: true\n') +
    rule('output', 'evt.type=open', '  skip-if-unknown-filter: true\n').replace('output: o', 'output: x=%proc.nobody') +
    rule('legit', 'evt.type=open'),
  );
  assert.deepEqual(last.errors, []);
  assert.deepEqual(codes(last.warnings), ['LOAD_UNKNOWN_FILTER', 'LOAD_UNKNOWN_FILTER', 'LOAD_UNKNOWN_FILTER']);
  assert.equal(last.warnings[0]!.message, 'filter_check called with nonexistent field proc.nobody');
  assert.equal(last.warnings[1]!.message, 'unknown event type some_invalid_event');
  assert.deepEqual(loader.compiled!.rules.map((r) => r.name), ['legit']);
  const strict = load(rule('field', 'evt.type=open and proc.nobody=cat') + rule('evt', 'evt.type=some_invalid_event')).last;
  assert.deepEqual(strict.errors.map((e) => [e.code, e.message]), [['LOAD_ERR_COMPILE_CONDITION', 'filter_check called with nonexistent field proc.nobody']]);
});

test('output errors and deprecated things in outputs and conditions', () => {
  const bad = load(rule('r', 'evt.type=open').replace('output: o', 'output: "seen %not_a_real_field"')).last;
  assert.equal(errorOf(bad)?.code, 'LOAD_ERR_COMPILE_OUTPUT');
  assert.equal(bad.errors[0]!.context.last.itemType, 'rule output');
  const r = load(rule('r', 'evt.type=open and evt.dir = <').replace('output: o', 'output: "x %evt.latency %container.info"')).last;
  assert.deepEqual(r.errors, []);
  const deprecated = r.warnings.filter((w) => w.code === 'LOAD_DEPRECATED_ITEM');
  assert.deepEqual(deprecated.map((w) => w.deprecatedField ?? w.message.slice(0, 15)), ['%container.info', 'evt.latency', 'evt.dir']);
  assert.equal(deprecated[1]!.message, "usage of deprecated field 'evt.latency' has been detected in the rule output");
});

test('<NA> comparisons on ka.* fields are unsafe', () => {
  const r = load(rule('k', 'ka.verb = "<NA>"', '  source: k8s_audit\n')).last;
  assert.deepEqual(r.errors, []);
  assert.deepEqual(warningsOf(r, 'LOAD_UNSAFE_NA_CHECK'), [{ message: '', item: "rule 'k'" }]);
});
