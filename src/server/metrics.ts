// Peregrine's metrics: the counters the rest of Peregrine updates, and their conversion to the
// metrics Falco 0.44 reports (Prometheus names `falcosecurity_*`, snapshot keys `falco.*` /
// `scap.*`), following libs' metrics_v2 model: each sample has a name, a category (the `metrics.*_enabled`
// option that governs it), a unit and a kind (counter or gauge).
//
// Hot path: the event loop and the engine only increment plain numbers they hold a reference to
// (`sourceCounters.events++`, `ruleMatches[ruleIndex]++` on a Float64Array). Everything else
// (reading /proc, the driver's counters, the state table sizes) is pulled when a snapshot or a
// Prometheus scrape asks for it, through providers registered once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import type { Priority } from '../engine/priority.js';
import { readResourceUtilization } from './resources.js';

/** Metric categories: libs' METRICS_V2_* flags, one per `metrics.*_enabled` option. */
export const MetricCategory = {
  /** `kernel_event_counters_enabled`: driver event and drop counters. */
  KernelCounters: 1 << 0,
  /** `libbpf_stats_enabled`: per BPF program run counts and times. */
  LibbpfStats: 1 << 1,
  /** `resource_utilization_enabled`: CPU and memory of the agent and the host. */
  ResourceUtilization: 1 << 2,
  /** `state_counters_enabled`: thread and fd table sizes and lookups. */
  StateCounters: 1 << 3,
  /** `rules_counters_enabled`: matches per rule. */
  RuleCounters: 1 << 4,
  /** Always on: version, timestamps, outputs queue drops. */
  Misc: 1 << 5,
  /** `plugins_metrics_enabled`. */
  Plugins: 1 << 6,
  /** `kernel_event_counters_per_cpu_enabled`. */
  KernelCountersPerCpu: 1 << 7,
  /** `kernel_iter_event_counters_enabled`. */
  KernelIterCounters: 1 << 8,
} as const;

/** Units as libs names them; they decide the Prometheus suffix and the MB conversion. */
export type MetricUnit =
  | 'count' | 'ratio' | 'perc' | 'bytes' | 'kb' | 'mb' | 'ns' | 's' | 'ns_count' | 's_count' | 'timestamp_ns';

/** One value of one metric, as libs' metrics_v2 carries it. */
export interface MetricSample {
  /** libs name, e.g. `n_evts`, `memory_rss_kb`, `sys_enter.run_cnt`. */
  readonly name: string;
  readonly category: number;
  readonly unit: MetricUnit;
  /** `counter` for monotonic values, `gauge` for current ones. */
  readonly kind: 'counter' | 'gauge';
  /** Whether the value is a double (printed as such in snapshots) or an integer. */
  readonly type: 'int' | 'double';
  readonly value: number | bigint;
}

const sample = (name: string, category: number, unit: MetricUnit, kind: MetricSample['kind'], type: MetricSample['type'], value: number | bigint): MetricSample =>
  ({ name, category, unit, kind, type, value });

/** The `metrics` section of falco.yaml; missing keys take falco.yaml's defaults. */
export interface MetricsConfig {
  /** `metrics.enabled` (default false). */
  enabled?: boolean;
  /** `metrics.interval` (default `1h`): a Prometheus duration, at least 100ms. */
  interval?: string;
  /** `metrics.output_rule` (default true): a "Falco internal: metrics snapshot" alert per source. */
  output_rule?: boolean;
  /** `metrics.output_file` (default ""): JSON lines appended to this file. */
  output_file?: string;
  rules_counters_enabled?: boolean;
  resource_utilization_enabled?: boolean;
  state_counters_enabled?: boolean;
  kernel_event_counters_enabled?: boolean;
  kernel_event_counters_per_cpu_enabled?: boolean;
  libbpf_stats_enabled?: boolean;
  plugins_metrics_enabled?: boolean;
  kernel_iter_event_counters_enabled?: boolean;
  /** Accepted for compatibility; Peregrine has no jemalloc. */
  jemalloc_stats_enabled?: boolean;
  /** `metrics.convert_memory_to_mb` (default true), for snapshots. */
  convert_memory_to_mb?: boolean;
  /** `metrics.include_empty_values` (default false), for snapshots. */
  include_empty_values?: boolean;
}

/** The categories a configuration enables (per-CPU counters imply the kernel counters). */
export function metricsFlags(config: MetricsConfig): number {
  let flags = MetricCategory.Misc;
  if (config.rules_counters_enabled ?? true) flags |= MetricCategory.RuleCounters;
  if (config.resource_utilization_enabled ?? true) flags |= MetricCategory.ResourceUtilization;
  if (config.state_counters_enabled ?? true) flags |= MetricCategory.StateCounters;
  if (config.kernel_event_counters_enabled ?? true) flags |= MetricCategory.KernelCounters;
  if (config.kernel_event_counters_per_cpu_enabled ?? false) flags |= MetricCategory.KernelCountersPerCpu | MetricCategory.KernelCounters;
  if (config.libbpf_stats_enabled ?? true) flags |= MetricCategory.LibbpfStats;
  if (config.plugins_metrics_enabled ?? true) flags |= MetricCategory.Plugins;
  if (config.kernel_iter_event_counters_enabled ?? true) flags |= MetricCategory.KernelIterCounters;
  return flags;
}

/** Thrown for a metrics configuration Falco refuses; the message is Falco's. */
export class MetricsConfigError extends Error {}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/**
 * A Prometheus time duration (`1h3m2s1ms`, units in decreasing order, whitespace ignored) in ms;
 * 0 when the text is not one (like Falco, which then refuses it).
 */
export function parsePrometheusInterval(text: string): number {
  const match = DURATION.exec(text.replace(/\s+/g, ''));
  if (!match) return 0;
  let ms = 0;
  for (let i = 0; i < DURATION_MS.length; i++) {
    const n = match[i + 1];
    if (n) ms += Number(n) * DURATION_MS[i]!;
  }
  return ms;
}

/** The snapshot interval in ms, with Falco's checks and error texts. */
export function metricsIntervalMs(interval: string): number {
  const ms = parsePrometheusInterval(interval);
  if (ms < 100) {
    throw new MetricsConfigError('Metrics interval must have a minimum value of 100ms and reflect a Prometheus compliant time duration format: https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations. ');
  }
  if (/^\d+$/.test(interval)) {
    throw new MetricsConfigError('Metrics interval was passed as numeric value without Prometheus time unit. Please specify a time unit');
  }
  return ms;
}

/** Rule names as snapshot keys (`falco.rules.<name>`): Falco's sanitize_rule_name. */
export function sanitizeRuleName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_').replace(/_$/, '');
}

/** SHA-256 of a file as lower-case hex (for the rules and config files metrics); "" when unreadable. */
export function fileSha256(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return '';
  }
}

/** Event counters of one source; the event loop increments `events` for every event it reads. */
export class SourceCounters {
  /** Events read from the source (Falco's `falco.num_evts`). */
  events = 0;
  /** Events that could not be processed, by reason (e.g. `decode_error`); see countDrop. */
  readonly drops: Record<string, number> = {};

  constructor(readonly source: string) {}

  /** Counts `n` events lost for `reason` (not on the hot path: drops are exceptional). */
  countDrop(reason: string, n = 1): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + n;
  }
}

/** What Prometheus and snapshots need to know about a rule. */
export interface RuleInfo {
  readonly name: string;
  readonly priority: Priority;
  readonly source: string;
  readonly tags: readonly string[];
}

/**
 * Matches per rule. The engine registers its rules once loaded and increments
 * `matches[index]` (index = position in the registered list) for every match.
 */
export class RuleCounters {
  rules: readonly RuleInfo[] = [];
  matches: Float64Array = new Float64Array(0);

  /** Replaces the rule list (after a load or reload) and returns the counters to increment. */
  register(rules: readonly RuleInfo[]): Float64Array {
    this.rules = rules;
    this.matches = new Float64Array(rules.length);
    return this.matches;
  }

  total(): number {
    let sum = 0;
    for (const n of this.matches) sum += n;
    return sum;
  }
}

/** Kernel-side counters of the live driver, named as libs names them (`n_evts`, `n_drops`, ...). */
export type KernelCounters = Readonly<Record<string, number>>;

/** Thread/fd table counters, named as libs' state counters. */
export interface StateCounters {
  n_threads: number;
  n_fds: number;
  n_noncached_fd_lookups?: number;
  n_cached_fd_lookups?: number;
  n_failed_fd_lookups?: number;
  n_added_fds?: number;
  n_removed_fds?: number;
  n_stored_evts?: number;
  n_store_evts_drops?: number;
  n_retrieved_evts?: number;
  n_retrieve_evts_drops?: number;
  n_noncached_thread_lookups?: number;
  n_cached_thread_lookups?: number;
  n_failed_thread_lookups?: number;
  n_added_threads?: number;
  n_removed_threads?: number;
  n_drops_full_threadtable?: number;
}

const STATE_COUNTER_ORDER: readonly (keyof StateCounters)[] = [
  'n_noncached_fd_lookups', 'n_cached_fd_lookups', 'n_failed_fd_lookups', 'n_added_fds', 'n_removed_fds',
  'n_stored_evts', 'n_store_evts_drops', 'n_retrieved_evts', 'n_retrieve_evts_drops', 'n_noncached_thread_lookups',
  'n_cached_thread_lookups', 'n_failed_thread_lookups', 'n_added_threads', 'n_removed_threads', 'n_drops_full_threadtable',
];

/** Run statistics of one attached BPF program (from bpf_prog_info). */
export interface LibbpfProgramStats {
  readonly name: string;
  readonly runCount: number;
  readonly runTimeNs: number;
}

/** Delivery counters of the outputs queue (src/outputs). */
export interface OutputsMetricsSource {
  readonly stats: {
    readonly drops: Readonly<Record<string, number>>;
    readonly outputs: Readonly<Record<string, { delivered: number; failed: number; errors: number; timeouts: number }>>;
  };
  readonly queue: { readonly size: number };
}

/** Capture engines Falco names in metrics (libscap's names; replay's `savefile` is not reported). */
export const REPORTED_ENGINES: ReadonlySet<string> = new Set(['kmod', 'modern_bpf', 'source_plugin', 'nodriver']);

/** Facts about the agent's machine that metrics report (libs' agent and machine info). */
export interface MachineInfo {
  readonly kernelRelease: string;
  /** Host boot time, ns since the epoch (`btime` of /proc/stat); 0 when unknown. */
  readonly bootNs: bigint;
  readonly numCpus: number;
}

export function readMachineInfo(): MachineInfo {
  let bootNs = 0n;
  try {
    const match = /^btime\s+(\d+)/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (match) bootNs = BigInt(match[1]!) * 1_000_000_000n;
  } catch {
    // Not Linux, or /proc not mounted: reported as 0.
  }
  return { kernelRelease: release(), bootNs, numCpus: cpus().length };
}

/** A file whose checksum is reported (`sha256_rules_files_info`, `falco.sha256_rules_file.*`). */
export interface LoadedFile {
  readonly path: string;
  readonly sha256: string;
}

/**
 * The registry: counters updated by Peregrine's modules and providers read on demand. One instance
 * per agent; the web server's /metrics and the snapshot writer read it.
 */
export class PeregrineMetrics {
  /** Agent start, ns since the epoch (`falco.start_ts`). */
  readonly startNs: bigint;
  /** Last (re)load of rules and configuration, ns since the epoch (`falco.reload_ts`). */
  reloadNs: bigint;
  readonly rules = new RuleCounters();
  rulesFiles: readonly LoadedFile[] = [];
  configFiles: readonly LoadedFile[] = [];
  private readonly sources = new Map<string, SourceCounters>();
  private readonly engines = new Map<string, string>();
  private kernelCounters?: () => KernelCounters | undefined;
  private stateCounters?: () => StateCounters | undefined;
  private libbpfStats?: () => readonly LibbpfProgramStats[];
  private readonly pluginMetrics = new Map<string, () => readonly MetricSample[]>();
  outputs?: OutputsMetricsSource;
  readonly machine: MachineInfo = readMachineInfo();

  constructor(
    /** Peregrine's version, reported where Falco reports its own. */
    readonly version: string,
    /** Host name of the metrics (`evt.hostname`, `falcosecurity_evt_hostname_info`). */
    readonly hostname: string,
    startNs: bigint = BigInt(Date.now()) * 1_000_000n,
  ) {
    this.startNs = startNs;
    this.reloadNs = startNs;
  }

  /** The counters of `source`, created on first use; keep the reference on the hot path. */
  source(name: string): SourceCounters {
    let counters = this.sources.get(name);
    if (!counters) {
      counters = new SourceCounters(name);
      this.sources.set(name, counters);
    }
    return counters;
  }

  /** Sources with counters, in the order they were first used. */
  sourceNames(): string[] {
    return [...this.sources.keys()];
  }

  /** Names the capture engine of a source (`modern_ebpf`, `source_plugin`, `nodriver`, ...). */
  setEngine(source: string, engine: string): void {
    this.engines.set(source, engine);
  }

  engineOf(source: string): string | undefined {
    return this.engines.get(source);
  }

  /** The live driver's counters (syscall source only). */
  setKernelCountersProvider(provider: (() => KernelCounters | undefined) | undefined): void {
    this.kernelCounters = provider;
  }

  /** The thread/fd tables' counters (syscall source only). */
  setStateCountersProvider(provider: (() => StateCounters | undefined) | undefined): void {
    this.stateCounters = provider;
  }

  setLibbpfStatsProvider(provider: (() => readonly LibbpfProgramStats[]) | undefined): void {
    this.libbpfStats = provider;
  }

  /** Metrics a plugin source reports (category Plugins). */
  setPluginMetricsProvider(source: string, provider: () => readonly MetricSample[]): void {
    this.pluginMetrics.set(source, provider);
  }

  /**
   * The libs-level samples of a source, as libs' metrics collector gives them: kernel counters,
   * libbpf stats and state counters for the syscall source only, resource utilization for every
   * source, plugin metrics for plugin sources.
   */
  collectSamples(source: string, flags: number): MetricSample[] {
    const samples: MetricSample[] = [];
    const syscall = source === 'syscall';
    if (syscall && this.kernelCounters && (flags & (MetricCategory.KernelCounters | MetricCategory.KernelCountersPerCpu))) {
      const counters = this.kernelCounters();
      for (const [name, value] of Object.entries(counters ?? {})) {
        const perCpu = /^n_(evts|drops)_cpu_\d+$/.test(name);
        if (perCpu ? !(flags & MetricCategory.KernelCountersPerCpu) : !(flags & MetricCategory.KernelCounters)) continue;
        samples.push(sample(name, perCpu ? MetricCategory.KernelCountersPerCpu : MetricCategory.KernelCounters, 'count', 'counter', 'int', value));
      }
    }
    if (syscall && this.libbpfStats && (flags & MetricCategory.LibbpfStats)) {
      for (const prog of this.libbpfStats()) {
        const avg = prog.runCount > 0 ? Math.floor(prog.runTimeNs / prog.runCount) : 0;
        samples.push(sample(`${prog.name}.run_cnt`, MetricCategory.LibbpfStats, 'count', 'counter', 'int', prog.runCount));
        samples.push(sample(`${prog.name}.run_time_ns`, MetricCategory.LibbpfStats, 'ns_count', 'counter', 'int', prog.runTimeNs));
        samples.push(sample(`${prog.name}.avg_time_ns`, MetricCategory.LibbpfStats, 'ns', 'gauge', 'int', avg));
      }
    }
    if (flags & MetricCategory.ResourceUtilization) {
      samples.push(...resourceSamples());
    }
    if (syscall && this.stateCounters && (flags & MetricCategory.StateCounters)) {
      const state = this.stateCounters();
      if (state) {
        samples.push(sample('n_threads', MetricCategory.StateCounters, 'count', 'gauge', 'int', state.n_threads));
        samples.push(sample('n_fds', MetricCategory.StateCounters, 'count', 'gauge', 'int', state.n_fds));
        for (const name of STATE_COUNTER_ORDER) {
          const value = state[name];
          if (value !== undefined) samples.push(sample(name, MetricCategory.StateCounters, 'count', 'counter', 'int', value));
        }
      }
    }
    const plugin = this.pluginMetrics.get(source);
    if (plugin && (flags & MetricCategory.Plugins)) samples.push(...plugin());
    return samples;
  }
}

/** Resource utilization samples (libs' linux_resource_utilization), read now. */
function resourceSamples(): MetricSample[] {
  const r = readResourceUtilization();
  const ru = MetricCategory.ResourceUtilization;
  return [
    sample('cpu_usage_perc', ru, 'perc', 'gauge', 'double', r.cpuUsagePerc),
    sample('memory_rss_kb', ru, 'kb', 'gauge', 'int', r.memoryRssKb),
    sample('memory_vsz_kb', ru, 'kb', 'gauge', 'int', r.memoryVszKb),
    sample('memory_pss_kb', ru, 'kb', 'gauge', 'int', r.memoryPssKb),
    sample('container_memory_used_bytes', ru, 'bytes', 'gauge', 'int', r.containerMemoryUsedBytes),
    sample('host_cpu_usage_perc', ru, 'perc', 'gauge', 'double', r.hostCpuUsagePerc),
    sample('host_memory_used_kb', ru, 'kb', 'gauge', 'int', r.hostMemoryUsedKb),
    sample('host_procs_running', ru, 'count', 'gauge', 'int', r.hostProcsRunning),
    sample('host_open_fds', ru, 'count', 'gauge', 'int', r.hostOpenFds),
  ];
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * A memory sample in MB (snapshots with convert_memory_to_mb) or bytes (Prometheus), renamed as libs
 * renames it (`_kb`/`_bytes` → `_mb`/`_bytes`); other samples unchanged. Percentages become ratios
 * for Prometheus.
 */
export function convertSample(s: MetricSample, target: 'snapshot' | 'prometheus'): MetricSample {
  if ((s.unit === 'kb' || s.unit === 'bytes') && s.type === 'int') {
    const bytes = Number(s.value) * (s.unit === 'kb' ? 1024 : 1);
    if (target === 'snapshot') {
      return { ...s, name: s.name.replace(/_kb|_bytes/g, '_mb'), unit: 'mb', type: 'double', value: round1(bytes / 1024 / 1024) };
    }
    return { ...s, name: s.name.replace(/_kb|_bytes/g, '_bytes'), unit: 'bytes', type: 'double', value: bytes };
  }
  if (target === 'prometheus' && s.unit === 'perc' && s.type === 'double') {
    return { ...s, name: s.name.replace(/_perc/g, '_ratio'), unit: 'ratio', value: Number(s.value) / 100 };
  }
  return s;
}

const PROMETHEUS_UNIT_SUFFIX: Record<MetricUnit, string> = {
  count: 'total', ratio: 'ratio', perc: 'percentage', bytes: 'bytes', kb: 'kibibytes', mb: 'megabytes',
  ns: 'nanoseconds', s: 'seconds', ns_count: 'nanoseconds_total', s_count: 'seconds_total', timestamp_ns: 'timestamp_nanoseconds',
};

/** Makes a name valid for Prometheus: invalid characters to `_`, runs of `_` collapsed. */
export function sanitizePrometheusName(name: string, invalid = /[^a-zA-Z0-9_:]/g): string {
  const clean = name.replace(invalid, '_').replace(/_+/g, '_');
  return /^[a-zA-Z_]/.test(clean) ? clean : '_' + clean;
}

/**
 * The Prometheus name libs gives a sample: `falcosecurity_<subsystem>_<name>_<unit>`, with the unit
 * words libs appends to names (`_kb`, `_ts`, `_total`, ...) removed first.
 */
export function prometheusName(subsystem: string, s: Pick<MetricSample, 'name' | 'unit'>): string {
  // Longest alternatives first: JavaScript takes the first alternative that matches, POSIX the longest.
  const stem = `falcosecurity_${subsystem}_${s.name}_`.replace(/_percentage|_perc|_kb|_bytes|_mb|_ratio|_ns|_ts|_sec|_total/g, '');
  return sanitizePrometheusName(stem + PROMETHEUS_UNIT_SUFFIX[s.unit]);
}

