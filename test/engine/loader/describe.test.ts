// Rule descriptions (-L, -l RULE): Falco's text table, the JSON details, Markdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleDescriber, RuleNotLoadedError } from '../../../src/engine/describe.js';
import { ENV, load, yaml } from './helpers.js';

const RULES = yaml`
  - required_engine_version: 0.50.0
  - required_plugin_versions:
      - name: container
        version: 0.4.0
        alternatives:
          - name: other
            version: 1.0.0
  - list: cat_binaries
    items: [cat]
  - list: all_binaries
    items: [cat_binaries, ls]
  - macro: is_cat
    condition: proc.name in (cat_binaries)
  - rule: open_from_cat
    desc: A process named cat does an open
    condition: evt.type=open and is_cat
    output: "An open was seen (command=%proc.cmdline)"
    priority: WARNING
    tags: [filesystem, mitre]
    exceptions:
      - name: tmp
        fields: [fd.directory, proc.pname]
        comps: [=, in]
        values: [[/tmp, [bash, sh]]]
  - rule: open_from_cat
    enabled: false
  - rule: long description
    desc: >-
      This description is long enough to be wrapped over several lines of the table because it has
      many words that do not fit in the fifty-nine columns Falco leaves for it.
    condition: evt.type=execve and proc.name in (all_binaries)
    output: "exec %proc.name"
    priority: INFO
`;

function describer(): RuleDescriber {
  const { loader, last } = load(RULES);
  assert.deepEqual(last.errors, []);
  return new RuleDescriber(loader, { eventTypeName: ENV.eventTypeName, syscallSource: ENV.sources[0] });
}

test('text table: Falco columns, wrapped descriptions, a blank line after each rule', () => {
  const text = describer().text();
  assert.equal(text, [
    'Rule                                               Description',
    '----                                               -----------',
    'open_from_cat                                      A process named cat does an open ',
    '',
    'long description                                   This description is long enough to be wrapped over several ',
    '                                                   lines of the table because it has many words that do not ',
    '                                                   fit in the fifty-nine columns Falco leaves for it. ',
    '',
    '',
  ].join('\n'));
});

test('-l describes one rule even if disabled; an unknown rule is an error', () => {
  const d = describer();
  assert.match(d.text('open_from_cat'), /^Rule\s+Description\s+-+\s+-+\s+open_from_cat\s+A process named cat does an open/);
  assert.throws(() => d.text('invalid'), (e: unknown) => e instanceof RuleNotLoadedError && e.message === 'Rule "invalid" is not loaded');
});

test('JSON details of rules, macros and lists', () => {
  const all = describer().json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(all), ['lists', 'macros', 'required_engine_version', 'required_plugin_versions', 'rules']);
  assert.equal(all.required_engine_version, '0.50.0');
  assert.deepEqual(all.required_plugin_versions, [{ alternatives: [{ name: 'other', version: '1.0.0' }], name: 'container', version: '0.4.0' }]);
  const rule = (all.rules as Record<string, Record<string, unknown>>[])[0]!;
  assert.deepEqual(rule.info, {
    capture: false, capture_duration: 0, condition: 'evt.type=open and is_cat', description: 'A process named cat does an open',
    enabled: false, name: 'open_from_cat', output: 'An open was seen (command=%proc.cmdline)', priority: 'Warning', source: 'syscall',
    tags: ['filesystem', 'mitre'],
  });
  const details = rule.details as Record<string, unknown>;
  assert.deepEqual(details.macros, ['is_cat']);
  assert.deepEqual(details.lists, []);
  assert.deepEqual(details.condition_fields, ['evt.type', 'fd.directory', 'proc.name', 'proc.pname']);
  assert.deepEqual(details.condition_operators, ['=', 'in']);
  assert.deepEqual(details.exception_fields, ['fd.directory', 'proc.pname']);
  assert.deepEqual(details.exception_names, ['tmp']);
  assert.deepEqual(details.exception_operators, ['=', 'in']);
  assert.deepEqual(details.output_fields, ['proc.cmdline']);
  assert.deepEqual(details.events, ['open']);
  assert.deepEqual(details.plugins, []);
  assert.equal(typeof details.condition_compiled, 'string');
  const macro = (all.macros as Record<string, Record<string, unknown>>[])[0]!;
  assert.deepEqual(macro.info, { condition: 'proc.name in (cat_binaries)', name: 'is_cat' });
  assert.equal((macro.details as Record<string, unknown>).used, true);
  assert.deepEqual((macro.details as Record<string, unknown>).lists, ['cat_binaries']);
  const lists = all.lists as Record<string, Record<string, unknown>>[];
  assert.deepEqual(lists[1], {
    details: { items_compiled: ['cat', 'ls'], lists: ['cat_binaries'], plugins: [], used: true },
    info: { items: ['ls'], name: 'all_binaries' },
  });
  const one = describer().json('long description') as Record<string, unknown>;
  assert.deepEqual(Object.keys(one), ['rules']);
});

test('Markdown table', () => {
  const md = describer().markdown();
  assert.equal(md.split('\n')[0], '| Rule | Priority | Source | Tags | Description |');
  assert.match(md, /\| open_from_cat \| Warning \| syscall \| filesystem, mitre \| A process named cat does an open \|/);
});
