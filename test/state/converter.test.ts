// The old-capture converter (libscap's scap converter semantics): enter events kept aside for
// their exits, parameters added from them or defaulted, events rebuilt as newer versions, chains
// of conversions, and the errors it counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_CODE as E, EVENT_INFO } from '../../src/scap/event-table.js';
import { EventView } from '../../src/scap/event.js';
import { ConversionError, ConversionResult, LayoutEvent, ScapConverter, convertibility } from '../../src/state/converter.js';
import { encodeEvent, p } from '../scap/helpers.js';

/** Runs an event through the converter; returns the result as a readable view, or the outcome. */
function convert(c: ScapConverter, type: number, tid: number, params: Uint8Array[]): EventView | 'unchanged' | undefined {
  const bytes = encodeEvent({ type, tid, params, ts: 5n });
  const res = c.convert(c.indexInput(bytes, false, type, params.length));
  if (res === undefined || res === 'unchanged') return res;
  return viewOf(res);
}

function viewOf(l: LayoutEvent): EventView {
  const bytes = l.buf.slice(l.start, l.end);
  const v = new EventView();
  v.load(bytes, new DataView(bytes.buffer), 0, true, l.type, EVENT_INFO[l.type]!, l.nparams, bytes.length);
  return v;
}

test('convertibility: current events pass, unused/old enter events drop, managed old events convert', () => {
  assert.equal(convertibility(E.SYSCALL_OPENAT_2_X, 7), ConversionResult.Pass);
  assert.equal(convertibility(E.SYSCALL_READ_X, 2), ConversionResult.Continue, 'fewer parameters than the table');
  assert.equal(convertibility(E.SYSCALL_READ_X, 4), ConversionResult.Pass);
  assert.equal(convertibility(E.SYSCALL_READ_E, 2), ConversionResult.Continue, 'managed enter events are kept');
  assert.equal(convertibility(9999, 0), ConversionResult.Error);
});

test('an exit takes the missing parameters from its kept enter event, which is dropped', () => {
  const c = new ScapConverter();
  assert.equal(convert(c, E.SYSCALL_READ_E, 10, [p.i64(7), p.u32(4096)]), undefined);
  assert.equal(c.counters.dropped, 1);
  const exit = convert(c, E.SYSCALL_READ_X, 10, [p.i64(3), p.raw([0x61, 0x62, 0x63])]) as EventView;
  assert.equal(exit.type, E.SYSCALL_READ_X);
  assert.equal(exit.nparams, 4);
  assert.equal(exit.int(0), 3);
  assert.deepEqual([...exit.bytes(1)!], [0x61, 0x62, 0x63]);
  assert.equal(exit.int(2), 7, 'fd from the enter event');
  assert.equal(exit.uint(3), 4096, 'size from the enter event');
  assert.equal(exit.tid, 10);
  assert.equal(exit.ts, 5);
  assert.equal(c.counters.converted, 1);
  // the kept event was used: a second exit gets defaults
  const again = convert(c, E.SYSCALL_READ_X, 10, [p.i64(0), p.raw([])]) as EventView;
  assert.equal(again.int(2), 0);
  assert.equal(again.paramLength(2), 8, "'E' instructions default to the type's zero value");
});

test('kept events are per thread', () => {
  const c = new ScapConverter();
  convert(c, E.SYSCALL_READ_E, 1, [p.i64(11), p.u32(1)]);
  convert(c, E.SYSCALL_READ_E, 2, [p.i64(22), p.u32(2)]);
  assert.equal((convert(c, E.SYSCALL_READ_X, 2, [p.i64(0), p.raw([])]) as EventView).int(2), 22);
  assert.equal((convert(c, E.SYSCALL_READ_X, 1, [p.i64(0), p.raw([])]) as EventView).int(2), 11);
});

test('rebuilt as a newer event: dup becomes dup_1 with oldfd from the enter; empty when missing', () => {
  const c = new ScapConverter();
  convert(c, E.SYSCALL_DUP_E, 3, [p.i64(4)]);
  const dup = convert(c, E.SYSCALL_DUP_X, 3, [p.i64(5)]) as EventView;
  assert.equal(dup.type, E.SYSCALL_DUP_1_X);
  assert.equal(dup.int(0), 5);
  assert.equal(dup.int(1), 4);
  const lone = convert(c, E.SYSCALL_DUP_X, 3, [p.i64(6)]) as EventView;
  assert.equal(lone.paramLength(1), 0, "'e' instructions leave the parameter empty");
});

test('chains of conversions reach the current version', () => {
  const c = new ScapConverter();
  // execve enter version 8 (no parameters) climbs version by version to the current one, whose
  // filename parameter it gets empty; it is also kept for its exit
  const v = convert(c, E.SYSCALL_EXECVE_8_E, 4, []) as EventView;
  assert.equal(v.type, E.SYSCALL_EXECVE_19_E);
  assert.equal(v.nparams, 1);
  assert.equal(v.paramLength(0), 0);
  assert.equal(c.counters.converted, 1);
  // an old container event becomes a JSON one
  const cont = convert(c, E.CONTAINER_E, 0, [p.str('0123456789ab'), p.u32(0), p.str('web'), p.str('nginx')]) as EventView;
  assert.equal(EVENT_INFO[cont.type]!.name, 'container');
  assert.deepEqual(JSON.parse(cont.str(0)!), { id: '0123456789ab', type: 0, name: 'web', image: 'nginx' });
});

test('an exit whose kept event is of another syscall cannot be converted (counted)', () => {
  const c = new ScapConverter();
  convert(c, E.SYSCALL_READ_E, 9, [p.i64(1), p.u32(1)]);
  assert.throws(() => convert(c, E.SYSCALL_CLOSE_X, 9, [p.i64(0)]), ConversionError);
  assert.equal(c.counters.errors, 1);
});

test('parameters are capped to their type size; large events are refused', () => {
  const c = new ScapConverter();
  // an enter fd parameter carried with extra bytes is cut to the 8 bytes of a PT_FD
  convert(c, E.SYSCALL_CLOSE_E, 8, [Buffer.concat([p.i64(3), Buffer.alloc(8, 0xff)])]);
  const close = convert(c, E.SYSCALL_CLOSE_X, 8, [p.i64(0)]) as EventView;
  assert.equal(close.paramLength(1), 8);
  assert.equal(close.int(1), 3);
  convert(c, E.SYSCALL_READ_E, 8, [p.i64(3), p.u32(1)]);
  assert.throws(() => convert(c, E.SYSCALL_READ_X, 8, [p.i64(0), Buffer.alloc(65_500)]), ConversionError);
});
