// The rules-file loader: reads Falco rules contents one after the other into one collection,
// compiles the collection after each content (as Falco does, so later files append to and override
// earlier ones), and reports a LoadResult per content.
//
//   const loader = new RulesLoader({ sources: [syscallSource] });
//   const result = loader.loadContent('/etc/falco/falco_rules.yaml', text);
//   if (result.successful) ... loader.compiled.rules ...
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { validateAgainstSchema } from '../rule-schema.js';
import { Collector, type SourceLookup } from './collector.js';
import {
  compileCollection, fieldCheckerFor,
  type AnySource, type CompileOutput, type ExtraOutputField, type ExtraOutputFormat,
} from './compiler.js';
import type { FieldChecker } from './exceptions.js';
import { formatVersion, parseVersion, versionSatisfies, type PluginRequirement, type Version } from './items.js';
import { readItem } from './reader.js';
import { LoadContext, LoadResult, RuleLoadError } from './results.js';
import { parseYamlDocuments, SourceText, YamlSyntaxError } from './yaml.js';

export * from './results.js';
export type { CompileOutput, CompiledList, CompiledMacro, CompiledRule, ExtraOutputField, ExtraOutputFormat, AnySource } from './compiler.js';
export { substituteList } from './compiler.js';
export type { RuleInfo, ListInfo, MacroInfo, ExceptionInfo, ExceptionEntry, PluginRequirement, Version } from './items.js';
export { parseVersion, formatVersion } from './items.js';

/** Version of Peregrine's rules engine (what `required_engine_version` is checked against). */
export const ENGINE_VERSION: Version = { major: 0, minor: 63, patch: 0 };

export interface LoaderOptions {
  /** The event sources rules may use; rules of other sources are skipped with a warning. */
  readonly sources: readonly AnySource[];
  readonly engineVersion?: Version;
  /** `append_output` entries with a format, appended to matching rules' outputs. */
  readonly extraOutputFormats?: readonly ExtraOutputFormat[];
  /** `append_output` entries with extra output fields. */
  readonly extraOutputFields?: readonly ExtraOutputField[];
}

/** A plugin (or the built-in equivalent of one) that satisfies `required_plugin_versions`. */
export interface ProvidedPlugin {
  readonly name: string;
  readonly version: string;
}

export class RulesLoader {
  private readonly collector: Collector;
  private readonly sources: ReadonlyMap<string, AnySource>;
  private readonly sourceLookup: SourceLookup;
  readonly engineVersion: Version;
  /** Every content loaded so far, by name (for rendering results with snippets). */
  readonly contents = new Map<string, string>();
  /** The output of the latest compilation (after the latest content). */
  private lastCompile: CompileOutput | undefined;
  private lastCompileOk = false;

  constructor(private readonly options: LoaderOptions) {
    this.engineVersion = options.engineVersion ?? ENGINE_VERSION;
    this.collector = new Collector(this.engineVersion);
    this.sources = new Map(options.sources.map((s) => [s.name, s]));
    const checkers = new Map<string, FieldChecker>();
    this.sourceLookup = {
      has: (name) => this.sources.has(name),
      fieldChecker: (name) => {
        const source = this.sources.get(name);
        if (!source) return undefined;
        let checker = checkers.get(name);
        if (!checker) checkers.set(name, (checker = fieldCheckerFor(source)));
        return checker;
      },
    };
  }

  /** The latest compilation; undefined before any content was compiled. */
  get compiled(): CompileOutput | undefined {
    return this.lastCompile;
  }

  /** Whether the latest compilation succeeded (so `compiled` holds every rule). */
  get compiledOk(): boolean {
    return this.lastCompileOk;
  }

  /** Source definitions by name. */
  source(name: string): AnySource | undefined {
    return this.sources.get(name);
  }

  /** Collected definitions (latest state), for descriptions. */
  get collection(): Collector {
    return this.collector;
  }

  /**
   * Reads one rules content into the collection and compiles the collection. Reading stops at the
   * first error of the content (items before it stay collected, as in Falco).
   */
  loadContent(name: string, content: string): LoadResult {
    this.contents.set(name, content);
    const result = new LoadResult(name);
    if (this.read(name, content, result)) {
      const { output, ok } = compileCollection({
        collector: this.collector,
        sources: this.sources,
        result,
        extraOutputFormats: this.options.extraOutputFormats ?? [],
        extraOutputFields: this.options.extraOutputFields ?? [],
      });
      this.lastCompile = output;
      this.lastCompileOk = ok;
    }
    return result;
  }

  private read(name: string, content: string, result: LoadResult): boolean {
    const root = LoadContext.root(name);
    const source = new SourceText(content);
    let docs;
    try {
      docs = parseYamlDocuments(source);
    } catch (err) {
      if (err instanceof YamlSyntaxError) {
        result.addError('LOAD_ERR_YAML_PARSE', err.message, root.child('value for', '', err.mark));
        return false;
      }
      result.addError('LOAD_ERR_YAML_PARSE', err instanceof Error ? err.message : String(err), root);
      return false;
    }
    result.schemaStatus = docs.flatMap((doc) => validateAgainstSchema(doc));
    const env = { collector: this.collector, sources: this.sourceLookup, result, engineVersion: this.engineVersion };
    for (const doc of docs) {
      if (doc.kind === 'null') continue;
      try {
        if (doc.kind !== 'map' && doc.kind !== 'seq') throw new RuleLoadError('LOAD_ERR_YAML_VALIDATE', 'Rules content is not yaml', root);
        if (doc.kind !== 'seq') throw new RuleLoadError('LOAD_ERR_YAML_VALIDATE', 'Rules content is not yaml array of objects', root);
        for (const item of doc.items) {
          if (item.kind !== 'null') readItem(env, item, root);
        }
      } catch (err) {
        if (err instanceof RuleLoadError) result.addError(err.code, err.message, err.context);
        else result.addError('LOAD_ERR_VALIDATE', err instanceof Error ? err.message : String(err), root);
        // Falco stops at the first error, even with more documents to go.
        return false;
      }
    }
    return true;
  }

  /** Every `required_plugin_versions` entry collected so far. */
  get requiredPluginVersions(): readonly (readonly PluginRequirement[])[] {
    return this.collector.requiredPluginVersions;
  }

  /**
   * Checks the collected `required_plugin_versions` against the plugins available. Returns
   * Falco's error text for the first requirement not met, or undefined.
   */
  checkPluginRequirements(provided: readonly ProvidedPlugin[]): string | undefined {
    for (const alternatives of this.collector.requiredPluginVersions) {
      let satisfied = false;
      for (const req of alternatives) {
        const plugin = provided.find((p) => p.name === req.name);
        if (!plugin) continue;
        const have = parseVersion(plugin.version);
        const wanted = parseVersion(req.version);
        if (!have) return `Plugin '${plugin.name}' has invalid version string '${plugin.version}'`;
        if (!wanted || !versionSatisfies(have, wanted)) {
          return `Plugin '${plugin.name}' version '${plugin.version}' is not compatible with required plugin version '${req.version}'`;
        }
        satisfied = true;
        break;
      }
      if (!satisfied) {
        return 'Plugin requirement not satisfied, must load one of: ' +
          alternatives.map((r) => `${r.name} (>= ${r.version})`).join(', ');
      }
    }
    return undefined;
  }

  /** The highest `required_engine_version` seen ("0.0.0" when none). */
  get requiredEngineVersion(): string {
    const v = this.collector.requiredEngineVersion;
    return v ? formatVersion(v.version) : '0.0.0';
  }
}

/**
 * Expands rules paths as Falco does: a directory gives its regular files (symlinks followed)
 * ending in `.yaml`/`.yml`, sorted by name; a file path is kept when it ends in `.yaml`/`.yml`.
 * Missing paths are kept (reading them reports the error).
 */
export function expandRulesPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const isYaml = (p: string): boolean => p.endsWith('.yaml') || p.endsWith('.yml');
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      if (isYaml(p)) out.push(p);
      continue;
    }
    const files = readdirSync(p)
      .map((entry) => path.join(p, entry))
      .filter((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      })
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push(...files.filter(isYaml));
  }
  return out;
}

/** Thrown when a rules file cannot be read (Falco's message, no load result). */
export class RulesFileReadError extends Error {
  constructor(readonly file: string, override readonly cause: unknown) {
    super(`Could not open file ${file} for reading`);
    this.name = 'RulesFileReadError';
  }
}

/** Reads rules files (all of them first, as Falco does). Throws RulesFileReadError. */
export function readRulesFiles(files: readonly string[]): Map<string, string> {
  const contents = new Map<string, string>();
  for (const file of files) {
    try {
      contents.set(file, readFileSync(file, 'utf8'));
    } catch (err) {
      throw new RulesFileReadError(file, err);
    }
  }
  return contents;
}
