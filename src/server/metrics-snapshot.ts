// Periodic metrics snapshots (falco.yaml `metrics`): every `interval`, for each event source, the
// fields Falco's stats writer produces, sent as a "Falco internal: metrics snapshot" alert through
// the outputs (`output_rule`) and/or appended as a JSON line `{"output_fields":{...},"sample":N}`
// to `output_file`. Field names, units and the rules for empty values follow Falco 0.44.
import { appendFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { metricsSnapshotAlert, nowNs, type Alert, type InternalFieldValue } from '../outputs/alert.js';
import { JsonFloat, toFalcoJson } from '../outputs/json.js';
import { log } from '../util/log.js';
import {
  convertSample, MetricCategory, metricsFlags, metricsIntervalMs, MetricsConfigError, REPORTED_ENGINES, sanitizeRuleName,
  type MetricsConfig, type PeregrineMetrics,
} from './metrics.js';

/** Where snapshot alerts go (the outputs queue). */
export interface SnapshotAlertSink {
  push(alert: Alert): boolean;
}

const NS_PER_S = 1_000_000_000n;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Per-interface addresses, loopback excluded, as Falco's host_netinfo fields. */
function netinfoFields(fields: Record<string, InternalFieldValue>): void {
  const byFamily: Record<'ipv4' | 'ipv6', Map<string, string[]>> = { ipv4: new Map(), ipv6: new Map() };
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (name === 'lo') continue;
    for (const address of addresses ?? []) {
      const family = address.family === 'IPv4' ? 'ipv4' : 'ipv6';
      const list = byFamily[family].get(name) ?? [];
      list.push(address.address);
      byFamily[family].set(name, list);
    }
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const [name, list] of byFamily[family]) {
      fields[`falco.host_netinfo.interfaces.${name}.protocols.${family}.addresses`] = list.join(',');
    }
  }
}

/** Per-source memory of the previous snapshot, for rates and `*_prev` fields. */
interface SourceHistory {
  lastNs: bigint;
  lastNumEvts: number;
  lastKernelEvts: number;
  lastKernelDrops: number;
}

export class MetricsSnapshotter {
  readonly intervalMs: number;
  private readonly flags: number;
  private readonly history = new Map<string, SourceHistory>();
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private pendingWrite: Promise<void> = Promise.resolve();

  /**
   * Validates the configuration as Falco does (interval, at least one output). `prometheusEnabled`
   * is `webserver.prometheus_metrics_enabled`, which counts as an output of metrics.
   */
  constructor(
    private readonly metrics: PeregrineMetrics,
    private readonly config: MetricsConfig,
    private readonly alerts: SnapshotAlertSink | undefined,
    prometheusEnabled = false,
  ) {
    this.intervalMs = metricsIntervalMs(config.interval ?? '1h');
    this.flags = metricsFlags(config);
    if (!this.outputRule && !this.outputFile && !prometheusEnabled) {
      throw new MetricsConfigError("Metrics are enabled with no output configured. Please enable at least one output channel ('metrics.output_rule', 'metrics.output_file' or 'webserver.prometheus_metrics_enabled')");
    }
  }

  private get outputRule(): boolean {
    return (this.config.output_rule ?? true) && this.alerts !== undefined;
  }

  private get outputFile(): string {
    return this.config.output_file ?? '';
  }

  /** Starts the timer (first snapshot after one interval). */
  start(): void {
    if (this.timer) return;
    log.info(`Setting metrics interval to ${this.config.interval ?? '1h'}, equivalent to ${this.intervalMs} (ms)`);
    this.timer = setInterval(() => void this.snapshot(), this.intervalMs);
    // Snapshots alone must not keep the process alive.
    this.timer.unref();
  }

  /** Stops the timer and waits for the last file write. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pendingWrite;
  }

  /** Takes one snapshot of every source now and sends it where configured. */
  async snapshot(now: bigint = nowNs()): Promise<void> {
    this.samples++;
    const lines: string[] = [];
    for (const source of this.metrics.sourceNames()) {
      const fields = this.fields(source, now);
      if (this.outputRule) this.alerts!.push(metricsSnapshotAlert(fields, now));
      if (this.outputFile) lines.push(toFalcoJson({ sample: this.samples, output_fields: fields }) + '\n');
    }
    if (lines.length > 0) {
      const file = this.outputFile;
      this.pendingWrite = this.pendingWrite
        .then(() => appendFile(file, lines.join('')))
        .catch((err: unknown) => log.error(`metrics: cannot append to metrics.output_file ${file}: ${(err as Error).message}`));
      await this.pendingWrite;
    }
  }

  /** The output_fields of one source's snapshot at time `now`. */
  fields(source: string, now: bigint): Record<string, InternalFieldValue> {
    const m = this.metrics;
    const includeEmpty = this.config.include_empty_values ?? false;
    const history = this.history.get(source) ?? { lastNs: 0n, lastNumEvts: 0, lastKernelEvts: 0, lastKernelDrops: 0 };
    const deltaSec = history.lastNs === 0n ? 0 : Number(now - history.lastNs) / 1e9;
    history.lastNs = now;
    const f: Record<string, InternalFieldValue> = {};

    // Wrapper fields, always present.
    f['evt.time'] = now;
    f['falco.reload_ts'] = m.reloadNs;
    f['falco.version'] = m.version;
    f['falco.start_ts'] = m.startNs;
    f['falco.duration_sec'] = (now - m.startNs) / NS_PER_S;
    f['falco.kernel_release'] = m.machine.kernelRelease;
    f['evt.hostname'] = m.hostname;
    f['falco.host_boot_ts'] = m.machine.bootNs;
    f['falco.host_num_cpus'] = m.machine.numCpus;
    f['falco.outputs_queue_num_drops'] = m.outputs?.stats.drops.queue_full ?? 0;
    for (const file of m.rulesFiles) f[`falco.sha256_rules_file.${sanitizeRuleName(path.basename(file.path))}`] = file.sha256;
    for (const file of m.configFiles) f[`falco.sha256_config_file.${sanitizeRuleName(path.basename(file.path))}`] = file.sha256;
    netinfoFields(f);
    f['evt.source'] = source;
    const engine = m.engineOf(source);
    if (engine && REPORTED_ENGINES.has(engine)) f['scap.engine_name'] = engine;

    // Events processed by Peregrine for this source.
    const numEvts = m.source(source).events;
    if (history.lastNumEvts !== 0 && deltaSec > 0) {
      f['falco.evts_rate_sec'] = new JsonFloat(round1((numEvts - history.lastNumEvts) / deltaSec));
    }
    f['falco.num_evts'] = numEvts;
    f['falco.num_evts_prev'] = history.lastNumEvts;
    history.lastNumEvts = numEvts;

    if (this.flags & MetricCategory.RuleCounters) {
      f['falco.rules.matches_total'] = m.rules.total();
      m.rules.rules.forEach((rule, i) => {
        const count = m.rules.matches[i]!;
        if (count !== 0 || includeEmpty) f[`falco.rules.${sanitizeRuleName(rule.name)}`] = count;
      });
    }

    // Flags a non-syscall source cannot have, as Falco masks them per source.
    let flags = this.flags;
    if (source !== 'syscall') {
      flags &= ~(MetricCategory.KernelCounters | MetricCategory.KernelCountersPerCpu | MetricCategory.StateCounters |
        MetricCategory.LibbpfStats | MetricCategory.KernelIterCounters);
    }
    let evtsDelta = 0;
    let dropsDelta = 0;
    for (const raw of m.collectSamples(source, flags)) {
      const s = (this.config.convert_memory_to_mb ?? true) ? convertSample(raw, 'snapshot') : raw;
      const prefix = s.category & (MetricCategory.LibbpfStats | MetricCategory.KernelCounters | MetricCategory.KernelCountersPerCpu | MetricCategory.KernelIterCounters)
        ? 'scap.' : s.category & MetricCategory.Plugins ? 'plugins.' : 'falco.';
      const key = prefix + s.name;
      const value = Number(s.value);
      if (s.name === 'n_evts' && s.type === 'int') {
        evtsDelta = value - history.lastKernelEvts;
        f['scap.n_evts_prev'] = history.lastKernelEvts;
        f['scap.evts_rate_sec'] = new JsonFloat(evtsDelta !== 0 && deltaSec > 0 ? round1(evtsDelta / deltaSec) : 0);
        history.lastKernelEvts = value;
        f[key] = value; // always present, even when 0
        continue;
      }
      if (s.name === 'n_drops' && s.type === 'int') {
        dropsDelta = value - history.lastKernelDrops;
        f['scap.n_drops_prev'] = history.lastKernelDrops;
        f['scap.evts_drop_rate_sec'] = new JsonFloat(dropsDelta !== 0 && deltaSec > 0 ? round1(dropsDelta / deltaSec) : 0);
        history.lastKernelDrops = value;
        f[key] = value;
        continue;
      }
      if (value === 0 && !includeEmpty) continue;
      f[key] = s.type === 'double' ? new JsonFloat(value) : s.value;
    }
    // Always present, computed from the kernel counters' deltas.
    f['scap.n_drops_perc'] = new JsonFloat(evtsDelta > 0 ? (100 * dropsDelta) / evtsDelta : 0);

    this.history.set(source, history);
    return f;
  }
}
