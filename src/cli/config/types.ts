// The typed configuration every module reads: falco.yaml's keys under their falco.yaml names (so
// the file, `-o`, the docs and the code share one vocabulary), every default filled in, and values
// normalized where Falco normalizes them (a single `rules_files` path becomes a list, `rules:` items
// become {action, rule, tag}, `config_files` strings become {path, strategy}, ...).
//
// config/peregrine.yaml documents each key; src/cli/config/defaults.ts holds the defaults.
import type { LogLevel } from '../../util/log.js';
import type { Priority } from '../../engine/priority.js';

/** Engines (event producers) a configuration may name. Peregrine runs `modern_ebpf`, `replay`
 * and `nodriver`; the others are Falco drivers, accepted in files and refused at start. */
export type EngineKind = 'modern_ebpf' | 'replay' | 'nodriver' | 'kmod' | 'ebpf' | 'gvisor';
export const ENGINE_KINDS: readonly EngineKind[] = ['modern_ebpf', 'replay', 'nodriver', 'kmod', 'ebpf', 'gvisor'];
export const SUPPORTED_ENGINE_KINDS: readonly EngineKind[] = ['modern_ebpf', 'replay', 'nodriver'];

export type MergeStrategy = 'append' | 'override' | 'add-only';
export type RuleMatching = 'first' | 'all';
export type SyscallDropAction = 'ignore' | 'log' | 'alert' | 'exit';
export type LibsLogSeverity = 'fatal' | 'critical' | 'error' | 'warning' | 'notice' | 'info' | 'debug' | 'trace';
export type CaptureMode = 'rules' | 'all_rules';

export interface ConfigFileEntry {
  path: string;
  strategy: MergeStrategy;
}

/** One `rules:` item: enable or disable the rules whose name matches the glob, or that carry the tag. */
export interface RuleSelection {
  action: 'enable' | 'disable';
  /** Rule name; `*` matches any run of characters. */
  rule?: string;
  /** Exact tag. */
  tag?: string;
}

/** One item of `extra_fields`: `name` with a format string (`home: "${HOME}"`), or a bare field. */
export interface ExtraField {
  name: string;
  /** Output format rendered for the value; undefined for a bare field (`- evt.hostname`), whose
   *  value is the field's typed value. */
  format?: string;
}

export interface AppendOutputEntry {
  match: {
    source?: string;
    /** The rule must carry all of these tags. */
    tags: string[];
    rule?: string;
  };
  extra_output?: string;
  extra_fields: ExtraField[];
  suggested_output: boolean;
}

export interface PluginConfig {
  name: string;
  /** As written; relative paths are resolved against the plugins directory (`library_path_resolved`). */
  library_path: string;
  library_path_resolved: string;
  /** A map (kept as data), a string (often JSON) or '' when absent. */
  init_config: string | Record<string, unknown>;
  /** Trimmed; '' when absent. */
  open_params: string;
}

export interface OutputEnabled {
  enabled: boolean;
}

export interface FileOutputConfig {
  enabled: boolean;
  keep_alive: boolean;
  filename: string;
}

export interface ProgramOutputConfig {
  enabled: boolean;
  keep_alive: boolean;
  program: string;
}

export interface SyslogOutputConfig {
  enabled: boolean;
  /** Peregrine addition: the local syslog socket. */
  socket_path: string;
  /** Peregrine addition: program name in messages (Falco's is `falco`). */
  ident: string;
}

export interface HttpOutputConfig {
  enabled: boolean;
  url: string;
  user_agent: string;
  insecure: boolean;
  ca_cert: string;
  ca_bundle: string;
  ca_path: string;
  mtls: boolean;
  client_cert: string;
  client_key: string;
  echo: boolean;
  compress_uploads: boolean;
  keep_alive: boolean;
  max_consecutive_timeouts: number;
  /** Peregrine addition: connect and answer timeout per attempt, in ms. */
  timeout_ms: number;
}

export interface WebserverConfig {
  enabled: boolean;
  /** 0: as many as CPUs (Falco's threadiness; Peregrine's server is single-threaded). */
  threadiness: number;
  listen_port: number;
  listen_address: string;
  k8s_healthz_endpoint: string;
  prometheus_metrics_enabled: boolean;
  ssl_enabled: boolean;
  ssl_certificate: string;
  /** Peregrine's own: the web view of recent alerts and counters at `/` (src/server/web-view.ts). */
  web_view_enabled: boolean;
}

export interface MetricsConfig {
  enabled: boolean;
  /** As written (Prometheus duration, e.g. `1h`, `15m`, `30s`). */
  interval: string;
  /** `interval` in milliseconds (0 when it is not a valid duration and metrics are disabled). */
  interval_ms: number;
  output_rule: boolean;
  output_file: string;
  rules_counters_enabled: boolean;
  resource_utilization_enabled: boolean;
  state_counters_enabled: boolean;
  kernel_event_counters_enabled: boolean;
  kernel_event_counters_per_cpu_enabled: boolean;
  libbpf_stats_enabled: boolean;
  plugins_metrics_enabled: boolean;
  kernel_iter_event_counters_enabled: boolean;
  jemalloc_stats_enabled: boolean;
  convert_memory_to_mb: boolean;
  include_empty_values: boolean;
}

export interface EngineConfig {
  kind: EngineKind;
  kmod: { buf_size_preset: number; drop_failed_exit: boolean };
  modern_ebpf: { cpus_for_each_buffer: number; buf_size_preset: number; drop_failed_exit: boolean; disable_iterators: boolean };
  replay: { capture_file: string };
  /** Falco's legacy eBPF probe settings; accepted, not used. */
  ebpf: { probe: string; buf_size_preset: number; drop_failed_exit: boolean };
  /** Falco's gVisor settings; accepted, not used. */
  gvisor: { config: string; root: string };
}

export interface PeregrineConfig {
  config_files: ConfigFileEntry[];
  watch_config_files: boolean;
  /** Rules files and directories in load order (from `rules_files`, or the deprecated `rules_file`). */
  rules_files: string[];
  rules: RuleSelection[];
  engine: EngineConfig;
  capture: {
    enabled: boolean;
    path_prefix: string;
    mode: CaptureMode;
    /** Milliseconds. */
    default_duration: number;
    /** 0: no limit. */
    max_file_size_mb: number;
  };
  /** Names of the plugins to load, in order: `load_plugins` when set anywhere, otherwise every
   *  plugin of a user-written `plugins:` list (Falco's rule), otherwise none. */
  load_plugins: string[];
  plugins: PluginConfig[];
  plugins_hostinfo: boolean;
  time_format_iso_8601: boolean;
  buffer_format_base64: boolean;
  /** Minimum priority of the rules to load. */
  priority: Priority;
  json_output: boolean;
  json_include_output_property: boolean;
  json_include_message_property: boolean;
  json_include_output_fields_property: boolean;
  json_include_tags_property: boolean;
  buffered_outputs: boolean;
  rule_matching: RuleMatching;
  /** 0: unbounded. */
  outputs_queue: { capacity: number };
  append_output: AppendOutputEntry[];
  static_fields: Record<string, string>;
  stdout_output: OutputEnabled;
  syslog_output: SyslogOutputConfig;
  file_output: FileOutputConfig;
  http_output: HttpOutputConfig;
  program_output: ProgramOutputConfig;
  webserver: WebserverConfig;
  log_stderr: boolean;
  log_syslog: boolean;
  log_level: LogLevel;
  libs_logger: { enabled: boolean; severity: LibsLogSeverity };
  /** Milliseconds. */
  output_timeout: number;
  syscall_event_timeouts: { max_consecutives: number };
  syscall_event_drops: {
    threshold: number;
    /** Never empty: no actions means `['ignore']`, as in Falco. */
    actions: SyscallDropAction[];
    rate: number;
    max_burst: number;
    simulate_drops: boolean;
  };
  metrics: MetricsConfig;
  base_syscalls: { custom_set: string[]; repair: boolean; all: boolean };
  falco_libs: {
    thread_table_size: number;
    thread_table_auto_purging_interval_s: number;
    thread_table_auto_purging_thread_timeout_s: number;
    snaplen: number;
  };
}
