// Definition order across items and files: redefinitions, appends and overrides (every form),
// visibility of macros and lists, loops, unused items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Loaded } from './helpers.js';
import { codes, errorOf, load, rule, warningsOf, yaml } from './helpers.js';

function listItems(l: Loaded, name: string): readonly string[] {
  return l.loader.compiled!.lists.find((x) => x.name === name)!.items;
}

test('a redefined list or macro replaces the earlier one in place', () => {
  const l = load(yaml`
    - list: bins
      items: [not_cat]
    - macro: is_cat
      condition: proc.name in (not_cat)
    - list: bins
      items: [cat]
    - macro: is_cat
      condition: proc.name in (bins)
    - rule: r
      desc: d
      condition: evt.type=open and is_cat
      output: o
      priority: INFO
  `);
  assert.deepEqual(l.last.errors, []);
  assert.deepEqual(listItems(l, 'bins'), ['cat']);
  assert.equal(l.loader.compiled!.lists.length, 1);
  assert.match(JSON.stringify(l.loader.compiled!.rules[0]!.ast), /"value":"cat"/);
  assert.doesNotMatch(JSON.stringify(l.loader.compiled!.rules[0]!.ast), /not_cat/);
});

test('rules see every macro; a macro sees only macros defined before its latest definition', () => {
  // rule before the macro it uses: fine
  assert.deepEqual(load(rule('r', 'evt.type=open and later') + '- macro: later\n  condition: proc.name=cat\n').last.errors, []);
  // macro before the macro it uses: undefined
  const early = load('- macro: early\n  condition: later\n- macro: later\n  condition: proc.name=cat\n' + rule('r', 'evt.type=open and early'));
  assert.deepEqual(errorOf(early.last), { code: 'LOAD_ERR_VALIDATE', message: "Undefined macro 'later' used in filter.", item: "macro 'early'" });
  // ...unless the early macro is redefined after it
  const redefined = load('- macro: early\n  condition: proc.name=ls\n- macro: later\n  condition: proc.name=cat\n- macro: early\n  condition: later\n' +
    rule('r', 'evt.type=open and early'));
  assert.deepEqual(redefined.last.errors, []);
});

test('lists: any condition sees every list; a list includes lists defined before it (one level)', () => {
  const l = load(yaml`
    - list: a
      items: [x]
    - list: b
      items: [a, y]
    - list: c
      items: [b, d]
    - list: d
      items: [z]
    - rule: r
      desc: d
      condition: evt.type=open and proc.name in (c, later)
      output: o
      priority: INFO
    - list: later
      items: [w]
  `);
  assert.deepEqual(l.last.errors, []);
  assert.deepEqual(listItems(l, 'b'), ['x', 'y']);
  // c takes b's items as written (`a` stays a word) and d is not visible to it
  assert.deepEqual(listItems(l, 'c'), ['a', 'y', 'd']);
  assert.equal(warningsOf(l.last, 'LOAD_UNUSED_LIST').length, 0);
});

test('a loop of lists and a loop of macros', () => {
  const lists = load(yaml`
    - list: list_a
      items: [open]
    - list: list_b
      items: [list_a]
    - list: list_a
      items: [list_b]
    - macro: macro_a
      condition: evt.type in (list_a)
    - rule: sample rule
      desc: testdesc
      condition: macro_a
      output: test
      priority: WARNING
  `);
  assert.deepEqual(errorOf(lists.last), { code: 'LOAD_ERR_COMPILE_CONDITION', message: 'unknown event type list_a', item: "rule 'sample rule'" });
  const macros = load('- macro: macro_a\n  condition: evt.type=open\n- macro: macro_b\n  condition: macro_a\n- macro: macro_a\n  condition: macro_b\n');
  const err = errorOf(macros.last);
  assert.equal(err?.code, 'LOAD_ERR_VALIDATE');
  assert.match(err!.message, /^reference loop in macro '/);
  assert.equal(err?.item, "macro 'macro_a'");
  // a macro defined once cannot see itself (it is visible only to later definitions)
  const self = errorOf(load('- macro: m\n  condition: m or proc.name=cat\n').last);
  assert.deepEqual(self?.message, "Undefined macro 'm' used in filter.");
});

test('list append: deprecated append flag, override append and replace, dangling append', () => {
  const l = load(yaml`
    - list: l
      items: [a]
    - list: l
      append: true
      items: [b]
    - list: l
      items: [c]
      override:
        items: append
    - rule: r
      desc: d
      condition: evt.type=open and proc.name in (l)
      output: o
      priority: INFO
  `);
  assert.deepEqual(l.last.errors, []);
  assert.deepEqual(listItems(l, 'l'), ['a', 'b', 'c']);
  assert.deepEqual(warningsOf(l.last, 'LOAD_DEPRECATED_ITEM').map((w) => w.message), [
    "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
  ]);
  const replaced = load('- list: l\n  items: [a]\n- list: l\n  items: [z]\n  override:\n    items: replace\n' + rule('r', 'evt.type=open and proc.name in (l)'));
  assert.deepEqual(listItems(replaced, 'l'), ['z']);
  assert.deepEqual(errorOf(load('- list: my_list\n  items: [x]\n  append: true\n').last), {
    code: 'LOAD_ERR_VALIDATE', message: "List uses 'append' or 'override.items: append' but no list by that name already exists", item: "list 'my_list'",
  });
  assert.deepEqual(errorOf(load('- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n  override:\n    items: append\n').last)?.message,
    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.");
});

test('macro append and override', () => {
  const l = load(yaml`
    - macro: m
      condition: evt.type=open
    - macro: m
      condition: and proc.name=cat
      override:
        condition: append
    - macro: m
      append: true
      condition: and fd.name=/etc/passwd
    - rule: r
      desc: d
      condition: m
      output: o
      priority: INFO
  `);
  assert.deepEqual(l.last.errors, []);
  assert.equal(l.loader.collection.macros.get('m')!.cond, 'evt.type=open and proc.name=cat and fd.name=/etc/passwd');
  assert.deepEqual(errorOf(load('- macro: dangling append\n  condition: and evt.type=execve\n  append: true\n').last), {
    code: 'LOAD_ERR_VALIDATE', message: "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists", item: "macro 'dangling append'",
  });
  assert.deepEqual(errorOf(load('- macro: m\n  condition: a\n  override:\n    condition: prepend\n').last)?.message,
    "Invalid override operation for key 'condition': 'prepend'. Allowed values are: append replace ");
});

test('rule appends (deprecated flag) and overrides of every key', () => {
  const l = load(yaml`
    - rule: r
      desc: first
      condition: evt.type=open
      output: out
      priority: INFO
      tags: [b]
    - rule: r
      append: true
      condition: and proc.name=cat
    - rule: r
      desc: more
      output: "(%proc.name)"
      tags: [a]
      condition: or proc.name=ls
      override:
        desc: append
        output: append
        tags: append
        condition: append
    - rule: r
      priority: ERROR
      enabled: false
      capture: true
      capture_duration: 10
      warn_evttypes: false
      skip-if-unknown-filter: true
      override:
        priority: replace
        enabled: replace
        capture: replace
        capture_duration: replace
        warn_evttypes: replace
        skip-if-unknown-filter: replace
  `);
  assert.deepEqual(l.last.errors, []);
  const r = l.loader.compiled!.rules[0]!;
  assert.equal(r.info.cond, 'evt.type=open and proc.name=cat or proc.name=ls');
  assert.equal(r.description, 'first more');
  assert.equal(r.output, 'out (%proc.name)');
  assert.deepEqual(r.tags, ['a', 'b']);
  assert.equal(r.priority, 3);
  assert.equal(r.info.enabled, false);
  assert.equal(r.capture, true);
  assert.equal(r.captureDuration, 10);
  assert.equal(r.info.warnEvttypes, false);
  assert.equal(r.info.skipIfUnknownFilter, true);

  const replaced = load(rule('r', 'evt.type=open', '  tags: [x]\n') +
    '- rule: r\n  condition: evt.type=close\n  desc: new\n  output: new out\n  tags: [y]\n  override:\n    condition: replace\n    desc: replace\n    output: replace\n    tags: replace\n');
  const rr = replaced.loader.compiled!.rules[0]!;
  assert.deepEqual([rr.info.cond, rr.description, rr.output, rr.tags], ['evt.type=close', 'new', 'new out', ['y']]);
});

test('rule override and append errors', () => {
  const base = rule('r', 'evt.type=open');
  const cases: [string, string, string][] = [
    ['- rule: my_rule\n  condition: evt.type=open\n  append: true\n', 'LOAD_ERR_VALIDATE', "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"],
    ['- rule: my_rule\n  priority: INFO\n  override:\n    priority: replace\n', 'LOAD_ERR_VALIDATE', "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists"],
    [base + '- rule: r\n  append: true\n', 'LOAD_ERR_VALIDATE', 'Appended rule must have exceptions or condition property'],
    [base + '- rule: r\n  priority: INFO\n  override:\n    priority: append\n', 'LOAD_ERR_YAML_VALIDATE', "Key 'priority' cannot be appended to, use 'replace' instead"],
    [base + '- rule: r\n  source: x\n  override:\n    source: replace\n', 'LOAD_ERR_YAML_VALIDATE', "Key 'source' cannot be replaced"],
    [base + '- rule: r\n  override:\n    desc: append\n', 'LOAD_ERR_YAML_VALIDATE', "An append override for 'desc' was specified but 'desc' is not defined"],
    [base + '- rule: r\n  desc: x\n  output: y\n  override:\n    desc: append\n', 'LOAD_ERR_YAML_VALIDATE', "Unexpected key 'output': no corresponding entry under 'override' is defined."],
    [base + '- rule: r\n  desc: x\n  append: true\n  override:\n    desc: append\n', 'LOAD_ERR_YAML_VALIDATE', "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."],
    [base + '- rule: r\n  priority: NOPE\n  override:\n    priority: replace\n', 'LOAD_ERR_YAML_VALIDATE', 'Invalid priority'],
    ['- rule: r\n  enabled: false\n', 'LOAD_ERR_VALIDATE', "Rule has 'enabled' key but no rule by that name already exists"],
  ];
  for (const [text, code, message] of cases) {
    const err = errorOf(load(text).last);
    assert.deepEqual([err?.code, err?.message], [code, message], text);
  }
});

test('enabled-only items switch earlier rules (deprecated form), from a later file too', () => {
  const l = load({ 'a.yaml': rule('open_from_cat', 'evt.type=open'), 'b.yaml': '- rule: open_from_cat\n  enabled: false\n' });
  assert.deepEqual(l.results.map((r) => r.successful), [true, true]);
  assert.deepEqual(warningsOf(l.last, 'LOAD_DEPRECATED_ITEM').map((w) => w.message), [
    "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').",
  ]);
  assert.equal(l.loader.compiled!.rules[0]!.info.enabled, false);
});

test('files share one collection: later files override earlier ones; each has its own result', () => {
  const l = load({
    'base.yaml': '- macro: some_macro\n  condition: evt.type=execve\n',
    'override.yaml': '- macro: some_macro\n  condition: foo\n  append: false\n',
  });
  assert.deepEqual(codes(l.results[0]!.warnings), ['LOAD_UNUSED_MACRO']);
  assert.ok(l.results[0]!.successful);
  assert.deepEqual(errorOf(l.results[1]!), { code: 'LOAD_ERR_VALIDATE', message: "Undefined macro 'foo' used in filter.", item: "macro 'some_macro'" });
  // no unused warnings from a failed compile
  assert.deepEqual(codes(l.results[1]!.warnings), []);
});

test('loading stops at the first error, also across documents of one file', () => {
  const l = load('---\n- macro: some_macro\n  condition: evt.type=execve\n---\n- macro: some_macro\n  condition: foo\n  append: false\n---\n- list: after\n  items: [a]\n');
  assert.equal(errorOf(l.last)?.message, "Undefined macro 'foo' used in filter.");
  const read = load('- list: ok\n  items: [a]\n- list: broken\n---\n- list: never\n  items: [b]\n');
  assert.equal(errorOf(read.last)?.message, "Item has no mapping for key 'items'");
  assert.ok(read.loader.collection.lists.get('ok'));
  assert.equal(read.loader.collection.lists.get('never'), undefined);
});

test('unused macros and lists: exactly those no rule or macro refers to', () => {
  const r = load(yaml`
    - list: used_by_list
      items: [a]
    - list: user_list
      items: [used_by_list]
    - list: unused_list
      items: [b]
    - list: used_by_unused_macro
      items: [c]
    - macro: inner
      condition: proc.name=x
    - macro: unused_macro
      condition: proc.name in (used_by_unused_macro) and inner
    - macro: used
      condition: proc.name in (user_list)
    - rule: r
      desc: d
      condition: evt.type=open and used
      output: o
      priority: INFO
  `).last;
  assert.deepEqual(r.errors, []);
  assert.deepEqual(warningsOf(r, 'LOAD_UNUSED_MACRO'), [{ message: 'Macro not referred to by any other rule/macro', item: "macro 'unused_macro'" }]);
  assert.deepEqual(warningsOf(r, 'LOAD_UNUSED_LIST'), [{ message: 'List not referred to by any other rule/macro', item: "list 'unused_list'" }]);
});

test('parse errors in macros are reported before macro resolution, with their position', () => {
  const l = load('- macro: some_macro\n  condition: evt.type=execve\n- macro: some_macro\n  condition: foo\n  append: true\n');
  const e = l.last.errors[0]!;
  assert.equal(e.code, 'LOAD_ERR_COMPILE_CONDITION');
  assert.equal(e.message, "unexpected token after 'execve', expecting 'or', 'and'");
  assert.equal(e.context.last.itemType, 'condition expression');
  assert.equal(e.context.last.name, '"evt.type=execve foo"');
});
