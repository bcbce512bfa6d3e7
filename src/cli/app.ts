// The application skeleton: parse the command line, load the configuration, then do exactly one
// action. The agent's actions are tried in the order Falco tries them, so a command line with several
// "print and exit" flags does what Falco would do. User mistakes end as `Error: <message>`, exit 1.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { configureLog, log } from '../util/log.js';
import { DEFAULT_CONFIG_FILE } from './config/defaults.js';
import { type LoadedConfig, loadConfig } from './config/load.js';
import { checkRunnable } from './config/normalize.js';
import { type ResolvedRulesFiles, resolveRulesFiles } from './config/rules-files.js';
import { CONFIG_SCHEMA } from './config/schema.js';
import type { PeregrineConfig } from './config/types.js';
import type { WatchTargets } from './config/watch.js';
import { UserError } from './errors.js';
import * as integration from './integration.js';
import { type AgentOptions, type CliIO, type SubcommandConfigOptions, parseCommandLine, processIO } from './options.js';
import { selectEventSources } from './sources.js';
import { buildSupportReport } from './support.js';
import { formatVersionText, peregrineVersion, versionsInfo } from '../version.js';

/** The modules the command line calls (src/cli/integration.ts); tests and embedders may replace some. */
export type Integration = typeof integration;

/** Runs the command line; returns the process exit code. */
export async function runCli(
  argv: readonly string[], io: CliIO = processIO, replacements: Partial<Integration> = {},
): Promise<number> {
  const actions: Integration = { ...integration, ...replacements };
  try {
    const parsed = parseCommandLine(argv, io);
    switch (parsed.command) {
      case 'exit':
        return parsed.exitCode;
      case 'agent':
        for (const warning of parsed.warnings) io.err(`${warning}\n`);
        return await runAgentActions(parsed.options, ['peregrine', ...argv].join(' '), io, actions);
      case 'validate': {
        const loaded = loadSubcommandConfig(parsed.config, actions);
        return await actions.validateRules({
          files: parsed.files, json: parsed.json || loaded.config.json_output, describeAll: false,
          stopAtPluginRequirements: false, config: loaded.config, io,
        });
      }
      case 'inspect': {
        const { config } = loadSubcommandConfig(parsed.config, actions);
        const { command: _command, config: _flags, ...rest } = parsed;
        return await actions.inspect({ ...rest, config, io });
      }
      case 'capture': {
        const { config } = loadSubcommandConfig(parsed.config, actions);
        const { command: _command, config: _flags, ...rest } = parsed;
        return await actions.capture({ ...rest, config, io });
      }
    }
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    // Anything else is a Peregrine bug: say so, with the stack for the report.
    io.err(`Runtime error: ${(err as Error).message ?? String(err)}. Exiting.\n${(err as Error).stack ?? ''}\n`);
    return 1;
  } finally {
    // The log's syslog socket would keep the process alive.
    actions.enableSyslogLogging(false);
  }
}

/** Applies the configuration's log settings (log_level, log_stderr, log_syslog, ISO 8601 times). */
function configureLogging(loaded: LoadedConfig, actions: Integration): void {
  const { config } = loaded;
  configureLog({ level: config.log_level, stderr: config.log_stderr, iso8601: config.time_format_iso_8601 });
  actions.enableSyslogLogging(config.log_syslog, { socket_path: config.syslog_output.socket_path, ident: config.syslog_output.ident });
}

function loadSubcommandConfig(flags: SubcommandConfigOptions, actions: Integration): LoadedConfig {
  const loaded = loadConfig({
    ...(flags.configFile !== undefined ? { configFile: flags.configFile } : {}),
    overrides: flags.configOverrides,
  });
  configureLogging(loaded, actions);
  for (const warning of loaded.warnings) log.warning(warning);
  return loaded;
}

/** Loads the configuration for the agent, logging what was loaded as Falco does at start. */
function loadAgentConfig(options: AgentOptions, cmdline: string, actions: Integration): LoadedConfig {
  const loaded = loadConfig({
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
    overrides: options.configOverrides,
  });
  configureLogging(loaded, actions);
  log.info(`Peregrine version: ${peregrineVersion()} (${arch()})`);
  log.debug(`CLI args: ${cmdline}`);
  if (loaded.mainFile === undefined) {
    log.info(`No configuration file at ${DEFAULT_CONFIG_FILE} and no -c: using the built-in defaults (those of Falco's falco.yaml)`);
  } else {
    log.info('Peregrine initialized with configuration files:');
    for (const file of loaded.files) {
      const line = `   ${file.path} | schema validation: ${file.validation}`;
      if (file.validation === 'ok') log.info(line);
      else log.warning(line);
    }
  }
  for (const warning of loaded.warnings) log.warning(warning);
  applyAgentFlags(loaded.config, options);
  return loaded;
}

/** Applies the flags that change configuration values (-U, -p); the agent's reloads apply them too. */
export function applyAgentFlags(config: PeregrineConfig, options: AgentOptions): void {
  if (options.unbuffered) config.buffered_outputs = false;
  if (options.printAdditional !== undefined) {
    log.warning('The -p/--print option is deprecated and will be removed. Use -o append_output=... instead.');
    // -pc / -pk asked for container and Kubernetes fields, which sources now suggest by themselves.
    if (!['c', 'container', 'k', 'kubernetes'].includes(options.printAdditional)) {
      config.append_output.push({ match: { tags: [] }, extra_output: options.printAdditional, extra_fields: [], suggested_output: false });
    }
  }
}

function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
  } catch {
    return NaN;
  }
}

const NO_RULES = 'You must specify at least one rules file/directory via -r or a rules_files entry in the configuration';

/** Rules files of the run: `-r` when given (each must exist), else `rules_files`. */
export function rulesFilesOf(options: AgentOptions, loaded: LoadedConfig): ResolvedRulesFiles {
  const fromCommandLine = options.rulesFiles.length > 0;
  const paths = fromCommandLine ? options.rulesFiles : loaded.config.rules_files;
  if (paths.length === 0) throw new UserError(NO_RULES);
  log.debug('Configured rules filenames:');
  for (const p of paths) log.debug(`   ${p}`);
  const resolved = resolveRulesFiles(paths, fromCommandLine);
  for (const { path, reason } of resolved.skipped) {
    if (reason === 'no such file or directory') log.debug(`Rules path ${path} does not exist: skipped`);
    else log.warning(`Rules path ${path} skipped: ${reason}`);
  }
  // As in Falco, configured paths that do not exist do not count (a directory without rules does).
  if (resolved.files.length === 0 && resolved.folders.length === 0) throw new UserError(NO_RULES);
  return resolved;
}

export function watchTargetsOf(loaded: LoadedConfig, rules: ResolvedRulesFiles): WatchTargets {
  if (!loaded.config.watch_config_files) return { files: [], directories: [] };
  return {
    files: [...loaded.files.map((f) => f.path), ...rules.files],
    directories: [...loaded.folders, ...rules.folders],
  };
}

async function runAgentActions(options: AgentOptions, cmdline: string, io: CliIO, actions: Integration): Promise<number> {
  // Actions that need no configuration come first, as in Falco.
  if (options.printConfigSchema) {
    io.out(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
    return 0;
  }
  if (options.printRuleSchema) return actions.printRuleSchema(io);
  if (options.printIgnoredEvents) return actions.printIgnoredEvents(io);
  if (options.listEvents) return actions.listEvents({ format: options.format, io });

  const loaded = loadAgentConfig(options, cmdline, actions);
  const { config } = loaded;

  if (options.version) {
    const info = versionsInfo();
    io.out(config.json_output ? `${JSON.stringify(info)}\n` : formatVersionText(info));
    return 0;
  }
  if (options.pageSize) {
    const size = pageSize();
    if (!(size > 0)) throw new UserError("Unable to get the system page size through 'getconf PAGESIZE'");
    log.info(`Your system page size is: ${size} bytes`);
    return 0;
  }
  if (options.pluginInfo !== undefined) {
    const wanted = options.pluginInfo;
    const plugin = config.plugins.find((p) => p.name === wanted || p.library_path === wanted);
    if (!plugin) throw new UserError(`No plugin named or with library_path '${wanted}' in the configuration (plugins:)`);
    return actions.printPluginInfo({ plugin, io });
  }
  if (options.listPlugins) {
    const plugins = config.load_plugins.flatMap((name) => config.plugins.filter((p) => p.name === name));
    return actions.listPlugins({ plugins, io });
  }

  const loadedSources = actions.eventSources(config);
  if (options.listSource !== undefined) {
    if (options.listSource !== '' && !loadedSources.includes(options.listSource)) {
      throw new UserError('Value for --list must be a valid source type');
    }
    return actions.listFields({
      ...(options.listSource !== '' ? { source: options.listSource } : {}),
      namesOnly: options.namesOnly, verbose: options.verbose, format: options.format, config, io,
    });
  }

  const enabledSources = selectEventSources(loadedSources, options.enableSources, options.disableSources,
    config.engine.kind === 'replay');

  if (options.validateFiles.length > 0) {
    return actions.validateRules({
      files: options.validateFiles, json: config.json_output, describeAll: options.describeAllRules,
      ...(options.describeRule !== undefined ? { describeRule: options.describeRule } : {}),
      stopAtPluginRequirements: true, config, io,
    });
  }

  const rules = rulesFilesOf(options, loaded);
  if (options.describeAllRules || options.describeRule !== undefined) {
    return actions.describeRules({
      rulesFiles: rules.files, ...(options.describeRule !== undefined ? { rule: options.describeRule } : {}),
      format: config.json_output ? 'json' : options.format, config, io,
    });
  }
  if (options.support) {
    io.out(`${JSON.stringify(buildSupportReport(cmdline, loaded, rules.files))}\n`);
    return 0;
  }

  const problems = checkRunnable(config);
  if (problems.length > 0) throw new UserError(problems.join('\n'));
  if (options.pidfile !== undefined) {
    if (options.dryRun) {
      log.debug('Skipping pidfile creation in dry-run');
    } else {
      try {
        writeFileSync(options.pidfile, String(process.pid));
      } catch (err) {
        throw new UserError(`Could not write pid to pidfile ${options.pidfile}: ${(err as Error).message}. Exiting.`);
      }
    }
  }
  return actions.runAgent({
    config, loaded, rules, loadedSources, enabledSources, options, cmdline, watchTargets: watchTargetsOf(loaded, rules), io,
  });
}
