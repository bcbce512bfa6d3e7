// The audit webhook with real HTTP(S) requests: what it answers, what reaches the iterator, what is
// counted, backpressure, TLS, stop().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { K8sAuditOpenError } from '../../src/sources/k8s-audit/config.js';
import { K8sAuditSource } from '../../src/sources/k8s-audit/source.js';
import { captureLog, makeTestPki, tempDir, type TestPki } from '../outputs/helpers.js';

const audit = (id: string, extra: object = {}) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stageTimestamp: '2024-01-01T00:00:00.5Z', ...extra });

interface Answer {
  status: number;
  body: string;
  type: string;
}

async function post(url: string, body: string | Buffer, contentType = 'application/json', options: { method?: 'POST' | 'GET' | 'PUT'; dispatcher?: Agent } = {}): Promise<Answer> {
  const res = await request(url, {
    method: options.method ?? 'POST',
    headers: { 'content-type': contentType },
    ...(options.method === 'GET' ? {} : { body }),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  return { status: res.statusCode, body: await res.body.text(), type: String(res.headers['content-type'] ?? '') };
}

let log: ReturnType<typeof captureLog>;
before(() => {
  log = captureLog();
});
after(() => log.restore());

test('webhook: single events and EventLists are accepted with 200 and delivered in order', async () => {
  const source = await K8sAuditSource.open({ openParams: 'http://127.0.0.1:0/k8s-audit', hostname: 'h' });
  try {
    const url = source.webhookUrl!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/k8s-audit$/);
    const single = await post(url, JSON.stringify(audit('one')));
    assert.deepEqual(single, { status: 200, body: '', type: '' });
    const list = await post(url, JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [audit('two'), audit('three')] }),
      'application/json; charset=utf-8');
    assert.equal(list.status, 200);
    const events = [await source.next(), await source.next(), await source.next()].map((r) => r.value!);
    assert.deepEqual(events.map((e) => e.get('auditID')), ['one', 'two', 'three']);
    assert.deepEqual(events.map((e) => e.num), [1, 2, 3]);
    assert.equal(events[0]!.ts, 1704067200500000000n);
    assert.equal(source.counters.inputs, 2);
    assert.equal(source.counters.events, 3);
  } finally {
    await source.stop();
  }
});

test('webhook: refusals answer as the plugin does, or say what was wrong, and are counted', async () => {
  const source = await K8sAuditSource.open({
    openParams: 'http://127.0.0.1:0/k8s-audit',
    initConfig: { maxEventSize: 600, webhookMaxBatchSize: 4096 },
  });
  try {
    const url = source.webhookUrl!;
    const base = url.replace(/\/k8s-audit$/, '');
    const get = await post(url, '', 'application/json', { method: 'GET' });
    assert.deepEqual(get, { status: 405, body: 'GET method not allowed\n', type: 'text/plain; charset=utf-8' });
    assert.deepEqual(await post(url, JSON.stringify(audit('x')), 'text/plain'), { status: 400, body: 'wrong Content Type\n', type: 'text/plain; charset=utf-8' });
    assert.equal((await post(`${base}/other`, JSON.stringify(audit('x')))).status, 404);

    const badJson = await post(url, '{"kind":"Event",');
    assert.equal(badJson.status, 400);
    assert.match(badJson.body, /^bad request: invalid JSON: /);
    assert.deepEqual(await post(url, '{"kind": 0}'), { status: 400, body: 'bad request: data not recognized as a k8s audit event\n', type: 'text/plain; charset=utf-8' });

    const large = audit('large', { requestObject: { data: 'x'.repeat(700) } });
    const tooLarge = await post(url, JSON.stringify(large));
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.body, /^event larger than maxEventSize: size=\d+ \(maxEventSize=600\) \(auditID large\)\n$/);
    // Mixed: the small one is kept, so the request succeeds; the large one is counted.
    assert.equal((await post(url, JSON.stringify({ kind: 'EventList', items: [audit('small'), large] }))).status, 200);

    const huge = JSON.stringify({ kind: 'EventList', items: Array.from({ length: 40 }, (_, i) => audit(`h${i}`)) });
    assert.ok(huge.length > 4096);
    const bodyTooLarge = await post(url, huge);
    assert.equal(bodyTooLarge.status, 413);
    assert.equal(bodyTooLarge.body, 'request body too large: limit is 4096 bytes (webhookMaxBatchSize)\n');
    // Same without a Content-Length (chunked upload).
    const chunked = await request(url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: Readable.from((function* () { for (let i = 0; i < 10; i++) yield Buffer.from(huge.slice(i * 500, (i + 1) * 500)); })()),
    });
    assert.equal(chunked.statusCode, 413);
    await chunked.body.text();

    const next = await source.next();
    assert.equal(next.value?.get('auditID'), 'small');
    assert.equal(source.pending, 0, 'nothing else was accepted');
    const c = source.counters;
    assert.deepEqual(c.rejected, {
      invalid_json: 1, not_audit_event: 1, invalid_timestamp: 0, event_too_large: 2, body_too_large: 2,
      method_not_allowed: 1, wrong_content_type: 1, not_found: 1, source_stopped: 0,
    });
    assert.equal(c.inputs, 9, 'requests');
    assert.equal(c.events, 1);
    const messages = log.messages.map((m) => m.message);
    assert.ok(messages.some((m) => /^k8saudit: webhook request #\d+ from 127\.0\.0\.1: data not recognized as a k8s audit event$/.test(m)), messages.join('\n'));
  } finally {
    await source.stop();
  }
});

test('webhook: a slow consumer holds the answer back (backpressure), nothing is lost', async () => {
  const source = await K8sAuditSource.open({ openParams: 'http://127.0.0.1:0/k8s-audit', queueLimit: 2 });
  try {
    const url = source.webhookUrl!;
    assert.equal((await post(url, JSON.stringify([audit('a'), audit('b')]))).status, 200);
    let answered = false;
    const held = post(url, JSON.stringify(audit('c'))).then((a) => {
      answered = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(answered, false, 'the queue is full: the request waits');
    assert.equal((await source.next()).value?.get('auditID'), 'a');
    assert.equal((await held).status, 200);
    assert.deepEqual([(await source.next()).value?.get('auditID'), (await source.next()).value?.get('auditID')], ['b', 'c']);
  } finally {
    await source.stop();
  }
});

test('webhook: stop() stops listening; queued events are still delivered, then the end', async () => {
  const source = await K8sAuditSource.open({ openParams: 'http://:0/k8s-audit' });
  const url = source.webhookUrl!;
  assert.match(url, /^http:\/\/(\[::\]|0\.0\.0\.0):\d+\/k8s-audit$/, 'every address');
  const port = Number(/:(\d+)\//.exec(url)![1]);
  assert.equal((await post(`http://127.0.0.1:${port}/k8s-audit`, JSON.stringify(audit('kept')))).status, 200);
  await source.stop();
  await assert.rejects(post(`http://127.0.0.1:${port}/k8s-audit`, JSON.stringify(audit('late'))));
  assert.equal((await source.next()).value?.get('auditID'), 'kept');
  assert.equal((await source.next()).done, true);
});

test('webhook: listening problems are open errors', async () => {
  const first = await K8sAuditSource.open({ openParams: 'http://127.0.0.1:0/k8s-audit' });
  try {
    const port = Number(/:(\d+)\//.exec(first.webhookUrl!)![1]);
    await assert.rejects(K8sAuditSource.open({ openParams: `http://127.0.0.1:${port}/k8s-audit` }),
      (err: Error) => err instanceof K8sAuditOpenError && err.message === `cannot listen on 127.0.0.1:${port} for the audit webhook (EADDRINUSE)`);
  } finally {
    await first.stop();
  }
  await assert.rejects(K8sAuditSource.open({ openParams: 'http://localhost/k8s-audit' }), /the webhook URL needs a port/);
  await assert.rejects(K8sAuditSource.open({ openParams: 'http://:9765' }), /needs an endpoint path/);
});

let pki: TestPki;
let pkiDir: { dir: string; cleanup(): void };
before(() => {
  pkiDir = tempDir('peregrine-k8saudit-pki-');
  pki = makeTestPki(pkiDir.dir);
});
after(() => pkiDir.cleanup());

test('webhook over TLS with init_config.sslCertificate (certificate and key in one PEM)', async () => {
  const source = await K8sAuditSource.open({ openParams: 'https://127.0.0.1:0/k8s-audit', initConfig: { sslCertificate: pki.serverCombined } });
  const dispatcher = new Agent({ connect: { ca: readFileSync(pki.caCert) } });
  try {
    const url = source.webhookUrl!;
    assert.match(url, /^https:\/\//);
    assert.equal((await post(url, JSON.stringify(audit('secure')), 'application/json', { dispatcher })).status, 200);
    assert.equal((await source.next()).value?.get('auditID'), 'secure');
    await assert.rejects(post(url.replace('https:', 'http:'), JSON.stringify(audit('plain'))), 'plain HTTP is not served');
  } finally {
    await dispatcher.close();
    await source.stop();
  }
  await assert.rejects(K8sAuditSource.open({ openParams: 'https://127.0.0.1:0/k8s-audit', initConfig: { sslCertificate: '/nonexistent.pem' } }),
    /cannot read the webhook's SSL certificate \/nonexistent.pem \(init_config.sslCertificate\): ENOENT/);
  await assert.rejects(K8sAuditSource.open({ openParams: 'https://127.0.0.1:0/k8s-audit', initConfig: { sslCertificate: pki.serverCert } }),
    /must hold both the certificate and its private key/);
});
