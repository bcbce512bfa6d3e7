// Falco plugins that Peregrine provides natively. Peregrine loads no plugin libraries; a
// falco.yaml `plugins:` entry for one of these (by name, or by its library file libNAME.so) turns
// on Peregrine's own implementation, configured by the same `init_config` and `open_params`:
//
//   container  extracts container.* and k8s.* from syscall events (always part of the syscall source)
//   k8saudit   the k8s_audit event source (webhook or files) and its ka.* fields
//   cloudtrail the aws_cloudtrail event source (local CloudTrail log files) and its ct.*, s3.*... fields
//   json       json.* / jevt.* fields of JSON events (k8s_audit, aws_cloudtrail)
//
// This module is the table of those plugins (the name and version `--list-plugins`, `/versions` and
// `required_plugin_versions` see, capabilities, init_config schema), the checks Falco makes when it
// loads plugins (same messages), and the way to open a plugin event source from the configuration.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { EventSourceDefinition } from '../engine/source.js';
import { cloudtrailPluginClass, containerPluginClass, jsonPluginClass, k8sAuditPluginClass } from '../fields/plugins/index.js';
import type { PluginEvent } from '../fields/plugins/extractors/plugin-event.js';
import type { FieldClassDecl } from '../fields/registry.js';
import { K8SAUDIT_INIT_SCHEMA, k8sAuditInitConfig } from './k8s-audit/config.js';
import { createK8sAuditSourceDefinition, type K8sAuditSourceDefinition } from './k8s-audit/definition.js';
import { K8sAuditSource } from './k8s-audit/source.js';
import {
  CLOUDTRAIL_SOURCE, CloudTrailOpenError, CloudTrailSource, createCloudTrailSourceDefinition, type CloudTrailSourceDefinition,
} from './cloudtrail/index.js';

export type PluginCapability = 'sourcing' | 'extraction' | 'parsing' | 'async';

export interface BuiltinPlugin {
  readonly name: string;
  /** The version of the Falco plugin whose behaviour this implements (what rules require). */
  readonly version: string;
  readonly description: string;
  readonly contact: string;
  readonly capabilities: readonly PluginCapability[];
  /** For source plugins: the plugin ID and the event source it provides. */
  readonly eventSource?: { readonly id: number; readonly name: string };
  /** For extractor plugins: the fields it adds. */
  readonly fields?: FieldClassDecl;
  /** Sources it extracts fields from; undefined means every source (the json plugin). */
  readonly extractSources?: readonly string[];
  /** JSON schema of its init_config, when the plugin declares one. */
  readonly initSchema?: Readonly<Record<string, unknown>>;
}

const CONTACT = 'github.com/falcosecurity/plugins';

export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  {
    name: 'container',
    version: '0.7.1',
    description: 'Falco container metadata enrichment Plugin',
    contact: CONTACT,
    capabilities: ['extraction', 'parsing', 'async'],
    fields: containerPluginClass,
    extractSources: ['syscall'],
  },
  {
    name: 'k8saudit',
    version: '0.18.0',
    description: 'Read Kubernetes Audit Events and monitor Kubernetes Clusters',
    contact: CONTACT,
    capabilities: ['sourcing', 'extraction'],
    eventSource: { id: 1, name: 'k8s_audit' },
    fields: k8sAuditPluginClass,
    extractSources: ['k8s_audit'],
    initSchema: K8SAUDIT_INIT_SCHEMA,
  },
  {
    name: 'cloudtrail',
    version: '0.17.1',
    description: 'reads cloudtrail JSON data saved to file in the directory specified in the settings',
    contact: CONTACT,
    capabilities: ['sourcing', 'extraction'],
    eventSource: { id: 2, name: CLOUDTRAIL_SOURCE },
    fields: cloudtrailPluginClass,
    extractSources: [CLOUDTRAIL_SOURCE],
    initSchema: {
      type: 'object',
      properties: {
        s3DownloadConcurrency: { type: 'integer', description: 'S3 download concurrency (accepted; S3 is not read by Peregrine)' },
        s3Interval: { type: 'string' },
        sqsDelete: { type: 'boolean' },
        useAsync: { type: 'boolean', description: 'Accepted for compatibility; Peregrine extracts fields synchronously' },
        useS3SNS: { type: 'boolean' },
        s3AccountList: { type: 'string' },
        sqsOwnerAccount: { type: 'string' },
        aws: { type: 'object' },
      },
      additionalProperties: true,
    },
  },
  {
    name: 'json',
    version: '0.7.4',
    description: 'implements extracting arbitrary fields from inputs formatted as JSON',
    contact: CONTACT,
    capabilities: ['extraction'],
    fields: jsonPluginClass,
    initSchema: {
      type: 'object',
      properties: {
        useAsync: {
          type: 'boolean',
          title: 'Use async extraction',
          description: 'Accepted for compatibility; Peregrine extracts fields synchronously (Default: true)',
          default: true,
        },
      },
      additionalProperties: true,
    },
  },
];

/** A `plugins:` entry of the configuration (the fields Peregrine reads). */
export interface PluginSettings {
  readonly name: string;
  readonly library_path: string;
  /** A map, a string (JSON, or empty for none). */
  readonly init_config: string | Readonly<Record<string, unknown>>;
  readonly open_params: string;
}

/** A plugin problem Falco would stop on; the message is Falco's where Falco has one. */
export class PluginError extends Error {}

function notProvided(settings: Pick<PluginSettings, 'name' | 'library_path'>): PluginError {
  return new PluginError(
    `cannot load plugin '${settings.name}' (${settings.library_path}): Peregrine loads no plugin libraries, and ` +
    `'${settings.name}' is not one of the plugins it provides (${BUILTIN_PLUGINS.map((p) => p.name).join(', ')})`,
  );
}

/** The built-in plugin a configuration entry stands for: by name, else by library file name. */
export function builtinPluginFor(settings: Pick<PluginSettings, 'name' | 'library_path'>): BuiltinPlugin | undefined {
  const byName = BUILTIN_PLUGINS.find((p) => p.name === settings.name);
  if (byName) return byName;
  const file = settings.library_path.split('/').pop() ?? '';
  return BUILTIN_PLUGINS.find((p) => file === `lib${p.name}.so`);
}

/** The entries `load_plugins` selects, in its order (the first entry of each name, as in Falco). */
export function pluginsToLoad<P extends { readonly name: string }>(config: { readonly plugins: readonly P[]; readonly load_plugins: readonly string[] }): P[] {
  const selected: P[] = [];
  for (const name of config.load_plugins) {
    const entry = config.plugins.find((p) => p.name === name);
    if (entry !== undefined) selected.push(entry);
  }
  return selected;
}

/** One loaded plugin: its implementation, its settings, and its init_config as checked. */
export interface LoadedPlugin {
  readonly plugin: BuiltinPlugin;
  readonly settings: PluginSettings;
  readonly initConfig: Readonly<Record<string, unknown>>;
}

/** Counters of a plugin source, for the plugin metrics (`plugins.<plugin>.n_*`). */
export interface PluginSourceCounters {
  /** Inputs read (documents, requests, files). */
  readonly inputs: number;
  /** Events delivered to the rules. */
  readonly events: number;
  /** Inputs or events refused, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
}

/** A plugin event source opened from the configuration: events, their fields, counters and stop(). */
export interface OpenedPluginSource<E> extends AsyncIterable<E> {
  readonly definition: EventSourceDefinition<E>;
  readonly counters: PluginSourceCounters;
  stop(): Promise<void>;
}

/** The rules-engine definition of a plugin source (one type per source Peregrine provides). */
export type PluginSourceDefinition = K8sAuditSourceDefinition | CloudTrailSourceDefinition;

export interface PluginSourceOptions {
  /** The definition the rules were compiled with (from sourceDefinition); default: a new one. */
  readonly definition?: PluginSourceDefinition;
  /** Falco's `static_fields`. */
  readonly staticFields?: Readonly<Record<string, string>>;
  /** evt.hostname (default: FALCO_HOSTNAME, else the host name). */
  readonly hostname?: string;
}

/**
 * The plugins a configuration loads, checked as Falco checks them when it loads and initialises
 * plugins. Construct with `loadPlugins(entries)`.
 */
export class LoadedPlugins {
  private constructor(readonly plugins: readonly LoadedPlugin[]) {}

  /**
   * Loads `entries` (the selected `plugins:` entries, in load order; see pluginsToLoad). Throws
   * PluginError for a plugin Peregrine does not provide, a plugin loaded twice, or an init_config
   * that the plugin's schema refuses.
   */
  static load(entries: readonly PluginSettings[]): LoadedPlugins {
    const loaded: LoadedPlugin[] = [];
    for (const settings of entries) {
      const plugin = builtinPluginFor(settings);
      if (plugin === undefined) throw notProvided(settings);
      for (const other of loaded) {
        if (other.plugin.name === plugin.name) throw new PluginError(`found another plugin with name ${plugin.name}. Aborting.`);
        if (plugin.eventSource && other.plugin.eventSource?.id === plugin.eventSource.id) {
          throw new PluginError(`found another plugin with ID ${plugin.eventSource.id}. Aborting.`);
        }
      }
      loaded.push({ plugin, settings, initConfig: checkInitConfig(plugin, settings.init_config) });
    }
    return new LoadedPlugins(loaded);
  }

  /** Event sources: `syscall` first, then those of the source plugins, in load order. */
  get sources(): string[] {
    const sources = ['syscall'];
    for (const { plugin } of this.plugins) {
      const source = plugin.eventSource?.name;
      if (source !== undefined && !sources.includes(source)) sources.push(source);
    }
    return sources;
  }

  /** `plugin_versions` of /versions: each loaded plugin's version. */
  versions(): Record<string, string> {
    return Object.fromEntries(this.plugins.map(({ plugin }) => [plugin.name, plugin.version]));
  }

  /**
   * What satisfies `required_plugin_versions`: the loaded plugins, plus the container plugin,
   * whose fields Peregrine's syscall source always has.
   */
  provided(): { name: string; version: string }[] {
    const provided = this.plugins.map(({ plugin }) => ({ name: plugin.name, version: plugin.version }));
    const container = BUILTIN_PLUGINS.find((p) => p.name === 'container')!;
    if (!provided.some((p) => p.name === container.name)) provided.push({ name: container.name, version: container.version });
    return provided;
  }

  /** Whether a plugin of this name is loaded. */
  has(name: string): boolean {
    return this.plugins.some((p) => p.plugin.name === name);
  }

  /** Field classes the loaded plugins add to `source`, in load order. */
  fieldClassesFor(source: string): FieldClassDecl[] {
    const classes: FieldClassDecl[] = [];
    for (const { plugin } of this.plugins) {
      if (plugin.fields === undefined) continue;
      if (plugin.extractSources === undefined || plugin.extractSources.includes(source)) classes.push(plugin.fields);
    }
    return classes;
  }

  /** The rules-engine definition of a plugin source this configuration provides. */
  sourceDefinition(source: string, options: PluginSourceOptions = {}): PluginSourceDefinition | undefined {
    const common = { ...(options.staticFields ? { staticFields: options.staticFields } : {}), withJsonPlugin: this.has('json') };
    if (source === 'k8s_audit' && this.has('k8saudit')) return createK8sAuditSourceDefinition(common);
    if (source === CLOUDTRAIL_SOURCE && this.has('cloudtrail')) return createCloudTrailSourceDefinition(common);
    return undefined;
  }

  /**
   * Opens a plugin event source with its plugin's open_params and init_config (the webhook starts
   * listening, files are checked). Throws PluginError when no loaded plugin provides the source
   * or when its open_params cannot be used (a message for the user).
   */
  async openSource(source: string, options: PluginSourceOptions = {}): Promise<OpenedPluginSource<PluginEvent>> {
    const loaded = this.plugins.find((p) => p.plugin.eventSource?.name === source);
    const definition = options.definition ?? this.sourceDefinition(source, options);
    if (loaded === undefined || definition === undefined) throw new PluginError(`no loaded plugin provides the event source '${source}'`);
    const hostname = options.hostname !== undefined ? { hostname: options.hostname } : {};
    if (source === CLOUDTRAIL_SOURCE) {
      try {
        return CloudTrailSource.open({ openParams: loaded.settings.open_params, definition: definition as CloudTrailSourceDefinition, ...hostname });
      } catch (err) {
        if (err instanceof CloudTrailOpenError) throw new PluginError(err.message);
        throw err;
      }
    }
    return K8sAuditSource.open({
      openParams: loaded.settings.open_params,
      initConfig: k8sAuditInitConfig(loaded.initConfig),
      definition: definition as K8sAuditSourceDefinition,
      ...hostname,
    });
  }
}

// ---------------------------------------------------------------------------- init_config

const ajv = new Ajv({ allErrors: false, strict: false });
const validators = new WeakMap<BuiltinPlugin, ValidateFunction>();

/**
 * The init_config as an object, checked against the plugin's schema as libsinsp checks it: an
 * empty config is `{}`, a string must be JSON, and the first schema error is reported.
 */
export function checkInitConfig(plugin: BuiltinPlugin, initConfig: string | Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  let value: unknown = initConfig;
  if (typeof initConfig === 'string') {
    if (initConfig.trim() === '') value = {};
    else {
      try {
        value = JSON.parse(initConfig);
      } catch {
        throw new PluginError(`error in plugin ${plugin.name}: init config is not a valid json`);
      }
    }
  }
  if (plugin.initSchema !== undefined) {
    let validate = validators.get(plugin);
    if (validate === undefined) {
      validate = ajv.compile(plugin.initSchema);
      validators.set(plugin, validate);
    }
    if (!validate(value)) {
      const error = validate.errors?.[0];
      throw new PluginError(
        error ? `error in plugin ${plugin.name} init config: In ${schemaPath(error)}, ${error.message ?? 'invalid value'}`
          : `error in plugin ${plugin.name} init config: failed parsing with provided schema`,
      );
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** `<root>[maxEventSize]`: where in the config the error is, as libsinsp's validator names it. */
function schemaPath(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1).map((p) => `[${p.replaceAll('~1', '/').replaceAll('~0', '~')}]`);
  return `<root>${parts.join('')}`;
}

// ---------------------------------------------------------------------------- descriptions

/** A plugin described as Falco's --list-plugins and --plugin-info describe it. */
export function formatPluginInfo(plugin: BuiltinPlugin): string {
  const lines = [
    `Name: ${plugin.name}`,
    `Description: ${plugin.description}`,
    `Contact: ${plugin.contact}`,
    `Version: ${plugin.version}`,
    'Capabilities: ',
  ];
  if (plugin.eventSource) lines.push(`  - Event Sourcing (ID=${plugin.eventSource.id}, source='${plugin.eventSource.name}')`);
  if (plugin.capabilities.includes('extraction')) lines.push('  - Field Extraction');
  if (plugin.capabilities.includes('parsing')) lines.push('  - Event Parsing');
  if (plugin.capabilities.includes('async')) lines.push('  - Async Events');
  return lines.join('\n') + '\n';
}

/** `--list-plugins`: every plugin of the configuration that would load. */
export function formatPluginList(entries: readonly PluginSettings[]): string {
  const described = entries.map((entry) => {
    const plugin = builtinPluginFor(entry);
    if (plugin === undefined) throw notProvided(entry);
    return formatPluginInfo(plugin) + '\n';
  });
  return `${entries.length} Plugins Loaded:\n\n${described.join('')}\n`;
}

/**
 * `--plugin-info`: the description, the init_config schema, then (after checking the entry's
 * init_config, as Falco initialises the plugin) what open_params a source plugin accepts.
 */
export function formatPluginDetails(entry: PluginSettings): string {
  const plugin = builtinPluginFor(entry);
  if (plugin === undefined) throw notProvided(entry);
  let text = formatPluginInfo(plugin) + '\n';
  text += plugin.initSchema !== undefined
    ? `Init config schema type: JSON\n${JSON.stringify(plugin.initSchema)}\n\n`
    : 'Init config schema type: Not available, plugin does not implement the init config schema functionality\n\n\n';
  checkInitConfig(plugin, entry.init_config);
  if (plugin.eventSource) {
    text += 'No suggested open params available: plugin has not been configured, or it does not implement the open params suggestion functionality\n\n';
  }
  return text;
}
