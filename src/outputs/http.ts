// `http_output`: each alert POSTed to a URL (a webhook, Falcosidekick, ...), with undici as the
// client. Same requests as Falco's libcurl output: body = the formatted line, Content-Type
// `application/json` with json_output and `text/plain` otherwise, the configured User-Agent, TLS
// verified against ca_cert / ca_bundle / ca_path unless `insecure`, client certificate with `mtls`,
// retried after a timeout up to `max_consecutive_timeouts` more times.
//
// Where Falco's option names promise more than libcurl's flags do, Peregrine does what the name
// says: `compress_uploads` gzips the body (Content-Encoding: gzip) instead of only asking for a
// compressed transfer encoding, and `keep_alive: false` closes the connection after each alert
// while `true` keeps one connection open and reuses it. A server answering 4xx/5xx counts as a
// failed delivery (libcurl would ignore it).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { Client, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { sendEach, withTimeout, writeFully, type AlertOutput, type OutputMessage } from './output.js';

const gzip = promisify(gzipCallback);

/** Options from falco.yaml `http_output` (each named after its key), plus `json_output`. */
export interface HttpOutputOptions {
  /** `http_output.url` (required). Surrounding quotes are removed as Falco does. */
  readonly url: string;
  /** `http_output.user_agent` (default `falcosecurity/falco`). */
  readonly user_agent?: string;
  /** `http_output.insecure` (default false): do not verify the server's certificate nor name. */
  readonly insecure?: boolean;
  /** `http_output.ca_cert` (default ""): PEM file of the CA(s) that verify the server. */
  readonly ca_cert?: string;
  /** `http_output.ca_bundle` (default ""): PEM bundle used as the CA store (when ca_cert is empty). */
  readonly ca_bundle?: string;
  /** `http_output.ca_path` (default `/etc/ssl/certs`): directory of PEM CA files, used with the
   *  built-in roots when neither ca_cert nor ca_bundle is set. */
  readonly ca_path?: string;
  /** `http_output.mtls` (default false): present client_cert / client_key to the server. */
  readonly mtls?: boolean;
  /** `http_output.client_cert` (default `/etc/ssl/certs/client.crt`). */
  readonly client_cert?: string;
  /** `http_output.client_key` (default `/etc/ssl/certs/client.key`). */
  readonly client_key?: string;
  /** `http_output.echo` (default false): copy the server's answers to stdout. */
  readonly echo?: boolean;
  /** `http_output.compress_uploads` (default false): gzip request bodies. */
  readonly compress_uploads?: boolean;
  /** `http_output.keep_alive` (default false): keep one connection open and reuse it. */
  readonly keep_alive?: boolean;
  /** `http_output.max_consecutive_timeouts` (default 5): retries of an alert after a timeout. */
  readonly max_consecutive_timeouts?: number;
  /** Peregrine addition `http_output.timeout_ms` (default 5000): connect and answer timeout per
   *  attempt (libcurl has none by default, so a silent server would block Falco's outputs). */
  readonly timeout_ms?: number;
  /** `json_output`: selects the Content-Type. */
  readonly json_output: boolean;
}

export const HTTP_OUTPUT_DEFAULTS = {
  user_agent: 'falcosecurity/falco',
  ca_path: '/etc/ssl/certs',
  client_cert: '/etc/ssl/certs/client.crt',
  client_key: '/etc/ssl/certs/client.key',
  max_consecutive_timeouts: 5,
  timeout_ms: 5000,
} as const;

/** Removes one level of surrounding quotes and the backslash escapes inside them. */
export function unquoteUrl(url: string): string {
  const quoted = url.length >= 2 && (url[0] === '"' || url[0] === "'") && url[url.length - 1] === url[0];
  return quoted ? url.slice(1, -1).replace(/\\(.)/g, '$1') : url;
}

/** A configuration problem found when the output is created (bad URL, unreadable PEM file). */
export class HttpOutputConfigError extends Error {}

function readPem(key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new HttpOutputConfigError(`http_output.${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** PEM certificates of a CA directory: OpenSSL hashed names (`1a2b3c4d.0`) and *.pem / *.crt files. */
function readCaDirectory(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const certificates = new Set<string>();
  for (const name of names) {
    if (!/^[0-9a-f]{8}\.\d+$|\.(pem|crt)$/i.test(name)) continue;
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      const text = readFileSync(file, 'utf8');
      if (text.includes('-----BEGIN CERTIFICATE-----')) certificates.add(text);
    } catch {
      // Dangling links and unreadable files are skipped, as a CA path lookup would.
    }
  }
  return [...certificates];
}

/** TLS settings for https URLs from the http_output options. */
function tlsOptions(o: HttpOutputOptions): ConnectionOptions {
  const tls: ConnectionOptions = { rejectUnauthorized: !o.insecure };
  if (o.ca_cert) tls.ca = readPem('ca_cert', o.ca_cert);
  else if (o.ca_bundle) tls.ca = readPem('ca_bundle', o.ca_bundle);
  else {
    const extra = readCaDirectory(o.ca_path ?? HTTP_OUTPUT_DEFAULTS.ca_path);
    if (extra.length > 0) tls.ca = [...rootCertificates, ...extra];
  }
  if (o.mtls) {
    tls.cert = readPem('client_cert', o.client_cert ?? HTTP_OUTPUT_DEFAULTS.client_cert);
    tls.key = readPem('client_key', o.client_key ?? HTTP_OUTPUT_DEFAULTS.client_key);
  }
  return tls;
}

/** Environment variables naming a proxy, as libcurl reads them. */
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'];

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  return e.name === 'TimeoutError' || e.code === 'UND_ERR_CONNECT_TIMEOUT' ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
}

function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return [e.code, e.message, cause && cause !== e.code ? `(${cause})` : undefined].filter(Boolean).join(' ');
}

/** The server answered, with an error status. */
class HttpStatusError extends Error {}

/** Delivery counters, for tests and diagnostics. */
export interface HttpOutputStats {
  requests: number;
  timeouts: number;
  failures: number;
}

export class HttpOutput implements AlertOutput {
  readonly name = 'http';
  readonly url: URL;
  readonly stats: HttpOutputStats = { requests: 0, timeouts: 0, failures: 0 };
  private readonly dispatcher: Dispatcher;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxTimeouts: number;

  /** Throws HttpOutputConfigError for a bad URL or unreadable certificate files. */
  constructor(private readonly options: HttpOutputOptions) {
    const text = unquoteUrl(options.url);
    try {
      this.url = new URL(text);
    } catch {
      throw new HttpOutputConfigError(`http_output.url: "${text}" is not a valid URL`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new HttpOutputConfigError(`http_output.url: unsupported scheme "${this.url.protocol}" in "${text}" (http or https)`);
    }
    this.timeoutMs = options.timeout_ms ?? HTTP_OUTPUT_DEFAULTS.timeout_ms;
    this.maxTimeouts = options.max_consecutive_timeouts ?? HTTP_OUTPUT_DEFAULTS.max_consecutive_timeouts;
    this.headers = {
      'content-type': options.json_output ? 'application/json' : 'text/plain',
      'user-agent': options.user_agent ?? HTTP_OUTPUT_DEFAULTS.user_agent,
    };
    if (options.compress_uploads) this.headers['content-encoding'] = 'gzip';
    const connect = {
      ...(this.url.protocol === 'https:' ? tlsOptions(options) : {}),
      timeout: this.timeoutMs,
      // TCP keep-alive probes on the kept-open connection, as libcurl's TCP_KEEPALIVE.
      keepAlive: options.keep_alive ?? false,
    };
    const common = { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, pipelining: 1 };
    const proxyConfigured = PROXY_VARIABLES.some((name) => process.env[name]);
    this.dispatcher = proxyConfigured
      // Through a proxy the target's TLS settings go in requestTls; `connect` serves direct (no_proxy) hosts.
      ? new EnvHttpProxyAgent({ ...common, connections: 1, connect, requestTls: connect })
      : new Client(this.url.origin, { ...common, connect });
  }

  /** One POST; resolves with the status, rejects on network errors and timeouts. */
  private async post(body: Buffer | string): Promise<void> {
    this.stats.requests++;
    const response = await this.dispatcher.request({
      origin: this.url.origin,
      path: this.url.pathname + this.url.search,
      method: 'POST',
      headers: this.headers,
      body,
      reset: !this.options.keep_alive,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (this.options.echo) {
      const answer = Buffer.from(await response.body.arrayBuffer());
      if (answer.length > 0) await writeFully(1, answer);
    } else {
      await response.body.dump();
    }
    if (response.statusCode >= 400) {
      throw new HttpStatusError(`${this.url.href} answered HTTP ${response.statusCode}`);
    }
  }

  private async deliver(text: string): Promise<void> {
    const body = this.options.compress_uploads ? await gzip(Buffer.from(text)) : text;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.post(body);
        return;
      } catch (err) {
        if (isTimeout(err)) {
          this.stats.timeouts++;
          if (attempt < this.maxTimeouts) continue;
          this.stats.failures++;
          throw new Error(`failed to send alert to ${this.url.href}: timed out after ${this.timeoutMs} ms, ${attempt + 1} attempt(s)`);
        }
        this.stats.failures++;
        if (err instanceof HttpStatusError) throw err;
        throw new Error(`failed to send alert to ${this.url.href}: ${errorText(err)}`);
      }
    }
  }

  async send(batch: readonly OutputMessage[]): Promise<void> {
    // One request per alert: receivers expect one JSON document (or line) per POST.
    return sendEach(batch, (message) => this.deliver(message.text));
  }

  async reopen(): Promise<void> {
    // Connections are opened as needed.
  }

  async flush(): Promise<void> {
    // Nothing is buffered.
  }

  async close(): Promise<void> {
    // A request in flight ends within its timeout; past that, the connection is cut.
    const closed = await withTimeout(this.dispatcher.close(), this.timeoutMs);
    if (!closed) await this.dispatcher.destroy();
  }
}
