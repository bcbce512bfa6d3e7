// The embedded web server (falco.yaml `webserver`), on fastify: Falco's health endpoint
// (`k8s_healthz_endpoint`, answering `{"status": "ok"}`), `/versions`, and `/metrics` in Prometheus
// format when both `metrics.enabled` and `webserver.prometheus_metrics_enabled` are set; over TLS
// with `ssl_enabled` and `ssl_certificate` (one PEM file holding the certificate and its key, as
// Falco expects). Other modules add their routes (k8s audit webhook, web view) with addRoutes()
// before start().
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { toFalcoJson } from '../outputs/json.js';
import type { PrometheusExporter } from './prometheus.js';
import type { VersionsInfo } from '../version.js';

/** The `webserver` section of falco.yaml; missing keys take Falco's defaults. */
export interface WebserverConfig {
  /** `webserver.enabled` (default true in falco.yaml): whether the agent starts the server at all. */
  enabled?: boolean;
  /** `webserver.threadiness` (default 0): accepted; Node serves every request on its event loop. */
  threadiness?: number;
  /** `webserver.listen_port` (default 8765; 0 picks a free port). */
  listen_port?: number;
  /** `webserver.listen_address` (default 0.0.0.0): an IPv4 or IPv6 address. */
  listen_address?: string;
  /** `webserver.k8s_healthz_endpoint` (default /healthz). */
  k8s_healthz_endpoint?: string;
  /** `webserver.prometheus_metrics_enabled` (default false). */
  prometheus_metrics_enabled?: boolean;
  /** `webserver.ssl_enabled` (default false). */
  ssl_enabled?: boolean;
  /** `webserver.ssl_certificate` (default /etc/falco/falco.pem): certificate and key in one PEM file. */
  ssl_certificate?: string;
  /** `webserver.web_view_enabled` (Peregrine's own, default false): the web view at `/`. */
  web_view_enabled?: boolean;
}

export const WEBSERVER_DEFAULTS = {
  listen_port: 8765,
  listen_address: '0.0.0.0',
  k8s_healthz_endpoint: '/healthz',
  ssl_certificate: '/etc/falco/falco.pem',
} as const;

/** A configuration or start-up problem, with a message for the user. */
export class WebserverError extends Error {}

export interface WebServerDeps {
  versions: VersionsInfo;
  /** The /metrics exposition; served only when given (metrics enabled) and prometheus_metrics_enabled. */
  prometheus?: PrometheusExporter;
}

type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

export class WebServer {
  private app: FastifyInstance | undefined;
  private readonly registrars: RouteRegistrar[] = [];
  private listening: { address: string; port: number } | undefined;

  constructor(
    private readonly config: WebserverConfig,
    private readonly deps: WebServerDeps,
  ) {
    const address = config.listen_address ?? WEBSERVER_DEFAULTS.listen_address;
    if (isIP(address) === 0) {
      throw new WebserverError(`webserver listen address "${address}" is not a valid IP address`);
    }
  }

  /** Registers more routes (call before start): `server.addRoutes((app) => app.post('/k8s-audit', ...))`. */
  addRoutes(registrar: RouteRegistrar): void {
    if (this.app) throw new WebserverError('routes must be added before the webserver starts');
    this.registrars.push(registrar);
  }

  private tlsOptions(): { key: string; cert: string } | undefined {
    if (!this.config.ssl_enabled) return undefined;
    const file = this.config.ssl_certificate ?? WEBSERVER_DEFAULTS.ssl_certificate;
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new WebserverError(`webserver.ssl_certificate: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new WebserverError(`webserver.ssl_certificate: ${file} must contain both the certificate and its private key (PEM)`);
    }
    // TLS picks the key block for `key` and the certificate blocks for `cert` from the same text.
    return { key: pem, cert: pem };
  }

  /** Starts listening; resolves with the bound address and port. */
  async start(): Promise<{ address: string; port: number }> {
    if (this.listening) return this.listening;
    const https = this.tlsOptions();
    // The HTTPS instance differs only in its server type; routes are registered the same way.
    const app = (https ? Fastify({ https, logger: false }) : Fastify({ logger: false })) as unknown as FastifyInstance;
    this.app = app;

    const versionsBody = toFalcoJson(this.deps.versions as unknown as Record<string, string>);
    app.get(this.config.k8s_healthz_endpoint ?? WEBSERVER_DEFAULTS.k8s_healthz_endpoint, async (_request, reply) => {
      // Falco's exact body, space included.
      return reply.type('application/json').send('{"status": "ok"}');
    });
    app.get('/versions', async (_request, reply) => reply.type('application/json').send(versionsBody));
    const prometheus = this.deps.prometheus;
    if (prometheus && this.config.prometheus_metrics_enabled) {
      app.get('/metrics', async (_request, reply) => reply.type(prometheus.contentType).send(await prometheus.render()));
    }
    for (const registrar of this.registrars) await registrar(app);

    const host = this.config.listen_address ?? WEBSERVER_DEFAULTS.listen_address;
    const port = this.config.listen_port ?? WEBSERVER_DEFAULTS.listen_port;
    try {
      await app.listen({ host, port });
    } catch (err) {
      this.app = undefined;
      await app.close().catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      throw new WebserverError(`an error occurred while starting webserver: cannot listen on ${host}:${port} (${code ?? (err as Error).message})`);
    }
    const bound = app.server.address();
    this.listening = { address: host, port: typeof bound === 'object' && bound ? bound.port : port };
    return this.listening;
  }

  /** Stops accepting connections and closes the open ones. */
  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.listening = undefined;
    if (app) await app.close();
  }
}
