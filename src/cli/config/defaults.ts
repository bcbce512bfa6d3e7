// Default configuration: the values Falco 0.44's stock falco.yaml sets, so that a key a user leaves
// out behaves as in a stock Falco install (plus the defaults of the few keys Peregrine adds:
// syslog_output.socket_path and .ident, http_output.timeout_ms). Written as file-shaped data (the same shape a YAML file
// has): the loader fills a user's document from it key by key, then types the result, so defaults and
// files go through one path. config/peregrine.yaml documents the same values (a test keeps the two
// equal, and equal to falco.yaml's).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigMap } from './document.js';

/** Directory of plugin libraries, for relative `library_path`s (Falco: /usr/share/falco/plugins). */
export const PLUGINS_DIR = '/usr/share/falco/plugins';

/** Where the configuration is looked for when `-c` is not given. */
export const DEFAULT_CONFIG_FILE = '/etc/peregrine/peregrine.yaml';

/** The directory of this package (the one with package.json), wherever it is installed. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

/** Peregrine's own rules, shipped with the package (rules/peregrine_rules.yaml). */
export const DEFAULT_RULES_FILE = path.join(packageRoot(), 'rules', 'peregrine_rules.yaml');

/**
 * Rules loaded when neither -r nor a configuration file says otherwise: Peregrine's rules, then
 * local additions and overrides. (Falco's stock falco.yaml lists /etc/falco/falco_rules.yaml and
 * friends instead; a Falco configuration given with -c keeps them.)
 */
export const DEFAULT_RULES_FILES: readonly string[] = [
  DEFAULT_RULES_FILE, '/etc/peregrine/peregrine_rules.local.yaml', '/etc/peregrine/rules.d',
];

export const DEFAULT_DOCUMENT: ConfigMap = {
  config_files: ['/etc/falco/config.d'],
  watch_config_files: true,
  rules_files: [...DEFAULT_RULES_FILES],
  rules: [],
  engine: {
    kind: 'modern_ebpf',
    kmod: { buf_size_preset: 4, drop_failed_exit: false },
    modern_ebpf: { cpus_for_each_buffer: 2, buf_size_preset: 4, drop_failed_exit: false, disable_iterators: false },
    replay: { capture_file: '' },
    ebpf: { probe: '', buf_size_preset: 4, drop_failed_exit: false },
    gvisor: { config: '', root: '' },
  },
  capture: { enabled: false, path_prefix: '/tmp/falco', mode: 'rules', default_duration: 5000, max_file_size_mb: 0 },
  load_plugins: [],
  plugins: [
    { name: 'container', library_path: 'libcontainer.so', init_config: { label_max_len: 100, with_size: false } },
  ],
  plugins_hostinfo: true,
  time_format_iso_8601: false,
  buffer_format_base64: false,
  priority: 'debug',
  json_output: false,
  json_include_output_property: true,
  json_include_message_property: false,
  json_include_output_fields_property: true,
  json_include_tags_property: true,
  buffered_outputs: false,
  rule_matching: 'first',
  outputs_queue: { capacity: 0 },
  append_output: [{ suggested_output: true }],
  static_fields: {},
  stdout_output: { enabled: true },
  syslog_output: { enabled: true, socket_path: '/dev/log', ident: 'peregrine' },
  file_output: { enabled: false, keep_alive: false, filename: './events.txt' },
  http_output: {
    enabled: false,
    url: '',
    user_agent: 'falcosecurity/falco',
    insecure: false,
    ca_cert: '',
    ca_bundle: '',
    ca_path: '/etc/ssl/certs',
    mtls: false,
    client_cert: '/etc/ssl/certs/client.crt',
    client_key: '/etc/ssl/certs/client.key',
    echo: false,
    compress_uploads: false,
    keep_alive: false,
    max_consecutive_timeouts: 5,
    timeout_ms: 5000,
  },
  program_output: {
    enabled: false,
    keep_alive: false,
    program: "jq '{text: .output}' | curl -d @- -X POST https://hooks.slack.com/services/XXX",
  },
  webserver: {
    enabled: true,
    threadiness: 0,
    listen_port: 8765,
    listen_address: '0.0.0.0',
    k8s_healthz_endpoint: '/healthz',
    prometheus_metrics_enabled: false,
    ssl_enabled: false,
    ssl_certificate: '/etc/falco/falco.pem',
    web_view_enabled: false,
  },
  log_stderr: true,
  log_syslog: true,
  log_level: 'info',
  libs_logger: { enabled: true, severity: 'info' },
  output_timeout: 2000,
  syscall_event_timeouts: { max_consecutives: 1000 },
  syscall_event_drops: { threshold: 0.1, actions: ['log', 'alert'], rate: 0.03333, max_burst: 1, simulate_drops: false },
  metrics: {
    enabled: false,
    interval: '1h',
    output_rule: true,
    output_file: '',
    rules_counters_enabled: true,
    resource_utilization_enabled: true,
    state_counters_enabled: true,
    kernel_event_counters_enabled: true,
    kernel_event_counters_per_cpu_enabled: false,
    libbpf_stats_enabled: true,
    plugins_metrics_enabled: true,
    kernel_iter_event_counters_enabled: true,
    jemalloc_stats_enabled: false,
    convert_memory_to_mb: true,
    include_empty_values: false,
  },
  base_syscalls: { custom_set: [], repair: false, all: false },
  falco_libs: {
    thread_table_size: 262144,
    thread_table_auto_purging_interval_s: 300,
    thread_table_auto_purging_thread_timeout_s: 300,
    snaplen: 80,
  },
};
