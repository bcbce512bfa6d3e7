import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF } from '../../src/scap/event.js';
import { EVENT_CODE, EVENT_INFO } from '../../src/scap/event-table.js';
import { BLOCK } from '../../src/scap/format.js';
import { ScapReader } from '../../src/scap/reader.js';
import type { ScapEvent } from '../../src/scap/event.js';
import { captureOf, encodeBlock, encodeEvent, eventBlock, p } from './helpers.js';

async function events(bytes: Uint8Array, each: (e: ScapEvent) => void): Promise<void> {
  const reader = await ScapReader.fromStream((async function* () { yield bytes; })());
  await reader.forEach(each);
}

test('header fields and typed parameter accessors', async () => {
  const ts = 1_700_000_000_123_456_789n;
  const bytes = captureOf(eventBlock({
    type: EVENT_CODE.SYSCALL_OPEN_X,
    ts, tid: 4242,
    params: [p.i64(-2), p.str('/etc/passwd'), p.u32(0x1001), p.u32(0o644), p.u32(0x2d), p.u64(2n ** 60n + 1n)],
  }, 3));
  let seen = 0;
  await events(bytes, (e) => {
    seen++;
    assert.equal(e.num, 1);
    assert.equal(e.type, EVENT_CODE.SYSCALL_OPEN_X);
    assert.equal(e.info.name, 'open');
    assert.equal(e.tid, 4242);
    assert.equal(e.cpu, 3);
    assert.equal(e.flags, 0);
    assert.equal(e.tsBig, ts);
    assert.ok(Math.abs(e.ts - Number(ts)) < 512, 'number ts is close');
    assert.equal(e.nparams, 6);
    assert.equal(e.int(0), -2);
    assert.equal(e.str(1), '/etc/passwd');
    assert.equal(e.paramLength(1), 12);
    assert.equal(e.uint(2), 0x1001);
    assert.equal(e.uint(3), 0o644);
    assert.equal(e.bigint(5), 2n ** 60n + 1n);
    assert.equal(e.value(5), 2 ** 60, 'UINT64 value as a number');
    assert.equal(e.paramIndex('ino'), 5);
    assert.equal(e.paramIndex('nope'), -1);
    assert.equal(e.int(6), undefined, 'beyond the parameters');
    assert.equal(e.value(1), '/etc/passwd');
    assert.deepEqual([...e.bytes(1)!], [...Buffer.from('/etc/passwd\0')]);
    assert.equal(e.malformed, false);
  });
  assert.equal(seen, 1);
});

test('sockets, tuples, fd lists, string lists and dynamic parameters', async () => {
  const tuple4 = Buffer.alloc(13);
  tuple4[0] = AF.INET;
  tuple4.set([127, 0, 0, 1], 1);
  tuple4.writeUInt16LE(40000, 5);
  tuple4.set([10, 0, 0, 2], 7);
  tuple4.writeUInt16LE(80, 11);
  const addr6 = Buffer.alloc(19);
  addr6[0] = AF.INET6;
  addr6[16] = 1; // ::1
  addr6.writeUInt16LE(443, 17);
  const unixTuple = Buffer.concat([Uint8Array.of(AF.UNIX), p.u64(0xffff0001n), p.u64(0xffff0002n), p.str('/run/x.sock')]);
  const fds = Buffer.alloc(2 + 20);
  fds.writeUInt16LE(2, 0);
  fds.writeBigInt64LE(3n, 2);
  fds.writeInt16LE(1, 10);
  fds.writeBigInt64LE(-1n, 12);
  fds.writeInt16LE(4, 20);
  const bytes = captureOf(
    eventBlock({ type: EVENT_CODE.SOCKET_CONNECT_X, params: [p.i64(0), tuple4, p.i64(5), addr6] }),
    eventBlock({ type: EVENT_CODE.SOCKET_CONNECT_X, params: [p.i64(0), unixTuple, p.i64(5), addr6] }),
    eventBlock({ type: EVENT_CODE.SYSCALL_POLL_X, params: [p.i64(1), fds, p.i64(100)] }),
    eventBlock({ type: EVENT_CODE.SYSCALL_EXECVE_19_X, params: [p.i64(0), p.str('ls'), p.raw(Buffer.from('-l\0/tmp\0'))] }),
    eventBlock({ type: EVENT_CODE.SYSCALL_PTRACE_X, params: [p.i64(0), p.raw([1, 9]), p.raw([0, ...p.u64(0xbeef)])] }),
  );
  const seen: string[] = [];
  await events(bytes, (e) => {
    if (e.num === 1) {
      assert.deepEqual(e.socktuple(1), { family: AF.INET, sip: 0x7f000001, sport: 40000, dip: 0x0a000002, dport: 80 });
      const sa = e.sockaddr(3)!;
      assert.equal(sa.family, AF.INET6);
      assert.equal(sa.port, 443);
      assert.deepEqual([...(sa.ip as Uint8Array)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    } else if (e.num === 2) {
      assert.deepEqual(e.socktuple(1), { family: AF.UNIX, source: 0xffff0001n, dest: 0xffff0002n, path: '/run/x.sock' });
    } else if (e.num === 3) {
      assert.deepEqual(e.fdlist(1), [{ fd: 3, flags: 1 }, { fd: -1, flags: 4 }]);
    } else if (e.num === 4) {
      assert.deepEqual(e.strList(2), ['-l', '/tmp']);
      assert.equal(e.nparams, 3, 'fewer parameters than the table lists');
      assert.equal(e.info.params.length > 3, true);
      assert.equal(e.str(5), undefined, 'absent parameters read as undefined');
    } else {
      // ptrace: addr is PT_DYN, variant 0 = UINT64
      assert.equal(e.value(2), 0xbeef);
    }
    seen.push(e.info.name);
  });
  assert.deepEqual(seen, ['connect', 'connect', 'poll', 'execve', 'ptrace']);
});

test('EVF flags, large payloads, V1 blocks and extra parameters', async () => {
  // EVF_V2: u16 cpu, u32 flags, event
  const ev = encodeEvent({ type: EVENT_CODE.SYSCALL_CLOSE_X, params: [p.i64(0), p.i64(7), p.u8(99)] });
  const evf = Buffer.concat([p.u16(1), p.u32(0x5), ev]);
  // A large-payload event: 4-byte parameter lengths (PLUGINEVENT_E: plugin id, data).
  const big = Buffer.alloc(100_000, 0x61);
  const large = eventBlock({ type: EVENT_CODE.PLUGINEVENT_E, params: [p.u32(7), big] });
  // A V1 event: 22-byte header without nparams; the count comes from the lengths.
  const v1 = Buffer.alloc(2 + 22 + 4 + 8 + 8);
  v1.writeUInt16LE(2, 0);
  v1.writeBigUInt64LE(123n, 2);
  v1.writeBigInt64LE(77n, 10);
  v1.writeUInt32LE(22 + 4 + 16, 18);
  v1.writeUInt16LE(EVENT_CODE.SYSCALL_CLOSE_X, 22);
  v1.writeUInt16LE(8, 24);
  v1.writeUInt16LE(8, 26);
  v1.writeBigInt64LE(0n, 28);
  v1.writeBigInt64LE(9n, 36);
  const bytes = captureOf(encodeBlock(BLOCK.EVF_V2, evf), large, encodeBlock(BLOCK.EV, v1));
  let n = 0;
  await events(bytes, (e) => {
    n++;
    if (e.num === 1) {
      assert.equal(e.flags, 5);
      assert.equal(e.cpu, 1);
      assert.equal(e.nparams, 3, 'more parameters than the table lists');
      assert.equal(e.uint(2), 99);
      assert.equal(e.paramInfo(2), undefined);
    } else if (e.num === 2) {
      assert.ok(EVENT_INFO[e.type].largePayload);
      assert.equal(e.paramLength(1), 100_000);
      assert.equal(e.bytes(1)![99_999], 0x61);
    } else {
      assert.equal(e.blockType, BLOCK.EV);
      assert.equal(e.nparams, 2);
      assert.equal(e.length, 26 + 4 + 16, 'length in the V2 layout');
      assert.equal(e.tid, 77);
      assert.equal(e.int(1), 9);
    }
  });
  assert.equal(n, 3);
});

test('a detached copy outlives the stream position', async () => {
  const bytes = captureOf(
    eventBlock({ type: EVENT_CODE.SYSCALL_CLOSE_X, tid: 1, params: [p.i64(0), p.i64(11)] }),
    eventBlock({ type: EVENT_CODE.SYSCALL_CLOSE_X, tid: 2, params: [p.i64(0), p.i64(22)] }),
  );
  const kept: ScapEvent[] = [];
  await events(bytes, (e) => { kept.push(e.detach()); });
  assert.deepEqual(kept.map((e) => [e.num, e.tid, e.int(1)]), [[1, 1, 11], [2, 2, 22]]);
});
