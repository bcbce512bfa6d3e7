// The rules of a run: the event sources rules are compiled against (with their extractors, so the
// compiled conditions and outputs read real events), the configuration's `append_output` (with
// Falco 0.44's suggested output fields), the rules files loaded in order as Falco loads them, the
// `rules:` selections and the minimum `priority`, giving the Ruleset the event loop dispatches to.
//
// Loading is a pure function of (configuration, rules files): hot reload calls it again and swaps
// the result in only when it succeeds.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadRulesForRun, type RulesEnvironment } from '../cli/commands/validate.js';
import type { PeregrineConfig } from '../cli/config/types.js';
import type { AnySource, CompiledRule, ExtraOutputField, ExtraOutputFormat, RulesLoader } from '../engine/loader/index.js';
import { Ruleset } from '../engine/ruleset.js';
import type { EventSourceDefinition } from '../engine/source.js';
import { implementSyscallExtractors } from '../fields/syscall/extractors/index.js';
import type { FieldRegistry } from '../fields/types.js';
import { EVENT_INFO } from '../scap/event-table.js';
import type { LoadedPlugins } from '../sources/plugins.js';
import { createSyscallSourceDefinition } from '../sources/syscall/definition.js';
import type { SyscallEvent } from '../state/syscall-event.js';

/** The sources of a run, with extractors, by name (syscall first, as in Falco). */
export interface AgentSources {
  readonly syscall: EventSourceDefinition<SyscallEvent>;
  /** Plugin sources (k8s_audit) of the loaded plugins. */
  readonly plugins: ReadonlyMap<string, EventSourceDefinition<unknown>>;
  readonly all: readonly AnySource[];
  /** The loaded plugins (built into Peregrine): plugin sources are opened through them. */
  readonly loadedPlugins: LoadedPlugins;
}

/** Builds the event sources rules are compiled against, with their extractors. */
export function createAgentSources(config: PeregrineConfig, loadedPlugins: LoadedPlugins): AgentSources {
  const staticFields = Object.keys(config.static_fields).length > 0 ? config.static_fields : undefined;
  const syscall = createSyscallSourceDefinition<SyscallEvent>(staticFields ? { staticFields } : {});
  implementSyscallExtractors(syscall.fields);
  const plugins = new Map<string, EventSourceDefinition<unknown>>();
  for (const name of loadedPlugins.sources) {
    if (name === 'syscall') continue;
    const definition = loadedPlugins.sourceDefinition(name, staticFields ? { staticFields } : {});
    if (definition) plugins.set(name, definition as unknown as EventSourceDefinition<unknown>);
  }
  return { syscall, plugins, all: [syscall as AnySource, ...plugins.values()], loadedPlugins };
}

/** `name_with_dots=%name.with.dots`: how Falco appends a suggested field to outputs. */
function suggestedFieldFormat(field: string): string {
  return `${field.replace(/\./g, '_')}=%${field}`;
}

/** Fields a source suggests for outputs (container and k8s fields, static fields), in --list order. */
export function suggestedFields(fields: FieldRegistry<unknown>): string[] {
  return fields.all().filter((f) => f.addOutput === true).map((f) => f.name);
}

/**
 * The configuration's `append_output` as the loader takes it, in Falco's order per entry: the
 * entry's `extra_output`, then (with `suggested_output`) one format per suggested field of each
 * source the entry matches, then its extra fields.
 */
export function appendOutputExtras(config: PeregrineConfig, sources: readonly AnySource[]): {
  formats: ExtraOutputFormat[];
  fields: ExtraOutputField[];
} {
  const formats: ExtraOutputFormat[] = [];
  const fields: ExtraOutputField[] = [];
  for (const entry of config.append_output) {
    const match = {
      ...(entry.match.source !== undefined ? { source: entry.match.source } : {}),
      tags: entry.match.tags,
      ...(entry.match.rule !== undefined ? { rule: entry.match.rule } : {}),
    };
    if (entry.extra_output) formats.push({ format: entry.extra_output, ...match });
    if (entry.suggested_output) {
      for (const source of sources) {
        if (entry.match.source !== undefined && entry.match.source !== source.name) continue;
        for (const field of suggestedFields(source.fields)) {
          formats.push({ format: suggestedFieldFormat(field), ...match, source: source.name });
        }
      }
    }
    for (const field of entry.extra_fields) {
      fields.push({ key: field.name, format: field.format ?? field.name, raw: field.format === undefined, ...match });
    }
  }
  return { formats, fields };
}

/** What the agent loads rules against: its sources (with extractors) and append_output. */
export function agentRulesEnvironment(config: PeregrineConfig, sources: AgentSources): RulesEnvironment {
  const extras = appendOutputExtras(config, sources.all);
  return {
    sources: sources.all,
    providedPlugins: sources.loadedPlugins.provided(),
    eventTypeName: (code) => EVENT_INFO[code]?.name,
    extraOutputFormats: extras.formats,
    extraOutputFields: extras.fields,
  };
}

/** A rules file with its checksum (metrics report them). */
export interface LoadedRulesFile {
  readonly path: string;
  readonly sha256: string;
}

/** The loaded, selected rules of a run. */
export interface AgentRules {
  readonly ruleset: Ruleset;
  /** Every compiled rule, indexed by `CompiledRule.id` (the order of the statistics). */
  readonly rules: readonly CompiledRule[];
  readonly loader: RulesLoader;
  readonly sources: AgentSources;
  readonly files: readonly LoadedRulesFile[];
}

/** Rules could not be loaded; the message is Falco's (the load result text, or the read error). */
export class RulesLoadFailure extends Error {}

function sha256Of(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}

/**
 * Loads `files` in order against `sources` (logging as Falco does: "Loading rules from:", each
 * file with its schema validation, warnings), applies the `rules:` selections in order and the
 * minimum priority. Throws RulesLoadFailure with Falco's message when a file has errors.
 */
export function loadAgentRules(config: PeregrineConfig, files: readonly string[], sources: AgentSources): AgentRules {
  const env = agentRulesEnvironment(config, sources);
  const loaded = loadRulesForRun(files, env);
  if ('error' in loaded) throw new RulesLoadFailure(loaded.error);
  const compiled = loaded.loader.compiled;
  if (compiled === undefined) throw new RulesLoadFailure('no rules were compiled');
  const ruleset = new Ruleset(compiled, sources.all, { minPriority: config.priority });
  ruleset.applySelections(config.rules.map((s) => ({
    operation: s.action, ...(s.rule !== undefined ? { rule: s.rule } : {}), ...(s.tag !== undefined ? { tag: s.tag } : {}),
  })));
  return {
    ruleset,
    rules: compiled.rules,
    loader: loaded.loader,
    sources,
    files: files.map((path) => ({ path, sha256: sha256Of(path) })),
  };
}
