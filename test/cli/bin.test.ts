// The installed command, run as users run it: node bin/peregrine.js in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempFiles } from './fixtures.js';

const BIN = path.join(REPO_ROOT, 'bin', 'peregrine.js');
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function peregrine(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('peregrine --help: usage on stdout, exit 0', () => {
  const r = peregrine('--help');
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^Usage: peregrine \[options\]\n/);
  assert.match(r.stdout, /-o, --option <opt=val>/);
  assert.match(r.stdout, /Commands:\n\s+validate \[options\] <rules_files\.\.\.>/);
});

test('peregrine -h and peregrine validate --help', () => {
  assert.equal(peregrine('-h').stdout, peregrine('--help').stdout);
  const sub = peregrine('validate', '--help');
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /^Usage: peregrine validate \[options\] <rules_files\.\.\.>/);
});

test('peregrine --version: versions on stdout, the start log on stderr', (t) => {
  const dir = tempFiles(t, { 'c.yaml': 'config_files: []\n' });
  const r = peregrine('-c', path.join(dir, 'c.yaml'), '--version');
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^Peregrine version: ${VERSION.replaceAll('.', '\\.')} \\(\\w+\\)\\nCompatible with: {3}Falco 0\\.44\\.1\\n`));
  assert.match(r.stderr, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: Peregrine version: /m);
  const json = peregrine('-c', path.join(dir, 'c.yaml'), '-o', 'json_output=true', '-o', 'log_stderr=false', '--version');
  assert.equal(json.stderr, '');
  assert.equal((JSON.parse(json.stdout) as { falco_version: string }).falco_version, VERSION);
});

test('a wrong flag or value: a message and exit 1, no stack trace', (t) => {
  const bad = peregrine('--no-such-flag');
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, "Error: unknown option '--no-such-flag'\nRun 'peregrine --help' for the list of options.\n");

  const dir = tempFiles(t, { 'c.yaml': 'config_files: []\nlog_stderr: false\npriority: loud\n' });
  const config = peregrine('-c', path.join(dir, 'c.yaml'), '--dry-run');
  assert.equal(config.code, 1);
  assert.equal(config.stderr,
    `Error: ${path.join(dir, 'c.yaml')}:3:1: priority: Unknown priority "loud"--must be one of emergency, alert, critical, error, ` +
    'warning, notice, informational, debug\n');
  assert.doesNotMatch(config.stderr, /\n\s+at /);
});
