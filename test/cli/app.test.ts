import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Integration, runCli } from '../../src/cli/app.js';
import { CONFIG_SCHEMA } from '../../src/cli/config/schema.js';
import { peregrineVersion } from '../../src/version.js';
import type { AgentRunContext } from '../../src/cli/integration.js';
import { configureLog, setLogSink } from '../../src/util/log.js';
import { captureIO, tempFiles } from './fixtures.js';

type Ctx = Parameters<typeof tempFiles>[0];

/** A configuration directory with one rules file; the log goes to `logs` instead of stderr. */
function setup(t: Ctx, configYaml = '') {
  const dir = tempFiles(t, {
    'rules/a.yaml': '- rule: A\n  desc: a\n  condition: evt.type = open\n  output: a\n  priority: WARNING\n',
  });
  const config = path.join(dir, 'peregrine.yaml');
  writeFileSync(config, `config_files: []\nlog_stderr: false\nlog_syslog: false\nrules_files: [${path.join(dir, 'rules')}]\n${configYaml}`);
  const logs: string[] = [];
  setLogSink((_level, message) => logs.push(message));
  t.after(() => {
    setLogSink(undefined);
    configureLog({ level: 'info', stderr: true, iso8601: false });
  });
  return { dir, config, logs };
}

/** Runs the command line with the agent's event loop replaced by a recorder. */
async function run(argv: string[], replacements: Partial<Integration> = {}) {
  const io = captureIO();
  let context: AgentRunContext | undefined;
  const code = await runCli(argv, io, {
    runAgent: async (ctx) => {
      context = ctx;
      return 0;
    },
    ...replacements,
  });
  return { code, io, context };
}

test('--config-schema prints the schema without reading any configuration', async () => {
  const { code, io } = await run(['-c', '/nonexistent.yaml', '--config-schema']);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(io.stdout), CONFIG_SCHEMA);
});

test('--version in text, and in JSON with json_output', async (t) => {
  const { config, logs } = setup(t);
  const text = await run(['-c', config, '--version']);
  assert.equal(text.code, 0);
  assert.ok(text.io.stdout.startsWith(`Peregrine version: ${peregrineVersion()} (`));
  assert.match(text.io.stdout, /\nCompatible with: {3}Falco 0\.44\.1\nPlugin API: {8}3\.12\.0\nEngine: {12}0\.63\.0\n/);
  const json = await run(['-c', config, '-o', 'json_output=true', '--version']);
  assert.deepEqual(JSON.parse(json.io.stdout), {
    falco_version: peregrineVersion(), libs_version: peregrineVersion(), plugin_api_version: '3.12.0',
    driver_api_version: '10.1.0', driver_schema_version: '4.5.1', default_driver_version: peregrineVersion(),
    engine_version: '63', engine_version_semver: '0.63.0',
  });
  assert.ok(logs.includes('Peregrine initialized with configuration files:'));
  assert.ok(logs.includes(`   ${config} | schema validation: ok`));
});

test('configuration errors: Error: file:line:column, exit 1, nothing on stdout', async (t) => {
  const { config } = setup(t, 'webserver:\n  listen_port: http\n');
  const { code, io } = await run(['-c', config, '--dry-run']);
  assert.equal(code, 1);
  assert.equal(io.stdout, '');
  assert.equal(io.stderr, `Error: ${config}:6:3: webserver.listen_port: must be an integer, not the string "http"\n`);
});

test('the agent gets the checked configuration, rules files and sources', async (t) => {
  const { dir, config } = setup(t);
  const { code, context } = await run(['-c', config, '-M', '5', '--dry-run', '-U', '-o', 'buffered_outputs=true', '-p', '%proc.pid']);
  assert.equal(code, 0);
  assert.ok(context);
  assert.deepEqual(context.rules.files, [path.join(dir, 'rules', 'a.yaml')]);
  assert.deepEqual(context.rules.folders, [path.join(dir, 'rules')]);
  assert.deepEqual(context.enabledSources, ['syscall']);
  assert.equal(context.options.durationSeconds, 5);
  assert.equal(context.options.dryRun, true);
  assert.equal(context.config.buffered_outputs, false, '-U wins over the configuration');
  assert.deepEqual(context.config.append_output.at(-1), { match: { tags: [] }, extra_output: '%proc.pid', extra_fields: [], suggested_output: false });
  assert.deepEqual(context.watchTargets, { files: [config, path.join(dir, 'rules', 'a.yaml')], directories: [path.join(dir, 'rules')] });
  assert.equal(context.cmdline, `peregrine -c ${config} -M 5 --dry-run -U -o buffered_outputs=true -p %proc.pid`);
});

test('-r replaces rules_files; a missing -r path or no rules at all is an error', async (t) => {
  const { dir, config } = setup(t);
  const extra = path.join(dir, 'rules', 'a.yaml');
  assert.deepEqual((await run(['-c', config, '-r', extra, '-r', extra])).context?.rules.files, [extra, extra]);
  const missing = await run(['-c', config, '-r', path.join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.io.stderr, `Error: Could not read rules file ${path.join(dir, 'nope.yaml')}: no such file or directory\n`);
  const noRules = 'Error: You must specify at least one rules file/directory via -r or a rules_files entry in the configuration\n';
  assert.equal((await run(['-c', config, '-o', 'rules_files=', '--dry-run'])).io.stderr, noRules);
  // Configured paths that do not exist are skipped, as in Falco; if none is left, there are no rules.
  assert.equal((await run(['-c', config, '-o', `rules_files=${path.join(dir, 'gone.yaml')}`])).io.stderr, noRules);
});

test('-pc and -pk are accepted and add nothing; -p logs a deprecation warning', async (t) => {
  const { config, logs } = setup(t);
  const plain = await run(['-c', config]);
  const pc = await run(['-c', config, '-pc']);
  assert.deepEqual(pc.context?.config.append_output, plain.context?.config.append_output);
  assert.ok(logs.some((l) => l.startsWith('The -p/--print option is deprecated')));
});

test('event source selection: Falco errors, and no effect when replaying', async (t) => {
  const { config } = setup(t);
  const both = await run(['-c', config, '--enable-source', 'syscall', '--disable-source', 'syscall']);
  assert.equal(both.io.stderr, 'Error: You can not mix --enable-source and --disable-source\n');
  assert.equal((await run(['-c', config, '--enable-source', 'k8s_audit'])).io.stderr, 'Error: Attempted enabling an unknown event source: k8s_audit\n');
  assert.equal((await run(['-c', config, '--disable-source', 'aws'])).io.stderr, 'Error: Attempted disabling an unknown event source: aws\n');
  assert.equal((await run(['-c', config, '--disable-source', 'syscall'])).io.stderr, 'Error: Must enable at least one event source\n');
  const withK8s = await run(['-c', config, '-o', 'plugins[]={"name": "k8saudit", "library_path": "libk8saudit.so"}', '-o', 'load_plugins[]=k8saudit',
    '--disable-source', 'syscall']);
  assert.deepEqual(withK8s.context?.enabledSources, ['k8s_audit']);
  const replay = await run(['-c', config, '-o', 'engine.kind=replay', '-o', 'engine.replay.capture_file=/x.scap', '--disable-source', 'syscall']);
  assert.deepEqual(replay.context?.enabledSources, ['syscall']);
});

test('-P writes the pid (not in --dry-run); an unwritable pidfile is an error', async (t) => {
  const { dir, config } = setup(t);
  const pidfile = path.join(dir, 'peregrine.pid');
  await run(['-c', config, '-P', pidfile, '--dry-run']);
  assert.throws(() => readFileSync(pidfile), /ENOENT/);
  assert.equal((await run(['-c', config, '-P', pidfile])).code, 0);
  assert.equal(readFileSync(pidfile, 'utf8'), String(process.pid));
  const bad = await run(['-c', config, '-P', path.join(dir, 'no', 'dir', 'p.pid')]);
  assert.equal(bad.code, 1);
  assert.match(bad.io.stderr, /^Error: Could not write pid to pidfile .*p\.pid: ENOENT/);
});

test('an engine Peregrine does not provide is refused before running', async (t) => {
  const { config } = setup(t);
  const { code, io, context } = await run(['-c', config, '-o', 'engine.kind=kmod']);
  assert.equal(code, 1);
  assert.equal(context, undefined);
  assert.match(io.stderr, /^Error: engine.kind 'kmod' is a Falco driver that Peregrine does not provide/);
});

test('--support prints Falco\'s support JSON', async (t) => {
  const { dir, config } = setup(t);
  const { code, io } = await run(['-c', config, '--support', '-o', 'json_output=true']);
  assert.equal(code, 0);
  const report = JSON.parse(io.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report), ['cmdline', 'config', 'engine_info', 'rules_files', 'system_info', 'version']);
  assert.equal(report.cmdline, `peregrine -c ${config} --support -o json_output=true`);
  assert.equal(report.version, peregrineVersion());
  assert.deepEqual(report.rules_files, [{
    name: path.join(dir, 'rules', 'a.yaml'),
    variants: [{ content: readFileSync(path.join(dir, 'rules', 'a.yaml'), 'utf8') }],
  }]);
  assert.deepEqual(report.system_info, {
    sysname: os.type(), nodename: os.hostname(), release: os.release(), version: os.version(), machine: os.machine(),
  });
  const document = JSON.parse(report.config as string) as Record<string, unknown>;
  assert.equal(document.json_output, 'true', 'the configuration as written, -o included');
  assert.equal(document.log_stderr, false);
});

test('actions run in Falco\'s order: the first one asked for wins', async (t) => {
  const { config } = setup(t);
  const calls: string[] = [];
  const recorder: Partial<Integration> = {
    listFields: async () => (calls.push('list'), 0),
    validateRules: async (r) => (calls.push(`validate ${r.files.join(',')} json=${r.json} describe=${r.describeRule ?? r.describeAll}`), 0),
    describeRules: async (r) => (calls.push(`describe ${r.rule ?? '*'} ${r.format}`), 0),
    listEvents: async (r) => (calls.push(`events ${r.format}`), 0),
  };
  await run(['-c', config, '--version', '-L', '--list'], recorder);
  await run(['-c', config, '--list-events', '--format', 'json', '--version'], recorder);
  await run(['-c', config, '-L', '--list', 'syscall', '-N'], recorder);
  await run(['-c', config, '-o', 'json_output=true', '-V', 'x.yaml', '-V', 'y.yaml', '-l', 'A'], recorder);
  await run(['-c', config, '-l', 'A', '--support'], recorder);
  await run(['-c', config, '-L', '--format', 'markdown'], recorder);
  assert.deepEqual(calls, ['events json', 'list', 'validate x.yaml,y.yaml json=true describe=A', 'describe A text', 'describe * markdown']);
  const badList = await run(['-c', config, '--list', 'k8s_audit'], recorder);
  assert.equal(badList.io.stderr, 'Error: Value for --list must be a valid source type\n');
});

test('--list prints the fields of the configured sources (real field registries)', async (t) => {
  const { config } = setup(t, 'static_fields:\n  cluster: prod\n');
  const names = await run(['-c', config, '--list', 'syscall', '-N']);
  assert.equal(names.code, 0);
  const listed = names.io.stdout.trim().split('\n');
  for (const field of ['evt.type', 'proc.name', 'fd.name', 'container.id', 'static.cluster']) assert.ok(listed.includes(field), field);
  assert.ok(!listed.includes('ka.verb'));
  const json = await run(['-c', config, '--list', '--format', 'json', '-o', 'plugins[]={"name": "k8saudit", "library_path": "libk8saudit.so"}',
    '-o', 'load_plugins[]=k8saudit']);
  const classes = (JSON.parse(json.io.stdout) as { fieldclasses: { name: string }[] }).fieldclasses.map((c) => c.name);
  assert.ok(classes.includes('k8saudit (plugin)'), classes.join(','));
  assert.ok(classes.includes('process'));
});

test('--list-plugins and --plugin-info describe the configured plugins as Falco does', async (t) => {
  const { config } = setup(t, 'plugins:\n  - {name: k8saudit, library_path: libk8saudit.so, open_params: "http://:9765/k8s-audit"}\n' +
    '  - {name: json, library_path: /opt/libjson.so}\n  - {name: cloudtrail, library_path: libcloudtrail.so}\n' +
    '  - {name: github, library_path: libgithub.so}\n' +
    'load_plugins: [k8saudit, json]\n');
  const list = await run(['-c', config, '--list-plugins']);
  assert.equal(list.code, 0);
  assert.match(list.io.stdout, /^2 Plugins Loaded:\n\nName: k8saudit\nDescription: .*\nContact: .*\nVersion: 0\.18\.0\n/);
  assert.match(list.io.stdout, /Capabilities: \n {2}- Event Sourcing \(ID=1, source='k8s_audit'\)\n {2}- Field Extraction\n/);
  assert.match(list.io.stdout, /\n\nName: json\n/);
  const info = await run(['-c', config, '--plugin-info', '/opt/libjson.so']);
  assert.equal(info.code, 0);
  assert.match(info.io.stdout, /^Name: json\n[\s\S]*Init config schema type: JSON\n/);
  const cloudtrail = await run(['-c', config, '--plugin-info', 'cloudtrail']);
  assert.equal(cloudtrail.code, 0);
  assert.match(cloudtrail.io.stdout, /^Name: cloudtrail\n[\s\S]* {2}- Event Sourcing \(ID=2, source='aws_cloudtrail'\)\n/);
  const unsupported = await run(['-c', config, '--plugin-info', 'github']);
  assert.equal(unsupported.code, 1);
  assert.match(unsupported.io.stderr, /^Error: cannot load plugin 'github' \(libgithub\.so\): Peregrine loads no plugin libraries, and 'github' is not one of the plugins it provides \(container, k8saudit, cloudtrail, json\)\n$/);
  const unknown = await run(['-c', config, '--plugin-info', 'okta']);
  assert.equal(unknown.io.stderr, "Error: No plugin named or with library_path 'okta' in the configuration (plugins:)\n");
  // A loaded source plugin adds its event source.
  assert.deepEqual((await run(['-c', config])).context?.enabledSources, ['syscall', 'k8s_audit']);
});

test('subcommands load the configuration and dispatch', async (t) => {
  const { config } = setup(t, 'json_output: true\n');
  const seen: unknown[] = [];
  const replacements: Partial<Integration> = {
    validateRules: async (r) => (seen.push({ validate: r.files, json: r.json, stop: r.stopAtPluginRequirements }), 0),
    inspect: async (o) => (seen.push({ inspect: o.captureFile, filter: o.filter, base64: o.config.buffer_format_base64 }), 0),
    capture: async (o) => (seen.push({ capture: o.outputFile, seconds: o.durationSeconds }), 0),
  };
  await run(['validate', 'r.yaml', '-c', config], replacements);
  await run(['inspect', '-c', config, '-o', 'buffer_format_base64=true', 't.scap', 'evt.type=open'], replacements);
  await run(['capture', '-c', config, '-w', 'o.scap', '-M', '2'], replacements);
  assert.deepEqual(seen, [
    { validate: ['r.yaml'], json: true, stop: false },
    { inspect: 't.scap', filter: 'evt.type=open', base64: true },
    { capture: 'o.scap', seconds: 2 },
  ]);
});

test('a bug is reported as a runtime error, not a user error', async (t) => {
  const { config } = setup(t);
  const { code, io } = await run(['-c', config], { runAgent: async () => { throw new TypeError('x is undefined'); } });
  assert.equal(code, 1);
  assert.match(io.stderr, /^Runtime error: x is undefined\. Exiting\.\nTypeError: x is undefined\n\s+at /);
});
