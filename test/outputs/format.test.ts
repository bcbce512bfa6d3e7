import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Priority } from '../../src/engine/priority.js';
import { internalAlert, metricsSnapshotAlert, syscallEventDropAlert, resolveHostname } from '../../src/outputs/alert.js';
import { AlertFormatter, formatEventTime, formatEventTimeIso8601, formatJsonTime } from '../../src/outputs/format.js';
import { formatJsonDouble, JsonFloat, toFalcoJson } from '../../src/outputs/json.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { sampleAlert } from './helpers.js';

const TS = 1470327477881785348n; // 2016-08-04T16:17:57.881785348Z

/** Runs `fn` with the process time zone set to `tz`. */
function inZone<T>(tz: string, fn: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

/** JSON.parse keeping integers beyond 2^53 exact (as strings), to compare documents. */
function parseExact(text: string): unknown {
  return JSON.parse(text.replace(/(?<=[:,[])(-?\d{16,})(?=[,}\]])/g, '"$1"'));
}

test('timestamps: %evt.time in local time, %evt.time.iso8601 and the JSON time in UTC', () => {
  assert.equal(inZone('UTC', () => formatEventTime(TS)), '16:17:57.881785348');
  assert.equal(inZone('Asia/Kolkata', () => formatEventTime(TS)), '21:47:57.881785348');
  assert.equal(inZone('America/Sao_Paulo', () => formatEventTime(TS)), '13:17:57.881785348');
  assert.equal(formatEventTimeIso8601(TS), '2016-08-04T16:17:57.881785348+0000');
  assert.equal(formatJsonTime(TS), '2016-08-04T16:17:57.881785348Z');
  // Nanoseconds keep their leading zeros; the epoch itself formats.
  assert.equal(formatJsonTime(1_000_000_007n), '1970-01-01T00:00:01.000000007Z');
  assert.equal(inZone('UTC', () => formatEventTime(0n)), '00:00:00.000000000');
});

test('text alerts: "<time>: <Priority> <output>"', () => {
  const alert = sampleAlert(0, { output: 'An open was seen (command=cat /dev/null)' });
  const text = new AlertFormatter({ hostname: 'h' });
  assert.equal(inZone('UTC', () => text.format(alert)), '16:17:57.881785348: Warning An open was seen (command=cat /dev/null)');
  const iso = new AlertFormatter({ hostname: 'h', iso8601: true });
  assert.equal(iso.format(alert), '2016-08-04T16:17:57.881785348+0000: Warning An open was seen (command=cat /dev/null)');
  for (const [priority, name] of [[Priority.Emergency, 'Emergency'], [Priority.Informational, 'Informational'], [Priority.Debug, 'Debug']] as const) {
    assert.match(iso.format({ ...alert, priority }), new RegExp(`\\+0000: ${name} An open`));
  }
});

test('JSON alerts: Falco key order, sorted tags, time field in output_fields, exact bigint', () => {
  const alert = sampleAlert(0, {
    output: 'An open was seen (command=cat /dev/null)',
    outputFields: { 'proc.cmdline': 'cat /dev/null', 'fd.num': 3, 'proc.aname[2]': null, 'evt.rawtime': 1470327477881785348n, 'proc.args': ['-a', 'b"c'] },
    tags: ['testing', 'filesystem', 'process', 'testing'],
  });
  const json = new AlertFormatter({ hostname: 'test-falco-hostname', json: true, iso8601: true });
  assert.equal(json.format(alert),
    '{"hostname":"test-falco-hostname",' +
    '"output":"2016-08-04T16:17:57.881785348+0000: Warning An open was seen (command=cat /dev/null)",' +
    '"output_fields":{"evt.rawtime":1470327477881785348,"evt.time.iso8601":1470327477881785348,"fd.num":3,' +
    '"proc.aname[2]":null,"proc.args":["-a","b\\"c"],"proc.cmdline":"cat /dev/null"},' +
    '"priority":"Warning","rule":"open_from_cat","source":"syscall","tags":["filesystem","process","testing"],' +
    '"time":"2016-08-04T16:17:57.881785348Z"}');

  // Without ISO 8601 the prefix field is evt.time, still the integer timestamp.
  const plain = new AlertFormatter({ hostname: 'h', json: true });
  const doc = parseExact(plain.format(alert)) as Record<string, Record<string, unknown>>;
  assert.equal(doc.output_fields!['evt.time'], '1470327477881785348');
  assert.equal(doc.output_fields!['evt.time.iso8601'], undefined);
});

test('JSON alerts: the json_include_* options add and remove properties', () => {
  const alert = sampleAlert(1);
  const keys = (options: ConstructorParameters<typeof AlertFormatter>[0]): string[] =>
    Object.keys(JSON.parse(new AlertFormatter({ ...options, json: true }).format(alert)) as object);
  assert.deepEqual(keys({ hostname: 'h' }), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  assert.deepEqual(keys({ hostname: 'h', includeOutput: false, includeTags: false, includeOutputFields: false }),
    ['hostname', 'priority', 'rule', 'source', 'time']);
  assert.deepEqual(keys({ hostname: 'h', includeMessage: true }),
    ['hostname', 'message', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  const withMessage = JSON.parse(new AlertFormatter({ hostname: 'h', json: true, includeMessage: true }).format(alert)) as Record<string, string>;
  assert.equal(withMessage.message, alert.output);
  assert.ok(withMessage.output!.endsWith(`: Warning ${alert.output}`));
});

test('JSON and text alerts equal Falco 0.44.1 golden output (single_rule_with_cat_write)', (t) => {
  if (!corpusOrSkip(t)) return;
  const expectedJson = readFileSync(corpusPath('expected', 'single_rule_with_cat_write.falco-0.44.json'), 'utf8').trim().split('\n');
  const expectedText = readFileSync(corpusPath('expected', 'single_rule_with_cat_write.falco-0.44.txt'), 'utf8').trim().split('\n');
  const json = new AlertFormatter({ hostname: 'test-falco-hostname', json: true, iso8601: true });
  const text = new AlertFormatter({ hostname: 'test-falco-hostname', iso8601: true });
  assert.equal(expectedJson.length, 4);
  expectedJson.forEach((line, i) => {
    const expected = parseExact(line) as { time: string; rule: string; tags: string[]; output_fields: Record<string, string> };
    const alert = {
      time: BigInt(expected.output_fields['evt.time.iso8601']!),
      rule: expected.rule,
      priority: Priority.Warning,
      source: 'syscall',
      tags: ['testing', 'process', 'filesystem'],
      output: `An open was seen (command=${expected.output_fields['proc.cmdline']})`,
      outputFields: { 'proc.cmdline': expected.output_fields['proc.cmdline']! },
    };
    assert.deepEqual(parseExact(json.format(alert)), expected);
    assert.equal(text.format(alert), expectedText[i]);
  });
});

test('internal alerts: text lists the fields after the message; JSON has no tags', () => {
  const drop = syscallEventDropAlert({ n_evts: 1000, n_drops: 5, n_drops_buffer: 5, n_drops_buffer_open_exit: 5 }, true, TS);
  const text = new AlertFormatter({ hostname: 'h', iso8601: true }); // internal text ignores ISO 8601
  assert.equal(inZone('UTC', () => text.format(drop)),
    '16:17:57.881785348: Debug Falco internal: syscall event drop. 5 system calls dropped in last second. (' +
    'ebpf_enabled="1" n_drops="5" n_drops_buffer_clone_fork_exit="0" n_drops_buffer_close_exit="0" ' +
    'n_drops_buffer_connect_exit="0" n_drops_buffer_dir_file_exit="0" n_drops_buffer_execve_exit="0" ' +
    'n_drops_buffer_open_exit="5" n_drops_buffer_other_interest_exit="0" n_drops_buffer_proc_exit="0" ' +
    'n_drops_buffer_total="5" n_drops_bug="0" n_drops_page_faults="0" n_drops_scratch_map="0" n_evts="1000")');

  const json = new AlertFormatter({ hostname: 'node-1', json: true });
  const snapshot = metricsSnapshotAlert({ 'evt.time': TS, 'falco.cpu_usage_perc': new JsonFloat(2), 'falco.version': '0.1.0', 'falco.num_evts': 12 }, TS);
  assert.equal(json.format(snapshot),
    '{"hostname":"node-1","output":"Falco metrics snapshot","output_fields":{"evt.time":1470327477881785348,' +
    '"falco.cpu_usage_perc":2.0,"falco.num_evts":12,"falco.version":"0.1.0"},"priority":"Informational",' +
    '"rule":"Falco internal: metrics snapshot","source":"internal","time":"2016-08-04T16:17:57.881785348Z"}');

  const custom = internalAlert('Falco internal: test', 'message', Priority.Notice, { a: true, b: null, c: 1.5 }, TS);
  assert.equal(inZone('UTC', () => text.format(custom)), '16:17:57.881785348: Notice message (a=true b=null c=1.5)');
});

test('JSON numbers and strings as nlohmann::json prints them', () => {
  const cases: [number, string][] = [
    [2, '2.0'], [0.1, '0.1'], [-1.5, '-1.5'], [123.456, '123.456'], [1e14, '100000000000000.0'],
    [1e15, '1e+15'], [1.5e300, '1.5e+300'], [0.0001, '0.0001'], [1e-5, '1e-05'], [2.5e-7, '2.5e-07'],
    [0, '0.0'], [NaN, 'null'], [Infinity, 'null'], [33.3, '33.3'],
  ];
  for (const [value, expected] of cases) assert.equal(formatJsonDouble(value), expected, String(value));
  assert.equal(toFalcoJson({ b: 1, a: [true, null, 'x\n\u0001é'], c: 2n ** 64n - 1n, d: 3.25, e: -0 }),
    '{"a":[true,null,"x\\n\\u0001é"],"b":1,"c":18446744073709551615,"d":3.25,"e":0}');
});

test('hostname comes from FALCO_HOSTNAME, else the system', () => {
  assert.equal(resolveHostname({ FALCO_HOSTNAME: 'pod-on-node-7' }), 'pod-on-node-7');
  assert.ok(resolveHostname({}).length > 0);
});
