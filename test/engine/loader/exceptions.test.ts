// Rule exceptions through the loader: every form Falco accepts, appended exceptions and values,
// and the errors and warnings for malformed ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, load, rule, warningsOf } from './helpers.js';

const BASE = '- rule: Open From Cat\n  desc: d\n  condition: evt.type=open and proc.name=cat\n  output: o\n  priority: WARNING\n';

function compiledCondition(text: string): string {
  const l = load(text);
  assert.deepEqual(l.last.errors.map((e) => e.message), []);
  return l.loader.compiled!.rules[0]!.condition;
}

test('tuples of fields with default and explicit comps, values as tuples, value lists and list references', () => {
  assert.equal(compiledCondition(BASE + `  exceptions:
    - name: proc_name_cmdline
      fields: [proc.name, proc.cmdline]
      comps: [=, in]
      values:
        - [cat, [cat /dev/zero, "cat /dev/null"]]
        - [cat, cat_cmdlines]
        - [ls, (cat_cmdlines)]
    - name: no_values
      fields: [proc.name, proc.pname]
- list: cat_cmdlines
  items: [cat /dev/zero, "cat /dev/null"]
`), '(evt.type=open and proc.name=cat) and not (( proc.name = cat and  proc.cmdline in ("cat /dev/zero", "cat /dev/null"))' +
    ' or ( proc.name = cat and  proc.cmdline in (cat_cmdlines)) or ( proc.name = ls and  proc.cmdline in (cat_cmdlines)))');
});

test('single field: default comp in, values one per line, quoting', () => {
  assert.equal(compiledCondition(BASE + `  exceptions:
    - name: proc_cmdline
      fields: proc.cmdline
      values:
        - cat /dev/zero
        - "cat /dev/null"
        - '"already quoted"'
`), '(evt.type=open and proc.name=cat) and not (proc.cmdline in ("cat /dev/zero", "cat /dev/null", "already quoted"))');
  assert.equal(compiledCondition(BASE + `  exceptions:
    - name: prefixes
      fields: fd.name
      comps: startswith oneof
      values: [/tmp, /var/tmp]
`), '(evt.type=open and proc.name=cat) and not (fd.name startswith oneof (/tmp, /var/tmp))');
});

test('exceptions appended to a rule: new exceptions, and values added to an existing one', () => {
  const text = BASE + `  exceptions:
    - name: proc_name_cmdline
      fields: [proc.name, proc.cmdline]
- rule: Open From Cat
  exceptions:
    - name: proc_name_cmdline
      values:
        - [not-cat, not-cat]
        - [cat, '"cat /dev/null"']
    - name: proc_cmdline
      fields: proc.cmdline
      comps: in
      values: ["cat /dev/zero"]
  append: true
`;
  assert.equal(compiledCondition(text), '(evt.type=open and proc.name=cat) and not (( proc.name = not-cat and  proc.cmdline = not-cat)' +
    ' or ( proc.name = cat and  proc.cmdline = "cat /dev/null")) and not (proc.cmdline in ("cat /dev/zero"))');
  // override form, and a warning for an appended exception without values
  const l = load(BASE + `  exceptions:
    - name: e
      fields: [proc.name]
- rule: Open From Cat
  exceptions:
    - name: e
  override:
    exceptions: append
`);
  assert.deepEqual(l.last.errors, []);
  assert.deepEqual(warningsOf(l.last, 'LOAD_APPEND_NO_VALUES'), [{ message: 'Overriding/appending exception with no values', item: "exception 'e'" }]);
});

test('malformed exceptions: Falco errors with the exception as item', () => {
  const cases: [string, string, string, string][] = [
    ['    - name: ex1\n', 'LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'fields'", "exception 'ex1'"],
    ['    - fields: [proc.name, fd.filename]\n', 'LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'name'", 'exception'],
    ['    - name: ex1\n      fields: [not.exist]\n', 'LOAD_ERR_VALIDATE', "'not.exist' is not a supported filter field", "exception 'ex1'"],
    ['    - name: ex1\n      fields: [proc.name, fd.filename]\n      comps: [=]\n', 'LOAD_ERR_VALIDATE', 'Fields and comps lists must have equal length', "exception 'ex1'"],
    ['    - name: ex1\n      fields: [proc.name, fd.filename]\n      comps: [=, no-comp]\n', 'LOAD_ERR_VALIDATE', "'no-comp' is not a supported comparison operator", "exception 'ex1'"],
    ['    - name: ex1\n      fields: [proc.name, fd.filename]\n      values:\n        - [nginx]\n', 'LOAD_ERR_VALIDATE', 'Fields and values lists must have equal length', "exception 'ex1'"],
    ['    - name: ex1\n      fields: proc.name\n      values:\n        - [a, b]\n', 'LOAD_ERR_VALIDATE', 'Expected values array to contain a list of strings', "exception 'ex1'"],
    ['    - name: ex1\n      fields:\n', 'LOAD_ERR_VALIDATE', 'Rule exception item must have fields property with a list of fields', "exception 'ex1'"],
    ['    - name: ex1\n      fields: [proc.name]\n      values: nope\n', 'LOAD_ERR_YAML_VALIDATE', 'Rule exception values must be a sequence', "exception 'ex1'"],
    ['    - just a string\n', 'LOAD_ERR_YAML_VALIDATE', 'Rule exception must be a mapping', 'exception'],
    ['    name: not-a-list\n', 'LOAD_ERR_YAML_VALIDATE', 'Rule exceptions must be a sequence', 'exceptions'],
  ];
  for (const [exceptions, code, message, item] of cases) {
    assert.deepEqual(errorOf(load(BASE + '  exceptions:\n' + exceptions).last), { code, message, item }, exceptions);
  }
});

test('errors of appended exceptions', () => {
  const withEx = BASE + '  exceptions:\n    - name: ex1\n      fields: [proc.name, fd.filename]\n';
  const cases: [string, string][] = [
    ['- rule: Open From Cat\n  exceptions:\n    - name: ex1\n      values:\n        - [nginx]\n  append: true\n', 'Fields and values lists must have equal length'],
    ['- rule: Open From Cat\n  exceptions:\n    - name: proc_cmdline\n      comps: in\n      values:\n        - "cat /dev/null"\n  append: true\n',
      'Rule exception must have fields property with a list of fields'],
    ['- rule: Open From Cat\n  exceptions:\n    - name: ex2\n      fields: [proc.name]\n  append: true\n', 'Rule exception must have values property with a list of values'],
    ['- rule: Open From Cat\n  exceptions:\n    - name: ex1\n      fields: [proc.name]\n      values: [[a]]\n  append: true\n', 'Can not append exception fields to existing exception, only values'],
    ['- rule: Open From Cat\n  exceptions:\n    - name: ex1\n      comps: [=, =]\n      values: [[a, b]]\n  append: true\n', 'Can not append exception comps to existing exception, only values'],
  ];
  for (const [append, message] of cases) {
    assert.deepEqual([errorOf(load(withEx + append).last)?.code, errorOf(load(withEx + append).last)?.message], ['LOAD_ERR_VALIDATE', message], append);
  }
});

test('two exceptions with one name in a rule: a warning for each repeat', () => {
  const r = load(rule('r', 'evt.type=open', '  exceptions:\n    - name: e\n      fields: proc.name\n    - name: e\n      fields: proc.pname\n')).last;
  assert.deepEqual(r.errors, []);
  assert.deepEqual(warningsOf(r, 'LOAD_EXCEPTION_NAME_NOT_UNIQUE'), [{ message: "Multiple definitions of exception 'e' in the same rule", item: "exception 'e'" }]);
});

test('exception fields with transformers and arguments are checked by compiling them', () => {
  assert.deepEqual(load(rule('r', 'evt.type=open',
    '  exceptions:\n    - name: e\n      fields:\n        - tolower(proc.name)\n        - proc.aname[2]\n      values: [[cat, bash]]\n')).last.errors, []);
  assert.equal(errorOf(load(rule('r', 'evt.type=open', '  exceptions:\n    - name: e\n      fields: [tolower(proc.nope)]\n')).last)?.message,
    "'tolower(proc.nope)' is not a supported filter field");
});
