import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { resolveRulesFiles } from '../../src/cli/config/rules-files.js';
import { ruleNameGlob, selectedEnabled } from '../../src/cli/config/rule-selection.js';
import { UserError } from '../../src/cli/errors.js';
import { tempFiles } from './fixtures.js';

test('rules paths: files as given, directories expanded to sorted .yaml/.yml files', (t) => {
  const dir = tempFiles(t, {
    'main.yaml': '', 'rules.d/b.yml': '', 'rules.d/a.yaml': '', 'rules.d/notes.txt': '', 'rules.d/sub/c.yaml': '',
  });
  symlinkSync(path.join(dir, 'main.yaml'), path.join(dir, 'rules.d', 'z.yaml'));
  symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'rules.d', 'dangling.yaml'));
  const r = resolveRulesFiles([path.join(dir, 'main.yaml'), path.join(dir, 'rules.d')], true);
  assert.deepEqual(r.files, ['main.yaml', 'rules.d/a.yaml', 'rules.d/b.yml', 'rules.d/z.yaml'].map((f) => path.join(dir, f)));
  assert.deepEqual(r.folders, [path.join(dir, 'rules.d')]);
});

test('missing paths: skipped from the configuration, an error from -r', (t) => {
  const dir = tempFiles(t, { 'a.yaml': '', 'rules.txt': '' });
  const missing = path.join(dir, 'local.yaml');
  const fromConfig = resolveRulesFiles([path.join(dir, 'a.yaml'), missing, path.join(dir, 'rules.txt')], false);
  assert.deepEqual(fromConfig.files, [path.join(dir, 'a.yaml')]);
  assert.deepEqual(fromConfig.skipped, [
    { path: missing, reason: 'no such file or directory' },
    { path: path.join(dir, 'rules.txt'), reason: 'only files named *.yaml or *.yml are loaded' },
  ]);
  assert.throws(() => resolveRulesFiles([missing], true),
    (e: unknown) => e instanceof UserError && e.message === `Could not read rules file ${missing}: no such file or directory`);
});

test('rule name globs: * matches any characters, everything else literally', () => {
  assert.ok(ruleNameGlob('*').test('Anything at all'));
  assert.ok(ruleNameGlob('hello*').test('hello world'));
  assert.ok(ruleNameGlob('*ab').test('abab'));
  assert.ok(ruleNameGlob('Write below *').test('Write below etc'));
  assert.ok(!ruleNameGlob('Write below *').test('Write above etc'));
  assert.ok(ruleNameGlob('a.b (c)?').test('a.b (c)?'));
  assert.ok(!ruleNameGlob('a.b').test('aXb'));
  assert.ok(!ruleNameGlob('exact').test('exactly'));
});

test('selections apply in order; name and tag in one item act separately', () => {
  const shell = { name: 'Terminal shell in container', tags: ['shell', 'mitre_execution'] };
  const net = { name: 'Netcat Remote Code Execution', tags: ['network'] };
  const onlyShell = [{ action: 'disable' as const, rule: '*' }, { action: 'enable' as const, tag: 'shell' }];
  assert.equal(selectedEnabled(onlyShell, shell, true), true);
  assert.equal(selectedEnabled(onlyShell, net, true), false);
  assert.equal(selectedEnabled([], net, false), false);
  assert.equal(selectedEnabled([{ action: 'enable', rule: 'Netcat*' }], net, false), true);
  const either = [{ action: 'disable' as const, rule: 'Terminal*', tag: 'network' }];
  assert.equal(selectedEnabled(either, shell, true), false);
  assert.equal(selectedEnabled(either, net, true), false);
});
