// The run action: what `peregrine` (Falco's `falco`) does once the command line and configuration
// are checked, in Falco 0.44's order and with its log lines:
//   load rules ("Loading rules from:", selections, priority) → outputs → signal handlers →
//   syscall selection warnings → web server and metrics → open the event sources → process events
//   until the capture ends, `-M` seconds pass or a stop signal → stop sources, web server, outputs
//   (delivered and closed) → the summary on stdout.
// `--dry-run` stops after loading everything. Fatal problems end the run with Falco's message
// (`Error: ...`, exit 1), after the teardown.
//
// While running: SIGINT/SIGTERM stop cleanly; SIGUSR1 reopens the outputs; SIGHUP and changes to
// watched files (`watch_config_files`) reload the configuration and rules in place when only rules
// and outputs change (the event sources keep running, no event is lost), or restart the run as
// Falco does when a source setting changed. An invalid new configuration or rules file keeps the
// running ones and says why ("Falco internal: hot restart failure").
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyAgentFlags, rulesFilesOf, watchTargetsOf } from '../cli/app.js';
import { loadConfig, type LoadedConfig } from '../cli/config/load.js';
import type { PeregrineConfig } from '../cli/config/types.js';
import { watchConfigFiles, type ConfigWatcher } from '../cli/config/watch.js';
import { UserError } from '../cli/errors.js';
import type { AgentRunContext } from '../cli/integration.js';
import { selectEventSources } from '../cli/sources.js';
import { isConfigMap } from '../cli/config/document.js';
import type { CompiledRule } from '../engine/loader/index.js';
import type { PluginEvent } from '../fields/plugins/extractors/plugin-event.js';
import { Priority } from '../engine/priority.js';
import {
  createOutputs, internalAlert, OutputsConfigError, resolveHostname, type Alert, type Outputs, type OutputsSettings,
} from '../outputs/index.js';
import { AlertFeed, createTelemetry, PeregrineMetrics, webViewRoutes, type Telemetry } from '../server/index.js';
import { MetricCategory, MetricsConfigError, type MetricSample, type SourceCounters } from '../server/metrics.js';
import { K8sAuditOpenError } from '../sources/k8s-audit/index.js';
import {
  LoadedPlugins, PluginError, pluginsToLoad, type OpenedPluginSource, type PluginSourceCounters,
  type PluginSourceDefinition,
} from '../sources/plugins.js';
import { CaptureRecorder } from '../sources/live/capture-recorder.js';
import { DriverError } from '../sources/live/driver-process.js';
import { openLiveSyscallSource as openLiveSource } from '../sources/live/live-source.js';
import { WebserverError } from '../server/webserver.js';
import type { SyscallEvent } from '../state/syscall-event.js';
import { configureLog, log } from '../util/log.js';
import { peregrineVersion } from '../version.js';
import { AlertFactory, RuleStats } from './alerts.js';
import { SourceDispatch, type DispatchRules } from './dispatch.js';
import { SyscallDropMonitor } from './drops.js';
import { OutputsHandle } from './outputs-handle.js';
import { createAgentSources, loadAgentRules, RulesLoadFailure, type AgentRules, type AgentSources } from './rules.js';
import { IdleSourceRunner, PluginSourceRunner, YieldClock, type SourceRunner } from './source-runner.js';
import { ReplayProducer, SyscallSourceRunner, type SyscallEventProducer } from './syscall-runner.js';
import { unsupportedRuleSyscalls, unsupportedSyscallsWarning } from './syscall-sets.js';

/** How a run ended. */
export interface AgentResult {
  readonly exitCode: number;
  /** A reload needs a full restart with this configuration (Falco's SIGHUP behaviour). */
  readonly restart?: AgentRunContext;
}

/** Opens the live syscall source (`engine.kind: modern_ebpf`) for the enabled syscall rules. */
export type LiveSyscallOpener = (config: PeregrineConfig, rules: readonly CompiledRule[]) => Promise<SyscallEventProducer>;

/** The eBPF driver with state tracking (src/sources/live); its failures to start are user errors. */
export const openLiveSyscallSource: LiveSyscallOpener = async (config, rules) => {
  try {
    // The agent logs Falco's "Opening 'syscall' source" lines itself.
    return await openLiveSource(config, rules, { logOpen: false });
  } catch (err) {
    if (err instanceof DriverError) throw new UserError(err.message);
    throw err;
  }
};

/** Settings whose change needs the event sources reopened (Falco restarts for every change). */
const RESTART_KEYS = [
  'engine', 'plugins', 'load_plugins', 'plugins_hostinfo', 'base_syscalls', 'falco_libs', 'webserver', 'metrics',
  'syscall_event_drops', 'syscall_event_timeouts', 'buffer_format_base64', 'capture',
] as const satisfies readonly (keyof PeregrineConfig)[];

/** Settings of the outputs: a change rebuilds them in place. */
const OUTPUT_KEYS = [
  'json_output', 'json_include_output_property', 'json_include_tags_property', 'json_include_message_property',
  'json_include_output_fields_property', 'time_format_iso_8601', 'buffered_outputs', 'outputs_queue', 'output_timeout',
  'stdout_output', 'syslog_output', 'file_output', 'program_output', 'http_output',
] as const satisfies readonly (keyof PeregrineConfig)[];

function changed(a: PeregrineConfig, b: PeregrineConfig, keys: readonly (keyof PeregrineConfig)[]): boolean {
  return keys.some((k) => !isDeepStrictEqual(a[k], b[k]));
}

/** The falco.yaml output settings as the outputs module takes them. */
export function outputsSettings(config: PeregrineConfig): OutputsSettings {
  return {
    json_output: config.json_output,
    json_include_output_property: config.json_include_output_property,
    json_include_tags_property: config.json_include_tags_property,
    json_include_message_property: config.json_include_message_property,
    json_include_output_fields_property: config.json_include_output_fields_property,
    time_format_iso_8601: config.time_format_iso_8601,
    buffered_outputs: config.buffered_outputs,
    outputs_queue: config.outputs_queue,
    output_timeout: config.output_timeout,
    stdout_output: config.stdout_output,
    syslog_output: config.syslog_output,
    file_output: config.file_output,
    program_output: config.program_output,
    http_output: config.http_output,
  };
}

function buildOutputs(config: PeregrineConfig): Outputs {
  try {
    return createOutputs(outputsSettings(config));
  } catch (err) {
    if (err instanceof OutputsConfigError) throw new UserError(err.message);
    throw err;
  }
}

/** Names the capture engine of a source as libs' metrics do. */
function engineName(source: string, config: PeregrineConfig): string {
  if (source !== 'syscall') return 'source_plugin';
  switch (config.engine.kind) {
    case 'modern_ebpf': return 'modern_bpf';
    case 'replay': return 'savefile';
    default: return config.engine.kind;
  }
}

/** Falco starts no web server when replaying a capture; Peregrine does when the user asks explicitly. */
function webserverWanted(ctx: AgentRunContext): boolean {
  const { config } = ctx;
  if (!config.webserver.enabled) return false;
  if (config.engine.kind !== 'replay') return true;
  const section = ctx.loaded.document.webserver;
  return isConfigMap(section) && section.enabled !== undefined;
}

export class Agent {
  private readonly config: PeregrineConfig;
  private readonly metrics: PeregrineMetrics;
  private rules!: AgentRules;
  private stats!: RuleStats;
  private outputs: OutputsHandle | undefined;
  private telemetry: Telemetry | undefined;
  private runners: SourceRunner[] = [];
  /** The syscall source's producer, once open. */
  private producer: SyscallEventProducer | undefined;
  /** The latest alerts for the web view (webserver.web_view_enabled). */
  private alertFeed: AlertFeed | undefined;
  private readonly dispatches: SourceDispatch<unknown>[] = [];
  private watcher: ConfigWatcher | undefined;
  private stopping = false;
  private restartContext: AgentRunContext | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  private wakeSleep: (() => void) | undefined;

  constructor(private ctx: AgentRunContext, private readonly openLive: LiveSyscallOpener = openLiveSyscallSource) {
    this.config = ctx.config;
    this.metrics = new PeregrineMetrics(peregrineVersion(), resolveHostname());
  }

  /** Runs to the end; returns the exit code, or asks for a restart. Throws UserError for fatal problems. */
  async run(): Promise<AgentResult> {
    const { config, options } = this.ctx;
    let fatal: string | undefined;
    try {
      const plugins = loadPlugins(config);
      for (const { plugin, settings } of plugins.plugins) {
        // Falco's line, saying that Peregrine's own implementation stands for the library.
        log.info(`Loaded plugin '${plugin.name}@${plugin.version}' (built into Peregrine; ${settings.library_path} is not loaded)`);
      }
      this.rules = this.loadRules(config, this.ctx.rules.files, createAgentSources(config, plugins));
      this.stats = this.newStats(this.rules);
      if (options.dryRun) {
        if (process.env.FALCO_HOSTNAME !== undefined) {
          log.info(`Hostname value has been overridden via environment variable to: ${process.env.FALCO_HOSTNAME}`);
        }
        log.debug('Skipping outputs initialization in dry-run');
        log.debug('Skipping signal handlers creation in dry-run');
        this.warnUnsupportedSyscalls();
        log.debug('Skipping event processing in dry-run');
        return { exitCode: 0 };
      }
      this.outputs = new OutputsHandle(buildOutputs(config));
      this.metrics.outputs = this.outputs;
      this.installSignalHandlers();
      this.startWatching();
      this.warnUnsupportedSyscalls();
      await this.startTelemetry();
      fatal = await this.processEvents();
    } finally {
      await this.teardown();
    }
    if (fatal !== undefined) throw new UserError(fatal);
    if (this.restartContext) return { exitCode: 0, restart: this.restartContext };
    return { exitCode: 0 };
  }

  // ---- rules ----------------------------------------------------------------------------------

  private loadRules(config: PeregrineConfig, files: readonly string[], sources: AgentSources): AgentRules {
    try {
      return loadAgentRules(config, files, sources);
    } catch (err) {
      if (err instanceof RulesLoadFailure) throw new UserError(err.message);
      throw err;
    }
  }

  /** Statistics for a rules generation; counts of rules that keep their name carry over. */
  private newStats(rules: AgentRules, previous?: RuleStats): RuleStats {
    const matches = this.metrics.rules.register(rules.rules.map((r) => ({ name: r.name, priority: r.priority, source: r.source, tags: r.tags })));
    const stats = new RuleStats(rules.rules, matches);
    if (previous) {
      const byName = new Map(rules.rules.map((r) => [r.name, r.id]));
      previous.rules.forEach((r, i) => {
        const id = byName.get(r.name);
        if (id !== undefined) matches[id] += previous.matches[i]!;
      });
      stats.total = previous.total;
    }
    this.metrics.rulesFiles = rules.files;
    this.metrics.configFiles = this.ctx.loaded.files.map((f) => ({ path: f.path, sha256: f.sha256 }));
    return stats;
  }

  private dispatchRules(source: string, config: PeregrineConfig): DispatchRules {
    return {
      rules: this.rules.ruleset.forSource(source),
      matchAll: config.rule_matching === 'all',
      alerts: new AlertFactory(source, config.json_output && config.json_include_output_fields_property),
      stats: this.stats,
    };
  }

  private warnUnsupportedSyscalls(): void {
    const syscall = this.rules.ruleset.forSource('syscall');
    if (!syscall) return;
    const names = unsupportedRuleSyscalls(this.config, syscall.enabledCodes());
    if (names.length > 0) process.stderr.write(unsupportedSyscallsWarning(names));
  }

  // ---- outputs, signals, web server ---------------------------------------------------------

  private pushAlert = (alert: Alert): void => {
    this.outputs?.push(alert);
    this.alertFeed?.push(alert);
  };

  private installSignalHandlers(): void {
    const on = (signal: NodeJS.Signals, handler: () => void): void => {
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    };
    const terminate = (): void => {
      if (this.stopping) return;
      log.info('SIGINT received, exiting...');
      this.stopAll();
    };
    on('SIGINT', terminate);
    on('SIGTERM', terminate);
    on('SIGUSR1', () => {
      log.info('SIGUSR1 received, reopening outputs...');
      void this.outputs?.reopen();
    });
    on('SIGHUP', () => {
      void this.reload('SIGHUP received');
    });
  }

  private removeSignalHandlers(): void {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.signalHandlers.clear();
  }

  private startWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    const targets = this.ctx.watchTargets;
    if (!this.config.watch_config_files || targets.files.length + targets.directories.length === 0) return;
    for (const f of targets.files) log.debug(`Watching file '${f}'`);
    for (const d of targets.directories) log.debug(`Watching directory '${d}'`);
    this.watcher = watchConfigFiles(targets, {
      onChange: (change) => void this.reload(`Configuration or rules changed (${change.changed.join(', ')})`),
      onError: (err) => log.warning(`Hot reload: ${err.message}`),
    });
  }

  private async startTelemetry(): Promise<void> {
    const { config } = this;
    const wanted = webserverWanted(this.ctx);
    try {
      this.telemetry = createTelemetry({ webserver: { ...config.webserver, enabled: wanted }, metrics: config.metrics }, this.metrics, this.outputs);
      if (wanted && config.webserver.web_view_enabled && this.telemetry.webserver) {
        this.alertFeed = new AlertFeed();
        this.telemetry.webserver.addRoutes(webViewRoutes(this.metrics, this.alertFeed));
      }
      if (wanted) {
        const w = config.webserver;
        log.info(`Starting health webserver with threadiness ${w.threadiness}, listening on ${w.listen_address}:${w.listen_port}` +
          `${w.ssl_enabled ? ' (SSL)' : ''}`);
      }
      await this.telemetry.start();
    } catch (err) {
      if (err instanceof WebserverError || err instanceof MetricsConfigError) throw new UserError(err.message);
      throw err;
    }
  }

  // ---- event sources ----------------------------------------------------------------------------

  /** Opens every enabled source, runs them together, and returns a fatal error message if any. */
  private async processEvents(): Promise<string | undefined> {
    const { config } = this;
    const durationS = this.ctx.options.durationSeconds;
    const replay = config.engine.kind === 'replay';
    if (!replay) {
      log.info(`Loaded event sources: ${loadedSourcesOf(this.ctx).join(', ')}`);
      log.info(`Enabled event sources: ${this.ctx.enabledSources.join(', ')}`);
    }
    let error: string | undefined;
    const fail = (message: string): void => {
      if (error === undefined) {
        error = message;
        if (this.runners.length > 1) log.info('An error occurred in an event source, forcing termination...');
        this.stopAll();
      } else {
        error += `\n${message}`;
      }
    };
    // Only the capture runs in replay mode, as in Falco (its sources are those of the capture).
    const sources = replay ? ['syscall'] : this.ctx.enabledSources;
    try {
      for (const source of sources) this.runners.push(await this.openSource(source));
    } catch (err) {
      // The sources already open are stopped and closed (a stopped runner's run() only cleans up).
      for (const r of this.runners) r.stop();
      await Promise.all(this.runners.map((r) => r.run()));
      if (err instanceof UserError) return err.message;
      return err instanceof Error ? err.message : String(err);
    }
    // -M on a live run: a wall-clock limit (events of a quiet source would never reach it).
    const timer = !replay && durationS > 0 ? setTimeout(() => this.stopAll(), durationS * 1000) : undefined;
    await Promise.all(this.runners.map(async (runner) => {
      const cpuStart = process.cpuUsage();
      const outcome = await runner.run();
      if (this.ctx.options.verbose) process.stderr.write(this.verboseReport(runner.name, replay, process.cpuUsage(cpuStart)));
      const report = runner.stopReport?.();
      if (report !== undefined) process.stderr.write(report);
      if (outcome.error !== undefined) fail(outcome.error);
    }));
    if (timer) clearTimeout(timer);
    // Falco honours -M on a capture too: once the events are consumed, it waits out the duration.
    if (replay && durationS > 0 && !this.stopping && error === undefined) await this.interruptibleSleep(durationS * 1000);
    return error;
  }

  /** What Falco prints with -v when a source stops: driver counters, then time and event counts. */
  private verboseReport(source: string, replay: boolean, cpu: NodeJS.CpuUsage): string {
    let out = '';
    const kernel = source === 'syscall' && !replay ? this.producer?.captureCounters() : undefined;
    if (kernel !== undefined) out += `Driver Events:${kernel.n_evts}\nDriver Drops:${kernel.n_drops}\n`;
    // Falco measures the processor time of the loop (clock()).
    const seconds = (cpu.user + cpu.system) / 1e6;
    const events = this.metrics.source(source).events;
    const eps = seconds > 0 ? events / seconds : 0;
    return out + `${replay ? '' : `(${source}) `}Elapsed time: ${seconds.toFixed(3)}, Captured Events: ${events}, ${eps.toFixed(2)} eps\n`;
  }

  private async openSource(source: string): Promise<SourceRunner> {
    const { config } = this;
    const counters = this.metrics.source(source);
    this.metrics.setEngine(source, engineName(source, config));
    const clock = new YieldClock(() => this.outputs?.queue.size ?? 0);
    if (source !== 'syscall') return this.openPluginSource(source, counters, clock);
    if (config.engine.kind === 'nodriver') {
      log.info("Opening 'syscall' source with no driver");
      return new IdleSourceRunner(source);
    }
    let producer: SyscallEventProducer;
    if (config.engine.kind === 'replay') {
      const file = config.engine.replay.capture_file;
      producer = await ReplayProducer.open(file, {
        threadTableSize: config.falco_libs.thread_table_size,
        bufferFormat: config.buffer_format_base64 ? 'base64' : 'normal',
      });
      log.info(`Replaying events from the capture file: ${file}`);
    } else {
      log.info("Opening 'syscall' source with modern BPF probe.");
      log.info(`One ring buffer every '${config.engine.modern_ebpf.cpus_for_each_buffer}' CPUs.`);
      producer = await this.openLive(config, this.syscallRules());
    }
    this.producer = producer;
    this.metrics.setStateCountersProvider(() => producer.stateCounters());
    this.metrics.setKernelCountersProvider(() => {
      const c = producer.captureCounters();
      return config.engine.kind === 'replay' ? undefined : { ...c };
    });
    const dispatch = new SourceDispatch<SyscallEvent>(source, this.dispatchRules(source, config), (e) => e.evt.tsBig, this.pushAlert, counters);
    this.dispatches.push(dispatch as SourceDispatch<unknown>);
    const drops = new SyscallDropMonitor(config.syscall_event_drops, () => producer.captureCounters(), this.pushAlert, producer.ebpf);
    const recorder = config.capture.enabled ? this.captureRecorder(config) : undefined;
    return new SyscallSourceRunner(producer, dispatch, {
      durationNs: config.engine.kind === 'replay' ? this.ctx.options.durationSeconds * 1e9 : 0,
      drops,
      counters,
      clock,
      recorder,
    });
  }

  /** The enabled syscall rules (what the live driver captures for). */
  private syscallRules(): readonly CompiledRule[] {
    return this.rules.ruleset.forSource('syscall')?.enabledRules() ?? [];
  }

  /** Falco's `capture` section: recordings around rule matches, notices through the outputs. */
  private captureRecorder(config: PeregrineConfig): CaptureRecorder {
    log.info(`Capture files on rule matches enabled (mode ${config.capture.mode}, files ${config.capture.path_prefix}_*.scap)`);
    return new CaptureRecorder(config.capture, {
      onInternalMessage: (m) => this.pushAlert(internalAlert(m.rule, m.message, m.priority, m.fields, m.time)),
    });
  }

  /** A plugin event source (k8s_audit, aws_cloudtrail), opened with its plugin's open_params as Falco does. */
  private async openPluginSource(source: string, counters: SourceCounters, clock: YieldClock): Promise<SourceRunner> {
    const { loadedPlugins } = this.rules.sources;
    const plugin = loadedPlugins.plugins.find((p) => p.plugin.eventSource?.name === source);
    const definition = this.rules.sources.plugins.get(source);
    if (plugin === undefined || definition === undefined) throw new UserError(`Can't find plugin for event source: ${source}`);
    log.info(`Opening '${source}' source with plugin '${plugin.settings.name}'`);
    let opened: OpenedPluginSource<PluginEvent>;
    try {
      opened = await loadedPlugins.openSource(source, { definition: definition as unknown as PluginSourceDefinition, hostname: resolveHostname() });
    } catch (err) {
      if (err instanceof K8sAuditOpenError || err instanceof PluginError) throw new UserError(err.message);
      throw err;
    }
    this.metrics.setPluginMetricsProvider(source, () => pluginSamples(plugin.plugin.name, opened.counters));
    const dispatch = new SourceDispatch<PluginEvent>(source, this.dispatchRules(source, this.config), (e) => e.ts, this.pushAlert, counters);
    this.dispatches.push(dispatch as SourceDispatch<unknown>);
    return new PluginSourceRunner(source, opened, dispatch, counters, clock,
      BigInt(this.config.engine.kind === 'replay' ? 0 : this.ctx.options.durationSeconds) * 1_000_000_000n);
  }

  /** Stops every source; run() then tears down. */
  stopAll(): void {
    this.stopping = true;
    for (const r of this.runners) r.stop();
    this.wakeSleep?.();
  }

  private async interruptibleSleep(ms: number): Promise<void> {
    const controller = new AbortController();
    this.wakeSleep = () => controller.abort();
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
    this.wakeSleep = undefined;
  }

  // ---- hot reload -------------------------------------------------------------------------------

  /**
   * Reloads the configuration and rules (SIGHUP, or a watched file changed). Rules and outputs
   * are replaced in place between two events; other changes restart the run. A failure keeps the
   * running configuration and rules.
   */
  reload(reason: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.reloadOnce(reason);
      } while (this.reloadAgain && !this.stopping);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<void> {
    log.info(`${reason}: reloading the configuration and rules...`);
    const { options } = this.ctx;
    let loaded: LoadedConfig;
    let next: AgentRunContext;
    let rules: AgentRules | undefined;
    try {
      loaded = loadConfig({
        ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
        overrides: options.configOverrides,
      });
      for (const warning of loaded.warnings) log.warning(warning);
      applyAgentFlags(loaded.config, options);
      next = contextWith(this.ctx, loaded);
      if (!changed(this.config, next.config, RESTART_KEYS) && isDeepStrictEqual(next.enabledSources, this.ctx.enabledSources)) {
        rules = loadAgentRules(next.config, next.rules.files, createAgentSources(next.config, loadPlugins(next.config)));
      }
    } catch (err) {
      if (!(err instanceof UserError || err instanceof RulesLoadFailure)) throw err;
      this.reloadFailed(err.message);
      return;
    }
    configureLog({ level: next.config.log_level, stderr: next.config.log_stderr, iso8601: next.config.time_format_iso_8601 });
    if (rules === undefined) {
      // A source setting changed: Falco restarts everything, and so do we.
      log.info('SIGHUP received, restarting...');
      this.restartContext = next;
      this.stopAll();
      return;
    }
    if (changed(this.config, next.config, OUTPUT_KEYS) && this.outputs) {
      let outputs: Outputs;
      try {
        outputs = buildOutputs(next.config);
      } catch (err) {
        this.reloadFailed((err as Error).message);
        return;
      }
      await this.outputs.replace(outputs);
    }
    this.rules = rules;
    this.stats = this.newStats(rules, this.stats);
    Object.assign(this.config, next.config);
    for (const d of this.dispatches) d.replace(this.dispatchRules(d.source, this.config));
    // The live driver captures what the new rules need, without a restart.
    await this.producer?.reselectForRules?.(this.syscallRules());
    this.metrics.reloadNs = BigInt(Date.now()) * 1_000_000n;
    const watchChanged = !isDeepStrictEqual(next.watchTargets, this.ctx.watchTargets);
    this.ctx = { ...next, config: this.config };
    if (watchChanged) this.startWatching();
    log.info(`Reloaded: ${rules.ruleset.enabledRules().length} rules enabled`);
  }

  private reloadFailed(message: string): void {
    log.error(`Reload failed, the running configuration and rules stay in use: ${message}`);
    const rule = 'Falco internal: hot restart failure';
    this.pushAlert(internalAlert(rule, `${rule}: ${message}`, Priority.Critical, {}));
  }

  // ---- teardown -----------------------------------------------------------------------------

  private async teardown(): Promise<void> {
    this.stopping = true;
    this.removeSignalHandlers();
    this.watcher?.close();
    await this.reloading?.catch(() => undefined);
    await this.telemetry?.stop().catch(() => undefined);
    if (this.outputs) {
      await this.outputs.close(this.config.output_timeout);
      // Falco prints the statistics once the outputs are done.
      process.stdout.write(this.stats.format());
    }
  }
}

/** The configuration's plugins (Peregrine's built-in ones); plugin problems are user errors. */
function loadPlugins(config: PeregrineConfig): LoadedPlugins {
  try {
    return LoadedPlugins.load(pluginsToLoad(config));
  } catch (err) {
    if (err instanceof PluginError) throw new UserError(err.message);
    throw err;
  }
}

/** A plugin source's counters as plugin metrics (`plugins.<plugin>.<name>`). */
function pluginSamples(plugin: string, counters: PluginSourceCounters): MetricSample[] {
  const sample = (name: string, value: number): MetricSample =>
    ({ name: `${plugin}.${name}`, category: MetricCategory.Plugins, unit: 'count', kind: 'counter', type: 'int', value });
  const samples = [sample('n_inputs', counters.inputs), sample('n_events', counters.events)];
  for (const [reason, n] of Object.entries(counters.rejected)) samples.push(sample(`n_rejected_${reason}`, n));
  return samples;
}

/** The sources loaded by the configuration (rules load for all of them). */
function loadedSourcesOf(ctx: AgentRunContext): readonly string[] {
  return ctx.loadedSources;
}

/** The run context for a newly loaded configuration (same command line). */
function contextWith(ctx: AgentRunContext, loaded: LoadedConfig): AgentRunContext {
  const rules = rulesFilesOf(ctx.options, loaded);
  const loadedSources = ctx.loadedSources;
  const enabledSources = selectEventSources(loadedSources, ctx.options.enableSources, ctx.options.disableSources,
    loaded.config.engine.kind === 'replay');
  return {
    ...ctx, config: loaded.config, loaded, rules, enabledSources, watchTargets: watchTargetsOf(loaded, rules),
  };
}
