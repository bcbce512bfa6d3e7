// The rules-file commands as the command line runs them (in process, output captured): -V with
// text and JSON results, exit codes, -V with -L, -r with -L/-l, --rule-schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeCommand, ruleSchemaCommand, validateCommand, type CommandIO } from '../../../src/cli/commands/validate.js';
import { configureLog } from '../../../src/util/log.js';
import { rule } from './helpers.js';

configureLog({ stderr: false });

function capture(): CommandIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

function files(t: { after(fn: () => void): void }, contents: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peregrine-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(contents)) writeFileSync((out[name] = path.join(dir, name)), text);
  return out;
}

test('-V text: Ok files print "Ok", files with only warnings print "Ok, with warnings", exit 0', async (t) => {
  const f = files(t, { 'a.yaml': rule('r', 'evt.type=open'), 'b.yaml': '- list: unused\n  items: [x]\n' });
  const io = capture();
  assert.equal(await validateCommand({ files: [f['a.yaml']!, f['b.yaml']!], json: false, io }), 0);
  assert.equal(io.stdout, `${f['a.yaml']}: Ok\n${f['b.yaml']}: Ok, with warnings\n`);
  assert.equal(io.stderr, '');
});

test('-V text with an error: full result on stdout, "Error: ..." on stderr, exit 1', async (t) => {
  const f = files(t, { 'bad.yaml': '- macro: m\n' });
  const io = capture();
  assert.equal(await validateCommand({ files: [f['bad.yaml']!], json: false, io }), 1);
  assert.match(io.stdout, /: Invalid\n1 Errors:\nIn rules content: \(.*bad.yaml:1:1\)\n {4}macro 'm': \(.*bad.yaml:1:3\)\n------\n- macro: m\n {2}\^\n------\nLOAD_ERR_YAML_VALIDATE/);
  assert.ok(io.stderr.startsWith(`Error: ${f['bad.yaml']}: Invalid\n`));
});

test('-V JSON with -L: describe results come first, then the load results', async (t) => {
  const f = files(t, { 'a.yaml': rule('r', 'evt.type=open') });
  const io = capture();
  assert.equal(await validateCommand({ files: [f['a.yaml']!], json: true, describeAll: true, io }), 0);
  const lines = io.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.startsWith('{"falco_describe_results":{"lists":[],"macros":[]'));
  const parsed = JSON.parse(lines[0]!) as { falco_load_results: { successful: boolean }[] };
  assert.equal(parsed.falco_load_results[0]!.successful, true);
});

test('-V with a file that cannot be read, and with an unmet plugin requirement', async (t) => {
  const io = capture();
  assert.equal(await validateCommand({ files: ['/nonexistent/x.yaml'], json: true, io }), 1);
  assert.equal(io.stderr, 'Error: Could not open file /nonexistent/x.yaml for reading\n');
  const f = files(t, { 'p.yaml': '- required_plugin_versions:\n  - name: okta\n    version: 0.11.0\n' });
  const strict = capture();
  assert.equal(await validateCommand({ files: [f['p.yaml']!], json: true, io: strict }), 1);
  assert.equal(strict.stdout, '', '-V prints no result when a plugin requirement is not met');
  assert.equal(strict.stderr, 'Error: Plugin requirement not satisfied, must load one of: okta (>= 0.11.0)\n');
  const lenient = capture();
  assert.equal(await validateCommand({ files: [f['p.yaml']!], json: true, io: lenient, stopAtPluginRequirements: false }), 1);
  assert.match(lenient.stdout, /"successful":true/);
});

test('-r -L / -l: text table, JSON, unknown rule, rules that fail to load', async (t) => {
  const f = files(t, { 'a.yaml': rule('first', 'evt.type=open') + rule('second', 'evt.type=close'), 'bad.yaml': rule('x', 'evt.type=open and') });
  const text = capture();
  assert.equal(await describeCommand({ rulesPaths: [f['a.yaml']!], format: 'text', io: text }), 0);
  assert.match(text.stdout, /^Rule {47}Description\n-{4} {47}-{11}\nfirst {46}d \n\nsecond {45}d \n\n$/);
  const json = capture();
  assert.equal(await describeCommand({ rulesPaths: [f['a.yaml']!], rule: 'second', format: 'json', io: json }), 0);
  assert.deepEqual((JSON.parse(json.stdout) as { rules: { info: { name: string } }[] }).rules.map((r) => r.info.name), ['second']);
  assert.equal(await describeCommand({ rulesPaths: [f['a.yaml']!], rule: 'third', format: 'text', io: capture() }), 1);
  const bad = capture();
  assert.equal(await describeCommand({ rulesPaths: [f['bad.yaml']!], format: 'text', io: bad }), 1);
  assert.match(bad.stderr, /^Error: .*bad.yaml: Invalid\n/);
  const none = capture();
  assert.equal(await describeCommand({ rulesPaths: [], format: 'text', io: none }), 1);
  assert.match(none.stderr, /You must specify at least one rules file/);
});

test('--rule-schema prints the schema as JSON', () => {
  const io = capture();
  assert.equal(ruleSchemaCommand(io), 0);
  const schema = JSON.parse(io.stdout) as { type: string; definitions: Record<string, unknown> };
  assert.equal(schema.type, 'array');
  assert.ok('Exception' in schema.definitions && 'Override' in schema.definitions);
});
