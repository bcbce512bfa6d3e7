import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/cli/config/load.js';
import { ConfigError } from '../../src/cli/errors.js';
import { tempFiles } from './fixtures.js';

// Each main file sets config_files explicitly, so /etc/falco/config.d (the default) plays no part.
function setup(t: Parameters<typeof tempFiles>[0], mainExtra: string, includes: Record<string, string>, entries: string) {
  const dir = tempFiles(t, includes);
  const main = path.join(dir, 'main.yaml');
  const list = entries.replaceAll('DIR', dir);
  writeFileSync(main, `config_files:\n${list}\nrules_files: [a.yaml]\njson_output: true\nwebserver:\n  enabled: false\n  listen_port: 1000\n${mainExtra}`);
  return { dir, main };
}

const INC = 'rules_files: [b.yaml]\nwebserver:\n  listen_port: 2000\nlog_level: debug\njson_output: false\n';

test('append (default): lists are extended, other keys replaced whole, new keys added', (t) => {
  const { dir, main } = setup(t, '', { 'inc.yaml': INC }, '  - DIR/inc.yaml');
  const loaded = loadConfig({ configFile: main });
  const c = loaded.config;
  assert.deepEqual(c.rules_files, ['a.yaml', 'b.yaml']);
  assert.equal(c.json_output, false);
  assert.equal(c.log_level, 'debug');
  // The included webserver map replaced the main one; its missing keys take their defaults.
  assert.equal(c.webserver.listen_port, 2000);
  assert.equal(c.webserver.enabled, true);
  assert.deepEqual(loaded.files.map((f) => f.path), [main, path.join(dir, 'inc.yaml')]);
  assert.equal(c.config_files[0]!.strategy, 'append');
});

test('override: lists are replaced too', (t) => {
  const { main } = setup(t, '', { 'inc.yaml': INC }, '  - path: DIR/inc.yaml\n    strategy: override');
  const c = loadConfig({ configFile: main }).config;
  assert.deepEqual(c.rules_files, ['b.yaml']);
  assert.equal(c.webserver.listen_port, 2000);
  assert.equal(c.log_level, 'debug');
});

test('add-only: only keys the configuration does not have yet are added', (t) => {
  const { main } = setup(t, '', { 'inc.yaml': INC }, '  - path: DIR/inc.yaml\n    strategy: add-only');
  const c = loadConfig({ configFile: main }).config;
  assert.deepEqual(c.rules_files, ['a.yaml']);
  assert.equal(c.json_output, true);
  assert.equal(c.webserver.listen_port, 1000);
  assert.equal(c.log_level, 'debug');
});

test('files are merged in order; a later file wins', (t) => {
  const { main } = setup(t, '', { 'one.yaml': 'log_level: debug\n', 'two.yaml': 'log_level: error\n' },
    '  - DIR/one.yaml\n  - DIR/two.yaml');
  assert.equal(loadConfig({ configFile: main }).config.log_level, 'error');
});

test('a directory includes its regular files in name order, not its subdirectories', (t) => {
  const { dir, main } = setup(t, '', {
    'conf.d/20-b.yaml': 'log_level: warning\nrules_files: [d2.yaml]\n',
    'conf.d/10-a.yaml': 'log_level: debug\nrules_files: [d1.yaml]\n',
    'conf.d/sub/99-z.yaml': 'log_level: critical\n',
  }, '  - DIR/conf.d');
  const loaded = loadConfig({ configFile: main });
  assert.equal(loaded.config.log_level, 'warning');
  assert.deepEqual(loaded.config.rules_files, ['a.yaml', 'd1.yaml', 'd2.yaml']);
  assert.deepEqual(loaded.folders, [path.join(dir, 'conf.d')]);
  assert.deepEqual(loaded.files.map((f) => path.basename(f.path)), ['main.yaml', '10-a.yaml', '20-b.yaml']);
});

test('a missing include is skipped; a single path and an empty list are accepted', (t) => {
  const missing = setup(t, '', {}, '  - DIR/nothere.yaml');
  assert.equal(loadConfig({ configFile: missing.main }).files.length, 1);

  const dir = tempFiles(t, { 'inc.yaml': 'log_level: notice\n' });
  writeFileSync(path.join(dir, 'single.yaml'), `config_files: ${dir}/inc.yaml\n`);
  assert.equal(loadConfig({ configFile: path.join(dir, 'single.yaml') }).config.log_level, 'notice');

  writeFileSync(path.join(dir, 'empty.yaml'), 'config_files:\nlog_level: error\n');
  const empty = loadConfig({ configFile: path.join(dir, 'empty.yaml') });
  assert.deepEqual(empty.config.config_files, []);
  assert.equal(empty.config.log_level, 'error');
});

test('-o config_files=... includes a file before the other -o options apply', (t) => {
  const dir = tempFiles(t, { 'main.yaml': 'config_files: []\n', 'inc.yaml': 'log_level: debug\njson_output: true\n' });
  const loaded = loadConfig({
    configFile: path.join(dir, 'main.yaml'),
    overrides: ['json_output=false', `config_files=${dir}/inc.yaml`],
  });
  assert.equal(loaded.config.log_level, 'debug');
  assert.equal(loaded.config.json_output, false);
  assert.equal(loaded.files.length, 2);
});

test('a file including itself, or an included file including more, is an error', (t) => {
  const dir = tempFiles(t, { 'inc.yaml': 'config_files: [x.yaml]\n' });
  writeFileSync(path.join(dir, 'self.yaml'), `config_files: [${dir}/self.yaml]\n`);
  assert.throws(() => loadConfig({ configFile: path.join(dir, 'self.yaml') }),
    (e: unknown) => e instanceof ConfigError && /recursively include main config file/.test(e.message));
  writeFileSync(path.join(dir, 'main.yaml'), `config_files: [${dir}/inc.yaml]\n`);
  assert.throws(() => loadConfig({ configFile: path.join(dir, 'main.yaml') }),
    (e: unknown) => e instanceof ConfigError && e.message.includes(`'config_files' directive in included config file ${dir}/inc.yaml`));
});

test('an unknown strategy is an error naming the file, line and allowed values', (t) => {
  const { main } = setup(t, '', { 'inc.yaml': INC }, '  - path: DIR/inc.yaml\n    strategy: merge');
  assert.throws(() => loadConfig({ configFile: main }), (e: unknown) =>
    e instanceof ConfigError && e.message.includes(`${main}:3:5: config_files[0].strategy: the string "merge" is not allowed; ` +
      'use one of: append, override, add-only'));
});

test('-c with a missing file is an error; without -c a missing default file means built-in defaults', (t) => {
  const dir = tempFiles(t);
  assert.throws(() => loadConfig({ configFile: path.join(dir, 'none.yaml') }), /Could not find configuration file at .*none\.yaml/);
  assert.equal(loadConfig({ defaultConfigFile: path.join(dir, 'none.yaml') }).mainFile, undefined);
});

test('every file read is reported with its schema status and sha256', (t) => {
  const { main } = setup(t, '', { 'inc.yaml': 'bogus_key: 1\n' }, '  - DIR/inc.yaml');
  const loaded = loadConfig({ configFile: main });
  assert.deepEqual(loaded.files.map((f) => f.validation), ['ok', 'failed']);
  assert.match(loaded.files[0]!.sha256, /^[0-9a-f]{64}$/);
  assert.notEqual(loaded.files[0]!.sha256, loaded.files[1]!.sha256);
});
