// The audit webhook endpoint of the k8saudit plugin: its own HTTP(S) server on the address, port
// and path of open_params (the Kubernetes API server's webhook backend posts batches of audit
// events there). It answers as the plugin answers where the plugin's answer is sound:
//   POST with a JSON content type, body within webhookMaxBatchSize  → 200, empty body
//   another method                                                   → 405 "<METHOD> method not allowed"
//   a Content-Type without application/json                         → 400 "wrong Content Type"
//   another path                                                     → 404 "404 page not found"
// and, where the plugin answers 200 before even parsing the body, tells the sender what went wrong:
//   a body over webhookMaxBatchSize (the plugin: 400)                → 413
//   every event of the body refused for its size (maxEventSize)      → 413
//   a body that is not JSON, not audit events, or without valid time → 400 "bad request: ..."
// Bodies whose events were partly accepted get 200; the refused ones are counted and logged.
// This module knows HTTP only; what a body contains is decided by the `deliver` callback.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { RejectReason } from './parse.js';
import { K8sAuditOpenError } from './config.js';

/** What the source decided about one request body. */
export interface WebhookVerdict {
  /** HTTP status to answer. */
  readonly status: number;
  /** Text of the answer for statuses other than 200. */
  readonly message?: string;
}

export interface WebhookOptions {
  /** Listen address; '' listens on every address (IPv6 and IPv4). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Endpoint path (`/k8s-audit`); a path ending in `/` also serves the paths below it. */
  readonly path: string;
  /** PEM file with certificate and key, for HTTPS. */
  readonly tlsCertificateFile?: string;
  /** Largest accepted body, in bytes. */
  readonly maxBodyBytes: number;
  /** Handles a body; resolves once its events are queued (possibly after waiting for room). */
  deliver(body: string, byteLength: number, origin: string): Promise<WebhookVerdict>;
  /** Counts and logs a request refused before its body was looked at. */
  refuse(reason: RejectReason, message: string, origin: string): void;
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export class K8sAuditWebhook {
  private app: FastifyInstance | undefined;
  private requestCount = 0;
  /** Sequence numbers of requests, for log lines. */
  private readonly requestNumbers = new WeakMap<FastifyRequest, number>();
  private bound: { address: string; port: number } | undefined;

  constructor(private readonly options: WebhookOptions) {}

  /** Where the server listens, once started. */
  get address(): { address: string; port: number } | undefined {
    return this.bound;
  }

  /** The URL senders should use (with the actual port). */
  get url(): string | undefined {
    if (!this.bound) return undefined;
    const host = this.bound.address.includes(':') ? `[${this.bound.address}]` : this.bound.address;
    return `${this.options.tlsCertificateFile !== undefined ? 'https' : 'http'}://${host}:${this.bound.port}${this.options.path}`;
  }

  async start(): Promise<{ address: string; port: number }> {
    if (this.bound) return this.bound;
    const app = this.createApp();
    this.app = app;
    try {
      this.bound = await this.listen(app);
    } catch (err) {
      this.app = undefined;
      await app.close().catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      const where = `${this.options.host === '' ? '*' : this.options.host}:${this.options.port}`;
      throw new K8sAuditOpenError(`cannot listen on ${where} for the audit webhook (${code ?? (err as Error).message})`);
    }
    return this.bound;
  }

  /** Stops accepting requests; requests in progress are answered first. */
  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.bound = undefined;
    if (app) await app.close();
  }

  private createApp(): FastifyInstance {
    const o = this.options;
    const https = o.tlsCertificateFile !== undefined ? this.tlsOptions(o.tlsCertificateFile) : undefined;
    const app = (https
      ? Fastify({ https, logger: false, bodyLimit: o.maxBodyBytes })
      : Fastify({ logger: false, bodyLimit: o.maxBodyBytes })) as unknown as FastifyInstance;

    // The body is read as bytes whatever its type: the Content-Type is checked (as the plugin
    // checks it) before reading, and JSON is parsed by the source.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.maxBodyBytes }, (_req, body, done) => done(null, body));

    app.setNotFoundHandler((request, reply) => {
      o.refuse('not_found', `no audit endpoint at ${request.url} (the endpoint is ${o.path})`, this.origin(request));
      return sendText(reply, 404, '404 page not found');
    });
    app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        const message = `request body too large: limit is ${o.maxBodyBytes} bytes (webhookMaxBatchSize)`;
        o.refuse('body_too_large', message, this.origin(request));
        return sendText(reply, 413, message);
      }
      // Malformed requests (bad Content-Length, aborted bodies...).
      o.refuse('invalid_json', `bad request: ${error.message}`, this.origin(request));
      return sendText(reply, error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400, `bad request: ${error.message}`);
    });

    const paths = o.path.endsWith('/') && o.path !== '/' ? [o.path, `${o.path}*`] : o.path === '/' ? ['/*'] : [o.path];
    for (const url of paths) {
      app.route({
        method: [...ALL_METHODS],
        url,
        onRequest: (request, reply, done) => {
          if (request.method !== 'POST') {
            o.refuse('method_not_allowed', `${request.method} method not allowed`, this.origin(request));
            sendText(reply, 405, `${request.method} method not allowed`);
            return;
          }
          if (!String(request.headers['content-type'] ?? '').includes('application/json')) {
            o.refuse('wrong_content_type', `wrong Content Type ${JSON.stringify(request.headers['content-type'] ?? '')}`, this.origin(request));
            sendText(reply, 400, 'wrong Content Type');
            return;
          }
          done();
        },
        handler: async (request, reply) => {
          const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
          const verdict = await o.deliver(body.toString('utf8'), body.length, this.origin(request));
          if (verdict.status === 200) return reply.code(200).send();
          return sendText(reply, verdict.status, verdict.message ?? '');
        },
      });
    }
    return app;
  }

  /** Names a request in logs: `webhook request #12 from 10.0.0.3`. */
  private origin(request: FastifyRequest): string {
    let number = this.requestNumbers.get(request);
    if (number === undefined) this.requestNumbers.set(request, (number = ++this.requestCount));
    return `webhook request #${number} from ${request.ip}`;
  }

  private tlsOptions(file: string): { key: string; cert: string } {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new K8sAuditOpenError(`cannot read the webhook's SSL certificate ${file} (init_config.sslCertificate): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new K8sAuditOpenError(`the webhook's SSL certificate ${file} (init_config.sslCertificate) must hold both the certificate and its private key (PEM)`);
    }
    // TLS takes the key block for `key` and the certificate blocks for `cert` from the same text.
    return { key: pem, cert: pem };
  }

  /** Every address for an empty host: IPv6 (dual stack) where available, else IPv4. */
  private async listen(app: FastifyInstance): Promise<{ address: string; port: number }> {
    const { host, port } = this.options;
    if (host !== '') {
      await app.listen({ host, port });
    } else {
      try {
        await app.listen({ host: '::', port });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' && (err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw err;
        await app.listen({ host: '0.0.0.0', port });
      }
    }
    const address = app.server.address();
    if (address === null || typeof address === 'string') return { address: host, port };
    return { address: address.address, port: address.port };
  }
}

/** Go's http.Error: the message and a newline, as plain text that browsers must not sniff. */
function sendText(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('content-type', TEXT_PLAIN).header('x-content-type-options', 'nosniff').send(`${message}\n`);
}
