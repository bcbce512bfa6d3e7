import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { Priority } from '../../src/engine/priority.js';
import { createOutputs } from '../../src/outputs/index.js';
import { PeregrineMetrics } from '../../src/server/metrics.js';
import { PrometheusExporter } from '../../src/server/prometheus.js';
import { peregrineVersion, versionsInfo } from '../../src/version.js';
import { WebServer, WebserverError } from '../../src/server/webserver.js';
import { createTelemetry } from '../../src/server/index.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { makeTestPki, sampleAlert, tempDir, type TestPki } from '../outputs/helpers.js';

let pki: TestPki;
let pkiDir: { dir: string; cleanup(): void };
before(() => {
  pkiDir = tempDir('peregrine-webserver-');
  pki = makeTestPki(pkiDir.dir);
});
after(() => pkiDir.cleanup());

async function get(url: string, dispatcher?: Agent): Promise<{ status: number; type: string; body: string }> {
  const res = await request(url, { dispatcher });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
}

test('webserver: /healthz and /versions answer as Falco\'s do', async () => {
  const server = new WebServer({ listen_address: '127.0.0.1', listen_port: 0 }, { versions: versionsInfo({ json: '0.7.3', container: '0.3.1' }) });
  const { port } = await server.start();
  try {
    const health = await get(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.body, '{"status": "ok"}');
    assert.match(health.type, /^application\/json/);

    const versions = await get(`http://127.0.0.1:${port}/versions`);
    assert.equal(versions.status, 200);
    assert.match(versions.type, /^application\/json/);
    const version = peregrineVersion();
    assert.equal(versions.body,
      `{"default_driver_version":"${version}","driver_api_version":"10.1.0","driver_schema_version":"4.5.1",` +
      `"engine_version":"63","engine_version_semver":"0.63.0","falco_version":"${version}","libs_version":"${version}",` +
      '"plugin_api_version":"3.12.0","plugin_versions":{"container":"0.3.1","json":"0.7.3"}}');
    assert.equal(version, (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);

    assert.equal((await get(`http://127.0.0.1:${port}/metrics`)).status, 404, '/metrics only when Prometheus metrics are enabled');
  } finally {
    await server.stop();
  }
  await assert.rejects(get(`http://127.0.0.1:${port}/healthz`), 'stopped: connections are refused');
});

test('webserver: custom health endpoint, added routes, /metrics from prom-client', async () => {
  const metrics = new PeregrineMetrics('0.1.0', 'web-host');
  const outputs = createOutputs({ stdout_output: { enabled: false }, file_output: { enabled: true, filename: '/dev/null' }, outputs_queue: { capacity: 1 } });
  metrics.outputs = outputs;
  metrics.source('syscall').events = 12;
  metrics.rules.register([{ name: 'Terminal shell in container', priority: Priority.Notice, source: 'syscall', tags: ['shell'] }])[0] = 3;
  outputs.push(sampleAlert(0));
  outputs.push(sampleAlert(1)); // dropped: capacity 1
  const server = new WebServer(
    { listen_address: '127.0.0.1', listen_port: 0, k8s_healthz_endpoint: '/health', prometheus_metrics_enabled: true },
    { versions: versionsInfo(), prometheus: new PrometheusExporter(metrics) },
  );
  server.addRoutes((app) => {
    app.post('/k8s-audit', async (req) => ({ received: (req.body as { kind?: string }).kind }));
  });
  const { port } = await server.start();
  try {
    assert.equal((await get(`http://127.0.0.1:${port}/health`)).body, '{"status": "ok"}');
    assert.equal((await get(`http://127.0.0.1:${port}/healthz`)).status, 404);
    const posted = await request(`http://127.0.0.1:${port}/k8s-audit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"Event"}' });
    assert.deepEqual(await posted.body.json(), { received: 'Event' });

    const scrape = await get(`http://127.0.0.1:${port}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.type, /^text\/plain; version=0\.0\.4/);
    const lines = scrape.body.split('\n');
    for (const line of [
      'falcosecurity_falco_version_info{version="0.1.0"} 1',
      'falcosecurity_falco_outputs_queue_num_drops_total 1',
      'falcosecurity_falco_rules_matches_total{priority="5",rule_name="Terminal shell in container",source="syscall",tag_shell="true"} 3',
      'peregrine_events_processed_total{evt_source="syscall"} 12',
      'peregrine_outputs_queue_drops_total{reason="queue_full"} 1',
    ]) assert.ok(lines.includes(line), `missing ${line}`);
    assert.throws(() => server.addRoutes(() => undefined), /before the webserver starts/);
  } finally {
    await server.stop();
    await outputs.close();
  }
});

test('webserver over TLS with ssl_certificate holding certificate and key', async () => {
  const server = new WebServer({ listen_address: '127.0.0.1', listen_port: 0, ssl_enabled: true, ssl_certificate: pki.serverCombined }, { versions: versionsInfo() });
  const { port } = await server.start();
  const trusting = new Agent({ connect: { ca: readFileSync(pki.caCert) } });
  const untrusting = new Agent({ connect: { ca: readFileSync(pki.otherCaCert) } });
  try {
    const health = await get(`https://localhost:${port}/healthz`, trusting);
    assert.equal(health.body, '{"status": "ok"}');
    await assert.rejects(get(`https://localhost:${port}/healthz`, untrusting), /certificate/i);
    await assert.rejects(get(`http://127.0.0.1:${port}/healthz`), 'plain HTTP is not served');
  } finally {
    await Promise.all([trusting.close(), untrusting.close()]);
    await server.stop();
  }
});

test('webserver errors: bad address, certificate without key, port in use', async () => {
  assert.throws(() => new WebServer({ listen_address: 'localhost' }, { versions: versionsInfo() }),
    /webserver listen address "localhost" is not a valid IP address/);
  const certOnly = path.join(pki.dir, 'cert-only.pem');
  writeFileSync(certOnly, readFileSync(pki.serverCert));
  await assert.rejects(new WebServer({ listen_address: '127.0.0.1', listen_port: 0, ssl_enabled: true, ssl_certificate: certOnly }, { versions: versionsInfo() }).start(),
    (err: Error) => err instanceof WebserverError && /must contain both the certificate and its private key/.test(err.message));
  await assert.rejects(new WebServer({ listen_address: '127.0.0.1', ssl_enabled: true, ssl_certificate: '/nonexistent/falco.pem' }, { versions: versionsInfo() }).start(),
    /webserver\.ssl_certificate: cannot read \/nonexistent\/falco\.pem \(ENOENT\)/);

  const blocker = http.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busyPort = (blocker.address() as AddressInfo).port;
  try {
    await assert.rejects(new WebServer({ listen_address: '127.0.0.1', listen_port: busyPort }, { versions: versionsInfo() }).start(),
      new RegExp(`an error occurred while starting webserver: cannot listen on 127\\.0\\.0\\.1:${busyPort} \\(EADDRINUSE\\)`));
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('createTelemetry: /metrics needs metrics.enabled and prometheus_metrics_enabled; snapshots need metrics.enabled', async () => {
  const metrics = new PeregrineMetrics('0.1.0', 'h');
  const base = { enabled: true, listen_address: '127.0.0.1', listen_port: 0, prometheus_metrics_enabled: true };

  const off = createTelemetry({ webserver: base, metrics: { enabled: false } }, metrics);
  assert.equal(off.snapshotter, undefined);
  await off.start();
  const offPort = (await off.webserver!.start()).port;
  assert.equal((await get(`http://127.0.0.1:${offPort}/metrics`)).status, 404);
  await off.stop();

  const on = createTelemetry({ webserver: base, metrics: { enabled: true, interval: '1h', output_rule: false } }, metrics);
  await on.start();
  const onPort = (await on.webserver!.start()).port;
  const scrape = await get(`http://127.0.0.1:${onPort}/metrics`);
  assert.equal(scrape.status, 200);
  assert.ok(scrape.body.includes('falcosecurity_falco_version_info{version="0.1.0"} 1'));
  assert.ok(on.snapshotter && on.snapshotter.intervalMs === 3_600_000);
  await on.stop();
  await on.stop();

  assert.equal(createTelemetry({ webserver: { ...base, enabled: false } }, metrics).webserver, undefined);
  assert.throws(() => createTelemetry({ metrics: { enabled: true, output_rule: false } }, metrics), /Metrics are enabled with no output configured/);
});
