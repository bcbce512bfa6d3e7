// `--list` layout: Falco 0.44's text (libsinsp as_string), markdown and JSON listings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldListError, fieldTags, renderFieldList } from '../../src/fields/list.js';
import { declareClass } from '../../src/fields/declare.js';
import { Registry } from '../../src/fields/registry.js';
import { createSyscallSourceDefinition } from '../../src/sources/syscall/definition.js';
import { createK8sAuditFieldRegistry } from '../../src/fields/plugins/index.js';

const syscall = createSyscallSourceDefinition<unknown>().fields;
const k8s = createK8sAuditFieldRegistry<unknown>();

/** A small registry covering the layout cases: tags, wrapping, long names, hidden/deprecated fields. */
function sample(): Registry<unknown> {
  const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  return new Registry<unknown>('demo', [
    declareClass({ name: 'demo', shortDesc: 'Demo fields', desc: 'A class to show the layout.' }, [
      { name: 'demo.plain', type: 'UINT64', desc: 'A plain field.' },
      { name: 'demo.args', type: 'CHARBUF', arg: { syntax: 'ancestor', required: false }, noRhs: true, noTransformer: true, desc: 'Takes an index.' },
      { name: 'demo.a_field_name_longer_than_thirty', type: 'BOOL', desc: 'Long name.' },
      { name: 'demo.wrapped', type: 'CHARBUF', desc: words },
      { name: 'demo.hidden', type: 'CHARBUF', hidden: true, desc: 'Never listed.' },
      { name: 'demo.old', type: 'CHARBUF', deprecated: true, desc: 'Deprecated.' },
      { name: 'demo.printonly', type: 'CHARBUF', outputOnly: true, desc: 'Output only.' },
      { name: 'demo.list', type: 'CHARBUF', isList: true, arg: { syntax: 'bracket', required: true, index: true, key: true }, desc: 'A list.' },
    ]),
    declareClass({ name: 'gone', desc: 'Only deprecated fields.' }, [{ name: 'gone.x', type: 'CHARBUF', deprecated: true, desc: 'Old.' }]),
    declareClass({ name: 'internal', hidden: true }, [{ name: 'internal.x', type: 'CHARBUF', desc: 'Internal.' }]),
    declareClass({ name: 'plug', plugin: true }, [{ name: 'plug.x', type: 'IPADDR', filterOnly: true, desc: 'From a plugin.' }]),
  ]);
}

test('text layout: header block, 30-column names, sorted tags, wrapping at 120 columns', () => {
  const out = renderFieldList([sample()]);
  const pad = (s: string): string => s.padEnd(30);
  // Each line takes words while its width (every word plus one space) stays within 120 - 30 = 90
  // columns: word0..word13 use 88, word14..word25 use 84.
  const line = (from: number, to: number): string =>
    Array.from({ length: to - from + 1 }, (_, i) => `word${from + i} `).join('');
  const expected =
    '-------------------------------\n' +
    pad('Field Class:') + 'demo (Demo fields)\n' +
    pad('Description:') + 'A class to show the layout. \n' +
    pad('Event Sources:') + 'demo \n' +
    '\n' +
    pad('demo.plain') + 'A plain field. \n' +
    pad('demo.args') + '(ARG_ALLOWED,EPF_NO_RHS,EPF_NO_TRANSFORMER) Takes an index. \n' +
    'demo.a_field_name_longer_than_thirty\n' + ' '.repeat(30) + 'Long name. \n' +
    pad('demo.wrapped') + line(0, 13) + '\n' + ' '.repeat(30) + line(14, 25) + '\n' + ' '.repeat(30) + line(26, 29) + '\n' +
    pad('demo.list') + '(ARG_INDEX,ARG_KEY,ARG_REQUIRED,EPF_IS_LIST) A list. \n' +
    '\n' +
    // a class whose fields are all deprecated prints as an empty string, then Falco's newline
    '\n' +
    '-------------------------------\n' +
    pad('Field Class:') + 'plug (plugin)\n' +
    pad('Event Sources:') + 'demo \n' +
    '\n' +
    pad('plug.x') + '(FILTER_ONLY) From a plugin. \n' +
    '\n';
  assert.equal(out, expected);
});

test('verbose text adds the type; names-only lists listed names; formats validate the source', () => {
  const verbose = renderFieldList([sample()], { verbose: true });
  assert.ok(verbose.includes('demo.plain'.padEnd(30) + '(Type: UINT64) A plain field. \n'));
  assert.ok(verbose.includes('(Type: CHARBUF) (ARG_INDEX,ARG_KEY,ARG_REQUIRED,EPF_IS_LIST) A list.'));
  assert.equal(
    renderFieldList([sample()], { namesOnly: true }),
    'demo.plain\ndemo.args\ndemo.a_field_name_longer_than_thirty\ndemo.wrapped\ndemo.list\nplug.x\n',
  );
  assert.deepEqual(JSON.parse(renderFieldList([sample()], { namesOnly: true, format: 'json' })).fieldnames.length, 6);
  assert.throws(() => renderFieldList([sample()], { source: 'nosuch' }), (e: unknown) => e instanceof FieldListError && e.message === 'Value for --list must be a valid source type');
});

test('markdown layout', () => {
  const md = renderFieldList([sample()], { format: 'markdown' });
  const expected =
    '## Field Class: demo\n\n' +
    'A class to show the layout.\n\n' +
    'Event Sources: demo \n\n' +
    'Name | Type | Description\n' +
    ':----|:-----|:-----------\n' +
    '`demo.plain` | UINT64 | A plain field.\n' +
    '`demo.args` | CHARBUF | Takes an index.\n' +
    '`demo.a_field_name_longer_than_thirty` | BOOL | Long name.\n';
  assert.ok(md.startsWith(expected), md.slice(0, 400));
  assert.ok(md.includes('`demo.list` | LIST(CHARBUF) | A list.\n'));
  assert.ok(md.includes('## Field Class: plug (plugin)\n\nEvent Sources: demo \n\n'));
});

test('JSON layout: sorted keys, arguments, two-space indentation', () => {
  const json = renderFieldList([sample()], { format: 'json' });
  assert.ok(json.startsWith('{\n  "fieldclasses": [\n    {\n      "desc": "A class to show the layout.",\n      "event_sources": [\n        "demo"\n      ],\n'));
  const parsed = JSON.parse(json) as { fieldclasses: { name: string; fields: Record<string, unknown>[] }[] };
  assert.deepEqual(parsed.fieldclasses.map((c) => c.name), ['demo', 'plug (plugin)']);
  const [plain, args, , , list] = parsed.fieldclasses[0]!.fields;
  assert.deepEqual(plain, { argument: null, desc: 'A plain field.', is_list: false, name: 'demo.plain', type: 'UINT64' });
  assert.deepEqual(Object.keys(args!), ['argument', 'desc', 'is_list', 'name', 'type']);
  assert.deepEqual(args!.argument, { required: false, type: [] });
  assert.deepEqual(list!.argument, { required: true, type: ['INDEX', 'KEY'] });
  assert.equal(list!.is_list, true);
});

test('real registries: classes shared by sources are printed once with every source', () => {
  const out = renderFieldList([syscall, k8s]);
  const headers = out.split('\n').filter((l) => l.startsWith('Field Class:')).map((l) => l.slice(30));
  assert.deepEqual(headers, [
    'evt (All event types)', 'evt (Syscall events only)', 'process', 'user', 'group', 'fd', 'fs.path', 'fdlist',
    'container (plugin)', 'k8saudit (plugin)', 'json (plugin)',
  ]);
  assert.ok(out.includes('Field Class:'.padEnd(30) + 'evt (All event types)\nDescription:'));
  assert.match(out, /evt \(All event types\)\n.*\nEvent Sources: {16}k8s_audit syscall \n/);
  assert.ok(!/^evt\.latency /m.test(out), 'deprecated fields are not listed');
  assert.ok(!/^evt\.outputtime /m.test(out), 'output-only fields are not listed');
  assert.ok(!/^util\.cnt /m.test(out), 'hidden classes are not listed');
  assert.ok(/^evt\.around {20}\(ARG_REQUIRED,EPF_NO_RHS,EPF_NO_TRANSFORMER,FILTER_ONLY\) /m.test(out));
  assert.ok(/^proc\.exe_ino\.ctime_duration_proc_start\n {30}\S/m.test(out));
  const only = renderFieldList([syscall, k8s], { source: 'k8s_audit' });
  assert.ok(only.includes('Event Sources:'.padEnd(30) + 'k8s_audit \n'));
  assert.ok(!only.includes('process'));
});

test('tags follow libsinsp flags', () => {
  assert.deepEqual(fieldTags(syscall.lookup('evt.arg')!), ['ARG_REQUIRED']);
  assert.deepEqual(fieldTags(syscall.lookup('proc.aname')!), ['ARG_ALLOWED', 'EPF_NO_RHS', 'EPF_NO_TRANSFORMER']);
  assert.deepEqual(fieldTags(syscall.lookup('fd.types')!), ['ARG_ALLOWED', 'EPF_IS_LIST', 'EPF_NO_RHS']);
  assert.deepEqual(fieldTags(syscall.lookup('fd.net')!), ['EPF_NO_RHS', 'EPF_NO_TRANSFORMER', 'FILTER_ONLY']);
  assert.deepEqual(fieldTags(syscall.lookup('container.mount')!), ['ARG_INDEX', 'ARG_KEY', 'ARG_REQUIRED']);
  assert.deepEqual(fieldTags(k8s.lookup('ka.req.pod.containers.image')!), ['ARG_ALLOWED', 'ARG_INDEX', 'EPF_IS_LIST']);
});
