// Rendering of load results: Falco's human text (locations, snippet with caret, code and title)
// and Falco's JSON object (exact keys, order and positions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadResultsJson, LoadContext, LoadResult } from '../../../src/engine/loader/index.js';
import { load } from './helpers.js';

const CONTENT = '- list: good\n  items: [a]\n\n- list: bad_list\n  no_items: foo\n';

test('text rendering: locations (1-based), snippet with caret, code, title and message', () => {
  const { loader, last } = load({ 'rules.yaml': CONTENT });
  assert.equal(last.toText(loader.contents), [
    'rules.yaml: Invalid',
    '1 Schema warnings:',
    '------',
    'failed for /1: must NOT have additional properties',
    '------',
    '',
    '1 Errors:',
    'In rules content: (rules.yaml:1:1)',
    "    list 'bad_list': (rules.yaml:4:3)",
    '------',
    '- list: bad_list',
    '  ^',
    '------',
    "LOAD_ERR_YAML_VALIDATE (Error validating internal structure of YAML file): Item has no mapping for key 'items'",
    '',
  ].join('\n'));
  assert.equal(last.summary(), 'rules.yaml: Invalid\n 1 schema warnings: [failed for /1: must NOT have additional properties]\n' +
    ' 1 errors: [LOAD_ERR_YAML_VALIDATE (Error validating internal structure of YAML file)]');
});

test('JSON rendering: Falco keys in sorted order, 0-based YAML positions, snippet', () => {
  const { loader, last } = load({ 'rules.yaml': CONTENT });
  assert.equal(loadResultsJson([last], loader.contents), JSON.stringify({
    falco_load_results: [{
      errors: [{
        code: 'LOAD_ERR_YAML_VALIDATE',
        codedesc: 'Error validating internal structure of YAML file',
        context: {
          locations: [
            { item_name: '', item_type: 'rules content', position: { column: 0, line: 0, name: 'rules.yaml', offset: 0 } },
            { item_name: 'bad_list', item_type: 'list', position: { column: 2, line: 3, name: 'rules.yaml', offset: 29 } },
          ],
          snippet: '- list: bad_list\n  ^\n',
        },
        message: "Item has no mapping for key 'items'",
      }],
      name: 'rules.yaml',
      schema_valid: false,
      schema_warnings: ['failed for /1: must NOT have additional properties'],
      successful: false,
      warnings: [],
    }],
  }));
});

test('JSON of warnings: codedesc is the long description; deprecated fields carry the field', () => {
  const r = new LoadResult('f.yaml');
  const ctx = LoadContext.root('f.yaml').child('rule', 'r', { offset: 2, line: 0, column: 2 });
  r.addWarning('LOAD_DEPRECATED_ITEM', 'usage of deprecated field', ctx, 'evt.dir');
  r.addWarning('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', ctx);
  const json = r.toJson(new Map([['f.yaml', '- rule: r\n']]));
  assert.deepEqual(Object.keys(json.warnings[0]!), ['code', 'codedesc', 'context', 'deprecated_field', 'message']);
  assert.equal(json.warnings[0]!.deprecated_field, 'evt.dir');
  assert.equal(json.warnings[1]!.codedesc, 'A list is defined in the rules content but is not used by any other list, macro, or rule.');
  assert.equal(r.summary(), 'f.yaml: Ok, with warnings\n 2 warnings: [LOAD_DEPRECATED_ITEM (Used deprecated item: field \'evt.dir\') LOAD_UNUSED_LIST (Unused list)]');
  assert.ok(!('schema_valid' in json), 'no schema keys when nothing was validated');
});

test('positions and snippets of non-ASCII contents are in UTF-8 bytes, as Falco counts them', () => {
  const content = '- list: é\n  items: [a]\n- list: bad\n';
  const { loader, last } = load({ 'u.yaml': content });
  const loc = last.errors[0]!.context.last;
  assert.deepEqual(loc.position, { offset: 26, line: 2, column: 2 });
  assert.equal(last.errors[0]!.context.snippet(loader.contents), '- list: bad\n  ^\n');
});

test('condition locations: named after the condition, positioned inside it', () => {
  const ctx = LoadContext.root('f.yaml').child('rule', 'r', { offset: 0, line: 0, column: 2 })
    .child('rule condition', '', { offset: 40, line: 2, column: 13 })
    .inCondition('evt.type=open and proc.name=cat and oops here', { offset: 32, line: 1, column: 33 });
  assert.equal(ctx.last.name, '"evt.type=open and..."');
  assert.deepEqual(ctx.last.position, { offset: 72, line: 3, column: 46 });
  assert.equal(ctx.snippet(new Map()), 'evt.type=open and proc.name=cat and oops here\n' + ' '.repeat(32) + '^\n');
  assert.match(ctx.describe(), /condition expression: \("evt.type=open and\.\.\.":1:33\)\n$/);
});
