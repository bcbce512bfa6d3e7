// The Prometheus exposition of /metrics: Falco 0.44's metric families (names, types, labels, built
// the way falco_metrics.cpp builds them from libs' samples) plus a few `peregrine_*` families for
// what Falco has no metric for (events per source, outputs queue size and per-output failures).
//
// Most families are dynamic (rules with their tags as labels, BPF programs, per-CPU counters), and
// prom-client wants a metric object per family with fixed label names. So each scrape first builds
// the list of families from the registry's counters, creates/updates/removes the matching
// prom-client metrics, then lets prom-client render the text (escaping included). Other modules may
// register their own prom-client metrics in `registry`; those are left alone.
import { Counter, Gauge, Registry } from 'prom-client';
import {
  convertSample, MetricCategory, metricsFlags, prometheusName, REPORTED_ENGINES, sanitizePrometheusName,
  type MetricsConfig, type PeregrineMetrics,
} from './metrics.js';

/** Falco's help text for its families. */
const FALCO_HELP = 'https://falco.org/docs/metrics/';

/** Enter-event drop categories Falco still reports as 0 for older dashboards. */
const DEPRECATED_ENTER_DROPS = ['clone_fork', 'execve', 'connect', 'open', 'dir_file', 'other_interest'];

type Labels = Record<string, string>;

interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  series: { labels: Labels; value: number }[];
}

/** Collects series into families keyed by name (a family may receive series from several places). */
class FamilySet {
  readonly families = new Map<string, Family>();

  add(name: string, type: Family['type'], value: number | bigint, labels: Labels = {}, help = FALCO_HELP): void {
    let family = this.families.get(name);
    if (!family) {
      family = { name, type, help, series: [] };
      this.families.set(name, family);
    }
    // Labels in name order, as Falco's std::map prints them.
    const sorted: Labels = {};
    for (const key of Object.keys(labels).sort()) sorted[key] = labels[key]!;
    family.series.push({ labels: sorted, value: Number(value) });
  }

  /** An `_info` family: value 1, the information in the labels. */
  info(subsystem: string, name: string, labels: Labels): void {
    this.add(sanitizePrometheusName(`falcosecurity_${subsystem}_${name}_info`), 'gauge', 1, labels);
  }
}

export class PrometheusExporter {
  readonly registry = new Registry();
  private readonly owned = new Map<string, { metric: Gauge | Counter; labelNames: string }>();
  private readonly flags: number;

  constructor(private readonly metrics: PeregrineMetrics, config: MetricsConfig = {}) {
    this.flags = metricsFlags(config);
  }

  /** Content-Type of the exposition (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The families of this moment, as Falco would list them (plus Peregrine's own). */
  private families(): FamilySet {
    const m = this.metrics;
    const set = new FamilySet();
    set.info('falco', 'version', { version: m.version });
    for (const file of m.rulesFiles) set.info('falco', 'sha256_rules_files', { file_name: basename(file.path), sha256: file.sha256 });
    for (const file of m.configFiles) set.info('falco', 'sha256_config_files', { file_name: basename(file.path), sha256: file.sha256 });
    if (m.outputs) set.add('falcosecurity_falco_outputs_queue_num_drops_total', 'counter', m.outputs.stats.drops.queue_full ?? 0);
    set.add('falcosecurity_falco_reload_timestamp_nanoseconds', 'gauge', m.reloadNs);

    if (this.flags & MetricCategory.RuleCounters) {
      m.rules.rules.forEach((rule, i) => {
        const count = m.rules.matches[i]!;
        if (count <= 0) return;
        const labels: Labels = { rule_name: rule.name, priority: String(rule.priority), source: rule.source };
        for (const tag of rule.tags) labels[sanitizePrometheusName(`tag_${tag}`, /[^a-zA-Z0-9_]/g)] = 'true';
        set.add('falcosecurity_falco_rules_matches_total', 'counter', count, labels);
      });
    }

    const sources = m.sourceNames();
    for (const source of sources) {
      const engine = m.engineOf(source);
      if (engine && REPORTED_ENGINES.has(engine)) set.info('scap', 'engine_name', { engine_name: engine, evt_source: source });
      if (source !== 'syscall') {
        for (const s of m.collectSamples(source, this.flags & MetricCategory.Plugins)) {
          const c = convertSample(s, 'prometheus');
          set.add(prometheusName('plugins', c), c.kind, c.value);
        }
        continue;
      }
      for (const raw of m.collectSamples(source, this.flags)) {
        const s = convertSample(raw, 'prometheus');
        const subsystem = s.category & MetricCategory.ResourceUtilization ? 'falco' : s.category & MetricCategory.Plugins ? 'plugins' : 'scap';
        const perCpu = /^n_(evts|drops)_cpu_(\d+)$/.exec(s.name);
        if (perCpu) {
          set.add(prometheusName(subsystem, { name: `n_${perCpu[1]}_cpu`, unit: s.unit }), 'counter', s.value, { cpu: perCpu[2]! });
          continue;
        }
        if (s.name === 'n_drops_buffer_total') continue; // reported per category below
        const buffer = /^n_drops_buffer_(.+)_exit$/.exec(s.name);
        if (buffer) {
          set.add('falcosecurity_scap_n_drops_buffer_total', 'counter', s.value, { drop: buffer[1]!, dir: 'exit' });
          continue;
        }
        if (s.name.startsWith('n_drops_buffer_')) continue; // enter categories: only the zeros below
        set.add(prometheusName(subsystem, s), s.kind, s.value);
      }
      if (this.flags & MetricCategory.KernelCounters) {
        for (const drop of DEPRECATED_ENTER_DROPS) {
          set.add('falcosecurity_scap_n_drops_buffer_total', 'counter', 0, { drop, dir: 'enter' });
        }
      }
    }

    // Agent and machine information, once.
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    set.info('falco', 'kernel_release', { kernel_release: m.machine.kernelRelease });
    set.info('evt', 'hostname', { hostname: m.hostname });
    set.add('falcosecurity_falco_start_timestamp_nanoseconds', 'gauge', m.startNs);
    set.add('falcosecurity_falco_duration_seconds_total', 'counter', (nowNs - m.startNs) / 1_000_000_000n);
    set.add('falcosecurity_falco_host_boot_timestamp_nanoseconds', 'gauge', m.machine.bootNs);
    set.add('falcosecurity_falco_host_num_cpus_total', 'gauge', m.machine.numCpus);

    // Peregrine's own families.
    for (const source of sources) {
      const counters = m.source(source);
      set.add('peregrine_events_processed_total', 'counter', counters.events, { evt_source: source }, 'Events read from each event source.');
      for (const [reason, n] of Object.entries(counters.drops)) {
        set.add('peregrine_events_dropped_total', 'counter', n, { evt_source: source, reason }, 'Events that could not be processed, by source and reason.');
      }
    }
    if (m.outputs) {
      set.add('peregrine_outputs_queue_size', 'gauge', m.outputs.queue.size, {}, 'Alerts waiting in the outputs queue.');
      for (const [reason, n] of Object.entries(m.outputs.stats.drops)) {
        set.add('peregrine_outputs_queue_drops_total', 'counter', n, { reason }, 'Alerts dropped before delivery, by reason.');
      }
      for (const [output, s] of Object.entries(m.outputs.stats.outputs)) {
        set.add('peregrine_output_alerts_delivered_total', 'counter', s.delivered, { output }, 'Alerts each output delivered.');
        set.add('peregrine_output_alerts_failed_total', 'counter', s.failed, { output }, 'Alerts each output failed to deliver.');
        set.add('peregrine_output_timeouts_total', 'counter', s.timeouts, { output }, 'Times an output took longer than output_timeout.');
      }
    }
    return set;
  }

  /** Updates the prom-client metrics to the current families. */
  private sync(): void {
    const { families } = this.families();
    for (const name of this.owned.keys()) {
      if (!families.has(name)) {
        this.registry.removeSingleMetric(name);
        this.owned.delete(name);
      }
    }
    for (const family of families.values()) {
      const labelNames = [...new Set(family.series.flatMap((s) => Object.keys(s.labels)))].sort();
      const key = `${family.type}:${labelNames.join(',')}`;
      let owned = this.owned.get(family.name);
      if (owned && owned.labelNames !== key) {
        this.registry.removeSingleMetric(family.name);
        owned = undefined;
      }
      if (!owned) {
        const options = { name: family.name, help: family.help, labelNames, registers: [this.registry] };
        owned = { metric: family.type === 'counter' ? new Counter(options) : new Gauge(options), labelNames: key };
        this.owned.set(family.name, owned);
      }
      const metric = owned.metric;
      metric.reset();
      for (const { labels, value } of family.series) {
        if (metric instanceof Counter) metric.inc(labels, Math.max(0, value));
        else metric.set(labels, value);
      }
    }
  }

  /** The Prometheus text of every metric. */
  async render(): Promise<string> {
    this.sync();
    return this.registry.metrics();
  }
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
