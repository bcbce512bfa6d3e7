// Integration points: the actions of the command line that other modules carry out. Each function
// below is the one place the command line calls into that module; until a module is connected, its
// function reports that the feature is not in this build (exit 1), so every flag already parses,
// loads the configuration and fails with a clear message rather than a crash.
//
// To connect a module, replace the body of its function here; the signatures are the contract.
import { Agent } from '../agent/agent.js';
import { formatEventList, formatIgnoredEvents } from '../agent/events-list.js';
import { renderFieldList } from '../fields/list.js';
import { enableLogSyslog, type SyslogSocketSettings } from '../outputs/index.js';
import type { FieldRegistry } from '../fields/types.js';
import { formatPluginDetails, formatPluginList, LoadedPlugins, PluginError, pluginsToLoad } from '../sources/plugins.js';
import { createSyscallSourceDefinition } from '../sources/syscall/definition.js';
import type { LoadedConfig } from './config/load.js';
import type { ResolvedRulesFiles } from './config/rules-files.js';
import type { PeregrineConfig, PluginConfig } from './config/types.js';
import type { WatchTargets } from './config/watch.js';
import { UserError } from './errors.js';
import type { AgentOptions, CliIO, OutputFormat } from './options.js';
import { type CaptureOptions, captureCommand } from './commands/capture.js';
import { type InspectOptions, inspectCommand } from './commands/inspect.js';
import {
  builtinRulesEnvironment, describeCommand, ruleSchemaCommand, validateCommand, type RulesEnvironment,
} from './commands/validate.js';
import type { ExtraOutputField, ExtraOutputFormat } from '../engine/loader/index.js';


/**
 * `--list [SOURCE]`: print the fields of every event source of this configuration, or of `source`
 * (the caller has checked it is one). Connected: src/fields/list.ts over the syscall source and the
 * plugin sources of the loaded plugins, with `static_fields`.
 */
export async function listFields(request: {
  source?: string;
  namesOnly: boolean;
  verbose: boolean;
  format: OutputFormat;
  config: PeregrineConfig;
  io: CliIO;
}): Promise<number> {
  const { config } = request;
  const staticFields = Object.keys(config.static_fields).length > 0 ? config.static_fields : undefined;
  const registries: FieldRegistry<unknown>[] = [createSyscallSourceDefinition<unknown>(staticFields ? { staticFields } : {}).fields];
  const plugins = loadedPlugins(config);
  for (const source of plugins.sources) {
    const definition = plugins.sourceDefinition(source, staticFields ? { staticFields } : {});
    if (definition) registries.push(definition.fields as FieldRegistry<unknown>);
  }
  request.io.out(renderFieldList(registries, {
    ...(request.source !== undefined ? { source: request.source } : {}),
    verbose: request.verbose, namesOnly: request.namesOnly, format: request.format,
  }));
  return 0;
}

/** `--list-events`: print the event table as Falco does (src/agent/events-list.ts over src/scap). */
export async function listEvents(request: { format: OutputFormat; io: CliIO }): Promise<number> {
  request.io.out(formatEventList(request.format));
  return 0;
}

/** `-i`: print the syscalls ignored unless base_syscalls.all is set (src/agent/events-list.ts). */
export async function printIgnoredEvents(io: CliIO): Promise<number> {
  io.out(formatIgnoredEvents());
  return 0;
}

/** `--rule-schema`: print the JSON schema of rules files. Owner: rules loader (`ruleSchemaCommand`, src/engine/rule-schema.ts). */
export async function printRuleSchema(io: CliIO): Promise<number> {
  return ruleSchemaCommand(io);
}

/**
 * `-V FILE...` and `peregrine validate`: validate rules files, printing one result per file (JSON
 * with `json`); with `-L`/`-l` also describe the rules once all files are valid (as Falco's -V does).
 * Owner: rules loader, src/cli/commands/validate.ts `validateCommand` (rules branch: its options
 * add describeAll, describeRule and stopAtPluginRequirements, which this request carries).
 */
export async function validateRules(request: {
  files: string[];
  json: boolean;
  describeAll: boolean;
  describeRule?: string;
  /** `-V` stops at an unmet plugin requirement before printing results; `peregrine validate` reports it last. */
  stopAtPluginRequirements: boolean;
  config: PeregrineConfig;
  io: CliIO;
}): Promise<number> {
  return validateCommand({
    files: request.files,
    json: request.json,
    describeAll: request.describeAll,
    ...(request.describeRule !== undefined ? { describeRule: request.describeRule } : {}),
    stopAtPluginRequirements: request.stopAtPluginRequirements,
    environment: rulesEnvironment(request.config),
    io: request.io,
  });
}

/**
 * `-L` (every rule) and `-l RULE`: load the rules files as the agent would and describe them.
 * Owner: src/engine/describe.ts via `describeCommand` of src/cli/commands/validate.ts (rules branch).
 */
export async function describeRules(request: {
  /** Rules files in load order (directories already expanded). */
  rulesFiles: string[];
  /** Only this rule; undefined for all (with lists and macros in JSON). */
  rule?: string;
  /** json when json_output is set, else the --format asked for (text by default). */
  format: OutputFormat;
  config: PeregrineConfig;
  io: CliIO;
}): Promise<number> {
  return describeCommand({
    rulesPaths: request.rulesFiles,
    ...(request.rule !== undefined ? { rule: request.rule } : {}),
    format: request.format,
    environment: rulesEnvironment(request.config),
    io: request.io,
  });
}

/**
 * What rules are loaded against under this configuration: the event sources it enables (with
 * `static_fields`) and `append_output` (formats appended to outputs, extra output fields).
 */
export function rulesEnvironment(config: PeregrineConfig): RulesEnvironment {
  const extraOutputFormats: ExtraOutputFormat[] = [];
  const extraOutputFields: ExtraOutputField[] = [];
  for (const entry of config.append_output) {
    const match = {
      ...(entry.match.source !== undefined ? { source: entry.match.source } : {}),
      tags: entry.match.tags,
      ...(entry.match.rule !== undefined ? { rule: entry.match.rule } : {}),
    };
    if (entry.extra_output) extraOutputFormats.push({ format: entry.extra_output, ...match });
    for (const field of entry.extra_fields) {
      extraOutputFields.push({ key: field.name, format: field.format ?? field.name, raw: field.format === undefined, ...match });
    }
  }
  return builtinRulesEnvironment({
    sources: eventSources(config),
    staticFields: config.static_fields,
    extraOutputFormats,
    extraOutputFields,
  });
}

/**
 * The configuration's plugins as Peregrine provides them (src/sources/plugins.ts): Falco's checks
 * on `plugins`/`load_plugins` and init_config, with plugin problems as user errors.
 */
function loadedPlugins(config: PeregrineConfig): LoadedPlugins {
  return asUserError(() => LoadedPlugins.load(pluginsToLoad(config)));
}

function asUserError<T>(action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (err instanceof PluginError) throw new UserError(err.message);
    throw err;
  }
}

/** Event sources of this configuration, `syscall` first as in Falco. Owner: src/sources. */
export function eventSources(config: PeregrineConfig): string[] {
  return loadedPlugins(config).sources;
}

/** `--list-plugins`: describe the plugins to load, as Falco does. Owner: src/sources/plugins.ts. */
export async function listPlugins(request: { plugins: PluginConfig[]; io: CliIO }): Promise<number> {
  request.io.out(asUserError(() => formatPluginList(request.plugins)));
  return 0;
}

/** `--plugin-info NAME`: describe one plugin (info, init schema, open parameters). Owner: src/sources/plugins.ts. */
export async function printPluginInfo(request: { plugin: PluginConfig; io: CliIO }): Promise<number> {
  request.io.out(asUserError(() => formatPluginDetails(request.plugin)));
  return 0;
}

let syslogSink: { uninstall(): void } | undefined;

/**
 * `log_syslog`: also send Peregrine's log to syslog (src/outputs enableLogSyslog), through the
 * socket and with the program name of `syslog_output` (Peregrine's socket_path and ident). Called
 * again on reload: the previous sink is replaced. Without a syslog daemon the lines are only
 * counted as failed (the log cannot report its own failures through itself).
 */
export function enableSyslogLogging(enabled: boolean, socket: SyslogSocketSettings = {}): void {
  syslogSink?.uninstall();
  syslogSink = enabled ? enableLogSyslog(socket) : undefined;
}

/** Everything the agent needs to run, after the command line and configuration are checked. */
export interface AgentRunContext {
  /** The configuration, with -U, -p applied. */
  config: PeregrineConfig;
  /** Files the configuration came from (for `--support`-style reporting and reloads). */
  loaded: LoadedConfig;
  /** Rules files to load, in order (from -r, else rules_files). */
  rules: ResolvedRulesFiles;
  /** Event sources the configuration loads (rules are loaded for all of them), syscall first. */
  loadedSources: string[];
  /** Event sources to run (after --enable-source / --disable-source). */
  enabledSources: string[];
  /** The flags as given (durationSeconds for -M, dryRun, verbose, ...). */
  options: AgentOptions;
  /** The command line, space-separated, as Falco reports it. */
  cmdline: string;
  /** What to watch when `config.watch_config_files` is true (see src/cli/config/watch.ts). */
  watchTargets: WatchTargets;
  io: CliIO;
}

/**
 * Runs the agent: load the rules, open the engine (replay, modern_ebpf, nodriver) and the outputs,
 * process events until the end of the capture, `-M` seconds, or a stop signal; with `dryRun`, stop
 * after loading everything. Returns the exit code. Owner: src/agent (the run action); a reload that
 * changes event-source settings restarts the run with the new configuration, as Falco does.
 */
export async function runAgent(context: AgentRunContext): Promise<number> {
  let ctx: AgentRunContext | undefined = context;
  let exitCode = 0;
  while (ctx !== undefined) {
    const result = await new Agent(ctx).run();
    exitCode = result.exitCode;
    ctx = result.restart;
  }
  return exitCode;
}

/** `peregrine inspect`: src/cli/commands/inspect.ts (capture reader). */
export function inspect(options: InspectOptions): Promise<number> {
  return inspectCommand(options);
}

/** `peregrine capture`: src/cli/commands/capture.ts (live driver). */
export function capture(options: CaptureOptions): Promise<number> {
  return captureCommand(options);
}
