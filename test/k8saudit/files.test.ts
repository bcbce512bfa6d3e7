// The k8s_audit source reading files (the plugin's plain-path open_params) and following a log
// file (file://): corpus files, directories, malformed input, rotation and truncation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, renameSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { K8sAuditOpenError } from '../../src/sources/k8s-audit/config.js';
import type { K8sAuditEvent } from '../../src/sources/k8s-audit/event.js';
import { K8sAuditSource } from '../../src/sources/k8s-audit/source.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { captureLog, tempDir, waitFor } from '../outputs/helpers.js';

const line = (id: string, second = 0) => JSON.stringify({ kind: 'Event', auditID: id, stageTimestamp: `2024-01-01T00:00:${String(second).padStart(2, '0')}Z` });

async function readAll(source: K8sAuditSource): Promise<K8sAuditEvent[]> {
  const events: K8sAuditEvent[] = [];
  for await (const evt of source) events.push(evt);
  return events;
}

/** The next `n` events, failing after `timeoutMs`. */
async function take(source: K8sAuditSource, n: number, timeoutMs = 5000): Promise<K8sAuditEvent[]> {
  const events: K8sAuditEvent[] = [];
  const deadline = setTimeout(() => undefined, timeoutMs);
  try {
    while (events.length < n) {
      const next = await Promise.race([
        source.next(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref()),
      ]);
      if (next === 'timeout') throw new Error(`timed out after ${events.length} of ${n} events`);
      if (next.done) break;
      events.push(next.value);
    }
  } finally {
    clearTimeout(deadline);
  }
  return events;
}

test('every corpus audit file reads as the plugin reads it; the non-audit one is an error naming file and line', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = corpusPath('k8s-audit');
  const log = captureLog();
  try {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const file = path.join(dir, name);
      const expected = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '' && /"kind":\s*"Event"/.test(l)).length;
      const source = await K8sAuditSource.open({ openParams: file, hostname: 'h' });
      const events = await readAll(source);
      assert.equal(events.length, expected, name);
      assert.deepEqual(events.map((e) => e.num), events.map((_, i) => i + 1), `${name}: numbered from 1`);
      if (name === 'fal_01_003.json') {
        assert.equal(source.counters.rejected.not_audit_event, 1);
        assert.equal(source.counters.inputs, 1);
        assert.ok(log.messages.some((m) => m.level === 'error' && m.message === `k8saudit: ${file}:1: data not recognized as a k8s audit event`),
          JSON.stringify(log.messages));
      } else {
        assert.equal(Object.values(source.counters.rejected).reduce((a, b) => a + b, 0), 0, name);
        assert.equal(source.counters.events, expected);
      }
    }
  } finally {
    log.restore();
  }
});

test('a directory: every regular file, oldest first; bad lines counted and located', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  const log = captureLog();
  try {
    const dir = path.join(tmp.dir, 'logs');
    const write = (name: string, text: string, mtime: number) => {
      writeFileSync(path.join(tmp.dir, 'logs', name), text);
      utimesSync(path.join(tmp.dir, 'logs', name), mtime, mtime);
    };
    writeFileSync(path.join(tmp.dir, 'placeholder'), '');
    (await import('node:fs')).mkdirSync(dir);
    (await import('node:fs')).mkdirSync(path.join(dir, 'subdir'));
    write('b-newest.log', `${line('b1')}\n`, 3000);
    write('a-oldest.log', `${line('a1')}\r\n{"kind":"Event"\r\n${line('a2')}\r\n`, 1000);
    write('c-middle.log', `[${line('c1')},${line('c2')}]\n{"kind":"Pod"}\n${line('c3')}`, 2000);
    const source = await K8sAuditSource.open({ openParams: ` ${dir} ` });
    const events = await readAll(source);
    assert.deepEqual(events.map((e) => e.get('auditID')), ['a1', 'a2', 'c1', 'c2', 'c3', 'b1']);
    assert.deepEqual(events.map((e) => e.num), [1, 2, 3, 4, 5, 6]);
    assert.equal(source.counters.events, 6);
    assert.equal(source.counters.inputs, 7, 'documents read, bad ones included');
    assert.equal(source.counters.rejected.invalid_json, 1);
    assert.equal(source.counters.rejected.not_audit_event, 1);
    const errors = log.messages.filter((m) => m.level === 'error').map((m) => m.message);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, new RegExp(`^k8saudit: ${path.join(dir, 'a-oldest.log')}:2: invalid JSON: `));
    assert.equal(errors[1], `k8saudit: ${path.join(dir, 'c-middle.log')}:2: data not recognized as a k8s audit event`);
  } finally {
    log.restore();
    tmp.cleanup();
  }
});

test('a pretty-printed EventList file (kubectl -o json) reads whole', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  try {
    const file = path.join(tmp.dir, 'list.json');
    const list = { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [JSON.parse(line('p1')), JSON.parse(line('p2'))] };
    writeFileSync(file, JSON.stringify(list, null, 4) + '\n');
    const events = await readAll(await K8sAuditSource.open({ openParams: file }));
    assert.deepEqual(events.map((e) => e.get('auditID')), ['p1', 'p2']);
  } finally {
    tmp.cleanup();
  }
});

test('open errors name the path and the reason', async () => {
  await assert.rejects(K8sAuditSource.open({ openParams: '/nonexistent/audit.log' }),
    (err: Error) => err instanceof K8sAuditOpenError && err.message === "cannot open '/nonexistent/audit.log': no such file or directory");
  await assert.rejects(K8sAuditSource.open({ openParams: '' }), /open_params is empty/);
  await assert.rejects(K8sAuditSource.open({ openParams: 'ftp://host/x' }), /scheme "ftp" is not supported/);
  await assert.rejects(K8sAuditSource.open({ openParams: 'file://relative/audit.log' }), /needs an absolute path/);
  await assert.rejects(K8sAuditSource.open({ openParams: 'file:///nonexistent-dir/audit.log' }), /cannot follow '\/nonexistent-dir\/audit.log': no such file or directory/);
});

test('stop() ends a long read early', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  try {
    const file = path.join(tmp.dir, 'big.log');
    writeFileSync(file, Array.from({ length: 20000 }, (_, i) => line(`e${i}`)).join('\n'));
    const source = await K8sAuditSource.open({ openParams: file });
    const first = await take(source, 10);
    assert.equal(first.length, 10);
    await source.stop();
    const rest = await readAll(source);
    assert.ok(rest.length < 19990, `stopped early (${rest.length} more events)`);
  } finally {
    tmp.cleanup();
  }
});

test('file://: follows from the end, through partial lines, truncation and rotation', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  const log = captureLog();
  const file = path.join(tmp.dir, 'audit.log');
  writeFileSync(file, `${line('old1')}\n${line('old2')}\n`);
  const source = await K8sAuditSource.open({ openParams: `file://${file}` });
  try {
    appendFileSync(file, `${line('new1')}\n${line('new2')}\n`);
    assert.deepEqual((await take(source, 2)).map((e) => e.get('auditID')), ['new1', 'new2'], 'existing content is skipped');

    // A line written in two parts is delivered once complete.
    const partial = line('split');
    appendFileSync(file, partial.slice(0, 20));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(source.pending, 0);
    appendFileSync(file, `${partial.slice(20)}\nnot json\n`);
    assert.deepEqual((await take(source, 1)).map((e) => e.get('auditID')), ['split']);
    await waitFor('the bad line to be counted', () => source.counters.rejected.invalid_json === 1);
    assert.ok(log.messages.some((m) => new RegExp(`^k8saudit: ${file} at byte \\d+: invalid JSON`).test(m.message)), JSON.stringify(log.messages));

    // copytruncate: the file is emptied and written again from its start.
    truncateSync(file, 0);
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(file, `${line('after-truncate')}\n`);
    assert.deepEqual((await take(source, 1)).map((e) => e.get('auditID')), ['after-truncate']);

    // Rotation: the file is renamed and a new one created.
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, `${line('late-in-old')}\n`);
    writeFileSync(file, `${line('in-new')}\n`);
    assert.deepEqual((await take(source, 2)).map((e) => e.get('auditID')).sort(), ['in-new', 'late-in-old']);
    assert.equal(source.counters.events, 6);
  } finally {
    await source.stop();
    log.restore();
    tmp.cleanup();
  }
  assert.deepEqual(await readAll(source), [], 'the iterator ends after stop()');
});

test('file://: a file that does not exist yet is read from its start once created', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  const file = path.join(tmp.dir, 'later.log');
  const source = await K8sAuditSource.open({ openParams: `file://${file}` });
  try {
    writeFileSync(file, `${line('first')}\n${line('second')}\n`);
    assert.deepEqual((await take(source, 2)).map((e) => e.get('auditID')), ['first', 'second']);
  } finally {
    await source.stop();
    tmp.cleanup();
  }
});

test('file://: reading waits while the consumer is behind (backpressure)', async () => {
  const tmp = tempDir('peregrine-k8saudit-');
  const file = path.join(tmp.dir, 'audit.log');
  writeFileSync(file, '');
  const source = await K8sAuditSource.open({ openParams: `file://${file}`, queueLimit: 1 });
  try {
    appendFileSync(file, Array.from({ length: 5 }, (_, i) => `${line(`a${i}`)}\n`).join(''));
    await waitFor('the first batch', () => source.pending === 5);
    appendFileSync(file, Array.from({ length: 5 }, (_, i) => `${line(`b${i}`)}\n`).join(''));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(source.pending, 5, 'the second batch waits until there is room');
    assert.deepEqual((await take(source, 10)).map((e) => e.get('auditID')),
      ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
  } finally {
    await source.stop();
    tmp.cleanup();
  }
});
