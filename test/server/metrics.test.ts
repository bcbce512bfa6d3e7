import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Priority } from '../../src/engine/priority.js';
import { createOutputs } from '../../src/outputs/index.js';
import {
  convertSample, fileSha256, MetricCategory, metricsIntervalMs, parsePrometheusInterval, PeregrineMetrics,
  prometheusName, sanitizeRuleName,
} from '../../src/server/metrics.js';
import { MetricsSnapshotter } from '../../src/server/metrics-snapshot.js';
import { PrometheusExporter } from '../../src/server/prometheus.js';
import { readResourceUtilization } from '../../src/server/resources.js';
import { readLines, tempDir, waitFor } from '../outputs/helpers.js';

const S = 1_000_000_000n;
const T0 = 1_700_000_000n * S;

test('metrics.interval: Prometheus durations as Falco parses them, and Falco\'s refusals', () => {
  assert.equal(parsePrometheusInterval('1ms'), 1);
  assert.equal(parsePrometheusInterval('15m'), 900_000);
  assert.equal(parsePrometheusInterval('1h3m2s1ms'), 3_600_000 + 180_000 + 2000 + 1);
  assert.equal(parsePrometheusInterval('1y1w1d1h1m1s1ms'), 31_536_000_000 + 604_800_000 + 86_400_000 + 3_600_000 + 60_000 + 1000 + 1);
  assert.equal(parsePrometheusInterval('2h 5m'), 2 * 3_600_000 + 5 * 60_000);
  assert.equal(parsePrometheusInterval('1ms1y'), 0);
  assert.equal(parsePrometheusInterval('1t'), 0);
  assert.equal(parsePrometheusInterval('200'), 0);
  assert.equal(metricsIntervalMs('100ms'), 100);
  assert.throws(() => metricsIntervalMs('99ms'), /^Error: Metrics interval must have a minimum value of 100ms/);
  assert.throws(() => metricsIntervalMs('5000'), /minimum value of 100ms/);
});

test('names: rule names in snapshot keys, libs samples in Prometheus', () => {
  assert.equal(sanitizeRuleName('Testing rule   2 (CVE-2244)'), 'Testing_rule_2_CVE_2244');
  assert.equal(sanitizeRuleName('Testing rule__:2)'), 'Testing_rule_:2');
  assert.equal(sanitizeRuleName('RULEwith:special#characters'), 'RULEwith:special_characters');
  const name = (subsystem: string, n: string, unit: Parameters<typeof prometheusName>[1]['unit']): string => prometheusName(subsystem, { name: n, unit });
  assert.equal(name('scap', 'n_evts', 'count'), 'falcosecurity_scap_n_evts_total');
  assert.equal(name('scap', 'n_threads', 'count'), 'falcosecurity_scap_n_threads_total');
  assert.equal(name('falco', 'memory_rss_bytes', 'bytes'), 'falcosecurity_falco_memory_rss_bytes');
  assert.equal(name('falco', 'cpu_usage_ratio', 'ratio'), 'falcosecurity_falco_cpu_usage_ratio');
  assert.equal(name('falco', 'reload_ts', 'timestamp_ns'), 'falcosecurity_falco_reload_timestamp_nanoseconds');
  assert.equal(name('falco', 'duration_sec', 's_count'), 'falcosecurity_falco_duration_seconds_total');
  assert.equal(name('scap', 'sys_enter.run_time_ns', 'ns_count'), 'falcosecurity_scap_sys_enter_run_time_nanoseconds_total');
  assert.equal(name('scap', 'sys_enter.run_cnt', 'count'), 'falcosecurity_scap_sys_enter_run_cnt_total');
  const kb = { name: 'memory_rss_kb', category: MetricCategory.ResourceUtilization, unit: 'kb', kind: 'gauge', type: 'int', value: 2048 } as const;
  assert.deepEqual(convertSample(kb, 'snapshot'), { ...kb, name: 'memory_rss_mb', unit: 'mb', type: 'double', value: 2 });
  assert.deepEqual(convertSample(kb, 'prometheus'), { ...kb, name: 'memory_rss_bytes', unit: 'bytes', type: 'double', value: 2048 * 1024 });
});

test('resource utilization is read from /proc with plausible values', () => {
  const r = readResourceUtilization();
  assert.ok(r.memoryRssKb > 1000 && r.memoryVszKb >= r.memoryRssKb, JSON.stringify(r));
  assert.ok(r.memoryPssKb > 0);
  assert.ok(r.hostMemoryUsedKb > 0 && r.hostOpenFds > 0 && r.hostProcsRunning >= 1);
  assert.ok(r.hostCpuUsagePerc >= 0 && r.hostCpuUsagePerc <= 100);
  assert.equal(Math.round(r.cpuUsagePerc * 10) / 10, r.cpuUsagePerc);
});

/** A registry with a syscall source fed like the live driver and state would feed it. */
function liveLikeMetrics(): { metrics: PeregrineMetrics; kernel: Record<string, number> } {
  const metrics = new PeregrineMetrics('0.1.0', 'test-host', T0);
  const kernel: Record<string, number> = { n_evts: 0, n_drops: 0, n_drops_buffer_total: 0, n_drops_buffer_open_exit: 0, n_drops_buffer_connect_enter: 0, n_drops_scratch_map: 0, n_evts_cpu_0: 0, n_drops_cpu_0: 0 };
  metrics.setEngine('syscall', 'modern_bpf');
  metrics.setKernelCountersProvider(() => kernel);
  metrics.setStateCountersProvider(() => ({ n_threads: 42, n_fds: 420, n_added_threads: 50, n_removed_threads: 8, n_failed_fd_lookups: 0 }));
  metrics.setLibbpfStatsProvider(() => [{ name: 'sys_enter', runCount: 10, runTimeNs: 2500 }]);
  const matches = metrics.rules.register([
    { name: 'Read sensitive file untrusted', priority: Priority.Warning, source: 'syscall', tags: ['filesystem', 'mitre_credential_access', 'T1555'] },
    { name: 'Never fires', priority: Priority.Notice, source: 'syscall', tags: [] },
  ]);
  matches[0] = 32;
  return { metrics, kernel };
}

test('snapshots: Falco\'s fields per source, rates between snapshots, empty values left out', () => {
  const { metrics, kernel } = liveLikeMetrics();
  const syscall = metrics.source('syscall');
  const snapshotter = new MetricsSnapshotter(metrics, { enabled: true, interval: '1s', output_rule: false, output_file: '/dev/null' }, undefined);
  syscall.events = 1000;
  Object.assign(kernel, { n_evts: 1200, n_drops: 0 });
  const first = snapshotter.fields('syscall', T0 + 10n * S);
  assert.equal(first['evt.time'], T0 + 10n * S);
  assert.equal(first['evt.source'], 'syscall');
  assert.equal(first['evt.hostname'], 'test-host');
  assert.equal(first['falco.version'], '0.1.0');
  assert.equal(first['falco.start_ts'], T0);
  assert.equal(first['falco.duration_sec'], 10n);
  assert.equal(first['scap.engine_name'], 'modern_bpf');
  assert.equal(first['falco.num_evts'], 1000);
  assert.equal(first['falco.num_evts_prev'], 0);
  assert.equal(first['falco.evts_rate_sec'], undefined, 'no rate before a previous snapshot');
  assert.equal(first['falco.rules.matches_total'], 32);
  assert.equal(first['falco.rules.Read_sensitive_file_untrusted'], 32);
  assert.equal(first['falco.rules.Never_fires'], undefined, 'include_empty_values is false');
  assert.equal(first['scap.n_evts'], 1200);
  assert.equal(first['scap.n_drops'], 0, 'n_drops is always present');
  assert.equal(first['scap.n_drops_scratch_map'], undefined);
  assert.equal(first['falco.n_threads'], 42);
  assert.equal(first['falco.n_added_threads'], 50);
  assert.equal(first['falco.n_failed_fd_lookups'], undefined);
  assert.equal(first['scap.sys_enter.run_cnt'], 10);
  assert.equal(first['scap.sys_enter.avg_time_ns'], 250);
  assert.ok(typeof first['falco.host_num_cpus'] === 'number' && first['falco.host_num_cpus'] > 0);
  assert.ok('falco.memory_rss_mb' in first, 'memory converted to MB');
  assert.ok(!('falco.memory_rss_kb' in first));

  syscall.events = 3000;
  Object.assign(kernel, { n_evts: 5200, n_drops: 100, n_drops_buffer_total: 100, n_drops_buffer_open_exit: 100 });
  const second = snapshotter.fields('syscall', T0 + 12n * S);
  assert.equal(second['falco.num_evts_prev'], 1000);
  assert.equal((second['falco.evts_rate_sec'] as { value: number }).value, 1000);
  assert.equal(second['scap.n_evts_prev'], 1200);
  assert.equal((second['scap.evts_rate_sec'] as { value: number }).value, 2000);
  assert.equal((second['scap.evts_drop_rate_sec'] as { value: number }).value, 50);
  assert.equal((second['scap.n_drops_perc'] as { value: number }).value, 2.5);
  assert.equal(second['scap.n_drops_buffer_open_exit'], 100);
});

test('snapshots reach the outputs as "Falco internal: metrics snapshot" and metrics.output_file as JSON lines', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { metrics } = liveLikeMetrics();
    metrics.source('syscall').events = 7;
    const rulesFile = path.join(dir, 'my rules.yaml');
    writeFileSync(rulesFile, '- rule: x\n');
    metrics.rulesFiles = [{ path: rulesFile, sha256: fileSha256(rulesFile) }];
    const alertsFile = path.join(dir, 'alerts.json');
    const statsFile = path.join(dir, 'stats.jsonl');
    const outputs = createOutputs({ file_output: { enabled: true, filename: alertsFile }, json_output: true }, { hostname: 'h' });
    metrics.outputs = outputs;
    const snapshotter = new MetricsSnapshotter(metrics, { enabled: true, interval: '100ms', output_rule: true, output_file: statsFile, include_empty_values: true }, outputs);
    snapshotter.start();
    await waitFor('two timed snapshots', () => readLines(statsFile).length >= 2);
    await snapshotter.stop();
    const count = readLines(statsFile).length;
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(readLines(statsFile).length, count, 'stop() ends the timer');
    await outputs.close();

    const lines = readLines(statsFile);
    assert.match(lines[0]!, /^\{"output_fields":\{"evt\.hostname":"test-host",.*\},"sample":1\}$/);
    const second = JSON.parse(lines[1]!) as { sample: number; output_fields: Record<string, unknown> };
    assert.equal(second.sample, 2);
    assert.equal(second.output_fields['falco.num_evts'], 7);
    assert.equal(second.output_fields['falco.rules.Never_fires'], 0, 'include_empty_values keeps zeros');
    assert.equal(second.output_fields['falco.sha256_rules_file.my_rules_yaml'], fileSha256(rulesFile));
    assert.match(second.output_fields['falco.sha256_rules_file.my_rules_yaml'] as string, /^[0-9a-f]{64}$/);

    const alerts = readLines(alertsFile).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(alerts.length, count);
    assert.equal(alerts[0]!.rule, 'Falco internal: metrics snapshot');
    assert.equal(alerts[0]!.output, 'Falco metrics snapshot');
    assert.equal(alerts[0]!.priority, 'Informational');
    assert.equal(alerts[0]!.source, 'internal');
    assert.equal((alerts[0]!.output_fields as Record<string, unknown>)['evt.source'], 'syscall');
  } finally {
    cleanup();
  }
});

test('snapshot configuration errors are Falco\'s', () => {
  const metrics = new PeregrineMetrics('0.1.0', 'h');
  assert.throws(() => new MetricsSnapshotter(metrics, { interval: '10ms', output_file: 'x' }, undefined), /minimum value of 100ms/);
  assert.throws(() => new MetricsSnapshotter(metrics, { interval: '1m', output_rule: false, output_file: '' }, undefined),
    /Metrics are enabled with no output configured\. Please enable at least one output channel \('metrics\.output_rule', 'metrics\.output_file' or 'webserver\.prometheus_metrics_enabled'\)/);
  assert.doesNotThrow(() => new MetricsSnapshotter(metrics, { interval: '1m', output_rule: false }, undefined, true));
});

test('Prometheus text: Falco\'s families, labels and units from the same counters', async () => {
  const { metrics, kernel } = liveLikeMetrics();
  Object.assign(kernel, { n_evts: 5200, n_drops: 100, n_drops_buffer_total: 100, n_drops_buffer_open_exit: 100, n_evts_cpu_0: 5200 });
  metrics.source('syscall').events = 3000;
  metrics.source('syscall').countDrop('decode_error', 2);
  const text = await new PrometheusExporter(metrics, { kernel_event_counters_per_cpu_enabled: true }).render();
  assert.ok(!(await new PrometheusExporter(metrics).render()).includes('_cpu_total'), 'per-CPU counters only when enabled');
  const has = (line: string): void => assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
  has('# HELP falcosecurity_falco_version_info https://falco.org/docs/metrics/');
  has('# TYPE falcosecurity_falco_version_info gauge');
  has('falcosecurity_falco_version_info{version="0.1.0"} 1');
  has('# TYPE falcosecurity_falco_rules_matches_total counter');
  has('falcosecurity_falco_rules_matches_total{priority="4",rule_name="Read sensitive file untrusted",source="syscall",tag_T1555="true",tag_filesystem="true",tag_mitre_credential_access="true"} 32');
  assert.ok(!text.includes('Never fires'), 'rules without matches are not listed');
  has('falcosecurity_scap_engine_name_info{engine_name="modern_bpf",evt_source="syscall"} 1');
  has('falcosecurity_scap_n_evts_total 5200');
  has('falcosecurity_scap_n_drops_total 100');
  has('falcosecurity_scap_n_drops_buffer_total{dir="exit",drop="open"} 100');
  has('falcosecurity_scap_n_drops_buffer_total{dir="enter",drop="clone_fork"} 0');
  has('falcosecurity_scap_n_evts_cpu_total{cpu="0"} 5200');
  has('falcosecurity_scap_n_drops_cpu_total{cpu="0"} 0');
  has('falcosecurity_scap_n_threads_total 42');
  has('# TYPE falcosecurity_scap_n_threads_total gauge');
  has('falcosecurity_scap_n_added_threads_total 50');
  has('falcosecurity_scap_sys_enter_run_time_nanoseconds_total 2500');
  has(`falcosecurity_falco_start_timestamp_nanoseconds ${Number(T0)}`);
  has('falcosecurity_evt_hostname_info{hostname="test-host"} 1');
  has('peregrine_events_processed_total{evt_source="syscall"} 3000');
  has('peregrine_events_dropped_total{evt_source="syscall",reason="decode_error"} 2');
  assert.match(text, /^falcosecurity_falco_memory_rss_bytes \d+$/m);
  assert.match(text, /^falcosecurity_falco_cpu_usage_ratio [\d.e-]+$/m);
  assert.match(text, /^falcosecurity_falco_host_memory_used_bytes \d+$/m);
  assert.match(text, /^falcosecurity_falco_duration_seconds_total \d+$/m);

  // A reload that changes the rules (new tag labels) rebuilds the family.
  const matches = metrics.rules.register([{ name: 'Other "quoted" rule', priority: Priority.Critical, source: 'syscall', tags: ['new-tag'] }]);
  matches[0] = 1;
  const after = await new PrometheusExporter(metrics).render();
  assert.ok(after.includes('falcosecurity_falco_rules_matches_total{priority="2",rule_name="Other \\"quoted\\" rule",source="syscall",tag_new_tag="true"} 1'), after);
});
