// Field values of k8s_audit events: the k8saudit plugin's ka.* fields, the json plugin's fields and
// the generic evt.* fields, on corpus events and on events built to reach each rule of the plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { k8sAuditPluginClass, jsonPluginClass } from '../../src/fields/plugins/index.js';
import { genEventClass } from '../../src/fields/gen-event.js';
import { K8SAUDIT_EXTRACTED_FIELDS } from '../../src/fields/plugins/extractors/k8saudit.js';
import { pointerKeys } from '../../src/fields/plugins/extractors/json.js';
import { tsToString } from '../../src/fields/syscall/extractors/common.js';
import { createK8sAuditSourceDefinition } from '../../src/sources/k8s-audit/definition.js';
import { corpusOrSkip } from '../helpers/corpus.js';
import { auditEvent, corpusEvents, definition, eventsOf, json, podEvent, text, value } from './helpers.js';

test('every declared k8s_audit field has an extractor', () => {
  assert.deepEqual(definition.fields.unimplemented().map((d) => d.name), []);
  const declared = [...genEventClass.fields, ...k8sAuditPluginClass.fields, ...jsonPluginClass.fields].map((d) => d.name);
  for (const name of declared) {
    const bound = definition.fields.bindText(name.startsWith('json.value') || name.startsWith('jevt.value') ||
      ['ka.uri.param', 'ka.req.binding.subject.has_name', 'ka.req.volume.hostpath'].includes(name) ? `${name}[x]` : name);
    assert.ok(bound?.hasExtractor, `${name} has an extractor`);
  }
  // Nothing implemented that the plugin does not declare.
  const k8sDeclared = new Set(k8sAuditPluginClass.fields.map((d) => d.name));
  assert.deepEqual(K8SAUDIT_EXTRACTED_FIELDS.filter((n) => !k8sDeclared.has(n)), []);
});

test('without the json plugin, json.* fields do not exist (as in Falco)', () => {
  const bare = createK8sAuditSourceDefinition({ withJsonPlugin: false });
  assert.equal(bare.fields.bindText('json.value[/stage]'), undefined);
  assert.ok(bare.fields.bindText('ka.verb')?.hasExtractor);
  const withStatic = createK8sAuditSourceDefinition({ staticFields: { cluster: 'prod' } });
  assert.equal(withStatic.fields.bindText('static.cluster')?.extract(auditEvent()), 'prod');
});

test('corpus: a privileged pod creation', (t) => {
  if (!corpusOrSkip(t)) return;
  const [e] = corpusEvents('create_nginx_pod_privileged.json');
  assert.ok(e);
  assert.equal(value(e, 'ka.auditid'), 'a362d22b-db3c-4590-9505-23782f12925f');
  assert.equal(value(e, 'ka.verb'), 'create');
  assert.equal(value(e, 'ka.stage'), 'ResponseComplete');
  assert.equal(value(e, 'ka.uri'), '/api/v1/namespaces/default/pods');
  assert.equal(value(e, 'ka.user.name'), 'system:serviceaccount:kube-system:replicaset-controller');
  assert.deepEqual(value(e, 'ka.user.groups'), ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']);
  assert.equal(value(e, 'ka.target.resource'), 'pods');
  assert.equal(value(e, 'ka.target.namespace'), 'default');
  assert.equal(value(e, 'ka.target.name'), undefined, 'a create of a generated name has no objectRef.name');
  assert.equal(value(e, 'ka.target.pod.name'), 'nginx-deployment-5cdcc99dbf-rgw6z', 'the created pod, from the response');
  assert.equal(value(e, 'ka.resp.name'), 'nginx-deployment-5cdcc99dbf-rgw6z');
  assert.equal(value(e, 'ka.response.code'), '201', 'numbers as text');
  assert.deepEqual(value(e, 'ka.req.pod.containers.privileged'), ['true']);
  assert.equal(value(e, 'ka.req.container.privileged'), 'true');
  assert.deepEqual(value(e, 'ka.req.pod.containers.image'), ['nginx']);
  assert.equal(value(e, 'ka.req.container.image'), 'nginx');
  assert.deepEqual(value(e, 'ka.req.pod.containers.name'), ['nginx']);
  assert.equal(value(e, 'ka.req.pod.host_network'), undefined);
  assert.equal(value(e, 'ka.req.pod.volumes.hostpath'), undefined);
  assert.deepEqual(value(e, 'ka.sourceips'), ['::1']);
  assert.equal(value(e, 'ka.auth.decision'), 'allow');
  assert.match(value(e, 'ka.auth.reason') as string, /^RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller"/);
  assert.equal(value(e, 'ka.impuser.name'), undefined);
  assert.equal(text(e, 'ka.req.pod.containers.privileged'), '(true)');
  assert.equal(text(e, 'ka.impuser.name'), '<NA>');
  assert.deepEqual(json(e, 'ka.user.groups'), ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']);
  assert.equal(json(e, 'ka.req.pod.volumes.hostpath'), null);
});

test('corpus: privileged second container, sensitive mount, host network', (t) => {
  if (!corpusOrSkip(t)) return;
  const [second] = corpusEvents('create_nginx_pod_privileged_2nd_container.json');
  assert.deepEqual(value(second!, 'ka.req.pod.containers.privileged'), ['false', 'true']);
  assert.deepEqual(value(second!, 'ka.req.pod.containers.name'), ['nginx1', 'mysql']);
  assert.deepEqual(value(second!, 'ka.req.pod.containers.name[1]'), ['mysql']);
  assert.deepEqual(value(second!, 'ka.req.pod.containers.privileged[0]'), ['false']);
  assert.equal(value(second!, 'ka.req.container.privileged'), 'true', 'any container');

  const [noContext] = corpusEvents('create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json');
  // A container without the flag is skipped: only the second one's value remains.
  assert.deepEqual(value(noContext!, 'ka.req.pod.containers.privileged'), ['true']);
  assert.equal(value(noContext!, 'ka.req.pod.containers.privileged[0]'), undefined);

  const [mount] = corpusEvents('create_nginx_pod_sensitive_mount_2nd_container.json');
  assert.deepEqual(value(mount!, 'ka.req.pod.volumes.hostpath'), ['/etc']);
  assert.deepEqual(value(mount!, 'ka.req.pod.containers.image'), ['nginx', 'mysql:latest']);
  assert.deepEqual(value(mount!, 'ka.req.pod.containers.image.repository'), ['nginx', 'mysql']);
  assert.equal(value(mount!, 'ka.req.volume.hostpath[/etc]'), 'true');
  assert.equal(value(mount!, 'ka.req.volume.hostpath[/e*]'), 'true');
  assert.equal(value(mount!, 'ka.req.volume.hostpath[/proc]'), 'false');
  assert.deepEqual(value(mount!, 'ka.req.pod.volumes.volume_type'), ['hostPath']);
  assert.equal(value(mount!, 'ka.req.container.privileged'), 'false');

  const [hostNetwork] = corpusEvents('create_nginx_pod_hostnetwork.json');
  assert.equal(value(hostNetwork!, 'ka.req.pod.host_network'), 'true');
  assert.equal(value(hostNetwork!, 'ka.req.container.host_network'), 'true');
});

test('corpus: pod exec, roles, bindings, services, configmaps', (t) => {
  if (!corpusOrSkip(t)) return;
  const [exec] = corpusEvents('exec_pod.json');
  assert.equal(value(exec!, 'ka.target.subresource'), 'exec');
  assert.equal(value(exec!, 'ka.target.name'), 'nginx-deployment-7998647bdf-phvq7');
  assert.equal(value(exec!, 'ka.target.pod.name'), undefined, 'a subresource request is not about the pod object');
  assert.equal(value(exec!, 'ka.uri.param[command]'), 'bash');
  assert.equal(value(exec!, 'ka.uri.param[container]'), 'nginx1', 'the first of repeated parameters');
  assert.equal(value(exec!, 'ka.uri.param[missing]'), undefined);
  assert.equal(value(exec!, 'ka.auth.decision'), 'allow');
  assert.equal(value(exec!, 'ka.auth.reason'), '', 'an empty string is a value');
  assert.equal(text(exec!, 'ka.auth.reason'), '');

  const [role] = corpusEvents('create_cluster_role_wildcard_resources.json');
  assert.deepEqual(value(role!, 'ka.req.role.rules.resources'), ['*']);
  assert.deepEqual(value(role!, 'ka.req.role.rules.verbs'), ['get', 'list', 'get']);
  assert.deepEqual(value(role!, 'ka.req.role.rules.verbs[1]'), ['get'], '[N] selects rule N');
  assert.deepEqual(value(role!, 'ka.req.role.rules.apiGroups'), ['']);
  assert.equal((value(role!, 'ka.req.role.rules.nonResourceURLs') as string[]).length, 13);
  assert.deepEqual(value(role!, 'ka.req.role.rules'), [
    '{"apiGroups":[""],"resources":["*"],"verbs":["get","list"]}',
    '{"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/openapi","/openapi/*","/swagger-2.0.0.pb-v1","/swagger.json","/swaggerapi","/swaggerapi/*","/version","/version/"],"verbs":["get"]}',
  ], 'objects as compact JSON');

  const [binding] = corpusEvents('attach_cluster_admin_role.json');
  assert.equal(value(binding!, 'ka.req.binding.role'), 'cluster-admin');
  assert.deepEqual(value(binding!, 'ka.req.binding.subjects'), ['{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"minikube"}']);
  assert.deepEqual(value(binding!, 'ka.req.binding.subjects.user_names'), ['minikube']);
  assert.equal(value(binding!, 'ka.req.binding.subjects.group_names'), undefined, 'no group subject: no value');
  assert.equal(value(binding!, 'ka.req.binding.subject.has_name[minikube]'), 'true');

  const [service] = corpusEvents('create_nginx_service_nodeport.json');
  assert.equal(value(service!, 'ka.req.service.type'), 'NodePort');
  assert.deepEqual(value(service!, 'ka.req.service.ports'), ['[{"nodePort":30080,"port":80,"protocol":"TCP","targetPort":80}]'],
    'the whole ports array, one value');

  const configmaps = corpusEvents('create_configmap_sensitive_values.json');
  assert.equal(configmaps.length, 6);
  assert.equal(value(configmaps[0]!, 'ka.req.configmap.name'), 'my-config');
  assert.match(value(configmaps[0]!, 'ka.req.configmap.obj') as string, /^\{".*"\}$/);
});

test('no auditID: no ka.* value at all, but json.* still reads the payload', () => {
  const [e] = eventsOf({ kind: 'Event', stageTimestamp: '2024-01-01T00:00:00Z', verb: 'get', user: { username: 'u' } });
  assert.equal(value(e!, 'ka.verb'), undefined);
  assert.equal(value(e!, 'ka.user.name'), undefined);
  assert.equal(value(e!, 'ka.req.binding.subject.has_name[x]'), undefined);
  assert.equal(value(e!, 'json.value[/verb]'), 'get');
});

test('value shapes: JSON null, non-strings, empty lists', () => {
  const e = auditEvent({
    verb: null, user: { username: 42, groups: [] }, impersonatedUser: { username: { a: [1, true] } },
    sourceIPs: ['10.0.0.1', '10.0.0.2'], annotations: { cluster_name: 'prod' },
  });
  assert.equal(value(e, 'ka.verb'), 'null', 'JSON null is the text null');
  assert.equal(value(e, 'ka.user.name'), '42');
  assert.equal(value(e, 'ka.impuser.name'), '{"a":[1,true]}');
  assert.equal(value(e, 'ka.user.groups'), undefined, 'an empty list is no value');
  assert.equal(json(e, 'ka.user.groups'), null);
  assert.deepEqual(value(e, 'ka.sourceips'), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(value(e, 'ka.sourceips[1]'), ['10.0.0.2']);
  assert.equal(value(e, 'ka.sourceips[2]'), undefined);
  assert.equal(value(e, 'ka.cluster.name'), 'prod');
  // A list field on a non-array value has no value (the plugin's wrong-type case).
  assert.equal(value(auditEvent({ user: { groups: 'admins' } }), 'ka.user.groups'), undefined);
});

test('per-container fields: three container lists, missing values, command and args', () => {
  const e = podEvent({
    securityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000, 3001] },
    hostPID: true, hostIPC: false,
    containers: [
      { name: 'app', image: 'registry.example.com:5000/team/app:1.2@sha256:abc', command: ['/bin/sh', '-c'], args: ['run', '--fast'],
        securityContext: { privileged: false, runAsUser: 0, allowPrivilegeEscalation: true, readOnlyRootFilesystem: true,
          procMount: 'Unmasked', capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } },
        ports: [{ containerPort: 80 }, { containerPort: 443, hostPort: 8443 }] },
      { name: 'side', image: 'busybox', securityContext: { runAsGroup: 5 } },
    ],
    initContainers: [{ name: 'init', image: 'alpine:3', securityContext: { privileged: true }, ports: [{ hostPort: 9000, containerPort: 9 }] }],
    ephemeralContainers: [{ name: 'debug', image: 'nicolaka/netshoot', command: ['bash'] }],
  });
  assert.deepEqual(value(e, 'ka.req.pod.containers.name'), ['app', 'side']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.image.repository'), ['registry.example.com', 'busybox'],
    'the repository is cut at the first colon, as the plugin cuts it');
  assert.equal(value(e, 'ka.req.container.image.repository'), 'registry.example.com');
  assert.deepEqual(value(e, 'ka.req.pod.containers.command'), ['/bin/sh -c']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.args'), ['run --fast']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.privileged'), ['false']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.allow_privilege_escalation'), ['true']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.read_only_fs'), ['true']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.run_as_user'), ['0']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.run_as_group'), ['5']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.eff_run_as_user'), ['0', '1000'], 'own securityContext, else the pod\'s');
  assert.deepEqual(value(e, 'ka.req.pod.containers.eff_run_as_group'), ['0', '5'], 'neither: 0');
  assert.deepEqual(value(e, 'ka.req.pod.containers.proc_mount'), ['Unmasked']);
  assert.deepEqual(value(e, 'ka.req.pod.containers.add_capabilities'), ['["NET_ADMIN","SYS_TIME"]'], 'each container\'s add list as JSON');
  assert.deepEqual(value(e, 'ka.req.pod.containers.host_port'), ['80', '8443'], 'hostPort, else containerPort');
  assert.equal(value(e, 'ka.req.pod.run_as_user'), '1000');
  assert.equal(value(e, 'ka.req.pod.fs_group'), '2000');
  assert.deepEqual(value(e, 'ka.req.pod.supplemental_groups'), ['3000', '3001']);
  assert.equal(value(e, 'ka.req.pod.host_pid'), 'true');
  assert.equal(value(e, 'ka.req.pod.host_ipc'), 'false');
  assert.deepEqual(value(e, 'ka.req.pod.initContainers.privileged'), ['true']);
  assert.deepEqual(value(e, 'ka.req.pod.initContainers.host_port'), ['9000']);
  assert.deepEqual(value(e, 'ka.req.pod.initContainers.image.repository'), ['alpine']);
  assert.deepEqual(value(e, 'ka.req.pod.ephemeralContainers.command'), ['bash']);
  assert.deepEqual(value(e, 'ka.req.pod.ephemeralContainers.name'), ['debug']);
  assert.equal(value(e, 'ka.req.pod.ephemeralContainers.privileged'), undefined);
  assert.equal(value(e, 'ka.req.pod.containers.name[2]'), undefined, 'index out of range');

  // One container without a name or image voids the whole list (the plugin's strict fields).
  const partial = podEvent({ containers: [{ name: 'a', image: 'x' }, { image: 'y' }] });
  assert.equal(value(partial, 'ka.req.pod.containers.name'), undefined);
  assert.deepEqual(value(partial, 'ka.req.pod.containers.image'), ['x', 'y']);
  // A command that is not a list of strings voids the field.
  assert.equal(value(podEvent({ containers: [{ name: 'a', command: 'sh' }] }), 'ka.req.pod.containers.command'), undefined);
  // No containers at all.
  assert.equal(value(podEvent({}), 'ka.req.container.privileged'), undefined);
  assert.equal(value(podEvent({ containers: [] }), 'ka.req.container.image'), undefined);
});

test('volumes: host paths, flex drivers, volume types', () => {
  const e = podEvent({
    volumes: [
      { name: 'a', hostPath: { path: '/var/run/docker.sock' } },
      { name: 'b', emptyDir: {} },
      { name: 'c', flexVolume: { driver: 'example/lvm' } },
      { name: 'd', hostPath: { path: '/proc' } },
    ],
  });
  assert.deepEqual(value(e, 'ka.req.pod.volumes.hostpath'), ['/var/run/docker.sock', '/proc']);
  assert.deepEqual(value(e, 'ka.req.pod.volumes.hostpath[3]'), ['/proc']);
  assert.equal(value(e, 'ka.req.pod.volumes.hostpath[1]'), undefined);
  assert.deepEqual(value(e, 'ka.req.pod.volumes.flexvolume_driver'), ['example/lvm']);
  assert.deepEqual(value(e, 'ka.req.pod.volumes.volume_type'), ['hostPath', 'emptyDir', 'flexVolume', 'hostPath']);
  assert.equal(value(e, 'ka.req.volume.hostpath[/var/run/*]'), 'true');
  assert.equal(value(e, 'ka.req.volume.hostpath[/var/run]'), 'false');
  assert.equal(text(e, 'ka.req.pod.volumes.hostpath'), '(/var/run/docker.sock,/proc)');
});

test('binding subjects by kind, with namespaces for service accounts', () => {
  const e = auditEvent({
    requestObject: {
      roleRef: { name: 'edit' },
      subjects: [
        { kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }, { kind: 'ServiceAccount', name: 'orphan' },
        { kind: 'User' },
      ],
    },
  });
  assert.deepEqual(value(e, 'ka.req.binding.subjects.user_names'), ['alice']);
  assert.deepEqual(value(e, 'ka.req.binding.subjects.group_names'), ['devs']);
  assert.deepEqual(value(e, 'ka.req.binding.subjects.serviceaccount_names'), ['builder', 'orphan']);
  assert.deepEqual(value(e, 'ka.req.binding.subjects.serviceaccount_ns_names'), ['ci:builder']);
  assert.equal(value(e, 'ka.req.binding.role'), 'edit');
  assert.equal(value(auditEvent({ requestObject: { subjects: {} } }), 'ka.req.binding.subjects.user_names'), undefined);
});

test('ka.uri.param: decoding, empty values, unusable queries', () => {
  const param = (uri: string, key: string) => value(auditEvent({ requestURI: uri }), `ka.uri.param[${key}]`);
  assert.equal(param('/x?a=1&b=two+words&c=%2Fetc', 'b'), 'two words');
  assert.equal(param('/x?a=1&b=two+words&c=%2Fetc', 'c'), '/etc');
  assert.equal(param('/x?flag&a=1', 'flag'), '', 'a key without = has an empty value');
  assert.equal(param('/x?a=1#frag', 'a'), '1');
  assert.equal(param('/x?a=1;b=2', 'a'), undefined, 'Go refuses ; separators');
  assert.equal(param('/x?a=%zz', 'a'), undefined, 'bad escapes');
  assert.equal(param('/x', 'a'), undefined);
});

test('ka.target.pod.name only for pods without subresource', () => {
  const withResponse = (objectRef: object) => auditEvent({ objectRef, responseObject: { metadata: { name: 'p1' } } });
  assert.equal(value(withResponse({ resource: 'pods' }), 'ka.target.pod.name'), 'p1');
  assert.equal(value(withResponse({ resource: 'pods', subresource: '' }), 'ka.target.pod.name'), 'p1');
  assert.equal(value(withResponse({ resource: 'pods', subresource: 'log' }), 'ka.target.pod.name'), undefined);
  assert.equal(value(withResponse({ resource: 'deployments' }), 'ka.target.pod.name'), undefined);
});

test('json plugin: pointers, escapes, arrays, whole payload, json.obj, json.rawtime', () => {
  const e = auditEvent({
    annotations: { 'authorization.k8s.io/decision': 'allow', 'a/~b': 'slash-tilde' },
    items: [{ name: 'first' }, { name: 'second' }], flag: false, nothing: null,
  });
  assert.deepEqual(pointerKeys('/a~1~0b/~01'), ['a/~b', '~1']);
  assert.equal(value(e, 'json.value[/annotations/authorization.k8s.io~1decision]'), 'allow');
  assert.equal(value(e, 'jevt.value[/annotations/authorization.k8s.io~1decision]'), 'allow');
  assert.equal(value(e, 'json.value[/annotations/a~1~0b]'), 'slash-tilde');
  assert.equal(value(e, 'json.value[/a~1~0b]'), undefined);
  assert.equal(value(e, 'json.value[/items/1/name]'), 'second');
  assert.equal(value(e, 'json.value[items/0]'), '{"name":"first"}', 'leading slash optional; objects as compact JSON');
  assert.equal(value(e, 'json.value[/items/2]'), undefined);
  assert.equal(value(e, 'json.value[/flag]'), 'false');
  assert.equal(value(e, 'json.value[/nothing]'), 'null');
  assert.equal(value(e, 'json.value[/stageTimestamp]'), '2024-05-06T07:08:09.123456789Z');
  assert.equal(value(e, 'json.obj'), JSON.stringify(e.payload, null, 2));
  assert.match(value(e, 'jevt.obj') as string, /^\{\n {2}"kind": "Event",\n/);
  assert.equal(value(e, 'json.rawtime'), '1714979289123456789');
  assert.equal(value(e, 'jevt.rawtime'), '1714979289123456789');
});

test('generic evt fields of plugin events', () => {
  const events = eventsOf([
    { kind: 'Event', auditID: '1', stageTimestamp: '2024-05-06T07:08:09.5Z' },
    { kind: 'Event', auditID: '2', stageTimestamp: '2024-05-06T07:08:11.25Z' },
  ]);
  const [, second] = events;
  assert.equal(value(second!, 'evt.num'), 2);
  assert.equal(value(second!, 'evt.rawtime'), 1714979291250000000n);
  assert.equal(value(second!, 'evt.rawtime.s'), 1714979291n);
  assert.equal(value(second!, 'evt.rawtime.ns'), 250000000n);
  assert.equal(value(second!, 'evt.reltime'), 1750000000n, 'since the first event of the stream');
  assert.equal(text(second!, 'evt.reltime.ns'), '750000000');
  assert.equal(text(events[0]!, 'evt.reltime.ns'), '000000000');
  assert.equal(json(events[0]!, 'evt.reltime.ns'), 0n, 'JSON numbers, not padded text');
  assert.equal(value(second!, 'evt.source'), 'k8s_audit');
  assert.equal(value(second!, 'evt.pluginname'), 'k8saudit');
  assert.equal(value(second!, 'evt.plugininfo'), '{"kind":"Event","auditID":"2","stageTimestamp":"2024-05-06T07:08:11.25Z"}');
  assert.equal(value(second!, 'evt.is_async'), false);
  assert.equal(value(second!, 'evt.asynctype'), undefined);
  assert.equal(value(second!, 'evt.hostname'), 'test-host');
  assert.equal(value(second!, 'evt.time.iso8601'), '2024-05-06T07:08:11.250000000+0000');
  assert.equal(json(second!, 'evt.time'), 1714979291250000000n, 'time texts are the timestamp in JSON');
  assert.equal(value(second!, 'evt.time'), tsToString(1714979291250000000n, false, true), 'the same texts as syscall events');
  assert.match(value(second!, 'evt.datetime.s') as string, /^2024-05-0[67] \d\d:\d\d:11$/);
});

test('evt.time texts: local time of day, with the nanoseconds', () => {
  const [e] = eventsOf({ kind: 'Event', auditID: '1', stageTimestamp: '2024-05-06T07:08:11.25Z' });
  const offsetSeconds = -new Date(1714979291000).getTimezoneOffset() * 60;
  const local = new Date((1714979291 + offsetSeconds) * 1000);
  const hhmm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  assert.equal(value(e!, 'evt.time'), `${hhmm}:11.250000000`);
  assert.equal(value(e!, 'evt.time.s'), `${hhmm}:11`);
});
