import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EF, EVENT_CODE } from '../../src/scap/event-table.js';
import { AF, type ScapEvent } from '../../src/scap/event.js';
import {
  errnoName, formatArg, formatArgs, formatG, formatIpv6, renderParam, type ParamFormatOptions,
} from '../../src/scap/param-format.js';
import { ScapReader } from '../../src/scap/reader.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { CORPUS_CAPTURES, argsPattern, capturePath, captureOf, eventBlock, p, type SyntheticEvent } from './helpers.js';

test('evt.args matches Falco 0.44 on every capture event that needs no state and no conversion', async (t) => {
  if (!corpusOrSkip(t)) return;
  let total = 0;
  for (const name of CORPUS_CAPTURES) {
    // Falco's oracle: one JSON object per event it delivered. Key by exact time, thread and type.
    const oracle = new Map<string, string>();
    for (const line of readFileSync(corpusPath('oracle-falco', `${name}.jsonl`), 'utf8').split('\n')) {
      if (line === '') continue;
      const time = /"evt\.time": (\d+)/.exec(line)![1];
      const o = JSON.parse(line) as Record<string, string | number>;
      oracle.set(`${time}:${o['thread.tid']}:${o['evt.dir']}:${o['evt.type']}`, o['evt.args'] as string);
    }
    const reader = await ScapReader.open(capturePath(name));
    let compared = 0;
    await reader.forEach((e) => {
      const theirs = oracle.get(`${e.tsBig}:${e.tid}:${e.info.dir}:${e.info.name}`);
      // Falco converts old layouts (libscap's converter) before formatting: compare the others.
      if (theirs === undefined || e.nparams !== e.info.params.length || (e.info.flags & EF.OLD_VERSION) !== 0) return;
      assert.match(theirs, argsPattern(e), `${name} event ${e.num} (${e.info.name})`);
      compared++;
    });
    assert.ok(compared > 0, name);
    total += compared;
  }
  assert.ok(total > 10000, `compared ${total} events`);
});

async function withEvent(e: SyntheticEvent, check: (evt: ScapEvent) => void): Promise<void> {
  const reader = await ScapReader.fromStream((async function* () { yield captureOf(eventBlock(e)); })());
  let n = 0;
  await reader.forEach((evt) => {
    n++;
    check(evt);
  });
  assert.equal(n, 1);
}

test('numbers, flags, modes, errno names and enums', async () => {
  // open exit: fd, name, flags (file_flags, hex), mode (uint32 octal), dev (hex), ino
  await withEvent({
    type: EVENT_CODE.SYSCALL_OPEN_X,
    params: [p.i64(-13), p.str('/etc/shadow'), p.u32(1 | 2 | 4 | (1 << 12)), p.u32(0o640), p.u32(0xfd01), p.u64(12)],
  }, (e) => {
    assert.equal(formatArgs(e), 'fd=-13(EACCES) name=/etc/shadow flags=4103(O_CREAT|O_RDWR|O_CLOEXEC) mode=0640 dev=FD01 ino=12');
    assert.equal(formatArg(e, 0), 'EACCES');
    assert.equal(formatArg(e, 2), 'O_CREAT|O_RDWR|O_CLOEXEC', 'in the order of the flag table');
  });
  // flags value 0 resolves to the table's zero entry; an enum flag resolves exactly
  await withEvent({ type: EVENT_CODE.SYSCALL_OPEN_X, params: [p.i64(3), p.str('x'), p.u32(0), p.u32(0), p.u32(0), p.u64(0)] }, (e) => {
    assert.equal(renderParam(e, 2).resolved, 'O_NONE');
    assert.equal(renderParam(e, 3).value, '0');
  });
  // fchmodat: mode is PT_MODE with its names
  await withEvent({ type: EVENT_CODE.SYSCALL_FCHMODAT_X, params: [p.i64(0), p.i64(-100), p.str('f'), p.u32(0o4755)] }, (e) => {
    assert.equal(formatArg(e, 1), 'AT_FDCWD');
    assert.equal(renderParam(e, 3).value, '04755');
    assert.equal(renderParam(e, 3).resolved, 'S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID');
  });
  assert.equal(errnoName(-2), 'ENOENT');
  assert.equal(errnoName(5), undefined);
});

test('times, users, signals, sockets and empty parameters', async () => {
  // nanosleep enter: interval PT_RELTIME
  await withEvent({ type: EVENT_CODE.SYSCALL_NANOSLEEP_E, params: [p.u64(1_500_000_000)] }, (e) => {
    assert.equal(formatArgs(e), 'interval=1500000000(1.5s)');
  });
  await withEvent({ type: EVENT_CODE.SYSCALL_NANOSLEEP_E, params: [p.u64(0xffffffffffffffffn)] }, (e) => {
    assert.equal(formatArgs(e), 'interval=none');
  });
  // setuid exit: res, uid (PT_UID): -1 is <NONE>, others are names from state (<NA> without)
  await withEvent({ type: EVENT_CODE.SYSCALL_SETUID_X, params: [p.i64(0), p.u32(0xffffffff)] }, (e) => {
    assert.equal(formatArgs(e), 'res=0 uid=-1(<NONE>)');
  });
  await withEvent({ type: EVENT_CODE.SYSCALL_SETUID_X, params: [p.i64(0), p.u32(1000)] }, (e) => {
    assert.equal(formatArgs(e), 'res=0 uid=1000(<NA>)');
    assert.equal(formatArgs(e, { hooks: { userName: () => 'alice' } }), 'res=0 uid=1000(alice)');
  });
  // kill exit: pid and signal name
  await withEvent({ type: EVENT_CODE.SYSCALL_KILL_X, params: [p.i64(0), p.i64(42), p.u8(9)] }, (e) => {
    assert.equal(formatArgs(e), 'res=0 pid=42 sig=9(SIGKILL)');
    assert.equal(formatArgs(e, { hooks: { threadName: (tid) => (tid === 42 ? 'nginx' : undefined) } }), 'res=0 pid=42(nginx) sig=9(SIGKILL)');
  });
  // connect exit: IPv4-mapped IPv6 tuples print as IPv4; empty tuple prints NULL
  const mapped = Buffer.alloc(37);
  mapped[0] = AF.INET6;
  mapped.set([0xff, 0xff, 10, 0, 0, 1], 11);
  mapped.writeUInt16LE(5000, 17);
  mapped.set([0xff, 0xff, 10, 0, 0, 2], 29);
  mapped.writeUInt16LE(80, 35);
  await withEvent({ type: EVENT_CODE.SOCKET_CONNECT_X, params: [p.i64(0), mapped, p.i64(3), new Uint8Array(0)] }, (e) => {
    assert.equal(formatArgs(e), 'res=0 tuple=10.0.0.1:5000->10.0.0.2:80 fd=3 addr=<NA>');
  });
  await withEvent({ type: EVENT_CODE.SOCKET_CONNECT_X, params: [p.i64(-111), new Uint8Array(0), p.i64(3), p.raw([AF.UNIX, ...Buffer.from('/tmp/s\0')])] }, (e) => {
    assert.equal(formatArgs(e, { hooks: { fdDecoration: (_evt, fd) => (fd === 3 ? '<u>' : undefined) } }), 'res=-111(ECONNREFUSED) tuple=NULL fd=3(<u>) addr=/tmp/s');
  });
});

test('byte buffers: dots and the 80-character cut, base64, hex, hexascii', async () => {
  const data = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), Buffer.alloc(100, 0x41)]);
  await withEvent({ type: EVENT_CODE.SYSCALL_WRITE_X, params: [p.i64(data.length), data, p.i64(1), p.u32(data.length)] }, (e) => {
    const text = renderParam(e, 1).value;
    assert.equal(text.length, data.length, 'Falco prints whole buffers');
    assert.ok(text.startsWith('GET / HTTP/1.1..AAAA'));
    const cut: ParamFormatOptions = { maxBufferLength: 80 };
    assert.equal(renderParam(e, 1, cut).value.length, 80, 'sysdig cuts at 80 without -v');
    assert.ok(renderParam(e, 1, cut).value.endsWith('AAA...'));
    assert.equal(renderParam(e, 1, { bufferFormat: 'base64' }).value, data.toString('base64'));
    assert.ok(renderParam(e, 1, { bufferFormat: 'hex' }).value.startsWith('\n\t0x0000: 4745 5420 2f20 4854 5450 2f31 2e31 0d0a'));
    assert.ok(renderParam(e, 1, { bufferFormat: 'hexascii' }).value.startsWith('\n\t0x0000: 4745 5420 2f20 4854 5450 2f31 2e31 0d0a  GET / HTTP/1.1..'));
  });
  await withEvent({ type: EVENT_CODE.SYSCALL_READ_X, params: [p.i64(0), new Uint8Array(0), p.i64(3), p.u32(10)] }, (e) => {
    assert.equal(formatArgs(e), 'res=0 data=NULL fd=3 size=10');
  });
});

test('IPv6 text and %lg as glibc prints them', () => {
  const v6 = (...words: number[]): Uint8Array => {
    const b = Buffer.alloc(16);
    words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
    return b;
  };
  assert.equal(formatIpv6(v6(0, 0, 0, 0, 0, 0, 0, 1)), '::1');
  assert.equal(formatIpv6(v6()), '::');
  assert.equal(formatIpv6(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)), '2001:db8:0:1:1:1:1:1');
  assert.equal(formatIpv6(v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001)), '::ffff:10.0.0.1');
  assert.equal(formatIpv6(v6(0xfe80, 0, 0, 0, 0, 0, 0, 0)), 'fe80::');
  assert.equal(formatG(1.5), '1.5');
  assert.equal(formatG(0.000001), '1e-06');
  assert.equal(formatG(1234567), '1.23457e+06');
  assert.equal(formatG(100), '100');
  assert.equal(formatG(0.0001), '0.0001');
});

test('formatArg (evt.arg.X) equals the resolved-or-value of renderParam on every parameter of every capture event', async (t) => {
  if (!corpusOrSkip(t)) return;
  // With the state hooks (relative paths made absolute, fd decorations) as the extractors use them.
  const { ScapReplaySource } = await import('../../src/sources/scap-replay.js');
  const { argOptions } = await import('../../src/fields/syscall/extractors/event.js');
  const { listCaptures } = await import('../oracle/compare.js');
  let compared = 0;
  for (const name of listCaptures(corpusPath())) {
    const replay = await ScapReplaySource.open(corpusPath('captures', `${name}.scap`));
    await replay.forEach((e) => {
      const options = argOptions(e);
      for (let i = 0; i < e.evt.nparams + 1; i++) {
        const r = i < e.evt.nparams && e.evt.paramInfo(i) !== undefined ? renderParam(e.evt, i, options) : undefined;
        const expected = r === undefined ? undefined : r.resolved !== '' ? r.resolved : r.value;
        assert.equal(formatArg(e.evt, i, options), expected, `${name} event ${e.fileNum} parameter ${i}`);
        compared++;
      }
    });
  }
  assert.ok(compared > 50000, `parameters compared: ${compared}`);
});
