// JSON schema of the configuration (draft-07), printed by `--config-schema` and used to validate the
// merged document. Each property has a single `type` (or an `anyOf` with an `x-expected` sentence),
// which is what lets the loader type values as Falco's weakly typed reader does ("8765" is a port,
// `yes` a boolean) before validating them. Key semantics beyond types (priority names, IP addresses,
// durations, ...) are checked in normalize.ts, which can name the file and line too.
import { DEFAULT_DOCUMENT } from './defaults.js';
import { type ConfigMap, type ConfigValue, isConfigMap } from './document.js';

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  default?: ConfigValue;
  /** What the value must be, in words, for errors from `anyOf`. */
  'x-expected'?: string;
  /** Accepted for compatibility but not used by Peregrine (shown in warnings). */
  'x-unused'?: string;
  $schema?: string;
  title?: string;
}

const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
const str = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'integer', description, ...extra });
const num = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'number', description, ...extra });
const list = (description: string, items: JsonSchema): JsonSchema => ({ type: 'array', description, items });
const map = (description: string, properties: Record<string, JsonSchema>, extra: Partial<JsonSchema> = {}): JsonSchema =>
  ({ type: 'object', description, additionalProperties: false, properties, ...extra });

const UNSIGNED = { minimum: 0 };
const BUF_SIZE_PRESET = int('Ring buffer size per CPU (or group of CPUs): index into 1, 2, 4, ... 512 MiB (0 reserved).', { minimum: 0, maximum: 10 });
const enabled = (what: string): JsonSchema => map(what, { enabled: bool('Turn this output on.') });

const ruleSelector = map('Which rules: by name (`*` matches any characters) and/or by tag.', {
  rule: str('Rule name or glob.'),
  tag: str('Tag the rules carry.'),
});

const CONFIG_PROPERTIES: Record<string, JsonSchema> = {
  config_files: list('More configuration files or directories, merged after this one in order.', {
    anyOf: [
      str('Path of a file or directory (merged with the `append` strategy).'),
      map('Path with an explicit merge strategy.', {
        path: str('File or directory.'),
        strategy: str('append: lists are extended, other keys replaced; override: keys replaced; add-only: only new keys.',
          { enum: ['append', 'override', 'add-only'] }),
      }, { required: ['path'] }),
    ],
    'x-expected': 'a path, or a map {path: PATH, strategy: append|override|add-only}',
  }),
  watch_config_files: bool('Reload when a configuration or rules file changes.'),
  rules_files: list('Rules files and directories, loaded in order (directories: their .yaml/.yml files, sorted).', str('Path.')),
  rules_file: list('Deprecated spelling of rules_files (Falco before 0.38).', str('Path.')),
  rules: list('Enable or disable loaded rules, applied in order after all rules files.', {
    type: 'object',
    description: 'One selection.',
    additionalProperties: false,
    properties: { enable: ruleSelector, disable: ruleSelector },
  }),
  engine: map('Where events come from.', {
    kind: str('Engine: modern_ebpf (live capture), replay (a capture file), nodriver (plugin sources only); kmod, ebpf and gvisor are Falco drivers Peregrine does not provide.',
      { enum: ['modern_ebpf', 'replay', 'nodriver', 'kmod', 'ebpf', 'gvisor'] }),
    kmod: map('Kernel module settings (Falco only).', {
      buf_size_preset: BUF_SIZE_PRESET,
      drop_failed_exit: bool('Drop failed syscall exit events in the kernel.'),
    }),
    modern_ebpf: map('Live eBPF capture settings.', {
      cpus_for_each_buffer: int('CPUs sharing one ring buffer (0: one buffer for all).', UNSIGNED),
      buf_size_preset: BUF_SIZE_PRESET,
      drop_failed_exit: bool('Drop failed syscall exit events in the kernel.'),
      disable_iterators: bool('Read initial process state from /proc instead of BPF iterators.'),
    }),
    replay: map('Capture file replay settings.', { capture_file: str('The .scap file to read.') }),
    ebpf: { ...map('Legacy eBPF probe settings (Falco only).', {
      probe: str('Probe object path.'),
      buf_size_preset: BUF_SIZE_PRESET,
      drop_failed_exit: bool('Drop failed syscall exit events in the kernel.'),
    }), 'x-unused': 'Falco\'s legacy eBPF probe' },
    gvisor: { ...map('gVisor settings (Falco only).', {
      config: str('runsc configuration file.'),
      root: str('runsc root directory.'),
    }), 'x-unused': 'gVisor support' },
  }),
  capture: map('Record events around alerts into .scap files.', {
    enabled: bool('Turn captures on.'),
    path_prefix: str('Prefix of capture file names.'),
    mode: str('rules: only rules with `capture: true`; all_rules: every rule.', { enum: ['rules', 'all_rules'] }),
    default_duration: int('Capture length in milliseconds when the rule sets none.', UNSIGNED),
    max_file_size_mb: int('Hard limit of one capture file in MiB (0: none).', { minimum: 0, maximum: 1048576 }),
  }),
  load_plugins: list('Names (from `plugins`) of the plugins to load, in order.', str('Plugin name.')),
  plugins: list('Plugin settings.', {
    ...map('One plugin.', {
      name: str('Plugin name.'),
      library_path: str('Library file; relative paths are under the plugins directory.'),
      init_config: {
        anyOf: [{ type: 'object' }, { type: 'string' }, { type: 'null' }],
        description: 'Initialization settings: a map or a string.',
        'x-expected': 'a map or a string',
      },
      open_params: str('Parameters for opening the event source.'),
    }, { required: ['name', 'library_path'] }),
  }),
  plugins_hostinfo: bool('Give plugins host information (/proc access).'),
  time_format_iso_8601: bool('ISO 8601 times in alerts and logs instead of local ctime style.'),
  buffer_format_base64: bool('Render data buffers in base64.'),
  priority: str('Minimum priority of rules to load: emergency, alert, critical, error, warning, notice, info(rmational), debug.'),
  json_output: bool('Alerts (and rule load results) as JSON.'),
  json_include_output_property: bool('JSON alerts include "output".'),
  json_include_message_property: bool('JSON alerts include "message" (output without time and priority).'),
  json_include_output_fields_property: bool('JSON alerts include "output_fields".'),
  json_include_tags_property: bool('JSON alerts include "tags".'),
  buffered_outputs: bool('Buffer output channels instead of flushing every alert.'),
  rule_matching: str('first: stop at the first matching rule; all: evaluate every rule.', { enum: ['first', 'all'] }),
  outputs_queue: map('Queue between rule evaluation and outputs.', {
    capacity: int('Maximum queued alerts (0: unbounded); alerts beyond it are dropped and counted.', UNSIGNED),
  }),
  append_output: list('Text and fields added to alert outputs.', map('One addition.', {
    match: map('Which alerts (all conditions must hold; none: every alert).', {
      source: str('Event source.'),
      tags: list('The rule must carry all these tags.', str('Tag.')),
      rule: str('Rule name.'),
    }),
    extra_output: str('Text (an output format) appended to the output.'),
    extra_fields: list('Fields added to output_fields: a field name, or {name: format}.', {
      anyOf: [{ type: 'object', additionalProperties: { type: 'string' } }, { type: 'string' }],
      'x-expected': 'a field name, or a map {name: format}',
    }),
    suggested_output: bool('Append the fields the source suggests.'),
  })),
  static_fields: { type: 'object', description: 'Constant fields, usable as static.NAME.', additionalProperties: { type: 'string' } },
  stdout_output: enabled('Alerts to standard output.'),
  syslog_output: map('Alerts to syslog.', {
    enabled: bool('Turn this output on.'),
    socket_path: str('Peregrine addition: the local syslog socket (also used by log_syslog).'),
    ident: str('Peregrine addition: program name in each syslog message.'),
  }),
  file_output: map('Alerts to a file.', {
    enabled: bool('Turn this output on.'),
    keep_alive: bool('Keep the file open (else reopen for each alert).'),
    filename: str('File alerts are appended to.'),
  }),
  http_output: map('Alerts POSTed to a URL.', {
    enabled: bool('Turn this output on.'),
    url: str('Endpoint.'),
    user_agent: str('User-Agent header.'),
    insecure: bool('Do not verify the server certificate.'),
    ca_cert: str('CA certificate file.'),
    ca_bundle: str('CA bundle file.'),
    ca_path: str('Directory of CA certificates.'),
    mtls: bool('Authenticate with a client certificate.'),
    client_cert: str('Client certificate file.'),
    client_key: str('Client key file.'),
    echo: bool('Print server responses to standard output.'),
    compress_uploads: bool('Compress request bodies.'),
    keep_alive: bool('Reuse the connection.'),
    max_consecutive_timeouts: int('Timeouts in a row tolerated before reporting.', { minimum: 0, maximum: 255 }),
    timeout_ms: int('Peregrine addition: milliseconds to connect and get an answer, per attempt.', { minimum: 1 }),
  }),
  program_output: map('Alerts to a program\'s standard input.', {
    enabled: bool('Turn this output on.'),
    keep_alive: bool('Keep the program running (else one run per alert).'),
    program: str('Shell command.'),
  }),
  webserver: map('Embedded web server (health, versions, metrics).', {
    enabled: bool('Turn the server on.'),
    threadiness: int('Worker threads (0: number of CPUs).', UNSIGNED),
    listen_port: int('TCP port.', { minimum: 0, maximum: 65535 }),
    listen_address: str('IPv4 or IPv6 address.'),
    k8s_healthz_endpoint: str('Path of the health endpoint.'),
    prometheus_metrics_enabled: bool('Serve /metrics (needs metrics.enabled).'),
    ssl_enabled: bool('Serve HTTPS.'),
    ssl_certificate: str('PEM file holding certificate and key.'),
    web_view_enabled: bool('Peregrine: serve a page of the latest alerts and counters at / (and /api/alerts, /api/summary). Alerts can hold sensitive data: enable it on a trusted address or with ssl_enabled.'),
  }),
  log_stderr: bool('Logs to standard error.'),
  log_syslog: bool('Logs to syslog.'),
  log_level: str('Minimum log severity.', { enum: ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] }),
  libs_logger: map('Logs of the event-capture layer.', {
    enabled: bool('Turn these logs on.'),
    severity: str('Minimum severity.', { enum: ['fatal', 'critical', 'error', 'warning', 'notice', 'info', 'debug', 'trace'] }),
  }),
  output_timeout: int('Milliseconds an output may block before it is reported.', UNSIGNED),
  syscall_event_timeouts: map('Reporting stalls of the event stream.', {
    // 0 is refused when typing the configuration, with Falco's message.
    max_consecutives: int('Consecutive empty reads before a notice.', UNSIGNED),
  }),
  syscall_event_drops: map('What to do when the kernel drops events.', {
    // The range is checked when typing the configuration, with Falco's message.
    threshold: num('Fraction of dropped events (0..1) that triggers the actions.'),
    actions: list('Actions: ignore, log, alert, exit.', str('Action.', { enum: ['ignore', 'log', 'alert', 'exit'] })),
    rate: num('Notifications per second (token bucket).', UNSIGNED),
    max_burst: int('Notification burst.', UNSIGNED),
    simulate_drops: bool('Pretend drops happen (testing).'),
  }),
  metrics: map('Periodic metrics snapshots.', {
    enabled: bool('Collect metrics.'),
    interval: str('Prometheus duration between snapshots (e.g. 15m, 1h; at least 100ms).'),
    output_rule: bool('Emit snapshots as an alert.'),
    output_file: str('Append snapshots as JSON lines to this file.'),
    rules_counters_enabled: bool('Per-rule counters.'),
    resource_utilization_enabled: bool('CPU and memory usage.'),
    state_counters_enabled: bool('Process table counters.'),
    kernel_event_counters_enabled: bool('Kernel event and drop counters.'),
    kernel_event_counters_per_cpu_enabled: bool('Kernel counters per CPU.'),
    libbpf_stats_enabled: bool('BPF program statistics.'),
    plugins_metrics_enabled: bool('Plugin metrics.'),
    kernel_iter_event_counters_enabled: bool('BPF iterator counters.'),
    jemalloc_stats_enabled: bool('Allocator statistics (Falco only).'),
    convert_memory_to_mb: bool('Memory in MB.'),
    include_empty_values: bool('Include zero/empty metrics.'),
  }),
  base_syscalls: map('Syscalls traced besides those the rules need.', {
    custom_set: list('Syscall names; `!name` excludes.', str('Syscall.')),
    repair: bool('Add the minimal set state tracking needs.'),
    all: bool('Trace every syscall, including those ignored by default (see -i).'),
  }),
  falco_libs: map('Process table and capture tuning.', {
    thread_table_size: int('Maximum threads tracked.', { minimum: 0, maximum: 4294967295 }),
    thread_table_auto_purging_interval_s: int('Seconds between purges of stale threads.', UNSIGNED),
    thread_table_auto_purging_thread_timeout_s: int('Seconds without events before a thread is stale.', UNSIGNED),
    snaplen: int('Bytes captured of each I/O buffer.', UNSIGNED),
  }),
  container_engines: {
    type: 'object',
    description: 'Container runtime settings of Falco before 0.41 (now the container plugin\'s); accepted and ignored.',
    'x-unused': 'the container plugin settings (plugins[].init_config)',
  },
};

/** Adds each default value of DEFAULT_DOCUMENT as the `default` of its schema property. */
function withDefaults(properties: Record<string, JsonSchema>, defaults: ConfigMap): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [key, schema] of Object.entries(properties)) {
    const value = defaults[key];
    if (value === undefined) {
      out[key] = schema;
    } else if (schema.type === 'object' && schema.properties && isConfigMap(value)) {
      out[key] = { ...schema, properties: withDefaults(schema.properties, value) };
    } else {
      out[key] = { ...schema, default: value };
    }
  }
  return out;
}

export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Peregrine configuration (falco.yaml compatible)',
  type: 'object',
  additionalProperties: false,
  properties: withDefaults(CONFIG_PROPERTIES, DEFAULT_DOCUMENT),
};

/** The schema of the value at a property path (map keys only), or undefined. */
export function schemaAt(path: readonly (string | number)[]): JsonSchema | undefined {
  let schema: JsonSchema | undefined = CONFIG_SCHEMA;
  for (const part of path) {
    if (!schema) return undefined;
    if (typeof part === 'number') schema = schema.items;
    else schema = schema.properties?.[part] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
  }
  return schema;
}
