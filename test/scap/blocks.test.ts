import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ByteSink, decodeFdList, decodeInterfaceList, decodeMachineInfo, decodeProcessList, decodeSectionHeader, decodeUserList,
  encodeFdList, encodeInterfaceList, encodeMachineInfo, encodeProcessList, encodeSectionHeader, encodeUserList,
} from '../../src/scap/blocks.js';
import { BLOCK, FD_TYPE, IFINFO } from '../../src/scap/format.js';
import { emptyProcess, type FdInfo, type ProcessRecord } from '../../src/scap/records.js';

function fullProcess(): ProcessRecord {
  return {
    ...emptyProcess(100),
    pid: 99, ptid: 1, sid: 98, vpgid: 97, pgid: 96, comm: 'bash', exe: '/bin/bash', exepath: '/usr/bin/bash',
    args: ['-c', 'echo hi'], cwd: '/root', fdlimit: 1024, flags: 0x20, uid: 1000, gid: 1001, vmsizeKb: 1, vmrssKb: 2,
    vmswapKb: 3, pfMajor: 4, pfMinor: 5, env: ['HOME=/root', 'TERM=xterm'], vtid: 10, vpid: 11,
    cgroups: ['cpu=/docker/abc', 'memory=/docker/abc'], root: '/', pidnsInitStartTs: 123456789n, tty: 34816,
    loginuid: 1000, exeWritable: true, capInheritable: 1n, capPermitted: 0x1ffffffffffn, capEffective: 0x3n,
    exeUpperLayer: true, exeLowerLayer: false, exeFromMemfd: true, exeIno: 4242, exeInoCtime: 1_600_000_000_000_000_000n,
    exeInoMtime: 1_600_000_000_000_000_001n,
  };
}

test('process list: the V9 layout round-trips every field', () => {
  const procs = [fullProcess(), emptyProcess(7)];
  const decoded = decodeProcessList(encodeProcessList(procs), BLOCK.PL_V9);
  assert.equal(decoded.version, 9);
  assert.deepEqual(decoded.processes, procs);
});

test('process list: entries of pre-0.10 writers (V9 without pidns/tty) and newer writers (extra fields)', () => {
  const p = fullProcess();
  // Old V9 entry: the fields up to root, then loginuid, exe_writable and the three capabilities.
  const s = new ByteSink();
  s.u32(0).u64(p.tid).u64(p.pid).u64(p.ptid).u64(p.sid).u64(p.vpgid).str16(p.comm).str16(p.exe).str16(p.exepath)
    .list16(p.args).str16(p.cwd).u64(p.fdlimit).u32(p.flags).u32(p.uid).u32(p.gid).u32(1).u32(2).u32(3).u64(4).u64(5)
    .list16(p.env).u64(p.vtid).u64(p.vpid).list16(p.cgroups).str16(p.root)
    .u32(1000).u8(1).u64(7n).u64(8n).u64(9n);
  const old = s.result();
  new DataView(old.buffer, old.byteOffset).setUint32(0, old.length, true);
  const [o] = decodeProcessList(old, BLOCK.PL_V9).processes;
  assert.equal(o.loginuid, 1000);
  assert.equal(o.exeWritable, true);
  assert.deepEqual([o.capInheritable, o.capPermitted, o.capEffective], [7n, 8n, 9n]);
  assert.equal(o.tty, 0);
  assert.equal(o.pidnsInitStartTs, 0n);

  // A newer writer appended 6 bytes we do not know: they are skipped, the next entry still reads.
  const cur = encodeProcessList([p]);
  const longer = new Uint8Array(cur.length + 6);
  longer.set(cur);
  new DataView(longer.buffer).setUint32(0, cur.length + 6, true);
  const two = new Uint8Array(longer.length + cur.length);
  two.set(longer);
  two.set(cur, longer.length);
  assert.deepEqual(decodeProcessList(two, BLOCK.PL_V9).processes, [p, p]);
});

test('process list: V1 and V4 layouts', () => {
  const s = new ByteSink();
  s.u64(5).u64(5).u64(1).str16('init').str16('/sbin/init').list16(['a']).str16('/').u64(100).u32(0).u32(0).u32(0);
  const [v1] = decodeProcessList(s.result(), BLOCK.PL_V1_INT).processes;
  assert.deepEqual([v1.tid, v1.comm, v1.exe, v1.args, v1.cwd, v1.fdlimit], [5, 'init', '/sbin/init', ['a'], '/', 100]);
  assert.deepEqual([v1.sid, v1.vtid, v1.loginuid, v1.env], [-1, -1, 0xffffffff, []]);
  const s4 = new ByteSink();
  s4.u64(6).u64(6).u64(1).str16('sh').str16('/bin/sh').list16([]).str16('/tmp').u64(10).u32(1).u32(2).u32(3)
    .u32(4).u32(5).u32(6).u64(7).u64(8).list16(['X=1']).u64(60).u64(61).list16(['cpu=/']);
  const [v4] = decodeProcessList(s4.result(), BLOCK.PL_V4).processes;
  assert.deepEqual([v4.vmsizeKb, v4.pfMinor, v4.env, v4.vtid, v4.vpid, v4.cgroups, v4.root], [4, 8, ['X=1'], 60, 61, ['cpu=/'], '']);
});

test('fd lists: V2 round trip of every fd kind, and the V1 layout', () => {
  const fds: FdInfo[] = [
    { fd: 0, ino: 1, type: FD_TYPE.FILE_V2, name: '/dev/null', openFlags: 2, dev: 5 },
    { fd: 3, ino: 2, type: FD_TYPE.IPV4_SOCK, sip: 0x7f000001, dip: 0x0a000001, sport: 1234, dport: 80, l4proto: 2 },
    { fd: 4, ino: 3, type: FD_TYPE.IPV6_SERVSOCK, sip: new Uint8Array(16).fill(1), sport: 443, l4proto: 2 },
    { fd: 5, ino: 4, type: FD_TYPE.UNIX_SOCK, unixSource: 0xabcn, unixDest: 0xdefn, name: '/run/a.sock' },
    { fd: 6, ino: 5, type: FD_TYPE.PIDFD, name: 'anon_inode:[pidfd]' },
  ];
  assert.deepEqual(decodeFdList(encodeFdList(77, fds), BLOCK.FDL_V2), { kind: 'fds', tid: 77, fds });
  const s = new ByteSink().u64(9).u64(1).u64(2).u8(FD_TYPE.FILE).str16('/etc/hosts')
    .u64(2).u64(3).u8(FD_TYPE.IPV4_SERVSOCK).ipv4(0).u16(22).u8(2);
  const v1 = decodeFdList(s.result(), BLOCK.FDL);
  assert.deepEqual(v1.fds, [
    { fd: 1, ino: 2, type: FD_TYPE.FILE, name: '/etc/hosts' },
    { fd: 2, ino: 3, type: FD_TYPE.IPV4_SERVSOCK, sip: 0, sport: 22, l4proto: 2 },
  ]);
});

test('user lists, interface lists, machine info and section header', () => {
  const users = [{ uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash' }];
  const groups = [{ gid: 0, name: 'root' }, { gid: 100, name: 'users' }];
  assert.deepEqual(decodeUserList(encodeUserList(users, groups), BLOCK.UL_V2), { kind: 'users', users, groups });
  const v1 = new ByteSink().u8(0).u32(5).u32(6).str16('bob').str16('/home/bob').str16('/bin/sh').u8(1).u32(6).str16('bob');
  assert.deepEqual(decodeUserList(v1.result(), BLOCK.UL), {
    kind: 'users', users: [{ uid: 5, gid: 6, name: 'bob', homedir: '/home/bob', shell: '/bin/sh' }], groups: [{ gid: 6, name: 'bob' }],
  });

  const ipv4 = [{ name: 'lo', addr: 0x7f000001, netmask: 0xff000000, bcast: 0x7f000001, linkspeed: 0 }];
  const ipv6 = [{ name: 'eth0', addr: new Uint8Array(16).fill(2), netmask: new Uint8Array(16).fill(255), bcast: new Uint8Array(16), linkspeed: 1000 }];
  assert.deepEqual(decodeInterfaceList(encodeInterfaceList(ipv4, ipv6), BLOCK.IL_V2), { kind: 'interfaces', ipv4, ipv6 });
  const oldIl = new ByteSink().u16(IFINFO.IPV4_NOLINKSPEED).u16(2).ipv4(0x7f000001).ipv4(0xff000000).ipv4(0).bytes(Buffer.from('lo'));
  assert.deepEqual(decodeInterfaceList(oldIl.result(), BLOCK.IL).ipv4, [{ name: 'lo', addr: 0x7f000001, netmask: 0xff000000, bcast: 0, linkspeed: 0 }]);

  const machine = { numCpus: 8, memorySizeBytes: 1n << 34n, maxPid: 4194304n, hostname: 'host-1', bootTsEpoch: 5n, flags: 1n, reserved3: 0n, reserved4: 0n };
  assert.deepEqual(decodeMachineInfo(encodeMachineInfo(machine)), { kind: 'machine', ...machine });

  const opts = [{ code: 1, name: 'comment', text: 'hello', value: Buffer.from('hello') }];
  const shb = decodeSectionHeader(encodeSectionHeader(opts));
  assert.deepEqual([shb.majorVersion, shb.minorVersion, shb.sectionLength], [1, 2, -1n]);
  assert.deepEqual(shb.options.map((o) => [o.code, o.name, o.text]), [[1, 'comment', 'hello']]);
});
