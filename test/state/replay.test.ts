// The capture replay source: delivery decisions, statistics, options, iteration styles; and the
// `peregrine inspect` command on real captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { inspectCommand } from '../../src/cli/commands/inspect.js';
import { loadConfig } from '../../src/cli/config/load.js';
import { ScapReplaySource } from '../../src/sources/scap-replay.js';
import { Delivery } from '../../src/state/syscall-event.js';
import { corpusOrSkip } from '../helpers/corpus.js';

function capture(corpus: string, name: string): string {
  return path.join(corpus, 'captures', `${name}.scap`);
}

test('replay: every event once, Falco numbering, statistics that add up', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const replay = await ScapReplaySource.open(capture(corpus, 'libs_e2e/curl_google'));
  const byDelivery = [0, 0, 0];
  let lastNum = 0;
  let lastFileNum = 0;
  const stats = await replay.forEach((e) => {
    byDelivery[e.delivery]!++;
    assert.equal(e.fileNum, lastFileNum + 1, 'capture order');
    lastFileNum = e.fileNum;
    if (e.delivery !== Delivery.Dropped) {
      assert.equal(e.num, lastNum + 1, 'Falco numbers the events that reach the state engine');
      lastNum = e.num;
    }
  });
  assert.equal(stats.reader.events, 1536);
  assert.equal(stats.stream.read, 1536);
  assert.equal(stats.stream.processed, lastNum);
  assert.equal(stats.stream.forRules, byDelivery[Delivery.Rules]);
  assert.equal(stats.stream.droppedByConverter, byDelivery[Delivery.Dropped]);
  assert.equal([...stats.stream.byType.values()].reduce((a, b) => a + b, 0), 1536);
  assert.ok(stats.threads > 0 && stats.fdsAdded > 0);
  assert.equal(stats.threadsDroppedFullTable, 0);
});

test('replay: ignoreIoSyscalls keeps read/write out of rules but in the state', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const all = await ScapReplaySource.open(capture(corpus, 'cat_write'));
  const s1 = await all.forEach(() => undefined);
  const io = await ScapReplaySource.open(capture(corpus, 'cat_write'), { ignoreIoSyscalls: true });
  let ioEvents = 0;
  const s2 = await io.forEach((e) => {
    const name = e.evt.info.name;
    if ((name === 'read' || name === 'write') && e.delivery !== Delivery.Dropped) {
      assert.equal(e.delivery, Delivery.StateOnly);
      ioEvents++;
    }
  });
  assert.ok(ioEvents > 0);
  assert.equal(s2.stream.forRules, s1.stream.forRules - ioEvents);
  assert.equal(s2.stream.processed, s1.stream.processed, 'the same events reach the state');
});

test('replay: async iteration, rule-only iteration and early stop see the same events', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const file = capture(corpus, 'connect_localhost');
  const viaForEach: number[] = [];
  await (await ScapReplaySource.open(file)).forEach((e) => viaForEach.push(e.fileNum));
  const viaIterator: number[] = [];
  for await (const e of await ScapReplaySource.open(file)) viaIterator.push(e.fileNum);
  assert.deepEqual(viaIterator, viaForEach);
  const forRules: number[] = [];
  await (await ScapReplaySource.open(file)).forEachForRules((e) => forRules.push(e.num));
  assert.ok(forRules.length > 0 && forRules.length < viaForEach.length);
  let seen = 0;
  const paced = await ScapReplaySource.open(file);
  let pauses = 0;
  await paced.forEachPaced(
    () => ++seen < 10,
    () => {
      pauses++;
      return undefined;
    },
  );
  assert.equal(seen, 10);
  await paced.close();
  assert.ok(pauses >= 0);
});

test('replay: skipWithheld leaves out the withheld enter events only, with the same state and counters', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  // An old capture: most enter events are withheld by the converter.
  const file = capture(corpus, 'libs_e2e/curl_google');
  const describe = (e: import('../../src/state/syscall-event.js').SyscallEvent): string =>
    `${e.fileNum} ${e.num} ${e.delivery} ${e.evt.type} ${e.thread?.tid ?? '-'} ${e.thread?.comm ?? '-'} ${e.fd?.name ?? '-'} ${e.errorCode}`;
  const all: string[] = [];
  const allStats = await (await ScapReplaySource.open(file)).forEach((e) => {
    if (e.delivery !== Delivery.Dropped) all.push(describe(e));
  });
  const skipped: string[] = [];
  const skippedStats = await (await ScapReplaySource.open(file, { skipWithheld: true })).forEach((e) => {
    assert.notEqual(e.delivery, Delivery.Dropped);
    skipped.push(describe(e));
  });
  assert.ok(allStats.stream.droppedByConverter > 100);
  assert.deepEqual(skipped, all);
  assert.deepEqual({ ...skippedStats, stream: undefined, reader: undefined }, { ...allStats, stream: undefined, reader: undefined });
  assert.deepEqual([...skippedStats.stream.byType], [...allStats.stream.byType]);
  assert.equal(skippedStats.stream.droppedByConverter, allStats.stream.droppedByConverter);
  const iterated: string[] = [];
  for await (const e of await ScapReplaySource.open(file, { skipWithheld: true })) iterated.push(describe(e));
  assert.deepEqual(iterated, all);
  const forRules: string[] = [];
  await (await ScapReplaySource.open(file)).forEachForRules((e) => forRules.push(describe(e)));
  assert.deepEqual(forRules, all.filter((line) => line.split(' ')[2] === String(Delivery.Rules)));
});

interface InspectArgs {
  file: string;
  format?: string;
  json?: boolean;
  filter?: string;
  limit?: number;
  /** `-o key=value` configuration overrides. */
  overrides?: string[];
}

/** Runs inspect with the stock configuration, returning its exit code and what it printed. */
async function inspect(a: InspectArgs): Promise<{ code: number; out: string[]; err: string }> {
  let outText = '';
  let errText = '';
  const { config } = loadConfig({ defaultConfigFile: '/nonexistent/peregrine.yaml', overrides: a.overrides ?? [] });
  const code = await inspectCommand({
    captureFile: a.file, json: a.json === true, config,
    ...(a.format !== undefined ? { format: a.format } : {}),
    ...(a.filter !== undefined ? { filter: a.filter } : {}),
    ...(a.limit !== undefined ? { maxEvents: a.limit } : {}),
    io: { out: (t) => (outText += t), err: (t) => (errText += t) },
  });
  return { code, out: outText === '' ? [] : outText.replace(/\n$/, '').split('\n'), err: errText };
}

test('inspect: one line per event of the capture in the sysdig-like default format', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const r = await inspect({ file: capture(corpus, 'cat_write') });
  assert.equal(r.code, 0);
  assert.equal(r.out.length, 345, 'every event, enter events included');
  assert.match(r.out[0]!, /^1 \d\d:\d\d:\d\d\.999999999 0 systemd \(1\) > procinfo cpu_usr=19 cpu_sys=192$/);
  // an enter event libsinsp discards has no Falco number
  assert.ok(r.out.some((l) => /^<NA> .* cat \(20072\) > brk addr=0$/.test(l)));
  assert.ok(r.out.some((l) => /cat \(20072\) < open fd=3\(<f>\/etc\/ld\.so\.cache\) name=\/etc\/ld\.so\.cache/.test(l)));
});

test('inspect: -p format, filter, limit, JSON lines', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const file = capture(corpus, 'cat_write');
  const opens = await inspect({ file, format: '%evt.num %proc.name %fd.name %evt.is_open_read', filter: 'evt.type=open and evt.dir=<' });
  assert.equal(opens.code, 0);
  // numbered as in Falco's output for this capture
  assert.deepEqual(opens.out, [
    '137 cat /etc/ld.so.cache true',
    '143 cat /lib/x86_64-linux-gnu/libc.so.6 true',
    '162 cat /usr/lib/locale/locale-archive true',
    '168 cat /dev/null true',
  ]);
  const limited = await inspect({ file, limit: 3 });
  assert.equal(limited.out.length, 3);
  const j = await inspect({ file, json: true, format: '%evt.num %evt.time %proc.name %fd.num', filter: 'evt.type=close and evt.dir=<', limit: 2 });
  const objs = j.out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(objs.length, 2);
  assert.deepEqual(Object.keys(objs[0]!), ['evt.num', 'evt.time', 'fd.num', 'proc.name']);
  assert.equal(objs[0]!['proc.name'], 'cat');
  assert.equal(typeof objs[0]!['evt.time'], 'number');
  assert.match(j.out[0]!, /"evt\.time":1470327477\d{9}/, 'exact 64-bit time in JSON');
  // buffers print as base64 with buffer_format_base64
  const plain = await inspect({ file, format: '%evt.buffer', filter: 'evt.type=read and evt.dir=< and evt.rawres>0', limit: 1 });
  const b64 = await inspect({ file, format: '%evt.buffer', filter: 'evt.type=read and evt.dir=< and evt.rawres>0', limit: 1, overrides: ['buffer_format_base64=true'] });
  assert.match(plain.out[0]!, /^\.ELF/);
  assert.match(b64.out[0]!, /^f0VMR/, 'base64 of "\\x7fELF"');
});

test('inspect: errors name the file, the filter position, the byte offset', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const missing = await inspect({ file: '/nonexistent/x.scap' });
  assert.equal(missing.code, 1);
  assert.equal(missing.err, 'peregrine inspect: /nonexistent/x.scap: no such file\n');
  const badFilter = await inspect({ file: capture(corpus, 'cat_write'), filter: 'proc.name in (cat' });
  assert.equal(badFilter.code, 1);
  assert.match(badFilter.err, /invalid filter 'proc.name in \(cat': .*\(line 1, column \d+\)/);
  const unknownField = await inspect({ file: capture(corpus, 'cat_write'), filter: 'proc.nmae=cat' });
  assert.match(unknownField.err, /proc\.nmae/);
  const badFormat = await inspect({ file: capture(corpus, 'cat_write'), format: '%nosuch.field' });
  assert.equal(badFormat.code, 1);
  assert.match(badFormat.err, /invalid output format/);

  const dir = mkdtempSync(path.join(tmpdir(), 'peregrine-inspect-'));
  try {
    const whole = gunzipSync(readFileSync(capture(corpus, 'syscall')));
    const cut = path.join(dir, 'cut.scap');
    writeFileSync(cut, whole.subarray(0, whole.length - 5000));
    const r = await inspect({ file: cut, format: '%evt.num' });
    assert.equal(r.code, 1);
    assert.ok(r.out.length > 0, 'the events before the damage are printed');
    assert.match(r.err, /cut\.scap: truncated capture: .*byte offset \d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay: a small thread table drops threads and says how many', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const replay = await ScapReplaySource.open(capture(corpus, 'libs_e2e/curl_google'), { threadTableSize: 20 });
  const stats = await replay.forEach(() => undefined);
  assert.ok(stats.threads <= 20, `${stats.threads} threads`);
  assert.ok(stats.threadsDroppedFullTable > 0, 'drops counted');
});
