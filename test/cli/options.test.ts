import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AgentOptions, type ParsedCommandLine, parseCommandLine } from '../../src/cli/options.js';
import { captureIO } from './fixtures.js';

function agent(...argv: string[]): AgentOptions {
  const io = captureIO();
  const parsed = parseCommandLine(argv, io);
  assert.equal(parsed.command, 'agent', `${argv.join(' ')}: ${io.stderr}`);
  return (parsed as Extract<ParsedCommandLine, { command: 'agent' }>).options;
}

function failure(...argv: string[]): string {
  const io = captureIO();
  const parsed = parseCommandLine(argv, io);
  assert.deepEqual(parsed, { command: 'exit', exitCode: 1 }, argv.join(' '));
  assert.equal(io.stdout, '');
  assert.doesNotMatch(io.stderr, /\n\s+at /, 'no stack trace');
  return io.stderr;
}

test('no flags: the agent with defaults', () => {
  assert.deepEqual(agent(), {
    configOverrides: [], rulesFiles: [], validateFiles: [], describeAllRules: false, listEvents: false, listPlugins: false,
    format: 'text', namesOnly: false, verbose: false, printIgnoredEvents: false, printConfigSchema: false, printRuleSchema: false,
    support: false, version: false, pageSize: false, durationSeconds: 0, unbuffered: false, dryRun: false,
    enableSources: [], disableSources: [],
  });
});

test('configuration flags: -c, repeatable -o in order (attached and long forms), repeatable -r', () => {
  const o = agent('-c', '/etc/falco/falco.yaml', '-o', 'json_output=true', '-ojson_include_output_property=false',
    '--option', 'log_level=debug', '--option=priority=warning', '-r', 'a.yaml', '-r', 'rules.d', '-rlast.yaml');
  assert.equal(o.configFile, '/etc/falco/falco.yaml');
  assert.deepEqual(o.configOverrides, ['json_output=true', 'json_include_output_property=false', 'log_level=debug', 'priority=warning']);
  assert.deepEqual(o.rulesFiles, ['a.yaml', 'rules.d', 'last.yaml']);
  // A comma is part of the value (Falco does not split -o on commas).
  assert.deepEqual(agent('-o', 'base_syscalls.custom_set[]=open,close').configOverrides, ['base_syscalls.custom_set[]=open,close']);
});

test('rules flags: -V repeatable, -L, -l RULE, --rule-schema', () => {
  assert.deepEqual(agent('-V', 'a.yaml', '--validate', 'b.yaml', '-Vc.yaml').validateFiles, ['a.yaml', 'b.yaml', 'c.yaml']);
  assert.equal(agent('-L').describeAllRules, true);
  assert.equal(agent('-l', 'Write below etc').describeRule, 'Write below etc');
  assert.equal(agent('--rule-schema').printRuleSchema, true);
});

test('information flags', () => {
  assert.equal(agent('--list').listSource, '');
  assert.equal(agent('--list', 'syscall').listSource, 'syscall');
  assert.equal(agent('--list=k8s_audit').listSource, 'k8s_audit');
  const list = agent('--list', '-N', '-v', '--format', 'Markdown');
  assert.deepEqual([list.listSource, list.namesOnly, list.verbose, list.format], ['', true, true, 'markdown']);
  assert.equal(agent('--list-events', '--format=json').format, 'json');
  assert.equal(agent('--list-plugins').listPlugins, true);
  assert.equal(agent('--plugin-info', 'k8saudit').pluginInfo, 'k8saudit');
  assert.equal(agent('-i').printIgnoredEvents, true);
  assert.equal(agent('--config-schema').printConfigSchema, true);
  assert.equal(agent('--support').support, true);
  assert.equal(agent('--version').version, true);
  assert.equal(agent('--page-size').pageSize, true);
});

test('running flags: -M, -U, -P, --dry-run, sources, -p', () => {
  const o = agent('-M', '30', '-U', '-P', '/run/peregrine.pid', '--dry-run', '--enable-source', 'syscall', '--enable-source=k8s_audit');
  assert.deepEqual([o.durationSeconds, o.unbuffered, o.pidfile, o.dryRun, o.enableSources], [30, true, '/run/peregrine.pid', true, ['syscall', 'k8s_audit']]);
  assert.equal(agent('--unbuffered', '--pidfile=/tmp/p').pidfile, '/tmp/p');
  assert.deepEqual(agent('--disable-source', 'k8s_audit').disableSources, ['k8s_audit']);
  assert.equal(agent('-pc').printAdditional, 'c');
  assert.equal(agent('-pk').printAdditional, 'k');
  assert.equal(agent('--print', 'container=%container.id').printAdditional, 'container=%container.id');
});

test('--markdown is deprecated and cannot be combined with --format', () => {
  const io = captureIO();
  const parsed = parseCommandLine(['--list', '--markdown'], io);
  assert.equal(parsed.command, 'agent');
  if (parsed.command === 'agent') {
    assert.equal(parsed.options.format, 'markdown');
    assert.deepEqual(parsed.warnings, ['WARNING: --markdown is deprecated, use --format markdown instead.']);
  }
  assert.equal(failure('--markdown', '--format', 'text'), 'Error: Cannot specify both --markdown and --format options together\n');
});

test('bad flags and values say what is wrong, exit 1', () => {
  assert.match(failure('--frobnicate'), /^Error: unknown option '--frobnicate'\n/);
  assert.match(failure('--lst'), /unknown option '--lst'\n\(Did you mean --list\?\)/);
  assert.match(failure('-M', 'ten'), /option '-M <num_seconds>' argument 'ten' is invalid\. Expected a whole number/);
  assert.match(failure('-M', '-5'), /option '-M <num_seconds>' argument '-5' is invalid/);
  assert.match(failure('--format', 'yaml'), /Invalid format 'yaml'\. Valid values are: text, markdown, json/);
  assert.match(failure('-c'), /option '-c <path>' argument missing/);
  assert.match(failure('-l'), /option '-l <rule>' argument missing/);
  assert.match(failure('rules.yaml'), /^Error: unknown command 'rules.yaml'/);
  assert.match(failure('--frobnicate'), /Run 'peregrine --help' for the list of options/);
  // Flags of older Falco releases point to what replaced them.
  assert.match(failure('-A'), /^Error: unknown option '-A'\n-A is an option of older Falco releases; use -o base_syscalls\.all=true instead\.\n/);
  assert.match(failure('-e', 'trace.scap'), /use -o engine\.kind=replay -o engine\.replay\.capture_file=FILE instead/);
});

test('subcommand validate: files, --json, -c, -o', () => {
  assert.deepEqual(parseCommandLine(['validate', 'a.yaml', 'rules.d', '--json', '-c', 'f.yaml', '-o', 'x=1'], captureIO()), {
    command: 'validate', files: ['a.yaml', 'rules.d'], json: true, config: { configFile: 'f.yaml', configOverrides: ['x=1'] },
  });
  assert.match(failure('validate'), /missing required argument 'rules_files'[\s\S]*peregrine validate --help/);
});

test('subcommand inspect: capture file, -p, -j, -n, filter words', () => {
  assert.deepEqual(parseCommandLine(['inspect', 'x.scap', '-p', '%evt.num %proc.name', '-n', '100', 'evt.type=execve', 'and', 'proc.name!=bash'], captureIO()), {
    command: 'inspect', captureFile: 'x.scap', format: '%evt.num %proc.name', json: false, filter: 'evt.type=execve and proc.name!=bash',
    maxEvents: 100, config: { configOverrides: [] },
  });
  assert.deepEqual(parseCommandLine(['inspect', '-j', 'x.scap'], captureIO()), {
    command: 'inspect', captureFile: 'x.scap', json: true, config: { configOverrides: [] },
  });
  assert.match(failure('inspect'), /missing required argument 'capture_file'/);
});

test('subcommand capture: -w required, -M, filter', () => {
  assert.deepEqual(parseCommandLine(['capture', '-w', 'out.scap', '-M', '10', 'evt.type=open'], captureIO()), {
    command: 'capture', outputFile: 'out.scap', durationSeconds: 10, filter: 'evt.type=open', config: { configOverrides: [] },
  });
  assert.match(failure('capture'), /required option '-w, --write <file>' not specified/);
});

test('--help prints every Falco flag and the commands, exit 0', () => {
  const io = captureIO();
  assert.deepEqual(parseCommandLine(['--help'], io), { command: 'exit', exitCode: 0 });
  for (const flag of ['-c <path>', '-o, --option', '-r <rules_file>', '-V, --validate', '-L', '-l <rule>', '--list [source]',
    '--list-events', '--list-plugins', '--plugin-info', '-N', '--format', '--markdown', '-M <num_seconds>', '-U, --unbuffered',
    '-P, --pidfile', '--dry-run', '--support', '--version', '--enable-source', '--disable-source', '-i', '--config-schema',
    '--rule-schema', '-p, --print', '-h, --help', '-v', '--page-size', 'validate', 'inspect', 'capture']) {
    assert.ok(io.stdout.includes(flag), `help lacks ${flag}`);
  }
  const sub = captureIO();
  assert.deepEqual(parseCommandLine(['inspect', '--help'], sub), { command: 'exit', exitCode: 0 });
  assert.match(sub.stdout, /Usage: peregrine inspect \[options\] <capture_file> \[filter\.\.\.\]/);
});
