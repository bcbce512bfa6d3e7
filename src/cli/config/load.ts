// Loading the configuration as Falco does: the main file, then the `config_files` it (or `-o
// config_files=...`) names, merged in order with their strategy, then every `-o` option; then the
// merged document is typed against the schema, validated, and turned into the PeregrineConfig.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import { coerceMap } from './coerce.js';
import { DEFAULT_CONFIG_FILE, DEFAULT_DOCUMENT } from './defaults.js';
import { type ConfigMap, type ConfigValue, OriginTable } from './document.js';
import { type Environment } from './env.js';
import { configFileEntries, normalizeConfig } from './normalize.js';
import { applyOverride, isConfigFilesOverride, parseOverride } from './overrides.js';
import { CONFIG_SCHEMA } from './schema.js';
import type { MergeStrategy, PeregrineConfig } from './types.js';
import { type Diagnostic, formatDiagnostic, sortDiagnostics, validateDocument } from './validate.js';
import { readConfigFile } from './yaml-source.js';

export interface LoadConfigOptions {
  /** `-c`: this file must exist. Without it, `defaultConfigFile` is read when it exists, else only
   *  the built-in defaults (which equal the stock configuration) apply. */
  configFile?: string;
  /** `-o key=value` options, in command-line order. */
  overrides?: readonly string[];
  /** Environment for `${NAME}` expansion (default: process.env). */
  env?: Environment;
  /** Default: /etc/peregrine/peregrine.yaml. */
  defaultConfigFile?: string;
}

export interface LoadedConfigFile {
  path: string;
  /** 'failed' when the schema found problems (errors or warnings) in this file. */
  validation: 'ok' | 'failed';
  sha256: string;
}

export interface LoadedConfig {
  config: PeregrineConfig;
  /** The main configuration file, or undefined when only the built-in defaults were used. */
  mainFile: string | undefined;
  /** Every file read, main file first, then included files in merge order. */
  files: LoadedConfigFile[];
  /** Directories named by `config_files` (their files are in `files`). */
  folders: string[];
  /** Problems that do not stop the agent (unknown keys, deprecated keys), with file:line:column. */
  warnings: string[];
  /** The merged document as written (files and `-o`), without defaults: what `--support` shows. */
  document: ConfigMap;
}

/** Loads, merges, validates and types the configuration. Throws UserError / ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const origins = new OriginTable();
  const parse = { expandEnv: true, env: options.env };

  let mainFile: string | undefined;
  if (options.configFile !== undefined) {
    if (!existsSync(options.configFile) || !statSync(options.configFile).isFile()) {
      throw new UserError(`Could not find configuration file at ${options.configFile}`);
    }
    mainFile = options.configFile;
  } else {
    const fallback = options.defaultConfigFile ?? DEFAULT_CONFIG_FILE;
    if (existsSync(fallback)) mainFile = fallback;
  }

  const root: ConfigMap = mainFile ? readConfigFile(mainFile, origins, parse) : {};
  const overrides = (options.overrides ?? []).map((text) => parseOverride(text, origins));
  const files: string[] = mainFile ? [mainFile] : [];
  const folders: string[] = [];

  // `-o config_files...` counts before the included files are read, as in Falco.
  for (const o of overrides.filter(isConfigFilesOverride)) applyOverride(root, o, origins);
  const includes = configFileEntries(root.config_files !== undefined ? root.config_files : DEFAULT_DOCUMENT.config_files);
  for (const entry of includes) {
    if (mainFile && path.resolve(entry.path) === path.resolve(mainFile)) {
      throw new ConfigError([`Config error: 'config_files' directive tried to recursively include main config file: ${mainFile}.`]);
    }
    if (!existsSync(entry.path)) continue; // as for rules files: a missing entry is skipped
    const stat = statSync(entry.path);
    if (stat.isFile()) {
      mergeIncludedFile(root, entry.path, entry.strategy, origins, parse);
      files.push(entry.path);
    } else if (stat.isDirectory()) {
      folders.push(entry.path);
      for (const file of regularFilesIn(entry.path)) {
        mergeIncludedFile(root, file, entry.strategy, origins, parse);
        files.push(file);
      }
    }
  }
  for (const o of overrides.filter((x) => !isConfigFilesOverride(x))) applyOverride(root, o, origins);

  const document = structuredClone(root);
  coerceMap(root, CONFIG_SCHEMA);
  const diagnostics: Diagnostic[] = validateDocument(root, origins);
  // Typing needs schema-valid values; with schema errors, report those alone.
  const normalized = diagnostics.some((d) => d.severity === 'error') ? undefined : normalizeConfig(root, origins);
  diagnostics.push(...(normalized?.diagnostics ?? []));
  sortDiagnostics(diagnostics);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !normalized) throw new ConfigError(errors.map(formatDiagnostic));
  const { config } = normalized;

  return {
    config,
    mainFile,
    files: files.map((file) => ({
      path: file,
      validation: diagnostics.some((d) => d.origin?.source === file) ? 'failed' : 'ok',
      sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    })),
    folders,
    warnings: diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
    document,
  };
}

/** Regular files of a directory (following symlinks), sorted: the order Falco merges them in. */
function regularFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .filter((file) => {
      try {
        return statSync(file).isFile();
      } catch {
        return false; // dangling symlink or no permission: not a file we can read
      }
    })
    .sort();
}

function mergeIncludedFile(
  root: ConfigMap, file: string, strategy: MergeStrategy, origins: OriginTable, parse: { expandEnv: boolean; env?: Environment },
): void {
  const included = readConfigFile(file, origins, parse);
  for (const [key, value] of Object.entries(included)) {
    if (key === 'config_files') {
      throw new ConfigError([`${file}: Config error: 'config_files' directive in included config file ${file}.`]);
    }
    const existing = root[key];
    const origin = origins.get(included, key);
    if (strategy === 'add-only' && existing !== undefined) continue;
    if (strategy === 'append' && Array.isArray(value) && (existing === undefined || existing === null || Array.isArray(existing))) {
      const target: ConfigValue[] = Array.isArray(existing) ? existing : [];
      if (target !== existing) {
        root[key] = target;
        if (origin) origins.set(root, key, origin);
      }
      value.forEach((item, i) => {
        target.push(item);
        const itemOrigin = origins.get(value, i);
        if (itemOrigin) origins.set(target, target.length - 1, itemOrigin);
      });
      continue;
    }
    root[key] = value;
    if (origin) origins.set(root, key, origin);
  }
}
