import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createOutputs, type OutputsSettings } from '../../src/outputs/index.js';
import { captureLog, makeTestPki, sampleAlert, tempDir, type TestPki } from './helpers.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  socket: Socket;
  clientCertCN?: string;
}

/** A real HTTP(S) receiver on loopback that records every request. */
class Receiver {
  readonly requests: Received[] = [];
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly server: http.Server | https.Server,
    /** Answer status, or 'never' for a server that reads the request and never answers. */
    public answer: number | 'never' = 200,
    public answerBody = '',
  ) {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('secureConnection', (s: Socket) => this.sockets.add(s));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate?.();
        this.requests.push({
          method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks), socket: req.socket,
          clientCertCN: peer && 'subject' in peer && peer.subject ? (peer.subject.CN as string) : undefined,
        });
        if (this.answer === 'never') return;
        res.writeHead(this.answer, { 'content-type': 'text/plain' });
        res.end(this.answerBody);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${this.server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Distinct connections the requests came over. */
  connections(): number {
    return new Set(this.requests.map((r) => r.socket)).size;
  }
}

async function deliver(settings: OutputsSettings, count: number): Promise<ReturnType<typeof createOutputs>> {
  const outputs = createOutputs(settings);
  for (let i = 0; i < count; i++) outputs.push(sampleAlert(i));
  await outputs.close(10_000);
  return outputs;
}

let pki: TestPki;
let pkiDir: { dir: string; cleanup(): void };
before(() => {
  pkiDir = tempDir('peregrine-pki-');
  pki = makeTestPki(pkiDir.dir);
});
after(() => pkiDir.cleanup());

test('http output: JSON alerts POSTed with Falco\'s headers, one request per alert', async () => {
  const receiver = new Receiver(http.createServer());
  const base = await receiver.listen();
  try {
    const outputs = await deliver({ http_output: { enabled: true, url: `"${base}/falco/alerts?x=1"` }, json_output: true }, 3);
    assert.equal(outputs.stats.outputs.http!.delivered, 3);
    assert.equal(receiver.requests.length, 3);
    const [first] = receiver.requests;
    assert.equal(first!.method, 'POST');
    assert.equal(first!.url, '/falco/alerts?x=1');
    assert.equal(first!.headers['content-type'], 'application/json');
    assert.equal(first!.headers['user-agent'], 'falcosecurity/falco');
    const body = JSON.parse(first!.body.toString()) as Record<string, unknown>;
    assert.equal(body.rule, 'open_from_cat');
    assert.equal(body.output_fields && (body.output_fields as Record<string, string>)['proc.cmdline'], 'cat /dev/null #0');
  } finally {
    await receiver.stop();
  }
});

test('http output: text alerts as text/plain with the configured user agent', async () => {
  const receiver = new Receiver(http.createServer());
  const base = await receiver.listen();
  try {
    await deliver({ http_output: { enabled: true, url: base, user_agent: 'peregrine-test/1.0' }, time_format_iso_8601: true }, 1);
    const [req] = receiver.requests;
    assert.equal(req!.headers['content-type'], 'text/plain');
    assert.equal(req!.headers['user-agent'], 'peregrine-test/1.0');
    assert.equal(req!.body.toString(), '2016-08-04T16:17:57.881785348+0000: Warning An open was seen (command=cat /dev/null #0)');
  } finally {
    await receiver.stop();
  }
});

test('http output: keep_alive reuses one connection; without it every alert has its own', async () => {
  const receiver = new Receiver(http.createServer());
  const base = await receiver.listen();
  try {
    await deliver({ http_output: { enabled: true, url: base, keep_alive: true } }, 4);
    assert.equal(receiver.requests.length, 4);
    assert.equal(receiver.connections(), 1);
    receiver.requests.length = 0;
    await deliver({ http_output: { enabled: true, url: base, keep_alive: false } }, 3);
    assert.equal(receiver.requests.length, 3);
    assert.equal(receiver.connections(), 3);
    assert.equal(receiver.requests[0]!.headers.connection, 'close');
  } finally {
    await receiver.stop();
  }
});

test('http output: compress_uploads gzips the body', async () => {
  const receiver = new Receiver(http.createServer());
  const base = await receiver.listen();
  try {
    await deliver({ http_output: { enabled: true, url: base, compress_uploads: true }, json_output: true }, 1);
    const [req] = receiver.requests;
    assert.equal(req!.headers['content-encoding'], 'gzip');
    const body = JSON.parse(gunzipSync(req!.body).toString()) as Record<string, unknown>;
    assert.equal(body.priority, 'Warning');
  } finally {
    await receiver.stop();
  }
});

test('http output: an error status is a counted, logged failure', async () => {
  const receiver = new Receiver(http.createServer(), 503);
  const base = await receiver.listen();
  const log = captureLog();
  try {
    const outputs = await deliver({ http_output: { enabled: true, url: base } }, 2);
    assert.equal(outputs.stats.outputs.http!.failed, 2);
    assert.ok(log.messages.some((m) => m.level === 'error' && m.message.startsWith(`http: ${base}/ answered HTTP 503`)),
      JSON.stringify(log.messages));
  } finally {
    log.restore();
    await receiver.stop();
  }
});

test('http output: a server that never answers times out, retried max_consecutive_timeouts times', async () => {
  const receiver = new Receiver(http.createServer(), 'never');
  const base = await receiver.listen();
  const log = captureLog();
  try {
    const outputs = await deliver({ http_output: { enabled: true, url: base, timeout_ms: 150, max_consecutive_timeouts: 2 } }, 1);
    assert.equal(receiver.requests.length, 3, 'first attempt + 2 retries');
    assert.equal(outputs.stats.outputs.http!.failed, 1);
    assert.ok(log.messages.some((m) => m.message === `http: failed to send alert to ${base}/: timed out after 150 ms, 3 attempt(s)`),
      JSON.stringify(log.messages));
  } finally {
    log.restore();
    await receiver.stop();
  }
});

test('https output: verified with ca_cert, ca_bundle or ca_path; refused without the CA unless insecure', async () => {
  const receiver = new Receiver(https.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }));
  const base = await receiver.listen();
  const caDir = path.join(pki.dir, 'cadir');
  mkdirSync(caDir, { recursive: true });
  copyFileSync(pki.caCert, path.join(caDir, 'test-ca.pem'));
  const emptyDir = path.join(pki.dir, 'empty');
  mkdirSync(emptyDir, { recursive: true });
  const log = captureLog();
  try {
    const ok = async (extra: object): Promise<number> =>
      (await deliver({ http_output: { enabled: true, url: base, ...extra } }, 1)).stats.outputs.http!.delivered;
    assert.equal(await ok({ ca_cert: pki.caCert }), 1);
    assert.equal(await ok({ ca_bundle: pki.caCert }), 1);
    assert.equal(await ok({ ca_path: caDir }), 1);
    assert.equal(await ok({ ca_cert: pki.otherCaCert }), 0, 'a CA that did not sign the server');
    assert.equal(await ok({ ca_path: emptyDir }), 0, 'only the built-in roots');
    assert.equal(await ok({ ca_path: emptyDir, insecure: true }), 1);
    assert.equal(receiver.requests.length, 4);
    assert.ok(log.messages.some((m) => /http: failed to send alert to https:.*(certificate|CERT)/i.test(m.message)), JSON.stringify(log.messages));
    assert.throws(() => createOutputs({ http_output: { enabled: true, url: base, ca_cert: path.join(pki.dir, 'nope.pem') } }),
      /http_output\.ca_cert: cannot read .*nope\.pem \(ENOENT\)/);
  } finally {
    log.restore();
    await receiver.stop();
  }
});

test('https output: mutual TLS presents the client certificate when mtls is set', async () => {
  const receiver = new Receiver(https.createServer({
    cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey),
    ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: true,
  }));
  const base = await receiver.listen();
  const log = captureLog();
  try {
    const withCert = await deliver({ http_output: { enabled: true, url: base, ca_cert: pki.caCert, mtls: true, client_cert: pki.clientCert, client_key: pki.clientKey } }, 2);
    assert.equal(withCert.stats.outputs.http!.delivered, 2);
    assert.deepEqual(receiver.requests.map((r) => r.clientCertCN), ['peregrine-client', 'peregrine-client']);
    const without = await deliver({ http_output: { enabled: true, url: base, ca_cert: pki.caCert } }, 1);
    assert.equal(without.stats.outputs.http!.failed, 1, 'the server refuses a client without certificate');
    assert.equal(receiver.requests.length, 2);
  } finally {
    log.restore();
    await receiver.stop();
  }
});

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'emit-alerts.js');

test('http output: echo copies the server\'s answers to standard output', async () => {
  const receiver = new Receiver(http.createServer(), 200, 'ack-from-receiver\n');
  const base = await receiver.listen();
  try {
    const spec = { settings: { http_output: { enabled: true, url: base, echo: true } }, count: 2, end: 'close' };
    const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, JSON.stringify(spec)]);
    assert.equal(stdout, 'ack-from-receiver\nack-from-receiver\n');
    assert.equal(receiver.requests.length, 2);
  } finally {
    await receiver.stop();
  }
});

test('http output: goes through the proxy named by http_proxy / https_proxy, as libcurl does', async () => {
  const receiver = new Receiver(https.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }));
  const base = await receiver.listen();
  // A real forward proxy: CONNECT tunnels to the requested host.
  const tunnels: string[] = [];
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  const proxySockets = new Set<Socket>();
  proxy.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url!);
    proxySockets.add(client);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    proxySockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const saved = { https_proxy: process.env.https_proxy, no_proxy: process.env.no_proxy, NO_PROXY: process.env.NO_PROXY };
  process.env.https_proxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  delete process.env.no_proxy;
  delete process.env.NO_PROXY;
  try {
    const outputs = await deliver({ http_output: { enabled: true, url: base, ca_cert: pki.caCert } }, 2);
    assert.equal(outputs.stats.outputs.http!.delivered, 2);
    assert.equal(receiver.requests.length, 2);
    assert.ok(tunnels.length >= 1 && tunnels.every((t) => t === new URL(base).host), JSON.stringify(tunnels));
    // no_proxy exempts the host: straight to the receiver.
    tunnels.length = 0;
    process.env.no_proxy = '127.0.0.1';
    await deliver({ http_output: { enabled: true, url: base, ca_cert: pki.caCert } }, 1);
    assert.equal(receiver.requests.length, 3);
    assert.deepEqual(tunnels, []);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const s of proxySockets) s.destroy();
    await new Promise((resolve) => proxy.close(resolve));
    await receiver.stop();
  }
});
