// Payloads to audit events (Event, EventList, arrays; times; sizes) and the splitting of log files
// into JSON documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentSplitter, type DocumentItem } from '../../src/sources/k8s-audit/documents.js';
import { K8sAuditStream } from '../../src/sources/k8s-audit/event.js';
import { compactJsonSize, NOT_AUDIT_MESSAGE, parseAuditPayload, parseRfc3339Nano } from '../../src/sources/k8s-audit/parse.js';

const stream = new K8sAuditStream('h');
const event = (id: string, extra: object = {}) => ({ kind: 'Event', auditID: id, stageTimestamp: '2024-01-02T03:04:05.000006Z', ...extra });
const parse = (payload: unknown, maxEventSize = 262144) => parseAuditPayload(JSON.stringify(payload), stream, maxEventSize);
const ids = (payload: unknown, maxEventSize?: number) => parse(payload, maxEventSize).events.map((e) => e.get('auditID'));
const reasons = (payload: unknown, maxEventSize?: number) => parse(payload, maxEventSize).problems.map((p) => p.reason);

test('an Event, an EventList, and arrays of them give their events in order', () => {
  assert.deepEqual(ids(event('a')), ['a']);
  assert.deepEqual(ids({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [event('a'), event('b')] }), ['a', 'b']);
  assert.deepEqual(ids([event('a'), { kind: 'EventList', items: [event('b')] }, [event('c')]]), ['a', 'b', 'c']);
  assert.deepEqual(ids({ kind: 'EventList', items: [] }), []);
  assert.deepEqual(reasons({ kind: 'EventList', items: [] }), []);
  const e = parse(event('a')).events[0]!;
  assert.equal(e.ts, 1704164645000006000n);
  assert.equal(e.payloadText(), JSON.stringify(event('a')));
});

test('what is not an audit event is refused with the plugin\'s message; the rest is kept', () => {
  assert.deepEqual(parse({ kind: 0 }).problems, [{ reason: 'not_audit_event', message: NOT_AUDIT_MESSAGE }]);
  assert.deepEqual(reasons({ kind: 'Pod' }), ['not_audit_event']);
  assert.deepEqual(reasons({ kind: 'EventList', items: {} }), ['not_audit_event']);
  assert.deepEqual(reasons('Event'), ['not_audit_event']);
  assert.deepEqual(reasons(null), ['not_audit_event']);
  assert.deepEqual(ids([event('a'), { kind: 'Pod' }, event('b')]), ['a', 'b']);
  assert.deepEqual(reasons([event('a'), { kind: 'Pod' }, event('b')]), ['not_audit_event']);
  assert.deepEqual(reasons({ kind: 'EventList', items: [event('a'), 7] }), ['not_audit_event']);
  const bad = parseAuditPayload('{"kind":"Event",', stream, 1000);
  assert.equal(bad.problems[0]!.reason, 'invalid_json');
  assert.match(bad.problems[0]!.message, /^invalid JSON: /);
});

test('times: stageTimestamp, else requestReceivedTimestamp; refused when missing or invalid', () => {
  const { events } = parse({ kind: 'Event', auditID: 'x', requestReceivedTimestamp: '2024-01-02T03:04:05Z' });
  assert.equal(events[0]!.ts, 1704164645000000000n);
  const noTime = parse({ kind: 'Event', auditID: 'x' });
  assert.deepEqual(noTime.problems, [{ reason: 'invalid_timestamp', message: "can't read stageTimestamp (auditID x)" }]);
  assert.deepEqual(reasons({ kind: 'Event', stageTimestamp: 'yesterday' }), ['invalid_timestamp']);
  assert.deepEqual(reasons({ kind: 'Event', stageTimestamp: 1704164645 }), ['invalid_timestamp']);
});

test('RFC 3339 times as Go parses them', () => {
  assert.equal(parseRfc3339Nano('2019-02-04T07:54:49.458597Z'), 1549266889458597000n);
  assert.equal(parseRfc3339Nano('2019-02-04T07:54:49Z'), 1549266889000000000n);
  assert.equal(parseRfc3339Nano('2019-02-04T09:54:49.1+02:00'), 1549266889100000000n);
  assert.equal(parseRfc3339Nano('2019-02-04T07:24:49.123456789123-00:30'), 1549266889123456789n, 'digits past the ninth ignored');
  assert.equal(parseRfc3339Nano('2024-02-29T00:00:00Z'), 1709164800000000000n, 'leap day');
  for (const bad of ['2023-02-29T00:00:00Z', '2019-13-01T00:00:00Z', '2019-02-04T24:00:00Z', '2019-02-04 07:54:49Z',
    '2019-02-04T07:54:49', '2019-02-04T07:54:60Z', '1969-12-31T23:59:59Z', '2019-02-04T07:54:49+2:00', '']) {
    assert.equal(parseRfc3339Nano(bad), undefined, bad);
  }
});

test('maxEventSize: larger events are refused by their compact size, the others kept', () => {
  const small = event('small');
  const large = event('large', { requestObject: { data: 'x'.repeat(500) } });
  const size = JSON.stringify(large).length;
  assert.deepEqual(ids({ kind: 'EventList', items: [small, large] }, size), ['small', 'large'], 'at the limit: accepted');
  const result = parse({ kind: 'EventList', items: [small, large] }, size - 1);
  assert.deepEqual(result.events.map((e) => e.get('auditID')), ['small']);
  assert.deepEqual(result.problems, [{
    reason: 'event_too_large',
    message: `event larger than maxEventSize: size=${size} (maxEventSize=${size - 1}) (auditID large)`,
  }]);
  // Sizes are those of the compact text, whatever the layout of the payload.
  const pretty = parseAuditPayload(JSON.stringify(large, null, 8), stream, size);
  assert.deepEqual(pretty.events.map((e) => e.get('auditID')), ['large']);
  // Bytes, not characters.
  const wide = event('wide', { note: 'é'.repeat(100) });
  const wideBytes = Buffer.byteLength(JSON.stringify(wide));
  assert.deepEqual(reasons(wide, wideBytes - 1), ['event_too_large']);
  assert.deepEqual(reasons(wide, wideBytes), []);
});

test('event sizes are computed exactly as the bytes of the compact JSON text', () => {
  const values = [
    null, true, false, 0, -1.5, 1e21, 123456789012, '', 'plain', 'quote " backslash \\ slash /', 'tab\tnew\nline\u0001\u001f',
    'é ü 中文 🚀', '\ud800 lone', 'end \udc00', [], {}, [1, [2, [3]]], { a: { 'key "q"': ['x', null, { é: 'ü' }] } },
    JSON.parse(JSON.stringify({ kind: 'Event', annotations: { 'authorization.k8s.io/reason': 'RBAC: allowed by "x"' } })),
  ];
  for (const v of values) assert.equal(compactJsonSize(v), Buffer.byteLength(JSON.stringify(v)), JSON.stringify(v));
  // Counting stops past the limit.
  assert.ok(compactJsonSize({ a: 'x'.repeat(1000), b: 'y'.repeat(1000) }, 10) > 10);
});

function split(lines: string[], maxBytes = 1 << 20): DocumentItem[] {
  const items: DocumentItem[] = [];
  const splitter = new DocumentSplitter((item) => items.push(item), maxBytes);
  lines.forEach((line, i) => splitter.push(line, i + 1));
  splitter.end();
  return items;
}

const summary = (items: DocumentItem[]) => items.map((i) => (i.kind === 'document' ? `doc ${i.firstLine}-${i.lastLine}` : `error ${i.firstLine}-${i.lastLine}`));

test('documents: JSON lines, blank lines, bad lines', () => {
  const items = split(['{"a":1}', '', '   ', 'not json', '[1,2]', '"text"']);
  assert.deepEqual(summary(items), ['doc 1-1', 'error 4-4', 'doc 5-5', 'doc 6-6']);
  assert.match((items[1] as { message: string }).message, /^invalid JSON: /);
});

test('documents: pretty-printed documents over several lines', () => {
  const doc = JSON.stringify({ kind: 'EventList', items: [{ a: '{[not brackets]}' }, { b: 'quote \\" and }' }] }, null, 2).split('\n');
  const items = split(['{"x":1}', ...doc, '{"y":2}', ...doc]);
  assert.deepEqual(summary(items), ['doc 1-1', `doc 2-${doc.length + 1}`, `doc ${doc.length + 2}-${doc.length + 2}`,
    `doc ${doc.length + 3}-${2 * doc.length + 2}`]);
  const second = items[1] as unknown as { value: { items: unknown[] } };
  assert.equal(second.value.items.length, 2);
});

test('documents: a truncated line does not take the next documents with it', () => {
  assert.deepEqual(summary(split(['{"kind":"Event","a":{"b":1', '{"ok":1}', '{"ok":2}'])), ['error 1-1', 'doc 2-2', 'doc 3-3']);
  // Unterminated string: JSON strings cannot span lines, so the line is an error on its own.
  assert.deepEqual(summary(split(['{"kind":"Event","a":"abc', '  "x"}', '{"ok":1}'])), ['error 1-1', 'error 2-2', 'doc 3-3']);
  assert.deepEqual(summary(split(['{', '  "a": "abc', '}', '{"ok":1}'])), ['error 1-2', 'error 3-3', 'doc 4-4']);
  // A document still open at the end of the input.
  const items = split(['{"ok":1}', '{', '  "a": 1,']);
  assert.deepEqual(summary(items), ['doc 1-1', 'error 2-3']);
  assert.match((items[1] as { message: string }).message, /^invalid JSON: incomplete document at the end of the input$/);
  // Balanced but invalid.
  assert.deepEqual(summary(split(['{', '  "a": 1 2', '}', '{"ok":1}'])), ['error 1-3', 'doc 4-4']);
});

test('documents: an oversized multi-line document is refused whole, then reading resumes', () => {
  const big = ['{', ...Array.from({ length: 50 }, (_, i) => `  "k${i}": "${'v'.repeat(40)}",`), '  "end": 1', '}'];
  const items = split([...big, '{"ok":1}', '[', '1', ']'], 1000);
  assert.deepEqual(summary(items), ['error 1-1', `doc ${big.length + 1}-${big.length + 1}`, `doc ${big.length + 2}-${big.length + 4}`]);
  assert.match((items[0] as { message: string }).message, /JSON document larger than 1000 bytes/);
});
