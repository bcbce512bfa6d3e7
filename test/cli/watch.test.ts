import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConfigChange, type WatchTargets, watchConfigFiles } from '../../src/cli/config/watch.js';
import { tempFiles } from './fixtures.js';

const DEBOUNCE_MS = 60;
/** Long enough for fs events to arrive and the debounce to expire on a loaded machine. */
const SETTLE_MS = 600;

/** Starts a watcher that records notifications; `next()` waits for the next one. */
function record(t: Parameters<typeof tempFiles>[0], targets: WatchTargets) {
  const changes: ConfigChange[] = [];
  const errors: Error[] = [];
  let wake: (() => void) | undefined;
  const watcher = watchConfigFiles(targets, {
    debounceMs: DEBOUNCE_MS,
    onChange: (c) => {
      changes.push(c);
      wake?.();
    },
    onError: (e) => errors.push(e),
  });
  t.after(() => watcher.close());
  return {
    changes,
    errors,
    watcher,
    async next(timeoutMs = 5000): Promise<ConfigChange> {
      const seen = changes.length;
      const deadline = Date.now() + timeoutMs;
      while (changes.length === seen && Date.now() < deadline) {
        await Promise.race([new Promise<void>((r) => { wake = r; }), sleep(50)]);
      }
      assert.ok(changes.length > seen, 'expected a change notification');
      return changes[seen]!;
    },
  };
}

test('a changed file gives one notification, after a burst of writes settles', async (t) => {
  const dir = tempFiles(t, { 'peregrine.yaml': 'log_level: info\n', 'rules.yaml': '- list: a\n  items: []\n' });
  const config = path.join(dir, 'peregrine.yaml');
  const w = record(t, { files: [config, path.join(dir, 'rules.yaml')], directories: [] });
  for (let i = 0; i < 5; i++) writeFileSync(config, `log_level: debug\n# edit ${i}\n`);
  assert.deepEqual((await w.next()).changed, [config]);
  await sleep(SETTLE_MS);
  assert.equal(w.changes.length, 1);
});

test('an editor-style save (new file renamed over the old) is seen', async (t) => {
  const dir = tempFiles(t, { 'rules.yaml': '- list: a\n  items: []\n' });
  const rules = path.join(dir, 'rules.yaml');
  const w = record(t, { files: [rules], directories: [] });
  writeFileSync(path.join(dir, '.rules.yaml.swp'), '- list: a\n  items: [x]\n');
  renameSync(path.join(dir, '.rules.yaml.swp'), rules);
  assert.deepEqual((await w.next()).changed, [rules]);
  // The watch survives the rename: a second save is seen too.
  writeFileSync(rules, '- list: a\n  items: [y]\n');
  assert.deepEqual((await w.next()).changed, [rules]);
});

test('touching a file without changing it, or changing an unwatched neighbour, is not a change', async (t) => {
  const dir = tempFiles(t, { 'c.yaml': 'a: 1\n', 'other.txt': 'x' });
  const file = path.join(dir, 'c.yaml');
  const w = record(t, { files: [file], directories: [] });
  writeFileSync(file, 'a: 1\n');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  writeFileSync(path.join(dir, 'other.txt'), 'y');
  await sleep(SETTLE_MS);
  assert.deepEqual(w.changes, []);
});

test('files added to, changed in and removed from a watched directory are seen', async (t) => {
  const dir = tempFiles(t, { 'rules.d/a.yaml': 'a\n' });
  const rulesDir = path.join(dir, 'rules.d');
  const w = record(t, { files: [], directories: [rulesDir] });
  writeFileSync(path.join(rulesDir, 'b.yaml'), 'b\n');
  assert.deepEqual((await w.next()).changed, [rulesDir]);
  writeFileSync(path.join(rulesDir, 'a.yaml'), 'a2\n');
  assert.deepEqual((await w.next()).changed, [rulesDir]);
  renameSync(path.join(rulesDir, 'b.yaml'), path.join(dir, 'b.yaml'));
  assert.deepEqual((await w.next()).changed, [rulesDir]);
});

test('a watched file that did not exist is seen when it appears', async (t) => {
  const dir = tempFiles(t, { 'falco_rules.yaml': 'x\n' });
  const local = path.join(dir, 'falco_rules.local.yaml');
  const w = record(t, { files: [path.join(dir, 'falco_rules.yaml'), local], directories: [] });
  writeFileSync(local, '- macro: m\n  condition: evt.num > 0\n');
  assert.deepEqual((await w.next()).changed, [local]);
});

test('after close() nothing is reported', async (t) => {
  const dir = tempFiles(t, { 'c.yaml': 'a: 1\n' });
  const file = path.join(dir, 'c.yaml');
  const w = record(t, { files: [file], directories: [] });
  w.watcher.close();
  writeFileSync(file, 'a: 2\n');
  await sleep(SETTLE_MS);
  assert.deepEqual(w.changes, []);
});
