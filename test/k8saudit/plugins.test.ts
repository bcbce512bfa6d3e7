// The built-in plugins: identification from falco.yaml entries, Falco's loading checks and
// messages, init_config schemas, descriptions, and opening the k8s_audit source from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BUILTIN_PLUGINS, builtinPluginFor, checkInitConfig, formatPluginDetails, formatPluginInfo, formatPluginList,
  LoadedPlugins, PluginError, pluginsToLoad, type PluginSettings,
} from '../../src/sources/plugins.js';
import { tempDir } from '../outputs/helpers.js';
import type { K8sAuditSource } from '../../src/sources/k8s-audit/index.js';

const entry = (name: string, extra: Partial<PluginSettings> = {}): PluginSettings =>
  ({ name, library_path: `lib${name}.so`, init_config: '', open_params: '', ...extra });

test('the table: names, versions and what each provides', () => {
  assert.deepEqual(BUILTIN_PLUGINS.map((p) => `${p.name}@${p.version}`), ['container@0.7.1', 'k8saudit@0.18.0', 'cloudtrail@0.17.1', 'json@0.7.4']);
  assert.equal(builtinPluginFor({ name: 'k8saudit', library_path: '/anywhere/x.so' })?.name, 'k8saudit');
  assert.equal(builtinPluginFor({ name: 'audit', library_path: '/usr/share/falco/plugins/libk8saudit.so' })?.name, 'k8saudit', 'by library file');
  assert.equal(builtinPluginFor({ name: 'ct', library_path: '/usr/share/falco/plugins/libcloudtrail.so' })?.name, 'cloudtrail');
  assert.equal(builtinPluginFor({ name: 'github', library_path: 'libgithub.so' }), undefined);
});

test('load_plugins selects entries in its order, first entry of each name', () => {
  const plugins = [entry('json'), entry('k8saudit', { open_params: 'a' }), entry('k8saudit', { open_params: 'b' })];
  assert.deepEqual(pluginsToLoad({ plugins, load_plugins: ['k8saudit', 'json'] }).map((p) => `${p.name}:${p.open_params}`), ['k8saudit:a', 'json:']);
  assert.deepEqual(pluginsToLoad({ plugins, load_plugins: [] }), []);
});

test('loading: sources, versions, required_plugin_versions, fields per source', () => {
  const loaded = LoadedPlugins.load([entry('k8saudit'), entry('json')]);
  assert.deepEqual(loaded.sources, ['syscall', 'k8s_audit']);
  assert.deepEqual(loaded.versions(), { k8saudit: '0.18.0', json: '0.7.4' });
  assert.deepEqual(loaded.provided(), [{ name: 'k8saudit', version: '0.18.0' }, { name: 'json', version: '0.7.4' }, { name: 'container', version: '0.7.1' }]);
  assert.deepEqual(loaded.fieldClassesFor('k8s_audit').map((c) => c.name), ['k8saudit', 'json']);
  assert.deepEqual(loaded.fieldClassesFor('syscall').map((c) => c.name), ['json'], 'json extracts from every source, as in Falco');
  assert.deepEqual(LoadedPlugins.load([]).sources, ['syscall']);
  assert.equal(LoadedPlugins.load([entry('json')]).sourceDefinition('k8s_audit'), undefined, 'no k8saudit: no k8s_audit source');
  const withoutJson = LoadedPlugins.load([entry('k8saudit')]).sourceDefinition('k8s_audit', { staticFields: { env: 'prod' } })!;
  assert.equal(withoutJson.fields.bindText('json.obj'), undefined);
  assert.ok(withoutJson.fields.bindText('static.env')?.hasExtractor);
});

test('loading refuses what Falco refuses, with its messages', () => {
  assert.throws(() => LoadedPlugins.load([entry('k8saudit'), entry('k8saudit')]),
    (err: Error) => err instanceof PluginError && err.message === 'found another plugin with name k8saudit. Aborting.');
  assert.throws(() => LoadedPlugins.load([entry('okta')]),
    /cannot load plugin 'okta' \(libokta.so\): Peregrine loads no plugin libraries, and 'okta' is not one of the plugins it provides \(container, k8saudit, cloudtrail, json\)/);
  assert.throws(() => LoadedPlugins.load([entry('k8saudit', { init_config: '{not json' })]),
    (err: Error) => err.message === 'error in plugin k8saudit: init config is not a valid json');
  assert.throws(() => LoadedPlugins.load([entry('k8saudit', { init_config: { maxEventSize: 'big' } })]),
    (err: Error) => err.message === 'error in plugin k8saudit init config: In <root>[maxEventSize], must be integer');
  assert.throws(() => LoadedPlugins.load([entry('k8saudit', { init_config: '{"webhookMaxBatchSize": -1}' })]),
    /In <root>\[webhookMaxBatchSize\], must be >= 0/);
  assert.throws(() => LoadedPlugins.load([entry('json', { init_config: { useAsync: 'yes' } })]), /error in plugin json init config: In <root>\[useAsync\]/);
});

test('init_config: map, JSON string or empty; unknown keys allowed', () => {
  const k8saudit = BUILTIN_PLUGINS.find((p) => p.name === 'k8saudit')!;
  assert.deepEqual(checkInitConfig(k8saudit, ''), {});
  assert.deepEqual(checkInitConfig(k8saudit, '{"maxEventSize": 1024, "other": true}'), { maxEventSize: 1024, other: true });
  assert.deepEqual(checkInitConfig(k8saudit, { sslCertificate: '/x.pem' }), { sslCertificate: '/x.pem' });
});

test('descriptions as Falco prints them (--list-plugins, --plugin-info)', () => {
  const k8saudit = BUILTIN_PLUGINS.find((p) => p.name === 'k8saudit')!;
  assert.equal(formatPluginInfo(k8saudit),
    'Name: k8saudit\nDescription: Read Kubernetes Audit Events and monitor Kubernetes Clusters\nContact: github.com/falcosecurity/plugins\n' +
    'Version: 0.18.0\nCapabilities: \n  - Event Sourcing (ID=1, source=\'k8s_audit\')\n  - Field Extraction\n');
  const list = formatPluginList([entry('k8saudit'), entry('json')]);
  assert.match(list, /^2 Plugins Loaded:\n\nName: k8saudit\n[\s\S]*\n\nName: json\n[\s\S]*Capabilities: \n {2}- Field Extraction\n\n\n$/);
  const details = formatPluginDetails(entry('k8saudit'));
  assert.match(details, /\n\nInit config schema type: JSON\n\{"type":"object","properties":\{"sslCertificate":/);
  assert.match(details, /\nNo suggested open params available: plugin has not been configured, or it does not implement the open params suggestion functionality\n\n$/);
  assert.doesNotMatch(formatPluginDetails(entry('json')), /open params/);
  assert.match(formatPluginDetails(entry('container')), /Init config schema type: Not available/);
  assert.throws(() => formatPluginDetails(entry('k8saudit', { init_config: '{"maxEventSize": "x"}' })), /error in plugin k8saudit init config/);
});

test('openSource: the k8s_audit source from the plugin entry, with matching fields', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  try {
    const file = path.join(tmp.dir, 'audit.log');
    writeFileSync(file, `${JSON.stringify({ kind: 'Event', auditID: 'x', stageTimestamp: '2024-01-01T00:00:00Z', verb: 'get' })}\n`);
    const loaded = LoadedPlugins.load([entry('k8saudit', { open_params: file, init_config: { maxEventSize: 1000 } }), entry('json')]);
    const source = await loaded.openSource('k8s_audit', { hostname: 'node-1' }) as K8sAuditSource;
    assert.equal(source.config.maxEventSize, 1000);
    assert.equal(source.definition.name, 'k8s_audit');
    const verb = source.definition.fields.bindText('json.value[/verb]')!;
    const host = source.definition.fields.bindText('evt.hostname')!;
    const events = [];
    for await (const evt of source) events.push([verb.extract(evt), host.extract(evt)]);
    assert.deepEqual(events, [['get', 'node-1']]);
    await assert.rejects(loaded.openSource('aws_cloudtrail'), /no loaded plugin provides the event source 'aws_cloudtrail'/);
  } finally {
    tmp.cleanup();
  }
});
