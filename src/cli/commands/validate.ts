// Rules-file commands of the command line, with Falco's behaviour:
// - `-V FILE` (repeatable) / `peregrine validate FILE...`: load each file into one engine in order,
//   print one load result per file (text, or one JSON object with json_output), exit 1 on errors;
// - `-r FILE -L` / `-r FILE -l RULE`: load rules files (directories expand to their .yaml/.yml
//   files) and describe all rules or one (text table, JSON with json_output, or --format);
// - `--rule-schema`: print the JSON schema of rules files.
// The logic lives in src/engine (loader, describe, rule-schema); this module wires it to the
// output streams, the log and exit codes.
import { statSync } from 'node:fs';
import { RuleDescriber, RuleNotLoadedError, type DescribeFormat } from '../../engine/describe.js';
import {
  expandRulesPaths, loadResultsJson, readRulesFiles, RulesFileReadError, RulesLoader,
  type AnySource, type ExtraOutputField, type ExtraOutputFormat, type LoadResult, type ProvidedPlugin,
} from '../../engine/loader/index.js';
import { ruleSchemaText } from '../../engine/rule-schema.js';
import { createK8sAuditSourceDefinition } from '../../sources/k8s-audit/definition.js';
import { BUILTIN_PLUGINS } from '../../sources/plugins.js';
import { EVENT_INFO } from '../../scap/event-table.js';
import { createSyscallSourceDefinition } from '../../sources/syscall/definition.js';
import { log } from '../../util/log.js';
import { CLOUDTRAIL_SOURCE, createCloudTrailSourceDefinition } from '../../sources/cloudtrail/index.js';

/** Where command output goes (the command line's streams, or a test's buffers). */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_IO: CommandIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** The sources rules are loaded against, and what stands in for Falco's plugins. */
export interface RulesEnvironment {
  readonly sources: readonly AnySource[];
  /**
   * Plugins Peregrine implements natively, for `required_plugin_versions`: the versions whose
   * fields it provides (container for syscall events, k8saudit and json for k8s_audit).
   */
  readonly providedPlugins: readonly ProvidedPlugin[];
  /** Name of a syscall event-type code (rule descriptions). */
  readonly eventTypeName: (code: number) => string | undefined;
  /** `append_output` of the configuration. */
  readonly extraOutputFormats?: readonly ExtraOutputFormat[];
  readonly extraOutputFields?: readonly ExtraOutputField[];
}

export interface RulesEnvironmentOptions {
  /** Event sources to load rules for (default: syscall and k8s_audit). */
  readonly sources?: readonly string[];
  /** Falco's `static_fields`: extra constant fields of every source. */
  readonly staticFields?: Readonly<Record<string, string>>;
  readonly extraOutputFormats?: readonly ExtraOutputFormat[];
  readonly extraOutputFields?: readonly ExtraOutputField[];
}

/**
 * The rule sources Peregrine provides: `syscall` (libsinsp fields plus the container plugin's,
 * event types from the scap event table), `k8s_audit` (k8saudit and json plugin fields) and,
 * when asked for, `aws_cloudtrail` (cloudtrail and json plugin fields).
 * The container plugin is always provided (its fields are part of the syscall source); k8saudit
 * and json only with the k8s_audit source.
 */
export function builtinRulesEnvironment(opts: RulesEnvironmentOptions = {}): RulesEnvironment {
  const wanted = opts.sources ?? ['syscall', 'k8s_audit'];
  const staticFields = opts.staticFields && Object.keys(opts.staticFields).length > 0 ? opts.staticFields : undefined;
  const sources: AnySource[] = [];
  const providedPlugins: ProvidedPlugin[] = [builtinPluginVersion('container')];
  if (wanted.includes('syscall')) {
    sources.push(createSyscallSourceDefinition<unknown>(staticFields ? { staticFields } : {}));
  }
  if (wanted.includes('k8s_audit')) {
    sources.push(createK8sAuditSourceDefinition(staticFields ? { staticFields } : {}));
    providedPlugins.push(builtinPluginVersion('k8saudit'), builtinPluginVersion('json'));
  }
  // Only when the configuration loads the cloudtrail plugin (as in Falco, its source is unknown otherwise).
  if (wanted.includes(CLOUDTRAIL_SOURCE)) {
    sources.push(createCloudTrailSourceDefinition(staticFields ? { staticFields } : {}));
    providedPlugins.push(builtinPluginVersion('cloudtrail'));
    if (!providedPlugins.some((p) => p.name === 'json')) providedPlugins.push(builtinPluginVersion('json'));
  }
  return {
    sources,
    providedPlugins,
    eventTypeName: (code) => EVENT_INFO[code]?.name,
    ...(opts.extraOutputFormats ? { extraOutputFormats: opts.extraOutputFormats } : {}),
    ...(opts.extraOutputFields ? { extraOutputFields: opts.extraOutputFields } : {}),
  };
}

/** Name and version of a plugin Peregrine provides (src/sources/plugins.ts). */
function builtinPluginVersion(name: string): ProvidedPlugin {
  const plugin = BUILTIN_PLUGINS.find((p) => p.name === name)!;
  return { name: plugin.name, version: plugin.version };
}

function newLoader(env: RulesEnvironment): RulesLoader {
  return new RulesLoader({
    sources: env.sources,
    ...(env.extraOutputFormats ? { extraOutputFormats: env.extraOutputFormats } : {}),
    ...(env.extraOutputFields ? { extraOutputFields: env.extraOutputFields } : {}),
  });
}

function describerFor(loader: RulesLoader, env: RulesEnvironment): RuleDescriber {
  const syscall = env.sources.find((s) => s.name === 'syscall');
  return new RuleDescriber(loader, { eventTypeName: env.eventTypeName, ...(syscall ? { syscallSource: syscall } : {}) });
}

/** Falco prints fatal errors as `Error: <message>` and exits with 1. */
function fatal(io: CommandIO, message: string): number {
  io.err(`Error: ${message}\n`);
  return 1;
}

/** Errors Falco raises while running (an unknown rule for -l) end the run this way. */
function runtimeError(message: string): number {
  log.error(`Runtime error: ${message}. Exiting.`);
  return 1;
}

export interface ValidateOptions {
  files: string[];
  json: boolean;
  /** `-L` (all) or `-l RULE` after a successful validation. */
  describeAll?: boolean;
  describeRule?: string;
  /**
   * Falco's `-V` stops with a fatal error, before printing any result, when a file requires a
   * plugin that is not available (default). `peregrine validate` (false) prints every result
   * first and then reports the unmet requirement (exit 1).
   */
  stopAtPluginRequirements?: boolean;
  environment?: RulesEnvironment;
  io?: CommandIO;
}

/** Directories given to `validate` expand to their rules files; files are kept as given. */
function expandDirectoriesOnly(paths: readonly string[]): string[] {
  const isDirectory = (p: string): boolean => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  return paths.flatMap((p) => (isDirectory(p) ? expandRulesPaths([p]) : [p]));
}

/** `-V FILE...`: one load result per file; exit 1 when any file has errors. */
export async function validateCommand(opts: ValidateOptions): Promise<number> {
  const io = opts.io ?? PROCESS_IO;
  const env = opts.environment ?? builtinRulesEnvironment();
  const files = expandDirectoriesOnly(opts.files);
  let contents: Map<string, string>;
  try {
    contents = readRulesFiles(files);
  } catch (err) {
    if (err instanceof RulesFileReadError) return fatal(io, err.message);
    throw err;
  }
  log.info('Validating rules file(s):');
  for (const f of files) log.info(`   ${f}`);

  const loader = newLoader(env);
  const results: LoadResult[] = [];
  let successful = true;
  let unmetRequirement: string | undefined;
  const summaries: string[] = [];
  for (const file of files) {
    const result = loader.loadContent(file, contents.get(file)!);
    const unmet = loader.checkPluginRequirements(env.providedPlugins);
    if (unmet !== undefined && opts.stopAtPluginRequirements !== false) return fatal(io, unmet);
    unmetRequirement ??= unmet;
    results.push(result);
    successful &&= result.successful;
    if (!result.successful || !result.hasWarnings) {
      summaries.push(result.toText(loader.contents));
    } else {
      // Only errors go to the summary on stdout; warnings are logged (as Falco does).
      summaries.push(`${file}: Ok, with warnings`);
      log.warning(result.toText(loader.contents));
    }
  }
  const summary = summaries.join('\n');

  let described: string | undefined;
  let describedJson: unknown;
  if (successful && (opts.describeAll || opts.describeRule !== undefined)) {
    const describer = describerFor(loader, env);
    try {
      if (opts.json) describedJson = describer.json(opts.describeRule);
      else described = describer.text(opts.describeRule);
    } catch (err) {
      if (err instanceof RuleNotLoadedError) return runtimeError(err.message);
      throw err;
    }
  }

  if (opts.json) {
    const line = loadResultsJson(results, loader.contents);
    // Keys in Falco's (sorted) order: falco_describe_results before falco_load_results.
    io.out(describedJson === undefined ? line + '\n' : `{"falco_describe_results":${JSON.stringify(describedJson)},${line.slice(1)}\n`);
  } else {
    io.out(summary + '\n');
    if (described !== undefined) io.out('\n' + described);
  }
  if (!successful) return fatal(io, summary);
  return unmetRequirement === undefined ? 0 : fatal(io, unmetRequirement);
}

/** Loads rules files as the agent does, stopping at the first file with errors. */
export function loadRulesForRun(paths: readonly string[], env: RulesEnvironment): { loader: RulesLoader } | { error: string } {
  if (paths.length === 0) {
    return { error: 'You must specify at least one rules file/directory via -r or a rules_file entry in falco.yaml' };
  }
  const files = expandRulesPaths(paths);
  let contents: Map<string, string>;
  try {
    contents = readRulesFiles(files);
  } catch (err) {
    if (err instanceof RulesFileReadError) return { error: err.message };
    throw err;
  }
  const loader = newLoader(env);
  log.info('Loading rules from:');
  for (const file of files) {
    const result = loader.loadContent(file, contents.get(file)!);
    const schema = result.schemaValidation;
    (schema === 'ok' ? log.info : log.warning)(`   ${file} | schema validation: ${schema}`);
    if (!result.successful) return { error: result.toText(loader.contents) };
    if (result.hasWarnings) log.warning(result.toText(loader.contents));
  }
  const unmet = loader.checkPluginRequirements(env.providedPlugins);
  if (unmet !== undefined) return { error: unmet };
  return { loader };
}

export interface DescribeCommandOptions {
  /** `-r` paths: files or directories, loaded in order. */
  rulesPaths: string[];
  /** `-l RULE`; undefined for `-L`. */
  rule?: string;
  /** Output format: json_output gives `json`; `--format` may ask for text, markdown or json. */
  format: DescribeFormat;
  environment?: RulesEnvironment;
  io?: CommandIO;
}

/** `-r FILE -L` / `-r FILE -l RULE`. */
export async function describeCommand(opts: DescribeCommandOptions): Promise<number> {
  const io = opts.io ?? PROCESS_IO;
  const env = opts.environment ?? builtinRulesEnvironment();
  const loaded = loadRulesForRun(opts.rulesPaths, env);
  if ('error' in loaded) return fatal(io, loaded.error);
  try {
    io.out(describerFor(loaded.loader, env).render(opts.format, opts.rule));
  } catch (err) {
    if (err instanceof RuleNotLoadedError) return runtimeError(err.message);
    throw err;
  }
  return 0;
}

/** `--rule-schema`. */
export function ruleSchemaCommand(io: CommandIO = PROCESS_IO): number {
  io.out(ruleSchemaText() + '\n');
  return 0;
}
