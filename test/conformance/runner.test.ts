// The conformance runner on a cases file of its own (validate kind): it must report a case whose
// expectations hold as PASS, a wrong expectation as FAIL with the reason, a listed known failure
// as XFAIL, skip out-of-scope cases, and exit non-zero exactly when something failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'conformance', 'fixtures');
const RUNNER = path.join(REPO_ROOT, 'dist', 'test', 'conformance', 'runner.js');

function runRunner(...extra: string[]): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [
    RUNNER, '--cases', path.join(FIXTURES, 'cases.json'), '--root', FIXTURES,
    '--known-failures', path.join(FIXTURES, 'known-failures.json'), ...extra,
  ], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, lines: r.stdout.trim().split('\n') };
}

test('runner reports pass, fail, known failure and skip, and fails the run', () => {
  const { status, lines } = runRunner('--kind', 'validate');
  assert.equal(lines[0], 'PASS fixture/missing_items');
  assert.match(lines[1]!, /^FAIL fixture\/wrong_expectation: exit code 1 \(expected 0\); no error LOAD_ERR_YAML_PARSE on rules content ''$/);
  assert.equal(lines[2], 'XFAIL fixture/known_broken: fixture: expects a file that is not a sequence to load');
  assert.equal(lines[3], 'SKIP fixture/not_here: out-of-scope: needs a kernel module');
  assert.equal(lines.at(-1), '1 passed, 1 failed, 1 skipped');
  assert.equal(status, 1);
});

test('runner selects cases by id and succeeds when all selected cases pass', () => {
  const { status, lines } = runRunner('--id', 'missing_items');
  assert.deepEqual(lines, ['PASS fixture/missing_items', '1 passed, 0 failed, 0 skipped']);
  assert.equal(status, 0);
});

test('runner skips kinds that are not selected', () => {
  const { status, lines } = runRunner('--kind', 'describe');
  assert.ok(lines.slice(0, 3).every((l) => l.startsWith('SKIP fixture/') && l.endsWith('kind validate not selected')));
  assert.equal(lines.at(-1), '0 passed, 0 failed, 4 skipped');
  assert.equal(status, 0);
});

test('without the reference corpus the runner skips with a message and succeeds', () => {
  const r = spawnSync(process.execPath, [RUNNER], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, PEREGRINE_CORPUS: path.join(FIXTURES, 'no-such-corpus') },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^SKIP conformance: reference corpus not found at .*no-such-corpus/);
});

test('an explicit cases file that does not exist is an error', () => {
  const { status } = runRunner('--cases', path.join(FIXTURES, 'missing.json'));
  assert.equal(status, 2);
});

test('a corrected expectation replaces the corpus one: the case runs and must meet it', () => {
  const { status, lines } = runRunner('--id', 'wrong_expectation', '--corrections', path.join(FIXTURES, 'corrections.json'));
  assert.deepEqual(lines, [
    'PASS fixture/wrong_expectation (corrected expectation: the file has a list without items: validation fails)',
    '1 passed, 0 failed, 0 skipped',
  ]);
  assert.equal(status, 0);
});
