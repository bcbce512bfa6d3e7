// Rules paths: directories load their .yaml/.yml files in name order, other files are ignored,
// symlinks are followed; missing files are reported as Falco reports them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandRulesPaths, readRulesFiles, RulesFileReadError } from '../../../src/engine/loader/index.js';

test('directories expand to their rules files in lexicographic order', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peregrine-rules-dir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['b.yaml', 'a.yml', 'C.yaml', 'notes.txt', 'z.yaml.bak']) writeFileSync(path.join(dir, f), '[]\n');
  mkdirSync(path.join(dir, 'sub.yaml'));
  writeFileSync(path.join(dir, 'sub.yaml', 'inner.yaml'), '[]\n');
  symlinkSync(path.join(dir, 'b.yaml'), path.join(dir, 'link.yaml'));
  const single = path.join(dir, 'notes.txt');
  assert.deepEqual(expandRulesPaths([dir]).map((p) => path.basename(p)), ['C.yaml', 'a.yml', 'b.yaml', 'link.yaml']);
  // explicit files are kept only with a rules extension (as Falco does for -r)
  assert.deepEqual(expandRulesPaths([path.join(dir, 'b.yaml'), single, dir]).map((p) => path.basename(p)),
    ['b.yaml', 'C.yaml', 'a.yml', 'b.yaml', 'link.yaml']);
  assert.throws(() => readRulesFiles([path.join(dir, 'missing.yaml')]),
    (e: unknown) => e instanceof RulesFileReadError && e.message === `Could not open file ${path.join(dir, 'missing.yaml')} for reading`);
});
