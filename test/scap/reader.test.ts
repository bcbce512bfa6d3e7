import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isGenericCode, ppmScName } from '../../src/scap/event-table.js';
import { ScapParser, ScapReader } from '../../src/scap/reader.js';
import { FD_TYPE } from '../../src/scap/format.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { CORPUS_CAPTURES, captureBytes, capturePath, readAll } from './helpers.js';

interface Counts {
  events: number;
  first_evt_num: number;
  last_evt_num: number;
  by_evt_type: Record<string, { total: number; enter: number; exit: number }>;
}

function oracleCounts(name: string): Counts {
  return JSON.parse(readFileSync(corpusPath('oracle', `${name}.counts.json`), 'utf8')) as Counts;
}

/**
 * The name sysdig 0.29.3 prints for an event: generic events by their ppm_sc code only (it does
 * not fall back on the native syscall number: `<unknown>`), with that release's older name for
 * ppm_sc 298.
 */
function sysdigTypeName(type: number, infoName: string, ppmSc: number | undefined): string {
  if (!isGenericCode(type)) return infoName;
  const name = ppmScName(ppmSc ?? 0) ?? 'unknown';
  if (name === 'unknown') return '<unknown>';
  return name === 'rt_sigreturn' ? 'sigreturn' : name;
}

test('every corpus capture reads, with event counts per type as sysdig counts them', async (t) => {
  if (!corpusOrSkip(t)) return;
  for (const name of CORPUS_CAPTURES) {
    const counts = oracleCounts(name);
    const reader = await ScapReader.open(capturePath(name));
    const mine: Counts['by_evt_type'] = {};
    let hidden = 0;
    const stats = await reader.forEach((e) => {
      if (e.num < counts.first_evt_num) {
        // sysdig consumes these container meta events without printing them (but numbers them).
        assert.equal(e.info.name, 'container', `${name}: event ${e.num} hidden by sysdig`);
        hidden++;
        return;
      }
      const key = sysdigTypeName(e.type, e.info.name, isGenericCode(e.type) ? e.uint(0) : undefined);
      const c = (mine[key] ??= { total: 0, enter: 0, exit: 0 });
      c.total++;
      if (e.info.isEnter) c.enter++; else c.exit++;
    });
    assert.equal(stats.events, counts.last_evt_num, `${name}: event numbers`);
    assert.equal(stats.events - hidden, counts.events, `${name}: events sysdig printed`);
    assert.equal(stats.unknownBlocks + stats.unknownEventTypes + stats.malformedEvents, 0, name);
    const theirs = Object.fromEntries(Object.entries(counts.by_evt_type).map(([k, v]) => [k, { total: v.total, enter: v.enter, exit: v.exit }]));
    assert.deepEqual(mine, theirs, `${name}: counts by event type`);
  }
});

test('header records: machine, processes, fds, users, section options', async (t) => {
  if (!corpusOrSkip(t)) return;
  const reader = await ScapReader.open(capturePath('cat_write'));
  const h = reader.header;
  await reader.close();
  assert.equal(h.section.majorVersion, 1);
  assert.equal(h.machine?.hostname, 'ubuntu');
  assert.ok((h.machine?.numCpus ?? 0) > 0);
  // Falco's oracle shows the state seeded from these: tid 1 is systemd running /sbin/init in /.
  const init = h.processes.find((p) => p.tid === 1)!;
  assert.equal(init.comm, 'systemd');
  assert.equal(init.exe, '/sbin/init');
  assert.equal(init.cwd, '/');
  assert.equal(init.pid, 1);
  assert.equal(h.fdLists.length, 73);
  assert.ok(h.fdLists.some((l) => l.fds.some((fd) => fd.type === FD_TYPE.FILE && fd.name?.startsWith('/'))));
  assert.ok(h.users.some((u) => u.uid === 0 && u.name === 'root' && u.homedir === '/root'));
  assert.ok(h.groups.some((g) => g.gid === 0 && g.name === 'root'));
  assert.ok((h.interfaces?.ipv4.length ?? 0) > 0);
  assert.ok(h.interfaces!.ipv4.some((i) => i.addr === 0x7f000001 && i.name === 'lo'), 'lo is 127.0.0.1');

  const withComments = await ScapReader.open(capturePath('libs_e2e/curl_google_comments'));
  await withComments.close();
  assert.deepEqual(withComments.header.section.options.map((o) => [o.name, o.text]), [
    ['comment', 'File-level comment'],
    ['userappl', 'Editcap (Wireshark) 4.5.0 (v4.5.0rc0-1982-g9ef0fb979bd6)'],
  ]);
});

test('newer process-list versions carry the newer fields', async (t) => {
  if (!corpusOrSkip(t)) return;
  // empty.scap has PL_V9 entries (sid, vpgid, exepath...), written before capabilities existed.
  const reader = await ScapReader.open(capturePath('empty'));
  await reader.close();
  const procs = reader.header.processes;
  assert.ok(reader.header.records.some((r) => r.kind === 'processes' && r.version === 9));
  assert.ok(procs.some((p) => p.exepath.startsWith('/')), 'exepath');
  assert.ok(procs.every((p) => p.capEffective === 0n), 'capabilities keep their default when absent');
  assert.ok(procs.some((p) => p.sid > 1), 'sid');
  assert.ok(procs.some((p) => p.root === '/'), 'root');
  assert.ok(procs.some((p) => p.vpgid > 0), 'vpgid');
  assert.ok(procs.every((p) => p.loginuid === 0xffffffff || p.loginuid < 65536), 'loginuid');
  assert.ok(procs.some((p) => p.cgroups.some((c) => c.includes('='))), 'cgroups');
  assert.ok(procs.some((p) => p.env.length > 0), 'env');
});

test('plain and gzip files give the same events', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'scap-'));
  try {
    const plain = path.join(dir, 'plain.scap');
    writeFileSync(plain, captureBytes('connect_localhost'));
    const a = await readAll(await ScapReader.open(plain));
    const b = await readAll(await ScapReader.open(capturePath('connect_localhost')));
    assert.equal(a.events.length, 374);
    assert.deepEqual(a.events, b.events);
    assert.deepEqual(a.header.processes, b.header.processes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

test('streams: blocks split across any chunk boundary, gzip or plain, read the same', async (t) => {
  if (!corpusOrSkip(t)) return;
  const name = 'ping_sendto';
  const expected = await readAll(await ScapReader.open(capturePath(name)));
  const bytes = captureBytes(name);
  for (const size of [1, 7, 100, 4093]) {
    const got = await readAll(await ScapReader.fromStream(chunked(bytes, size), { chunkSize: 512 }));
    assert.deepEqual(got.events, expected.events, `chunks of ${size}`);
  }
  // gzip bytes through a stream are detected and decompressed
  const gz = readFileSync(capturePath(name));
  const got = await readAll(await ScapReader.fromStream(chunked(gz, 333)));
  assert.deepEqual(got.events, expected.events, 'gzip stream');
  // a file read in chunks smaller than a block grows its buffer
  const small = await readAll(await ScapReader.open(capturePath(name), { chunkSize: 64 }));
  assert.deepEqual(small.events, expected.events, 'small file chunks');
});

test('push parser: events come out as soon as their block is complete', async (t) => {
  if (!corpusOrSkip(t)) return;
  const bytes = captureBytes('cat_write');
  const records: string[] = [];
  const parser = new ScapParser({ onRecord: (r) => records.push(r.kind) });
  let events = 0;
  for (let i = 0; i < bytes.length; i += 1000) {
    parser.push(bytes.subarray(i, i + 1000));
    while (parser.next() !== null) events++;
  }
  parser.finish();
  assert.equal(parser.next(), null);
  assert.ok(parser.finished);
  assert.equal(events, 345);
  assert.deepEqual(records.slice(0, 5), ['section', 'machine', 'interfaces', 'users', 'processes']);
  assert.equal(records.filter((r) => r === 'fds').length, 73);
});

test('a pipe from another process reads like the file (as the live driver loader writes it)', async (t) => {
  if (!corpusOrSkip(t)) return;
  const { spawn } = await import('node:child_process');
  const expected = await readAll(await ScapReader.open(capturePath('open-multiple-files')));
  // gzip -dc writes the plain scap stream to a pipe in chunks of its choosing.
  const child = spawn('gzip', ['-dc', capturePath('open-multiple-files')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const got = await readAll(await ScapReader.fromStream(child.stdout, { source: 'gzip pipe' }));
  assert.deepEqual(got.events, expected.events);
  assert.deepEqual(got.header.processes, expected.header.processes);
});

test('a stream whose producer gives the header length has its header before any event arrives', async (t) => {
  if (!corpusOrSkip(t)) return;
  const name = 'cat_write';
  const expected = await readAll(await ScapReader.open(capturePath(name)));
  const headerBytes = (await ScapReader.open(capturePath(name))).parser.offset;
  const bytes = captureBytes(name);
  let openGate = (): void => undefined;
  const gate = new Promise<void>((resolve) => { openGate = resolve; });
  let eventsSent = false;
  const stream = (async function* () {
    yield bytes.subarray(0, headerBytes);
    await gate; // a quiet host: no event for now
    eventsSent = true;
    yield bytes.subarray(headerBytes);
  })();
  const reader = await ScapReader.fromStream(stream, { headerBytes });
  assert.equal(eventsSent, false, 'the header was complete without waiting for an event');
  assert.deepEqual(reader.header.processes, expected.header.processes);
  openGate();
  const got = await readAll(reader);
  assert.deepEqual(got.events, expected.events);
});
