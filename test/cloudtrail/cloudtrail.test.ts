// The aws_cloudtrail source (Peregrine's cloudtrail plugin): field values as the Go plugin
// computes them, the reading of CloudTrail log files (directories walked in name order, gzip,
// records kept as written, skipped records counted), and the agent running Falco's cloudtrail
// rules on them.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  CloudTrailSource, cloudTrailFiles, CloudTrailOpenError, createCloudTrailSourceDefinition, parseEventTime, recordTexts,
  type CloudTrailEvent,
} from '../../src/sources/cloudtrail/index.js';
import { jsonAlerts, runPeregrine, tempDir, testConfig } from '../agent/helpers.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';

const definition = createCloudTrailSourceDefinition();

/** The value of `field` for a record (undefined: no value). */
function value(field: string, record: Record<string, unknown>): unknown {
  const bound = definition.fields.bindText(field);
  assert.ok(bound, `field ${field}`);
  const evt = { payload: record, ts: 0n, num: 1, stream: { source: 'aws_cloudtrail', pluginName: 'cloudtrail', hostname: '', firstEventTs: 0n },
    info: () => '', payloadText: () => JSON.stringify(record) } as unknown as CloudTrailEvent;
  return bound.extract(evt);
}

const base = {
  eventVersion: '1.08', eventTime: '2024-05-01T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject',
  awsRegion: 'eu-west-1', sourceIPAddress: '203.0.113.7', userAgent: 'aws-cli/2', eventType: 'AwsApiCall', eventID: 'e-1',
  userIdentity: { type: 'IAMUser', userName: 'bob', accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/bob', principalId: 'AID1' },
};

test('ct.* fields: strings as they are, other present values as "", missing ones without value', () => {
  assert.equal(value('ct.id', base), 'e-1');
  assert.equal(value('ct.src', base), 's3.amazonaws.com');
  assert.equal(value('ct.shortsrc', base), 's3');
  assert.equal(value('ct.shortsrc', { ...base, eventSource: 'custom' }), 'custom');
  assert.equal(value('ct.error', base), undefined);
  assert.equal(value('ct.error', { ...base, errorCode: 'AccessDenied' }), 'AccessDenied');
  assert.equal(value('ct.serviceeventdetails', { ...base, serviceEventDetails: { a: 1 } }), '', 'an object is not a string');
  assert.equal(value('ct.requestid', { ...base, requestID: null }), '');
  assert.equal(value('ct.user.accountid', base), '111122223333');
  assert.equal(value('ct.user.accountid', { ...base, userIdentity: { type: 'AWSService' }, recipientAccountId: '444' }), '444');
  assert.equal(value('ct.request.documentname', { ...base, requestParameters: { documentName: 'd', documentname: 'd' } }), undefined,
    'never a value, as in the plugin');
  assert.equal(value('ct.request', { ...base, requestParameters: { bucketName: 'b', key: 'k/1' } }), '{"bucketName":"b","key":"k/1"}');
  assert.equal(value('ct.resources', { ...base, resources: [{ ARN: 'a' }, { ARN: 'b' }] }), '{"ARN":"a"},{"ARN":"b"}');
  assert.equal(value('ct.resources', { ...base, resources: [] }), undefined);
  assert.equal(value('ct.managementevent', { ...base, managementEvent: true }), 'true');
  assert.equal(value('ct.managementevent', { ...base, managementEvent: 'yes' }), 'false');
  assert.equal(value('ct.readonly', { ...base, readOnly: true }), 'true');
  assert.equal(value('ct.readonly', { ...base, readOnly: false }), 'false');
  assert.equal(value('ct.readonly', base), undefined);
});

test('ct.user and ct.originaluser by identity type', () => {
  const withIdentity = (userIdentity: Record<string, unknown>): Record<string, unknown> => ({ ...base, userIdentity });
  assert.equal(value('ct.user', base), 'bob');
  assert.equal(value('ct.user', withIdentity({ type: 'Root' })), undefined);
  assert.equal(value('ct.user', withIdentity({ type: 'AWSService', invokedBy: 'lambda.amazonaws.com' })), 'lambda.amazonaws.com');
  assert.equal(value('ct.user', withIdentity({ type: 'AWSAccount' })), 'AWSAccount');
  assert.equal(value('ct.user', withIdentity({ type: 'SomethingNew' })), undefined);
  const role = { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/Admin/alice-session', principalId: 'AROA1:alice-p',
    sessionContext: { sessionIssuer: { userName: 'Admin' } } };
  assert.equal(value('ct.user', withIdentity(role)), 'Admin');
  assert.equal(value('ct.user', withIdentity({ type: 'AssumedRole' })), 'AssumedRole');
  assert.equal(value('ct.originaluser', withIdentity(role)), 'alice-session');
  assert.equal(value('ct.originaluser', withIdentity({ ...role, arn: 'arn:aws:sts::1:x' })), 'alice-p', 'from the principal id');
  assert.equal(value('ct.originaluser', base), 'bob');
});

test('s3, ec2 and iam fields', () => {
  const get = { ...base, requestParameters: { bucketName: 'logs', key: 'a/b.txt' }, additionalEventData: { bytesTransferredIn: 0, bytesTransferredOut: 33.0 } };
  assert.equal(value('s3.uri', get), 's3://logs/a/b.txt');
  assert.equal(value('s3.bucket', get), 'logs');
  assert.equal(value('s3.bytes', get), 33);
  assert.equal(value('s3.bytes.out', get), 33);
  assert.equal(value('s3.bytes', base), undefined);
  assert.equal(value('s3.cnt.get', get), 1);
  assert.equal(value('s3.cnt.put', get), undefined);
  assert.equal(value('s3.cnt.other', get), undefined);
  assert.equal(value('s3.cnt.other', { ...base, eventName: 'ListBuckets' }), 1);
  const run = {
    ...base, eventName: 'RunInstances',
    requestParameters: { tagSpecificationSet: { items: [{ resourceType: 'volume', tags: [{ key: 'Name', value: 'disk' }] },
      { resourceType: 'instance', tags: [{ key: 'Env', value: 'x' }, { key: 'Name', value: 'web-1' }] }] } },
    responseElements: { instancesSet: { items: [{ imageId: 'ami-1' }, { imageId: 'ami-2' }, {}] } },
  };
  assert.equal(value('ec2.name', run), 'web-1');
  assert.deepEqual(value('ec2.imageids', run), ['ami-1', 'ami-2']);
  assert.deepEqual(definition.fields.bindText('ec2.imageids[1]')!.extract({ payload: run } as unknown as CloudTrailEvent), ['ami-2']);
  assert.equal(definition.fields.bindText('ec2.imageids[2]')!.extract({ payload: run } as unknown as CloudTrailEvent), undefined);
  assert.equal(value('ec2.imageid', run), 'ami-1');
  assert.equal(value('ec2.imageid', { ...base, requestParameters: { imageId: 'ami-9' } }), 'ami-9');
  assert.equal(value('iam.role', { ...base, requestParameters: { roleName: 'r' } }), 'r');
});

test('ct.info: who, from where, read or write, what, with S3 details', () => {
  const get = { ...base, requestParameters: { bucketName: 'logs', key: 'k' }, additionalEventData: { bytesTransferredOut: 10 }, readOnly: true };
  assert.equal(value('ct.info', get), 'bob via 203.0.113.7 ← GetObject Size=10 URI=s3://logs/k');
  assert.equal(value('ct.info', { ...base, eventName: 'DeleteBucket', readOnly: false, errorCode: 'x', requestParameters: { bucketName: 'b' } }),
    'bob via 203.0.113.7 !→ DeleteBucket Bucket=b');
  assert.equal(value('ct.info', { ...base, sourceIPAddress: 'bob' }), 'bob ← GetObject');
  assert.equal(value('ct.info', { ...base, userIdentity: { type: 'Root' } }), '<invalid cloudtrail event: userIdentity field missing>');
});

test('event times: RFC 3339 with fractions and offsets', () => {
  assert.equal(parseEventTime('2014-03-06T21:22:54Z'), 1394140974000000000n);
  assert.equal(parseEventTime('2014-03-06T21:22:54.5Z'), 1394140974500000000n);
  assert.equal(parseEventTime('2014-03-06T23:22:54+02:00'), 1394140974000000000n);
  assert.equal(parseEventTime('2014-03-06 21:22:54'), undefined);
});

test('records are cut from the file as written, braces inside strings ignored', () => {
  const text = '{"Records": [\n {"a": "x{y}", "b": {"c": 1}},\n{"d": "\\"}"}\n]}';
  assert.deepEqual(recordTexts(text), ['{"a": "x{y}", "b": {"c": 1}}', '{"d": "\\"}"}']);
});

test('files: a directory walked in name order (json and json.gz), records delivered in order, bad ones counted', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'b'));
  const rec = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...base, eventID: id, ...extra });
  writeFileSync(path.join(dir, 'b', '2.json.gz'), gzipSync(JSON.stringify({ Records: [rec('3')] })));
  writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ Records: [rec('1'), rec('x', { eventTime: 'yesterday' }), rec('2'),
    rec('i', { eventType: 'AwsCloudTrailInsight' })] }));
  writeFileSync(path.join(dir, 'notes.txt'), 'not a log');
  assert.deepEqual(cloudTrailFiles(dir).map((f) => path.relative(dir, f)), ['a.json', 'b/2.json.gz']);
  const source = CloudTrailSource.open({ openParams: dir, hostname: 'h' });
  const id = source.definition.fields.bindText('ct.id')!;
  const num = source.definition.fields.bindText('evt.num')!;
  const got: unknown[] = [];
  for await (const evt of source) got.push([num.extract(evt), id.extract(evt), evt.payloadText().startsWith('{"eventVersion"')]);
  assert.deepEqual(got, [[1, '1', true], [2, '2', true], [3, '3', true]]);
  assert.deepEqual(source.counters, {
    inputs: 2, events: 3, rejected: { not_json: 0, no_event_time: 1, no_event_type: 0, insight: 1, unreadable_file: 0 },
  });
});

test('open_params that cannot be read are refused with the plugin\'s messages', (t) => {
  const dir = tempDir(t);
  assert.throws(() => cloudTrailFiles(''), /missing input directory argument/);
  assert.throws(() => cloudTrailFiles(path.join(dir, 'none')), /cloudtrail plugin error: cannot open/);
  assert.throws(() => cloudTrailFiles(dir), /no json files found in/);
  assert.throws(() => cloudTrailFiles('s3://bucket/prefix'), (e: Error) => e instanceof CloudTrailOpenError && /not supported/.test(e.message));
});

function pluginsConfig(dir: string, openParams: string): string {
  return testConfig(dir, [
    'json_output: true',
    'plugins:',
    '  - {name: cloudtrail, library_path: libcloudtrail.so, init_config: "", open_params: "' + openParams + '"}',
    '  - {name: json, library_path: libjson.so, init_config: ""}',
    'load_plugins: [cloudtrail, json]',
  ].join('\n'));
}

test('the agent runs Falco\'s cloudtrail regression rule on the corpus events', async (t) => {
  if (!corpusOrSkip(t)) return;
  for (const input of ['alice_start_instances.json', 'alice_start_instances_bigevent.json']) {
    const dir = tempDir(t);
    const config = pluginsConfig(dir, corpusPath('plugin-events', 'cloudtrail', input));
    const r = await runPeregrine(['-c', config, '-r', corpusPath('rules', 'plugins', 'cloudtrail_create_instances.yaml'),
      '-o', 'engine.kind=nodriver', '--enable-source', 'aws_cloudtrail']);
    assert.equal(r.code, 0, r.stderr);
    const alerts = jsonAlerts(r.stdout);
    assert.equal(alerts.length, 1, input);
    assert.equal(alerts[0]!.rule, 'Cloudtrail Create Instance');
    assert.equal(alerts[0]!.priority, 'Informational');
    assert.equal(alerts[0]!.source, 'aws_cloudtrail');
    assert.match(String(alerts[0]!.output), /EC2 Instance Created \(evtnum=1 info=Alice via 205\.251\.233\.176 ← StartInstances id=<NA> user name=Alice\)/);
    assert.match(r.stderr, /Opening 'aws_cloudtrail' source with plugin 'cloudtrail'/);
  }
});

test('Falco\'s upstream cloudtrail rules validate and fire on matching records', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = corpusPath('upstream-rules', 'plugins', 'cloudtrail', 'aws_cloudtrail_rules.yaml');
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  writeFileSync(path.join(logs, 'trail.json'), JSON.stringify({ Records: [
    { ...base, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn',
      responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No' } },
    { ...base, eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'mallory' } },
    { ...base, eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', errorCode: 'AccessDenied', requestParameters: { userName: 'eve' } },
  ] }));
  const config = pluginsConfig(dir, logs);
  const validate = await runPeregrine(['-c', config, '-V', rules]);
  assert.equal(validate.code, 0, validate.stderr);
  const [result] = (JSON.parse(validate.stdout) as { falco_load_results: { successful: boolean; errors: unknown[]; warnings: unknown[] }[] })
    .falco_load_results;
  assert.deepEqual([result!.successful, result!.errors, result!.warnings], [true, [], []]);
  const r = await runPeregrine(['-c', config, '-r', rules, '-o', 'engine.kind=nodriver', '--enable-source', 'aws_cloudtrail']);
  assert.equal(r.code, 0, r.stderr);
  const byRule = jsonAlerts(r.stdout).map((a) => [a.rule, a.priority, (a.output_fields as Record<string, unknown>)['ct.user']]);
  assert.deepEqual(byRule, [['Console Login Without MFA', 'Critical', 'bob'], ['Create AWS user', 'Informational', 'bob']]);
  const created = jsonAlerts(r.stdout)[1]!;
  assert.equal((created.output_fields as Record<string, unknown>)['ct.request.username'], 'mallory');
});

test('without the cloudtrail plugin its rules are of an unknown source (Falco\'s warning)', async (t) => {
  if (!corpusOrSkip(t)) return;
  const r = await runPeregrine(['-V', corpusPath('rules', 'plugins', 'cloudtrail_create_instances.yaml'), '-o', 'json_output=true']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Unknown source aws_cloudtrail, skipping/);
});
