// Capture files both current readers and sysdig 0.29.3 read: a generic event of a syscall newer
// than sysdig's table (rseq) is written with ID 0 and its native number, which Peregrine (like
// Falco) resolves to the same evt.type, while sysdig no longer crashes on it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EVENT_CODE } from '../../src/scap/event-table.js';
import { ScapReader } from '../../src/scap/reader.js';
import { ScapWriter } from '../../src/scap/writer.js';
import { CompatibleEventWriter, SYSDIG_0_29_PPM_SC_COUNT } from '../../src/sources/live/capture-writer.js';
import { SYSCALLS_BY_NAME } from '../../src/sources/live/syscall-table.js';
import { corpusOrSkip, REPO_ROOT } from '../helpers/corpus.js';

/** A generic exit event in the current layout: ID (ppm_sc) and native syscall number. */
function genericExit(ts: bigint, tid: number, ppmSc: number, nativeNr: number): Uint8Array {
  const b = new Uint8Array(26 + 4 + 4);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, ts, true);
  dv.setBigUint64(8, BigInt(tid), true);
  dv.setUint32(16, b.length, true);
  dv.setUint16(20, EVENT_CODE.GENERIC_X, true);
  dv.setUint32(22, 2, true);
  dv.setUint16(26, 2, true);
  dv.setUint16(28, 2, true);
  dv.setUint16(30, ppmSc, true);
  dv.setUint16(32, nativeNr, true);
  return b;
}

test('generic events of syscalls newer than sysdig 0.29.3 keep their type and stop crashing sysdig', async (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'peregrine-compat-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rseq = SYSCALLS_BY_NAME.get('rseq')!;
  const getrandom = SYSCALLS_BY_NAME.get('getrandom')!;
  assert.ok(rseq.ppmSc >= SYSDIG_0_29_PPM_SC_COUNT && getrandom.ppmSc < SYSDIG_0_29_PPM_SC_COUNT);

  const source = await ScapReader.open(path.join(corpus, 'captures', 'cat_write.scap'));
  const tid = source.header.processes[0]!.tid;
  await source.close();
  const raw = path.join(dir, 'raw.scap');
  const w = ScapWriter.create(raw);
  const header = await ScapReader.open(path.join(corpus, 'captures', 'cat_write.scap'));
  w.writeHeader(header.header);
  await header.close();
  w.writeRawEvent(genericExit(1470327479000000000n, tid, rseq.ppmSc, rseq.nr), 0);
  w.writeRawEvent(genericExit(1470327479000000100n, tid, getrandom.ppmSc, getrandom.nr), 0);
  await w.close();

  // Rewrite through the compatible writer.
  const compat = path.join(dir, 'compat.scap');
  const reader = await ScapReader.open(raw);
  const out = ScapWriter.create(compat);
  out.writeHeader(reader.header);
  const events = new CompatibleEventWriter(out);
  await reader.forEach((e) => events.write(e));
  await out.close();
  assert.equal(events.rewrittenGeneric, 1, 'only the newer syscall');

  const ids: number[] = [];
  const check = await ScapReader.open(compat);
  await check.forEach((e) => void ids.push(e.uint(0)!, e.uint(1)!));
  assert.deepEqual(ids, [0, rseq.nr, getrandom.ppmSc, getrandom.nr]);

  const types = (file: string): string =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'peregrine.js'), 'inspect', file, '-p', '%evt.type', 'evt.type != procinfo'], { encoding: 'utf8' }).stdout;
  assert.equal(types(raw), 'rseq\ngetrandom\n');
  assert.equal(types(compat), 'rseq\ngetrandom\n', 'the same evt.type, from the native number');

  if (!existsSync('/usr/bin/sysdig')) return;
  const sysdig = (file: string) => spawnSync('sysdig', ['-r', file, '-p', '*%evt.type', 'evt.type != procinfo'], { encoding: 'utf8' });
  assert.notEqual(sysdig(raw).signal, null, 'sysdig 0.29.3 crashes on the raw file (why the rewrite exists)');
  const ok = sysdig(compat);
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(ok.stdout.includes('getrandom'), ok.stdout);
});
