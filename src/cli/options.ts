// The command line: Falco 0.44's flags (same names, argument forms and defaults, so scripts and
// container specs written for `falco` work with `peregrine`), plus Peregrine's subcommands
// `validate`, `inspect` and `capture`, all parsed by commander. Parsing only describes what was
// asked for; src/cli/app.ts does it.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

/** Where the command line writes: the process's streams, or a test's buffers. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export type OutputFormat = 'text' | 'markdown' | 'json';

/** Falco's flags, as given (defaults where absent). */
export interface AgentOptions {
  /** `-c`: configuration file. */
  configFile?: string;
  /** `-o key=value`, in order. */
  configOverrides: string[];
  /** `-r`: rules files or directories, in order; replaces `rules_files` when given. */
  rulesFiles: string[];
  /** `-V`: rules files to validate. */
  validateFiles: string[];
  /** `-L` */
  describeAllRules: boolean;
  /** `-l RULE` */
  describeRule?: string;
  /** `--list [SOURCE]`: undefined when not asked; '' for every source. */
  listSource?: string;
  /** `--list-events` */
  listEvents: boolean;
  /** `--list-plugins` */
  listPlugins: boolean;
  /** `--plugin-info NAME` */
  pluginInfo?: string;
  /** `--format` (or the deprecated `--markdown`). */
  format: OutputFormat;
  /** `-N` */
  namesOnly: boolean;
  /** `-v` */
  verbose: boolean;
  /** `-i` */
  printIgnoredEvents: boolean;
  /** `--config-schema` */
  printConfigSchema: boolean;
  /** `--rule-schema` */
  printRuleSchema: boolean;
  /** `--support` */
  support: boolean;
  /** `--version` */
  version: boolean;
  /** `--page-size` */
  pageSize: boolean;
  /** `-M SECS`: stop after this many seconds; 0 for no limit. */
  durationSeconds: number;
  /** `-U` */
  unbuffered: boolean;
  /** `-P FILE` */
  pidfile?: string;
  /** `--dry-run` */
  dryRun: boolean;
  /** `--enable-source` (repeatable) */
  enableSources: string[];
  /** `--disable-source` (repeatable) */
  disableSources: string[];
  /** `-p FORMAT` (deprecated form of append_output). */
  printAdditional?: string;
}

/** Options every subcommand shares: the configuration it runs with. */
export interface SubcommandConfigOptions {
  configFile?: string;
  configOverrides: string[];
}

export type ParsedCommandLine =
  | { command: 'agent'; options: AgentOptions; warnings: string[] }
  | { command: 'validate'; files: string[]; json: boolean; config: SubcommandConfigOptions }
  | { command: 'inspect'; captureFile: string; format?: string; json: boolean; filter?: string; maxEvents?: number; config: SubcommandConfigOptions }
  | { command: 'capture'; outputFile: string; durationSeconds: number; filter?: string; maxEvents?: number; config: SubcommandConfigOptions }
  /** Help was printed (or a parse error reported): exit with this code. */
  | { command: 'exit'; exitCode: number };

const SUBCOMMANDS = ['validate', 'inspect', 'capture'];

/** Flags older Falco releases had, with what replaces them, for scripts that still pass them. */
const REMOVED_FALCO_FLAGS: Readonly<Record<string, string>> = {
  '-A': '-o base_syscalls.all=true',
  '-e': '-o engine.kind=replay -o engine.replay.capture_file=FILE',
  '-D': "-o 'rules[].disable.rule=NAME' (with * wildcards)",
  '-t': "-o 'rules[].disable.rule=*' -o 'rules[].enable.tag=TAG'",
  '-T': "-o 'rules[].disable.tag=TAG'",
  '-b': '-o buffer_format_base64=true',
  '--print-base64': '-o buffer_format_base64=true',
  '-S': '-o falco_libs.snaplen=LEN',
  '--snaplen': '-o falco_libs.snaplen=LEN',
  '-s': '-o metrics.enabled=true -o metrics.output_file=FILE',
  '--stats-interval': '-o metrics.interval=DURATION',
  '-d': 'a service manager (systemd, Kubernetes) to run in the background',
  '--daemon': 'a service manager (systemd, Kubernetes) to run in the background',
  '--modern-bpf': '-o engine.kind=modern_ebpf',
  '--nodriver': '-o engine.kind=nodriver',
  '--cri': 'the container plugin settings (plugins[].init_config)',
  '--disable-cri-async': 'the container plugin settings (plugins[].init_config)',
  '-k': 'the k8smeta plugin',
  '-K': 'the k8smeta plugin',
};

/** Repeatable options accumulate; absent ones stay undefined (so help shows no default). */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const listOf = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a whole number (0 or more).');
  return Number(value);
}

function outputFormat(value: string): OutputFormat {
  const lower = value.toLowerCase();
  if (lower === 'text' || lower === 'markdown' || lower === 'json') return lower;
  throw new InvalidArgumentError(`Invalid format '${value}'. Valid values are: text, markdown, json`);
}

/** `-c` and `-o`, for the agent and every subcommand. */
function addConfigOptions(cmd: Command): Command {
  return cmd
    .addHelpOption(new Option('-h, --help', 'Print this help and exit.'))
    .option('-c <path>', 'Configuration file (falco.yaml format). Default: /etc/peregrine/peregrine.yaml when it exists, else the built-in defaults.')
    .option('-o, --option <opt=val>',
      'Set configuration key <opt> to <val>, over the configuration files. Dots walk maps, [N] indexes lists, [] appends; ' +
      'backslash escapes a literal ., [, ] or \\ in a key. E.g. -o json_output=true -o rules[].disable.tag=network ' +
      "-o 'append_output[]={\"extra_output\": \"on %evt.cpu\"}'. Repeatable.", collect);
}

function configOptionsOf(opts: Record<string, unknown>): SubcommandConfigOptions {
  return {
    ...(typeof opts.c === 'string' ? { configFile: opts.c } : {}),
    configOverrides: listOf(opts.option),
  };
}

const joinFilter = (words: string[]): string | undefined => (words.length > 0 ? words.join(' ') : undefined);

function buildProgram(io: CliIO, done: (result: ParsedCommandLine) => void): Command {
  const program = new Command('peregrine');
  program
    .description('Peregrine: cloud-native runtime security. Runs Falco rules on live system calls, capture files and plugin ' +
      'event sources.\nWithout a command it runs the agent, with the flags of Falco 0.44.')
    .usage('[options]\n       peregrine <command> [options] [arguments]')
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ helpWidth: 120, showGlobalOptions: false })
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => write(text.replace(/^error: /, 'Error: ')),
    })
    .helpCommand(false);

  program.optionsGroup('Configuration:');
  addConfigOptions(program);
  program
    .option('-r <rules_file>', 'Rules file or directory to load (directories: their .yaml/.yml files in name order). Repeatable; ' +
      'replaces rules_files from the configuration.', collect)
    .option('--enable-source <event_source>', 'Enable only this event source (syscall, or a source of a loaded plugin). Repeatable; ' +
      'cannot be mixed with --disable-source; no effect when replaying a capture file.', collect)
    .option('--disable-source <event_source>', 'Turn off this event source. Repeatable, but not every source; cannot be mixed with ' +
      '--enable-source; no effect when replaying a capture file.', collect)
    .option('-p, --print <output_format>', 'DEPRECATED: use -o append_output... instead. Append <output_format> to every rule ' +
      'output (-pc/-pk and their long forms are accepted and do nothing: container fields are suggested automatically).');

  program.optionsGroup('Running:');
  program
    .option('-M <num_seconds>', 'Stop after <num_seconds> seconds (0: run until stopped or the capture ends).', nonNegativeInteger, 0)
    .option('-U, --unbuffered', 'Flush outputs after every alert (the same as buffered_outputs=false).')
    .option('-P, --pidfile <pid_file>', 'Write the process id to <pid_file>.')
    .option('--dry-run', 'Load the configuration and rules and check them, without processing events.');

  program.optionsGroup('Rules:');
  program
    .option('-V, --validate <rules_file>', 'Validate the rules in <rules_file> and exit (json_output=true: JSON result). Repeatable.', collect)
    .option('-L', 'Print the name and description of every rule and exit (json_output=true: rules, macros and lists as JSON).')
    .option('-l <rule>', 'Print the name and description of <rule> and exit (json_output=true: JSON).')
    .option('--rule-schema', 'Print the JSON schema of rules files and exit.');

  program.optionsGroup('Information (print and exit):');
  program
    .addHelpOption(new Option('-h, --help', 'Print this help and exit.').helpGroup('Information (print and exit):'))
    .option('--list [source]', 'List the fields rules can use, of every source or of <source> (syscall, k8s_audit, a plugin source).')
    .option('--list-events', 'List the syscall events, metaevents and tracepoint events.')
    .option('--list-plugins', 'Describe the configured plugins.')
    .option('--plugin-info <plugin_name>', 'Describe the plugin <plugin_name> (its name or library_path): info, init schema, open parameters.')
    .option('--format <format>', "Output format of --list and --list-events: 'text', 'markdown' or 'json'.", outputFormat)
    .addOption(new Option('--markdown', 'DEPRECATED: use --format markdown instead.'))
    .option('-N', 'With --list: print field names only.')
    .option('-v', 'Verbose output (with --list: also fields hidden by default).')
    .option('-i', 'Print the syscalls ignored by default for performance (see base_syscalls.all) and exit.')
    .option('--config-schema', 'Print the JSON schema of the configuration and exit.')
    .option('--support', 'Print support information as JSON (version, system, command line, configuration, rules files) and exit.')
    .option('--page-size', 'Print the system page size and exit.')
    .option('--version', 'Print version information and exit (json_output=true: JSON).');

  program.allowExcessArguments(true).action(() => {
    if (program.args.length > 0) {
      throw new CommanderError(1, 'peregrine.options',
        `Error: unknown command '${program.args[0]}' (commands: validate, inspect, capture; the agent takes no arguments)\n`);
    }
    const o = program.opts<Record<string, unknown>>();
    const warnings: string[] = [];
    if (o.markdown && o.format !== undefined) {
      throw new CommanderError(1, 'peregrine.options', 'Error: Cannot specify both --markdown and --format options together\n');
    }
    if (o.markdown) warnings.push('WARNING: --markdown is deprecated, use --format markdown instead.');
    const list = o.list;
    done({
      command: 'agent',
      warnings,
      options: {
        ...configOptionsOf(o),
        rulesFiles: listOf(o.r),
        validateFiles: listOf(o.validate),
        describeAllRules: o.L === true,
        ...(typeof o.l === 'string' ? { describeRule: o.l } : {}),
        ...(list !== undefined ? { listSource: typeof list === 'string' ? list : '' } : {}),
        listEvents: o.listEvents === true,
        listPlugins: o.listPlugins === true,
        ...(typeof o.pluginInfo === 'string' ? { pluginInfo: o.pluginInfo } : {}),
        format: (o.format as OutputFormat | undefined) ?? (o.markdown ? 'markdown' : 'text'),
        namesOnly: o.N === true,
        verbose: o.v === true,
        printIgnoredEvents: o.i === true,
        printConfigSchema: o.configSchema === true,
        printRuleSchema: o.ruleSchema === true,
        support: o.support === true,
        version: o.version === true,
        pageSize: o.pageSize === true,
        durationSeconds: o.M as number,
        unbuffered: o.unbuffered === true,
        ...(typeof o.pidfile === 'string' ? { pidfile: o.pidfile } : {}),
        dryRun: o.dryRun === true,
        enableSources: listOf(o.enableSource),
        disableSources: listOf(o.disableSource),
        ...(typeof o.print === 'string' ? { printAdditional: o.print } : {}),
      },
    });
  });

  addConfigOptions(program.command('validate')
    .description('Validate rules files and print the result (errors and warnings with file:line:column), like falco -V.')
    .argument('<rules_files...>', 'Rules files or directories.')
    .option('--json', 'Print the result as JSON (as json_output=true does).'))
    .action((files: string[], o: Record<string, unknown>) => {
      done({ command: 'validate', files, json: o.json === true, config: configOptionsOf(o) });
    });

  addConfigOptions(program.command('inspect')
    .description('Print the events of a capture file, optionally only those matching a filter (a rule condition).')
    .argument('<capture_file>', 'The .scap capture (plain or gzip).')
    .argument('[filter...]', 'Filter expression in the rules condition language, e.g. evt.type=execve and proc.name=bash.')
    .option('-p, --print <format>', 'Output format of each event, with %field references (sysdig -p style).')
    .option('-j, --json', 'Print events as JSON lines.')
    .option('-n, --numevents <num>', 'Stop after <num> events.', nonNegativeInteger))
    .action((captureFile: string, filter: string[], o: Record<string, unknown>) => {
      const filterText = joinFilter(filter);
      done({
        command: 'inspect',
        captureFile,
        ...(typeof o.print === 'string' ? { format: o.print } : {}),
        json: o.json === true,
        ...(filterText !== undefined ? { filter: filterText } : {}),
        ...(typeof o.numevents === 'number' ? { maxEvents: o.numevents } : {}),
        config: configOptionsOf(o),
      });
    });

  addConfigOptions(program.command('capture')
    .description('Capture live system calls into a .scap file (readable by peregrine, Falco and sysdig).')
    .argument('[filter...]', 'Only events matching this filter (rules condition language).')
    .requiredOption('-w, --write <file>', 'Capture file to write.')
    .option('-M <num_seconds>', 'Stop after <num_seconds> seconds (0: until interrupted).', nonNegativeInteger, 0)
    .option('-n, --numevents <num>', 'Stop after <num> events.', nonNegativeInteger))
    .action((filter: string[], o: Record<string, unknown>) => {
      const filterText = joinFilter(filter);
      done({
        command: 'capture',
        outputFile: o.write as string,
        durationSeconds: o.M as number,
        ...(filterText !== undefined ? { filter: filterText } : {}),
        ...(typeof o.numevents === 'number' ? { maxEvents: o.numevents } : {}),
        config: configOptionsOf(o),
      });
    });

  program.addHelpText('after', `
Commands take their own options: peregrine <command> --help.

Examples:
  peregrine -c /etc/falco/falco.yaml                     run with an existing Falco configuration
  peregrine -r rules.yaml -o engine.kind=replay -o engine.replay.capture_file=trace.scap
  peregrine -V my_rules.yaml                             validate rules (or: peregrine validate my_rules.yaml)
  peregrine --list=syscall -N                            list field names of the syscall source
  peregrine inspect trace.scap -p '%evt.num %proc.name %evt.type' evt.type=execve
`);
  return program;
}

/**
 * Parses the arguments (without `node` and the script). Help and parse errors are written to `io`
 * here and come back as `{command: 'exit'}`; nothing else is done.
 */
export function parseCommandLine(argv: readonly string[], io: CliIO = processIO): ParsedCommandLine {
  let result: ParsedCommandLine | undefined;
  const program = buildProgram(io, (r) => {
    result = r;
  });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'peregrine.options') io.err(err.message);
    if (err.code === 'commander.help' || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
      return { command: 'exit', exitCode: 0 };
    }
    if (err.code === 'commander.unknownOption') {
      const flag = /unknown option '([^'=]+)/.exec(err.message)?.[1];
      const replacement = flag !== undefined ? REMOVED_FALCO_FLAGS[flag] : undefined;
      if (replacement) io.err(`${flag} is an option of older Falco releases; use ${replacement} instead.\n`);
    }
    if (err.code !== 'peregrine.options') {
      const sub = SUBCOMMANDS.find((name) => argv.includes(name));
      io.err(`Run 'peregrine ${sub ? `${sub} ` : ''}--help' for the list of options.\n`);
    }
    return { command: 'exit', exitCode: err.exitCode === 0 ? 0 : 1 };
  }
  return result ?? { command: 'exit', exitCode: 1 };
}
