// Damaged inputs: every valid event before the damage is delivered, then one clear error names the
// source, the byte offset and the block type. Nothing crashes, nothing is dropped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENT_CODE } from '../../src/scap/event-table.js';
import { BLOCK, isEventBlock } from '../../src/scap/format.js';
import { ScapFormatError, ScapReader } from '../../src/scap/reader.js';
import { corpusOrSkip } from '../helpers/corpus.js';
import { captureBytes, capturePath, captureOf, encodeBlock, encodeEvent, eventBlock, p } from './helpers.js';

interface Outcome {
  events: number;
  error?: ScapFormatError;
}

async function readBytes(bytes: Uint8Array, name = 'test.scap', warnings: string[] = []): Promise<Outcome> {
  let events = 0;
  try {
    const reader = await ScapReader.fromStream((async function* () { yield bytes; })(), {
      source: name,
      onWarning: (m) => warnings.push(m),
    });
    await reader.forEach(() => {
      events++;
    });
    return { events };
  } catch (e) {
    if (!(e instanceof ScapFormatError)) throw e;
    return { events, error: e };
  }
}

/** Start offsets and types of the blocks of a well-formed capture. */
function blocksOf(bytes: Uint8Array): { offset: number; type: number; length: number }[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let at = 0; at < bytes.length;) {
    const length = dv.getUint32(at + 4, true);
    out.push({ offset: at, type: dv.getUint32(at, true), length });
    at += length;
  }
  return out;
}

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

test('truncated captures: the events before the cut, then the block and offset of the cut', async (t) => {
  if (!corpusOrSkip(t)) return;
  const bytes = captureBytes('cat_write');
  const blocks = blocksOf(bytes);
  const rnd = prng(42);
  const cuts = new Set<number>([1, 5, 8, 20, bytes.length - 1, bytes.length - 4]);
  for (let k = 0; k < 60; k++) cuts.add(1 + Math.floor(rnd() * (bytes.length - 1)));
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const { events, error } = await readBytes(bytes.subarray(0, cut));
    const broken = blocks.find((b) => b.offset <= cut && cut < b.offset + b.length)!;
    const complete = blocks.filter((b) => b.offset + b.length <= cut && isEventBlock(b.type)).length;
    if (broken.offset === cut) {
      assert.equal(error, undefined, `cut at block boundary ${cut}`);
      assert.equal(events, complete);
      continue;
    }
    assert.ok(error, `cut at ${cut} must fail`);
    assert.equal(events, complete, `cut at ${cut}: events before`);
    assert.equal(error.eventsBefore, complete);
    assert.equal(error.offset, broken.offset, `cut at ${cut}: offset`);
    assert.match(error.message, /^test\.scap: truncated capture/);
    assert.match(error.message, new RegExp(`byte offset ${broken.offset}`));
    if (cut - broken.offset >= 8) {
      assert.equal(error.blockType, broken.type);
      assert.match(error.message, /block (EV|FDL|PL_V6|UL|IL|MI|SHB)\b/);
    }
  }
});

test('truncated capture files, plain and gzip', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'scap-'));
  try {
    const bytes = captureBytes('syscall');
    const plain = path.join(dir, 'cut.scap');
    writeFileSync(plain, bytes.subarray(0, Math.floor(bytes.length * 0.95)));
    let events = 0;
    const reader = await ScapReader.open(plain);
    await assert.rejects(reader.forEach(() => { events++; }), (e: unknown) => {
      assert.ok(e instanceof ScapFormatError);
      assert.match(e.message, /cut\.scap: truncated capture: the block needs \d+ bytes but the input ends after \d+/);
      assert.equal(e.eventsBefore, events);
      return true;
    });
    assert.ok(events > 100);

    const gz = readFileSync(capturePath('syscall'));
    const gzCut = path.join(dir, 'cut.scap.gz');
    writeFileSync(gzCut, gz.subarray(0, Math.floor(gz.length * 0.95)));
    let gzEvents = 0;
    const gzReader = await ScapReader.open(gzCut);
    await assert.rejects(gzReader.forEach(() => { gzEvents++; }), (e: unknown) => {
      assert.ok(e instanceof ScapFormatError);
      assert.match(e.message, /truncated capture.*\(unexpected end of file\)/);
      return true;
    });
    assert.ok(gzEvents > 100, `gzip: ${gzEvents} events before the damage`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('corrupt block lengths: error at the damaged block after the events before it', async (t) => {
  if (!corpusOrSkip(t)) return;
  const bytes = captureBytes('connect_localhost');
  const blocks = blocksOf(bytes);
  const events = blocks.filter((b) => isEventBlock(b.type));
  const target = events[200];
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['longer header length', (b) => b.writeUInt32LE(target.length + 8, target.offset + 4), /length \d+ in the header but \d+ in the trailer/],
    ['shorter header length', (b) => b.writeUInt32LE(target.length - 4, target.offset + 4), /length \d+ in the header but \d+ in the trailer/],
    ['zero length', (b) => b.writeUInt32LE(0, target.offset + 4), /corrupt block length 0/],
    ['huge length', (b) => b.writeUInt32LE(0xfffffff0, target.offset + 4), /corrupt block length 4294967280/],
    ['trailer', (b) => b.writeUInt32LE(7, target.offset + target.length - 4), /length \d+ in the header but 7 in the trailer/],
    ['event length', (b) => b.writeUInt32LE(0xffff, target.offset + 8 + 2 + 16), /corrupt event: length 65535 does not fit/],
  ];
  for (const [what, damage, message] of cases) {
    const copy = Buffer.from(bytes);
    damage(copy);
    const { events: n, error } = await readBytes(copy);
    assert.ok(error, what);
    assert.equal(n, 200, `${what}: the 200 events before`);
    assert.equal(error.offset, target.offset, what);
    assert.match(error.message, message, what);
    assert.match(error.message, /block EV \(0x204\)/, what);
  }
});

test('not a capture, empty, wrong byte order, newer format', async () => {
  const headerOnly = await readBytes(captureOf());
  assert.deepEqual(headerOnly, { events: 0 }, 'a capture without events is valid');
  let r = await readBytes(Buffer.from('{"kind":"Event"}\n'.repeat(4)));
  assert.match(r.error!.message, /not a scap capture: it does not start with a section header block/);
  r = await readBytes(new Uint8Array(0));
  assert.match(r.error!.message, /empty input/);
  const swapped = captureOf();
  swapped.writeUInt32BE(0x1a2b3c4d, 8);
  r = await readBytes(swapped);
  assert.match(r.error!.message, /big-endian capture/);
  const badMagic = captureOf();
  badMagic.writeUInt32LE(0x12345678, 8);
  r = await readBytes(badMagic);
  assert.match(r.error!.message, /invalid byte-order magic 0x12345678/);
  const newer = captureOf();
  newer.writeUInt16LE(2, 12);
  r = await readBytes(newer);
  assert.match(r.error!.message, /capture format 2\.2 is newer than the supported 1\.2/);
});

test('unknown blocks and event types are skipped and counted; overflowing parameters are flagged', async () => {
  const warnings: string[] = [];
  const close = { type: EVENT_CODE.SYSCALL_CLOSE_X, params: [p.i64(0), p.i64(3)] };
  const bytes = captureOf(
    eventBlock(close),
    encodeBlock(0x7777, Buffer.from('future block')),
    eventBlock({ type: 999, params: [p.u8(1)] }),
    eventBlock(close),
  );
  const reader = await ScapReader.fromStream((async function* () { yield bytes; })(), { onWarning: (m) => warnings.push(m) });
  const nums: number[] = [];
  const stats = await reader.forEach((e) => { nums.push(e.num); });
  assert.deepEqual(nums, [1, 2], 'unknown event types are not numbered');
  assert.equal(stats.unknownBlocks, 1);
  assert.equal(stats.unknownEventTypes, 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /skipping unknown block type 0x7777 of 12 bytes at byte offset \d+/);

  // Parameter lengths that run past the event: parameters are clamped and the event counted.
  const ev = Buffer.from(encodeEvent(close));
  ev.writeUInt16LE(200, 26); // first length
  const body = Buffer.concat([Buffer.alloc(2), ev]);
  const bad = captureOf(encodeBlock(BLOCK.EV_V2, body));
  const r2 = await ScapReader.fromStream((async function* () { yield bad; })());
  let malformed = false;
  let res: number | undefined = -1;
  let fdEmpty = false;
  const s2 = await r2.forEach((e) => { malformed = e.malformed; res = e.int(0); fdEmpty = e.isEmpty(1); });
  assert.ok(malformed);
  assert.equal(res, undefined, 'the clamped parameter is no integer');
  assert.ok(fdEmpty, 'parameters past the end are empty');
  assert.equal(s2.malformedEvents, 1);
});
