// From the validated configuration document to the typed PeregrineConfig: defaults filled in key by
// key, values normalized, and the checks the schema cannot express (Falco's own checks, with its
// messages where users may know them) reported with the file and line of the offending value.
import { isIP } from 'node:net';
import path from 'node:path';
import { Priority, parsePriority } from '../../engine/priority.js';
import type { LogLevel } from '../../util/log.js';
import { DEFAULT_DOCUMENT, PLUGINS_DIR } from './defaults.js';
import { type ConfigMap, type ConfigValue, type KeyPath, OriginTable, formatKeyPath, isConfigMap } from './document.js';
import type { Diagnostic } from './validate.js';
import {
  SUPPORTED_ENGINE_KINDS,
  type AppendOutputEntry, type CaptureMode, type ConfigFileEntry, type EngineConfig, type EngineKind, type ExtraField,
  type LibsLogSeverity, type MergeStrategy, type MetricsConfig, type PeregrineConfig, type PluginConfig,
  type RuleMatching, type RuleSelection, type SyscallDropAction,
} from './types.js';

/** `1h`, `15m`, `1m30s`, `500ms` (Prometheus durations; y=365d, w=7d) → milliseconds. */
export function parsePrometheusDuration(text: string): number | undefined {
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text.replace(/\s+/g, ''));
  if (!m || m.slice(1).every((g) => g === undefined)) return undefined;
  const units = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
  return units.reduce((total, unit, i) => total + Number(m[i + 1] ?? 0) * unit, 0);
}

/** `config_files` items as Falco reads them: a string is a path merged with `append`. */
export function configFileEntries(value: ConfigValue | undefined): ConfigFileEntry[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const entries: ConfigFileEntry[] = [];
  for (const item of items) {
    if (typeof item === 'string') entries.push({ path: item, strategy: 'append' });
    else if (isConfigMap(item) && typeof item.path === 'string') {
      const s = item.strategy;
      const strategy: MergeStrategy = s === 'override' || s === 'add-only' ? s : 'append';
      entries.push({ path: item.path, strategy });
    }
  }
  return entries;
}

/** Fills what `user` leaves out from `defaults`: maps merge key by key; lists and scalars are whole. */
export function fillDefaults(user: ConfigMap, defaults: ConfigMap): ConfigMap {
  const out: ConfigMap = { ...user };
  for (const [key, fallback] of Object.entries(defaults)) {
    const own = user[key];
    if (own === undefined) out[key] = structuredClone(fallback);
    else if (isConfigMap(own) && isConfigMap(fallback)) out[key] = fillDefaults(own, fallback);
  }
  return out;
}

/** Where a configuration must not be used as it is: the messages are errors. */
class Problems {
  readonly list: Diagnostic[] = [];
  constructor(private readonly user: ConfigMap, private readonly origins: OriginTable) {}

  error(path: KeyPath, message: string): void {
    this.add('error', path, message);
  }

  warning(path: KeyPath, message: string): void {
    this.add('warning', path, message);
  }

  /** Messages start with the key they are about (some of Falco's texts already do). */
  private add(severity: Diagnostic['severity'], path: KeyPath, message: string): void {
    const key = formatKeyPath(path);
    const text = message.startsWith(key) ? message : `${key}: ${message}`;
    this.list.push({ severity, path, origin: this.origins.find(this.user, path), message: text });
  }
}

// Accessors over the filled document; validation has already checked the types of what is there.
const asMap = (v: ConfigValue | undefined): ConfigMap => (isConfigMap(v) ? v : {});
const asString = (v: ConfigValue | undefined): string => (typeof v === 'string' ? v : '');
const asNumber = (v: ConfigValue | undefined): number => (typeof v === 'number' ? v : 0);
const asBool = (v: ConfigValue | undefined): boolean => v === true;
const asStrings = (v: ConfigValue | undefined): string[] =>
  (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export interface NormalizeResult {
  config: PeregrineConfig;
  diagnostics: Diagnostic[];
}

/**
 * Types the user's merged document (after validation): fills defaults, normalizes, checks. Errors
 * in the returned diagnostics mean the configuration must not be used.
 */
export function normalizeConfig(user: ConfigMap, origins: OriginTable): NormalizeResult {
  const problems = new Problems(user, origins);

  // rules_file (before Falco 0.38) stands for rules_files; the default must not fill in beside it.
  const document: ConfigMap = { ...user };
  if (user.rules_file !== undefined) {
    if (user.rules_files !== undefined) {
      problems.error(['rules_file'], "both 'rules_files' and 'rules_file' keys set");
    } else {
      problems.warning(['rules_file'],
        "Using deprecated config key 'rules_file' (singular form). Please use new 'rules_files' config key (plural form).");
      document.rules_files = user.rules_file;
    }
    delete document.rules_file;
  }
  const doc = fillDefaults(document, DEFAULT_DOCUMENT);

  const priority = parsePriority(asString(doc.priority));
  if (priority === undefined) {
    problems.error(['priority'], `Unknown priority "${asString(doc.priority)}"--must be one of emergency, alert, critical, ` +
      'error, warning, notice, informational, debug');
  }

  const engine = normalizeEngine(asMap(doc.engine), problems);
  const plugins = normalizePlugins(doc.plugins, problems);
  const loadPlugins = selectPlugins(user, plugins, problems);

  const webserver = asMap(doc.webserver);
  const listenAddress = asString(webserver.listen_address);
  if (isIP(listenAddress) === 0) {
    problems.error(['webserver', 'listen_address'], `webserver listen address "${listenAddress}" is not a valid IP address`);
  }

  const fileOutput = asMap(doc.file_output);
  if (asBool(fileOutput.enabled) && asString(fileOutput.filename) === '') {
    problems.error(['file_output'], 'file output enabled but no filename in configuration block');
  }
  const programOutput = asMap(doc.program_output);
  if (asBool(programOutput.enabled) && asString(programOutput.program) === '') {
    problems.error(['program_output'], 'program output enabled but no program in configuration block');
  }
  const http = asMap(doc.http_output);
  if (asBool(http.enabled) && asString(http.url) === '') {
    problems.error(['http_output'], 'http output enabled but no url in configuration block');
  }

  const drops = asMap(doc.syscall_event_drops);
  const actions = asStrings(drops.actions) as SyscallDropAction[];
  if (actions.includes('ignore')) {
    const noisy = actions.find((a) => a === 'log' || a === 'alert');
    if (noisy) {
      problems.error(['syscall_event_drops', 'actions'],
        `syscall event drop action "${noisy}" does not make sense with the "ignore" action`);
    }
  }

  // Falco checks these when it reads the configuration, with these messages.
  const threshold = asNumber(drops.threshold);
  if (threshold < 0 || threshold > 1) {
    problems.error(['syscall_event_drops', 'threshold'], 'syscall event drops threshold must be a double in the range [0, 1]');
  }
  if (asNumber(asMap(doc.syscall_event_timeouts).max_consecutives) === 0) {
    problems.error(['syscall_event_timeouts', 'max_consecutives'],
      'the maximum consecutive timeouts without an event must be an unsigned integer > 0');
  }

  const syslog = asMap(doc.syslog_output);
  const libs = asMap(doc.libs_logger);
  const outputsQueue = asMap(doc.outputs_queue);
  const capture = asMap(doc.capture);
  const timeouts = asMap(doc.syscall_event_timeouts);
  const baseSyscalls = asMap(doc.base_syscalls);
  const falcoLibs = asMap(doc.falco_libs);

  const config: PeregrineConfig = {
    config_files: configFileEntries(doc.config_files),
    watch_config_files: asBool(doc.watch_config_files),
    rules_files: asStrings(doc.rules_files),
    rules: normalizeRuleSelections(doc.rules, problems),
    engine,
    capture: {
      enabled: asBool(capture.enabled),
      path_prefix: asString(capture.path_prefix),
      mode: asString(capture.mode) as CaptureMode,
      default_duration: asNumber(capture.default_duration),
      max_file_size_mb: asNumber(capture.max_file_size_mb),
    },
    load_plugins: loadPlugins,
    plugins,
    plugins_hostinfo: asBool(doc.plugins_hostinfo),
    time_format_iso_8601: asBool(doc.time_format_iso_8601),
    buffer_format_base64: asBool(doc.buffer_format_base64),
    priority: priority ?? Priority.Debug,
    json_output: asBool(doc.json_output),
    json_include_output_property: asBool(doc.json_include_output_property),
    json_include_message_property: asBool(doc.json_include_message_property),
    json_include_output_fields_property: asBool(doc.json_include_output_fields_property),
    json_include_tags_property: asBool(doc.json_include_tags_property),
    buffered_outputs: asBool(doc.buffered_outputs),
    rule_matching: asString(doc.rule_matching) as RuleMatching,
    outputs_queue: { capacity: asNumber(outputsQueue.capacity) },
    append_output: normalizeAppendOutput(doc.append_output, problems),
    static_fields: Object.fromEntries(Object.entries(asMap(doc.static_fields)).map(([k, v]) => [k, asString(v)])),
    stdout_output: { enabled: asBool(asMap(doc.stdout_output).enabled) },
    syslog_output: {
      enabled: asBool(syslog.enabled),
      socket_path: asString(syslog.socket_path),
      ident: asString(syslog.ident),
    },
    file_output: {
      enabled: asBool(fileOutput.enabled),
      keep_alive: asBool(fileOutput.keep_alive),
      filename: asString(fileOutput.filename),
    },
    http_output: {
      enabled: asBool(http.enabled),
      url: asString(http.url),
      user_agent: asString(http.user_agent),
      insecure: asBool(http.insecure),
      ca_cert: asString(http.ca_cert),
      ca_bundle: asString(http.ca_bundle),
      ca_path: asString(http.ca_path),
      mtls: asBool(http.mtls),
      client_cert: asString(http.client_cert),
      client_key: asString(http.client_key),
      echo: asBool(http.echo),
      compress_uploads: asBool(http.compress_uploads),
      keep_alive: asBool(http.keep_alive),
      max_consecutive_timeouts: asNumber(http.max_consecutive_timeouts),
      timeout_ms: asNumber(http.timeout_ms),
    },
    program_output: {
      enabled: asBool(programOutput.enabled),
      keep_alive: asBool(programOutput.keep_alive),
      program: asString(programOutput.program),
    },
    webserver: {
      enabled: asBool(webserver.enabled),
      threadiness: asNumber(webserver.threadiness),
      listen_port: asNumber(webserver.listen_port),
      listen_address: listenAddress,
      k8s_healthz_endpoint: asString(webserver.k8s_healthz_endpoint),
      prometheus_metrics_enabled: asBool(webserver.prometheus_metrics_enabled),
      ssl_enabled: asBool(webserver.ssl_enabled),
      ssl_certificate: asString(webserver.ssl_certificate),
      web_view_enabled: asBool(webserver.web_view_enabled),
    },
    log_stderr: asBool(doc.log_stderr),
    log_syslog: asBool(doc.log_syslog),
    log_level: asString(doc.log_level) as LogLevel,
    libs_logger: { enabled: asBool(libs.enabled), severity: asString(libs.severity) as LibsLogSeverity },
    output_timeout: asNumber(doc.output_timeout),
    syscall_event_timeouts: { max_consecutives: asNumber(timeouts.max_consecutives) },
    syscall_event_drops: {
      threshold: asNumber(drops.threshold),
      actions: actions.length > 0 ? [...new Set(actions)] : ['ignore'],
      rate: asNumber(drops.rate),
      max_burst: asNumber(drops.max_burst),
      simulate_drops: asBool(drops.simulate_drops),
    },
    metrics: normalizeMetrics(asMap(doc.metrics)),
    base_syscalls: {
      custom_set: asStrings(baseSyscalls.custom_set),
      repair: asBool(baseSyscalls.repair),
      all: asBool(baseSyscalls.all),
    },
    falco_libs: {
      thread_table_size: asNumber(falcoLibs.thread_table_size),
      thread_table_auto_purging_interval_s: asNumber(falcoLibs.thread_table_auto_purging_interval_s),
      thread_table_auto_purging_thread_timeout_s: asNumber(falcoLibs.thread_table_auto_purging_thread_timeout_s),
      snaplen: asNumber(falcoLibs.snaplen),
    },
  };
  return { config, diagnostics: problems.list };
}

function normalizeEngine(engine: ConfigMap, problems: Problems): EngineConfig {
  const kmod = asMap(engine.kmod);
  const modern = asMap(engine.modern_ebpf);
  const replay = asMap(engine.replay);
  const ebpf = asMap(engine.ebpf);
  const gvisor = asMap(engine.gvisor);
  const kind = asString(engine.kind) as EngineKind;
  const captureFile = asString(replay.capture_file);
  if (kind === 'replay' && captureFile === '') {
    problems.error(['engine', 'kind'], "engine.kind is 'replay' but no engine.replay.capture_file specified.");
  }
  return {
    kind,
    kmod: { buf_size_preset: asNumber(kmod.buf_size_preset), drop_failed_exit: asBool(kmod.drop_failed_exit) },
    modern_ebpf: {
      cpus_for_each_buffer: asNumber(modern.cpus_for_each_buffer),
      buf_size_preset: asNumber(modern.buf_size_preset),
      drop_failed_exit: asBool(modern.drop_failed_exit),
      disable_iterators: asBool(modern.disable_iterators),
    },
    replay: { capture_file: captureFile },
    ebpf: { probe: asString(ebpf.probe), buf_size_preset: asNumber(ebpf.buf_size_preset), drop_failed_exit: asBool(ebpf.drop_failed_exit) },
    gvisor: { config: asString(gvisor.config), root: asString(gvisor.root) },
  };
}

function normalizeRuleSelections(value: ConfigValue | undefined, problems: Problems): RuleSelection[] {
  const selections: RuleSelection[] = [];
  (Array.isArray(value) ? value : []).forEach((item, i) => {
    const entry = asMap(item);
    const actions = (['enable', 'disable'] as const).filter((a) => entry[a] !== undefined);
    if (actions.length !== 1) {
      problems.error(['rules', i], "needs exactly one of 'enable:' or 'disable:'");
      return;
    }
    const action = actions[0]!;
    const target = asMap(entry[action]);
    const rule = typeof target.rule === 'string' && target.rule !== '' ? target.rule : undefined;
    const tag = typeof target.tag === 'string' && target.tag !== '' ? target.tag : undefined;
    if (rule === undefined && tag === undefined) {
      problems.error(['rules', i, action], "needs a 'rule:' name or a 'tag:'");
      return;
    }
    selections.push({ action, ...(rule !== undefined ? { rule } : {}), ...(tag !== undefined ? { tag } : {}) });
  });
  return selections;
}

function normalizeAppendOutput(value: ConfigValue | undefined, problems: Problems): AppendOutputEntry[] {
  const entries: AppendOutputEntry[] = [];
  (Array.isArray(value) ? value : []).forEach((item, i) => {
    const entry = asMap(item);
    const match = asMap(entry.match);
    const tags = asStrings(match.tags);
    const rule = typeof match.rule === 'string' ? match.rule : undefined;
    if (rule !== undefined && rule !== '' && tags.length > 0) {
      problems.warning(['append_output', i, 'match'],
        `An append_output entry specifies both a rule (${rule}) and a list of tags (${tags.join(', ')}). This means that ` +
        `output will be appended only to the ${rule} rule and only if it has all the tags: ${tags.join(', ')}.`);
    }
    const extraFields: ExtraField[] = [];
    const seen = new Set<string>();
    (Array.isArray(entry.extra_fields) ? entry.extra_fields : []).forEach((field, j) => {
      const defs: ExtraField[] = typeof field === 'string'
        ? [{ name: field }]
        : Object.entries(asMap(field)).map(([name, format]) => ({ name, format: asString(format) }));
      for (const def of defs) {
        if (seen.has(def.name)) {
          problems.error(['append_output', i, 'extra_fields', j], `defines '${def.name}' more than once`);
        }
        seen.add(def.name);
        extraFields.push(def);
      }
    });
    entries.push({
      match: {
        ...(typeof match.source === 'string' && match.source !== '' ? { source: match.source } : {}),
        tags,
        ...(rule !== undefined && rule !== '' ? { rule } : {}),
      },
      ...(typeof entry.extra_output === 'string' && entry.extra_output !== '' ? { extra_output: entry.extra_output } : {}),
      extra_fields: extraFields,
      suggested_output: asBool(entry.suggested_output),
    });
  });
  return entries;
}

function normalizePlugins(value: ConfigValue | undefined, problems: Problems): PluginConfig[] {
  const plugins: PluginConfig[] = [];
  (Array.isArray(value) ? value : []).forEach((item, i) => {
    const entry = asMap(item);
    const libraryPath = asString(entry.library_path);
    let resolved = libraryPath;
    if (libraryPath !== '' && !path.isAbsolute(libraryPath)) {
      // Relative paths live under the plugins directory and must not climb out of it (Falco's rule).
      resolved = path.normalize(path.join(PLUGINS_DIR, libraryPath));
      const inside = path.relative(PLUGINS_DIR, resolved);
      if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
        problems.error(['plugins', i, 'library_path'],
          `plugin library_path '${libraryPath}' resolves outside the plugins directory (${PLUGINS_DIR})`);
      }
    }
    const init = entry.init_config;
    plugins.push({
      name: asString(entry.name),
      library_path: libraryPath,
      library_path_resolved: resolved,
      init_config: isConfigMap(init) ? (structuredClone(init) as Record<string, unknown>) : asString(init),
      open_params: asString(entry.open_params).trim(),
    });
  });
  return plugins;
}

/** Which plugins load: Falco loads every configured plugin when `load_plugins` is absent. */
function selectPlugins(user: ConfigMap, plugins: PluginConfig[], problems: Problems): string[] {
  if (user.load_plugins !== undefined) {
    const names = asStrings(user.load_plugins);
    names.forEach((name, i) => {
      if (!plugins.some((p) => p.name === name)) {
        problems.error(['load_plugins', i], `Cannot load plugin '${name}': plugin config not found for given name`);
      }
    });
    return names;
  }
  if (user.plugins !== undefined) return plugins.map((p) => p.name);
  return asStrings(DEFAULT_DOCUMENT.load_plugins);
}

function normalizeMetrics(metrics: ConfigMap): MetricsConfig {
  const interval = asString(metrics.interval);
  return {
    enabled: asBool(metrics.enabled),
    interval,
    interval_ms: parsePrometheusDuration(interval) ?? 0,
    output_rule: asBool(metrics.output_rule),
    output_file: asString(metrics.output_file),
    rules_counters_enabled: asBool(metrics.rules_counters_enabled),
    resource_utilization_enabled: asBool(metrics.resource_utilization_enabled),
    state_counters_enabled: asBool(metrics.state_counters_enabled),
    kernel_event_counters_enabled: asBool(metrics.kernel_event_counters_enabled),
    kernel_event_counters_per_cpu_enabled: asBool(metrics.kernel_event_counters_per_cpu_enabled),
    libbpf_stats_enabled: asBool(metrics.libbpf_stats_enabled),
    plugins_metrics_enabled: asBool(metrics.plugins_metrics_enabled),
    kernel_iter_event_counters_enabled: asBool(metrics.kernel_iter_event_counters_enabled),
    jemalloc_stats_enabled: asBool(metrics.jemalloc_stats_enabled),
    convert_memory_to_mb: asBool(metrics.convert_memory_to_mb),
    include_empty_values: asBool(metrics.include_empty_values),
  };
}

/**
 * Checks that only matter when the agent is about to process events (Falco makes them at that
 * point too, so `--list` or `--version` work with such a configuration): a supported engine and a
 * usable metrics setup. Returns the problems as messages; empty when the configuration can run.
 */
export function checkRunnable(config: PeregrineConfig): string[] {
  const problems: string[] = [];
  if (!SUPPORTED_ENGINE_KINDS.includes(config.engine.kind)) {
    problems.push(`engine.kind '${config.engine.kind}' is a Falco driver that Peregrine does not provide; ` +
      'use modern_ebpf (live capture), replay (a capture file) or nodriver');
  }
  const m = config.metrics;
  if (m.enabled) {
    if (/^\d+$/.test(m.interval.trim())) {
      problems.push('Metrics interval was passed as numeric value without Prometheus time unit. Please specify a time unit');
    } else if (m.interval_ms < 100) {
      problems.push('Metrics interval must have a minimum value of 100ms and reflect a Prometheus compliant time duration ' +
        'format: https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations.');
    }
    if (!m.output_rule && m.output_file === '' && !config.webserver.prometheus_metrics_enabled) {
      problems.push("Metrics are enabled with no output configured. Please enable at least one output channel " +
        "('metrics.output_rule', 'metrics.output_file' or 'webserver.prometheus_metrics_enabled')");
    }
  }
  return problems;
}
