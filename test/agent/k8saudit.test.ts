// The k8s_audit source in the agent (Falco's k8saudit and json plugins, built into Peregrine): audit
// events from a file as the regression suite reads them, and from the audit webhook of a live
// agent (engine nodriver), where the web server's metrics follow the events, and a rules reload
// in the middle loses no event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { freePort, jsonAlerts, Peregrine, runPeregrine, tempDir, testConfig, writeFile } from './helpers.js';

const K8S_RULES = `
- rule: configmap_created
  desc: a configmap is created
  condition: ka.verb = create and ka.target.resource = configmaps
  output: "configmap %ka.target.name created by %ka.user.name"
  priority: NOTICE
  source: k8s_audit
  tags: [k8s]
`;

const ANY_AUDIT_RULE = `
- rule: any_audit_event
  desc: every audit event
  condition: ka.auditid exists
  output: "audit %ka.verb %ka.target.resource"
  priority: DEBUG
  source: k8s_audit
`;

function pluginsConfig(openParams: string): string {
  return [
    'plugins:',
    `  - {name: k8saudit, library_path: libk8saudit.so, init_config: "", open_params: "${openParams}"}`,
    '  - {name: json, library_path: libjson.so, init_config: ""}',
    'load_plugins: [k8saudit, json]',
  ].join('\n');
}

test('audit events from a file: alerts of k8s_audit rules with the event\'s time and source, then the summary', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', K8S_RULES);
  const events = corpusPath('k8s-audit/create_configmap.json');
  const r = await runPeregrine(['-c', testConfig(dir, pluginsConfig(events) + '\njson_output: true'), '-r', rules,
    '--enable-source', 'k8s_audit']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Loaded plugin 'k8saudit@[\d.]+' \(built into Peregrine; libk8saudit\.so is not loaded\)/);
  assert.match(r.stderr, /Enabled event sources: k8s_audit\n/);
  assert.match(r.stderr, /Opening 'k8s_audit' source with plugin 'k8saudit'/);
  const alerts = jsonAlerts(r.stdout);
  assert.equal(alerts.length, 1);
  const alert = alerts[0]!;
  assert.equal(alert.source, 'k8s_audit');
  assert.equal(alert.rule, 'configmap_created');
  assert.deepEqual(alert.tags, ['k8s']);
  assert.match(alert.output as string, /: Notice configmap my-config created by /);
  const stage = (JSON.parse(readFileSync(events, 'utf8').split('\n')[0]!) as { stageTimestamp: string }).stageTimestamp;
  assert.equal((alert.time as string).slice(0, 19), stage.slice(0, 19));
  assert.match(r.stdout, /Events detected: 1\n/);
});

/** Posts audit events (an EventList) to the webhook. */
async function post(url: string, items: unknown[]): Promise<number> {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The value of a Prometheus sample line starting with `prefix`, or 0. */
function sample(text: string, prefix: string): number {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('a live agent (nodriver + audit webhook): metrics follow the events, a rules reload loses none', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', K8S_RULES);
  const [hookPort, webPort] = [await freePort(), await freePort()];
  const hook = `http://127.0.0.1:${hookPort}/k8s-audit`;
  const config = testConfig(dir, [
    'engine: {kind: nodriver}',
    pluginsConfig(hook),
    'metrics: {enabled: true, interval: 1h, output_rule: false}',
  ].join('\n'));
  const webserver = ['enabled=true', 'listen_address=127.0.0.1', `listen_port=${webPort}`, 'prometheus_metrics_enabled=true']
    .flatMap((o) => ['-o', `webserver.${o}`]);
  const p = new Peregrine(['-c', config, '-r', rules, ...webserver, '-v'], { timeoutMs: 60_000 });
  t.after(() => p.kill('SIGKILL'));
  await p.waitFor((_o, err) => err.includes("Opening 'k8s_audit' source with plugin 'k8saudit'") && err.includes('no driver'), 'the sources');
  const event = JSON.parse(readFileSync(corpusPath('k8s-audit/create_configmap.json'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
  const batch = (n: number, from: number): unknown[] => Array.from({ length: n }, (_, i) => ({ ...event, auditID: `id-${from + i}` }));

  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
  const waitForEvents = async (n: number): Promise<string> => {
    for (let i = 0; i < 200; i++) {
      const text = await metrics().catch(() => '');
      if (sample(text, 'peregrine_events_processed_total{evt_source="k8s_audit"}') === n) return text;
      await sleep(25);
    }
    throw new Error(`the agent did not count ${n} k8s_audit events`);
  };

  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) status = await post(hook, batch(20, 0)).catch(() => sleep(50).then(() => 0));
  assert.equal(status, 200);
  const first = await waitForEvents(20);
  assert.equal(sample(first, 'falcosecurity_falco_rules_matches_total{'), 20);
  assert.equal(sample(first, 'falcosecurity_plugins_k8saudit_n_events_total'), 20);

  // The new rule comes first: with rule_matching first it claims the events posted after the reload.
  writeFileSync(rules, ANY_AUDIT_RULE + K8S_RULES);
  p.kill('SIGHUP');
  await p.waitFor((_o, err) => /Reloaded: 2 rules enabled/.test(err), 'the reload');
  assert.equal(await post(hook, batch(30, 20)), 200);
  await waitForEvents(50);
  p.kill('SIGINT');
  const r = await p.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\(k8s_audit\) Elapsed time: [\d.]+, Captured Events: 50, /);
  // Statistics carry over the reload for rules that keep their name.
  assert.match(r.stdout, /Events detected: 50\n[^]* {3}DEBUG: 30\n[^]*Triggered rules by rule name:\n {3}any_audit_event: 30\n {3}configmap_created: 20\n/);
});

test('a plugin source that cannot open ends the run with its message, the other sources closed', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', K8S_RULES);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => busy.close());
  const port = (busy.address() as AddressInfo).port;
  const config = testConfig(dir, `engine: {kind: nodriver}\n${pluginsConfig(`http://127.0.0.1:${port}/k8s-audit`)}`);
  const r = await runPeregrine(['-c', config, '-r', rules], { timeoutMs: 20_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.signal, null);
  assert.match(r.stderr, /Opening 'syscall' source with no driver\n[^]*Opening 'k8s_audit' source with plugin 'k8saudit'\n/);
  assert.match(r.stderr, new RegExp(`Error: .*${port}.*\\n$`));
});
