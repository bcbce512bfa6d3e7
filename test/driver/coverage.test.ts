// Every syscall family the driver handles, on a real kernel: the load generator's coverage scenario
// makes one call of each (files, descriptors, sockets, credentials, namespaces, modules, process
// creation) and the test finds each call's event with its parameters.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SockAddr, SockTuple } from '../../src/scap/event.js';
import { DriverProcess } from '../../src/sources/live/driver-process.js';
import { collect, driverOrSkip, execFileAsync, LOADGEN, type CollectedEvent } from './helpers.js';

const SYSCALLS = [
  'creat', 'open', 'openat', 'openat2', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'unlink', 'unlinkat',
  'symlinkat', 'mkdir', 'mkdirat', 'rmdir', 'chmod', 'fchmod', 'fchmodat', 'chown', 'lchown', 'fchown', 'fchownat',
  'dup', 'dup2', 'dup3', 'fcntl', 'close_range', 'flock', 'pipe', 'pipe2', 'read', 'write', 'eventfd2', 'signalfd4',
  'timerfd_create', 'inotify_init1', 'epoll_create1', 'memfd_create', 'userfaultfd', 'io_uring_setup', 'pidfd_open',
  'pidfd_getfd', 'open_by_handle_at', 'socket', 'bind', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg',
  'recvmmsg', 'listen', 'connect', 'accept4', 'shutdown', 'getsockopt', 'socketpair', 'setuid', 'setgid',
  'setresuid', 'setresgid', 'setreuid', 'setregid', 'capset', 'prctl', 'setpgid', 'kill', 'tgkill', 'tkill',
  'prlimit64', 'setrlimit', 'seccomp', 'finit_module', 'init_module', 'delete_module', 'bpf', 'ioctl', 'getppid',
  'chdir', 'fchdir', 'mount', 'umount2', 'unshare', 'setns', 'ptrace', 'vfork', 'clone3', 'fork', 'clone', 'execve',
  'execveat', 'close',
];

interface Facts {
  pid: number; dirfd: number; creat_fd: number; open_fd: number; openat2_fd: number; dup_fd: number; dup2_fd: number;
  dup3_fd: number; fcntl_fd: number; close_range_res: number; pipe: number[]; pipe2: number[]; eventfd: number;
  signalfd: number; timerfd: number; inotify: number; epoll: number; memfd: number; userfaultfd: number; io_uring: number;
  pidfd: number; pidfd_getfd: number; open_by_handle_at: number; udp_rx: number; udp_tx: number; udp_rx_port: number;
  udp_tx_port: number; tcp_listen: number; tcp_client: number; tcp_accepted: number; tcp_port: number;
  tcp_client_port: number; socketpair: number[]; mount_res: number; umount_res: number; ns_child: number;
  vfork_child: number; clone3_child: number; execve_res: number; execve_errno: number; execveat_child: number;
}

const LOOPBACK = 0x7f000001;

describe('driver coverage (root, live kernel)', () => {
  let work = '';
  before(() => {
    work = realpathSync(mkdtempSync(path.join(tmpdir(), 'peregrine-cov-')));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('each syscall of the coverage scenario has its event with its parameters', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: [], logOpen: false });
    const selection = await driver.select(SYSCALLS);
    assert.deepEqual(selection.failed, []);
    assert.deepEqual(selection.unsupported, []);
    // Kernels without module support have no module syscalls to trace (they fail with ENOSYS).
    const unavailable = new Set(selection.unavailable);
    for (const name of unavailable) {
      assert.ok(!existsSync(`/sys/kernel/tracing/events/syscalls/sys_exit_${name}`), `${name} is traceable here`);
    }
    assert.deepEqual([...selection.selected].sort(), SYSCALLS.filter((s) => !unavailable.has(s)).sort(), 'every syscall attached');
    const stream = await collect(driver);
    const out = await execFileAsync(LOADGEN, ['coverage', work]);
    const f = JSON.parse(out.stdout) as Facts;
    const stats = await driver.stop();
    await stream.done;
    assert.equal(stats && stats.drops.buffer_full, 0);

    const mine = stream.events.filter((e) => e.tid === f.pid);
    const one = (name: string, pred: (e: CollectedEvent) => boolean = () => true, events = mine): CollectedEvent => {
      const found = events.filter((e) => e.name === name && pred(e));
      assert.ok(found.length > 0, `${name}: no matching event among ${events.filter((e) => e.name === name)
        .map((e) => JSON.stringify(e.params, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).join(' | ') || 'none'}`);
      return found[0];
    };
    const p = (e: CollectedEvent, k: string): unknown => e.params[k];

    // files
    assert.equal(p(one('creat', (e) => p(e, 'name') === 'c1.txt'), 'fd'), f.creat_fd);
    assert.equal(Number(p(one('creat'), 'mode')), 0o600);
    assert.equal(p(one('open', (e) => p(e, 'name') === 'c1.txt'), 'fd'), f.open_fd);
    const o2 = one('openat2', (e) => p(e, 'name') === 'c1.txt');
    assert.equal(p(o2, 'fd'), f.openat2_fd);
    assert.equal(p(o2, 'resolve'), 1 << 3, 'RESOLVE_NO_SYMLINKS');
    one('rename', (e) => p(e, 'oldpath') === 'c1.txt' && p(e, 'newpath') === 'c2.txt' && p(e, 'res') === 0);
    one('renameat', (e) => p(e, 'olddirfd') === -100 && p(e, 'newdirfd') === f.dirfd && p(e, 'newpath') === 'c3.txt');
    one('renameat2', (e) => p(e, 'olddirfd') === f.dirfd && p(e, 'newpath') === 'c4.txt' && p(e, 'flags') === 1);
    one('link', (e) => p(e, 'oldpath') === 'c4.txt' && p(e, 'newpath') === 'l1' && p(e, 'res') === 0);
    one('linkat', (e) => p(e, 'newpath') === 'l2' && p(e, 'res') === 0);
    one('unlink', (e) => p(e, 'path') === 'l1' && p(e, 'res') === 0);
    one('unlinkat', (e) => p(e, 'name') === 'l2' && p(e, 'flags') === 0);
    one('unlinkat', (e) => p(e, 'name') === 'd2' && p(e, 'flags') === 0x200, mine); // AT_REMOVEDIR
    one('symlinkat', (e) => p(e, 'target') === 'c4.txt' && p(e, 'linkdirfd') === f.dirfd && p(e, 'linkpath') === 's1');
    one('mkdir', (e) => p(e, 'path') === 'd1' && p(e, 'mode') === 0o700);
    one('mkdirat', (e) => p(e, 'path') === 'd2' && p(e, 'dirfd') === f.dirfd && p(e, 'mode') === 0o750);
    one('rmdir', (e) => p(e, 'path') === 'd1' && p(e, 'res') === 0);
    one('chmod', (e) => p(e, 'filename') === 'c4.txt' && p(e, 'mode') === 0o644);
    one('fchmod', (e) => p(e, 'fd') === f.creat_fd && p(e, 'mode') === 0o600);
    one('fchmodat', (e) => p(e, 'filename') === 'c4.txt' && p(e, 'mode') === 0o640);
    one('chown', (e) => p(e, 'path') === 'c4.txt' && p(e, 'uid') === 0);
    one('lchown', (e) => p(e, 'path') === 's1');
    one('fchown', (e) => p(e, 'fd') === f.creat_fd);
    one('fchownat', (e) => p(e, 'pathname') === 'c4.txt');
    const obh = one('open_by_handle_at', (e) => p(e, 'fd') === f.open_by_handle_at);
    assert.equal(p(obh, 'path'), path.join(work, 'c4.txt'), 'the driver resolves the path of a handle');
    assert.equal(p(obh, 'ino'), statSync(path.join(work, 'c4.txt')).ino);

    // descriptors
    one('dup', (e) => p(e, 'res') === f.dup_fd && p(e, 'oldfd') === f.creat_fd);
    one('dup2', (e) => p(e, 'res') === f.dup2_fd && p(e, 'newfd') === 50);
    one('dup3', (e) => p(e, 'res') === f.dup3_fd && p(e, 'flags') === 1 << 12); // O_CLOEXEC
    one('fcntl', (e) => p(e, 'res') === f.fcntl_fd && p(e, 'cmd') === 26); // F_DUPFD_CLOEXEC
    one('close_range', (e) => p(e, 'first') === 50 && p(e, 'last') === 60 && p(e, 'res') === f.close_range_res);
    one('flock', (e) => p(e, 'fd') === f.creat_fd && p(e, 'operation') === 1); // LOCK_SH
    const pipe = one('pipe', (e) => p(e, 'fd1') === f.pipe[0] && p(e, 'fd2') === f.pipe[1]);
    assert.ok(Number(p(pipe, 'ino')) > 0, 'pipe inode');
    one('pipe2', (e) => p(e, 'fd1') === f.pipe2[0] && p(e, 'flags') === ((1 << 6) | (1 << 12)));
    one('write', (e) => p(e, 'fd') === f.pipe[1] && p(e, 'res') === 3 && Buffer.from(p(e, 'data') as Uint8Array).toString() === 'abc');
    one('read', (e) => p(e, 'fd') === f.pipe[0] && p(e, 'res') === 3 && Buffer.from(p(e, 'data') as Uint8Array).toString() === 'abc');
    one('eventfd2', (e) => p(e, 'res') === f.eventfd && p(e, 'initval') === 7 && p(e, 'flags') === 1 << 6);
    one('signalfd4', (e) => p(e, 'res') === f.signalfd && p(e, 'flags') === 1 << 12);
    one('timerfd_create', (e) => p(e, 'res') === f.timerfd && p(e, 'clockid') === 1);
    one('inotify_init1', (e) => p(e, 'res') === f.inotify);
    one('epoll_create1', (e) => p(e, 'res') === f.epoll && p(e, 'flags') === 1);
    one('memfd_create', (e) => p(e, 'fd') === f.memfd && p(e, 'name') === 'peregrine-cov' && p(e, 'flags') === 1);
    one('userfaultfd', (e) => p(e, 'res') === f.userfaultfd);
    one('io_uring_setup', (e) => p(e, 'res') === f.io_uring && p(e, 'entries') === 4 && Number(p(e, 'sq_entries')) >= 4);
    one('pidfd_open', (e) => p(e, 'fd') === f.pidfd && p(e, 'pid') === f.pid);
    one('pidfd_getfd', (e) => p(e, 'fd') === f.pidfd_getfd && p(e, 'pid_fd') === f.pidfd && p(e, 'target_fd') === f.creat_fd);

    // sockets
    one('socket', (e) => p(e, 'fd') === f.udp_rx && p(e, 'domain') === 2 && p(e, 'type') === 2);
    const bind = one('bind', (e) => p(e, 'fd') === f.udp_rx);
    assert.deepEqual({ ...(p(bind, 'addr') as SockAddr) }, { family: 2, ip: LOOPBACK, port: 0 });
    const sendto = one('sendto', (e) => p(e, 'fd') === f.udp_tx);
    assert.equal(Buffer.from(p(sendto, 'data') as Uint8Array).toString(), 'hello-udp');
    assert.deepEqual({ ...(p(sendto, 'tuple') as SockTuple) },
      { family: 2, sip: 0, sport: f.udp_tx_port, dip: LOOPBACK, dport: f.udp_rx_port });
    const recvfrom = one('recvfrom', (e) => p(e, 'fd') === f.udp_rx);
    assert.equal(p(recvfrom, 'res'), 9);
    assert.equal(Buffer.from(p(recvfrom, 'data') as Uint8Array).toString(), 'hello-udp');
    const rt = p(recvfrom, 'tuple') as SockTuple;
    assert.equal(rt.dport, f.udp_rx_port);
    const sendmsg = one('sendmsg', (e) => p(e, 'fd') === f.udp_tx);
    assert.equal(p(sendmsg, 'size'), 8);
    assert.equal(Buffer.from(p(sendmsg, 'data') as Uint8Array).toString(), 'msg-data');
    assert.equal((p(sendmsg, 'tuple') as SockTuple).dport, f.udp_rx_port);
    const recvmsg = one('recvmsg', (e) => p(e, 'fd') === f.udp_rx);
    assert.equal(Buffer.from(p(recvmsg, 'data') as Uint8Array).toString(), 'msg-data');
    one('sendmmsg', (e) => p(e, 'fd') === f.udp_tx && p(e, 'res') === 8);
    one('recvmmsg', (e) => p(e, 'fd') === f.udp_rx && p(e, 'res') === 8);
    one('listen', (e) => p(e, 'fd') === f.tcp_listen && p(e, 'backlog') === 5);
    const conn = one('connect', (e) => p(e, 'fd') === f.tcp_client);
    assert.deepEqual({ ...(p(conn, 'tuple') as SockTuple) },
      { family: 2, sip: LOOPBACK, sport: f.tcp_client_port, dip: LOOPBACK, dport: f.tcp_port });
    const acc = one('accept4', (e) => p(e, 'fd') === f.tcp_accepted);
    assert.deepEqual({ ...(p(acc, 'tuple') as SockTuple) },
      { family: 2, sip: LOOPBACK, sport: f.tcp_client_port, dip: LOOPBACK, dport: f.tcp_port });
    assert.equal(p(acc, 'queuemax'), 5);
    assert.equal(p(acc, 'flags'), 1 << 12);
    one('shutdown', (e) => p(e, 'fd') === f.tcp_client && p(e, 'how') === 1);
    one('getsockopt', (e) => p(e, 'fd') === f.tcp_client && p(e, 'level') === 1 && p(e, 'optname') === 4 && p(e, 'optlen') === 4);
    const sp = one('socketpair', (e) => p(e, 'fd1') === f.socketpair[0] && p(e, 'fd2') === f.socketpair[1]);
    assert.ok(p(sp, 'source') !== 0n && p(sp, 'peer') !== 0n, 'kernel socket addresses');

    // credentials, attributes, signals, limits, modules
    one('setuid', (e) => p(e, 'uid') === 0 && p(e, 'res') === 0);
    one('setgid', (e) => p(e, 'gid') === 0 && p(e, 'res') === 0);
    one('setresuid', (e) => p(e, 'ruid') === 0xffffffff);
    one('setresgid', (e) => p(e, 'rgid') === 0xffffffff);
    one('setreuid', (e) => p(e, 'res') === 0);
    one('setregid', (e) => p(e, 'res') === 0);
    one('capset', (e) => p(e, 'res') === 0 && BigInt(p(e, 'cap_effective') as bigint) > 0n);
    one('prctl', (e) => p(e, 'option') === 15 && p(e, 'arg2_str') === 'pg-coverage');
    one('setpgid', (e) => p(e, 'res') === 0);
    one('kill', (e) => p(e, 'pid') === f.pid && p(e, 'sig') === 0);
    one('tgkill', (e) => p(e, 'pid') === f.pid && p(e, 'tid') === f.pid);
    one('tkill', (e) => p(e, 'tid') === f.pid);
    one('prlimit', (e) => p(e, 'resource') === 7 && p(e, 'res') === 0); // prlimit64's event is called prlimit
    one('setrlimit', (e) => p(e, 'resource') === 4 && p(e, 'res') === 0);
    one('seccomp', (e) => p(e, 'op') === 2);
    if (!unavailable.has('finit_module')) one('finit_module', (e) => p(e, 'fd') === -1 && Number(p(e, 'res')) < 0);
    if (!unavailable.has('init_module')) one('init_module', (e) => Number(p(e, 'res')) < 0);
    if (!unavailable.has('delete_module')) {
      one('delete_module', (e) => p(e, 'name') === 'peregrine_no_such_module' && Number(p(e, 'res')) < 0);
    }
    one('bpf', (e) => p(e, 'cmd') === 11);
    one('ioctl', (e) => p(e, 'fd') === f.creat_fd && p(e, 'request') === 0x541b);
    one('syscall', (e) => p(e, 'ID') === 41 && p(e, 'nativeID') === 110); // getppid: a generic event (ppm_sc 41)
    one('chdir', (e) => p(e, 'path') === '/');
    one('fchdir', (e) => p(e, 'fd') === f.dirfd);
    assert.equal(f.mount_res, 0);
    one('mount', (e) => p(e, 'dev') === 'peregrine' && p(e, 'dir') === 'mnt' && p(e, 'type') === 'tmpfs' && p(e, 'res') === 0);
    one('umount2', (e) => p(e, 'name') === 'mnt' && p(e, 'flags') === 2); // MNT_DETACH

    // children: namespaces, ptrace, vfork, clone3, execve failure, execveat
    const child = (pid: number): CollectedEvent[] => stream.events.filter((e) => e.tid === pid);
    one('unshare', (e) => p(e, 'res') === 0 && p(e, 'flags') === 1 << 7, child(f.ns_child)); // CLONE_NEWUTS
    one('setns', (e) => p(e, 'nstype') === 1 << 7, child(f.ns_child));
    one('ptrace', (e) => p(e, 'request') === 1 && p(e, 'res') === 0, child(f.ns_child)); // TRACEME
    one('vfork', (e) => p(e, 'res') === f.vfork_child);
    one('vfork', (e) => p(e, 'res') === 0, child(f.vfork_child));
    one('clone3', (e) => p(e, 'res') === f.clone3_child);
    one('clone3', (e) => p(e, 'res') === 0, child(f.clone3_child));
    one('procexit', (e) => p(e, 'ret') === 4, child(f.clone3_child));
    const failed = one('execve', (e) => Number(p(e, 'res')) === -f.execve_errno);
    assert.equal(p(failed, 'exe'), 'peregrine-missing');
    assert.equal(p(failed, 'filename'), '/nonexistent/peregrine-missing');
    // A successful execveat is reported as execve, as Falco reports it (the new image does not
    // tell which call loaded it); failures keep their own type.
    const viaAt = one('execve', (e) => p(e, 'res') === 0, child(f.execveat_child));
    assert.equal(p(viaAt, 'res'), 0);
    assert.equal(p(viaAt, 'exe'), 'true-via-execveat');
    assert.deepEqual(viaAt.lists.args, ['x']);
    assert.equal(p(viaAt, 'trusted_exepath'), realpathSync('/bin/true'));
  });
});
