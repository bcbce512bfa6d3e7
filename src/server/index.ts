// Wiring of the web server and the metrics as falco.yaml asks for them, in one place:
// - the web server runs when `webserver.enabled`;
// - `/metrics` is served when `metrics.enabled` and `webserver.prometheus_metrics_enabled`;
// - snapshots (`metrics.output_rule`, `metrics.output_file`) run when `metrics.enabled`, with
//   Falco's checks of the interval and of the presence of at least one metrics output.
import type { Outputs } from '../outputs/index.js';
import type { MetricsConfig, PeregrineMetrics } from './metrics.js';
import { MetricsSnapshotter } from './metrics-snapshot.js';
import { PrometheusExporter } from './prometheus.js';
import { versionsInfo } from '../version.js';
import { WebServer, type WebserverConfig } from './webserver.js';

export { PeregrineMetrics, MetricCategory, type MetricsConfig, type RuleInfo, type StateCounters, type KernelCounters } from './metrics.js';
export { MetricsSnapshotter } from './metrics-snapshot.js';
export { PrometheusExporter } from './prometheus.js';
export { WebServer, WebserverError, type WebserverConfig } from './webserver.js';
export { AlertFeed, webViewRoutes, webViewSummary, type WebViewAlert } from './web-view.js';
export { versionsInfo, peregrineVersion, type VersionsInfo } from '../version.js';

/** The falco.yaml sections this wiring reads. */
export interface ServerSettings {
  webserver?: WebserverConfig;
  metrics?: MetricsConfig;
}

export interface Telemetry {
  readonly webserver?: WebServer;
  readonly snapshotter?: MetricsSnapshotter;
  readonly prometheus?: PrometheusExporter;
  /** Starts the web server (listening) and the snapshot timer. */
  start(): Promise<void>;
  /** Stops both; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Builds what the settings enable. `outputs` receives the snapshot alerts and is reported in the
 * metrics; `pluginVersions` appears in /versions. Throws MetricsConfigError / WebserverError with
 * Falco's messages for refused settings. Routes can still be added to `webserver` before start().
 */
export function createTelemetry(
  settings: ServerSettings,
  metrics: PeregrineMetrics,
  outputs?: Outputs,
  pluginVersions: Record<string, string> = {},
): Telemetry {
  if (outputs) metrics.outputs = outputs;
  const metricsEnabled = settings.metrics?.enabled ?? false;
  const webserverEnabled = settings.webserver?.enabled ?? false;
  const prometheusWanted = webserverEnabled && metricsEnabled && (settings.webserver?.prometheus_metrics_enabled ?? false);
  const prometheus = prometheusWanted ? new PrometheusExporter(metrics, settings.metrics) : undefined;
  const snapshotter = metricsEnabled ? new MetricsSnapshotter(metrics, settings.metrics ?? {}, outputs, prometheusWanted) : undefined;
  const webserver = webserverEnabled ? new WebServer(settings.webserver ?? {}, { versions: versionsInfo(pluginVersions), prometheus }) : undefined;
  return {
    webserver,
    snapshotter,
    prometheus,
    async start() {
      await webserver?.start();
      snapshotter?.start();
    },
    async stop() {
      await snapshotter?.stop();
      await webserver?.stop();
    },
  };
}
