// State kept by events (libsinsp's parsers), observed through the fields rules read: processes
// created by clone and execve, fds by open/socket/pipe/dup, removed by close and procexit, cwd,
// users, containers. Events are synthetic, in the current layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_CODE as E, ppmScCode } from '../../src/scap/event-table.js';
import { AT_FDCWD, CL, O } from '../../src/state/constants.js';
import { Delivery, type SyscallEvent } from '../../src/state/syscall-event.js';
import { Synth, defaultParams, json, p, processRecord, q, text } from './helpers.js';

const DOCKER_ID = 'f00dfeedcafe' + '0'.repeat(52);

interface CloneArgs {
  res: number;
  tid: number;
  pid: number;
  ptid: number;
  comm?: string;
  exe?: string;
  args?: string[];
  cwd?: string;
  flags?: number;
  uid?: number;
  gid?: number;
  cgroups?: string[];
  vtid?: number;
  vpid?: number;
}

function cloneExit(s: Synth, eventTid: number, a: CloneArgs): SyscallEvent {
  return s.push(E.SYSCALL_CLONE_20_X, eventTid, [
    p.i64(a.res), p.str(a.exe ?? 'bash'), q.list(a.args ?? []), p.i64(a.tid), p.i64(a.pid), p.i64(a.ptid),
    p.str(a.cwd ?? '/'), p.i64(1024), p.u64(0), p.u64(0), p.u32(0), p.u32(0), p.u32(0), p.str(a.comm ?? 'bash'),
    q.list(a.cgroups ?? []), p.u32(a.flags ?? 0), p.u32(a.uid ?? 0), p.u32(a.gid ?? 0), p.i64(a.vtid ?? a.tid), p.i64(a.vpid ?? a.pid), p.u64(0),
  ]);
}

interface ExecArgs {
  tid: number;
  pid: number;
  ptid: number;
  comm: string;
  exe: string;
  args: string[];
  cwd: string;
  path: string;
  env?: string[];
  uid?: number;
  gid?: number;
  cgroups?: string[];
}

function execveExit(s: Synth, a: ExecArgs, res = 0): SyscallEvent {
  return s.push(E.SYSCALL_EXECVE_19_X, a.tid, [
    p.i64(res), p.str(a.exe), q.list(a.args), p.i64(a.tid), p.i64(a.pid), p.i64(a.ptid), p.str(a.cwd), p.u64(1024),
    p.u64(0), p.u64(0), p.u32(0), p.u32(0), p.u32(0), p.str(a.comm), q.list(a.cgroups ?? []), q.list(a.env ?? []),
    p.u32(0), p.i64(a.pid), p.u32(a.uid ?? 0), p.u32(0), p.u64(0), p.u64(0), p.u64(0), p.u64(0), p.u64(0), p.u64(0),
    p.u32(a.uid ?? 0), p.str(a.path), p.i64(a.pid), p.u32(a.gid ?? 0), p.str(a.path),
  ]);
}

function openat(s: Synth, tid: number, fd: number, dirfd: number, name: string, flags: number): SyscallEvent {
  return s.push(E.SYSCALL_OPENAT_2_X, tid, [p.i64(fd), p.i64(dirfd), p.str(name), p.u32(flags), p.u32(0o644), p.u32(0), p.u64(0)]);
}

/** A generic getpid exit: an event that changes nothing, to look at the state after another. */
const tick = (s: Synth, tid: number): SyscallEvent => s.push(E.GENERIC_X, tid, [p.u16(GETPID), p.u16(39)]);
const GETPID = ppmScCode('getpid')!;

const close = (s: Synth, tid: number, fd: number, res = 0): SyscallEvent =>
  s.push(E.SYSCALL_CLOSE_X, tid, [p.i64(res), p.i64(fd)]);

/** init, and bash (pid 100) in /home/alice as uid 1000. */
function world(): Synth {
  const s = new Synth();
  s.state.users.putUser('', 1000, 1000, 'alice', '/home/alice', '/bin/zsh');
  s.state.users.putGroup('', 1000, 'alice');
  return s.seed(
    processRecord({ tid: 1, ptid: 0, comm: 'systemd', exe: '/sbin/init', exepath: '/sbin/init' }),
    processRecord({ tid: 100, ptid: 1, comm: 'bash', exe: '-bash', exepath: '/usr/bin/bash', cwd: '/home/alice/', uid: 1000, gid: 1000 }),
  );
}

/** bash forks 200 (both clone exits) and 200 runs `cat /etc/hostname`. */
function forkExec(s: Synth, extra: Partial<ExecArgs> = {}): void {
  cloneExit(s, 100, { res: 200, tid: 100, pid: 100, ptid: 1, cwd: '/home/alice/', uid: 1000, gid: 1000 });
  cloneExit(s, 200, { res: 0, tid: 200, pid: 200, ptid: 100, cwd: '/home/alice/', uid: 1000, gid: 1000 });
  execveExit(s, { tid: 200, pid: 200, ptid: 100, comm: 'cat', exe: 'cat', args: ['/etc/hostname'], cwd: '/home/alice/', path: '/usr/bin/cat', uid: 1000, gid: 1000, ...extra });
}

test('clone then execve: the child inherits, then becomes the new program', () => {
  const s = world();
  const parentSide = cloneExit(s, 100, { res: 200, tid: 100, pid: 100, ptid: 1, cwd: '/home/alice/', uid: 1000, gid: 1000 });
  assert.equal(text(parentSide, 'proc.name'), 'bash');
  assert.equal(s.state.threads.peek(200)?.comm, 'bash', 'the caller side already creates the child');
  const childSide = cloneExit(s, 200, { res: 0, tid: 200, pid: 200, ptid: 100, cwd: '/home/alice/', uid: 1000, gid: 1000 });
  assert.equal(text(childSide, 'proc.pid'), '200');
  assert.equal(text(childSide, 'proc.pname'), 'bash');
  const exec = execveExit(s, { tid: 200, pid: 200, ptid: 100, comm: 'cat', exe: 'cat', args: ['/etc/hostname'], cwd: '/home/alice/', path: '/usr/bin/cat', env: ['HOME=/home/alice', 'LANG=C'], uid: 1000, gid: 1000 });
  assert.equal(text(exec, 'proc.name'), 'cat');
  assert.equal(text(exec, 'proc.cmdline'), 'cat /etc/hostname');
  assert.equal(text(exec, 'proc.exepath'), '/usr/bin/cat');
  assert.equal(text(exec, 'proc.pname'), 'bash');
  assert.equal(text(exec, 'proc.aname[2]'), 'systemd');
  assert.equal(text(exec, 'proc.env[LANG]'), 'C');
  assert.equal(text(exec, 'user.name'), 'alice');
  assert.equal(text(exec, 'user.homedir'), '/home/alice');
  assert.equal(text(exec, 'group.name'), 'alice');
  assert.equal(text(exec, 'proc.cwd'), '/home/alice/');
  assert.equal(text(exec, 'container.id'), 'host');
  assert.equal(json(exec, 'proc.is_exe_writable'), false);
});

test('a thread (CLONE_THREAD|CLONE_FILES) shares its process fds; a fork copies them', () => {
  const s = world();
  openat(s, 100, 5, AT_FDCWD, 'notes.txt', O.RDONLY);
  const threadFlags = CL.CLONE_THREAD | CL.CLONE_FILES | CL.CLONE_VM | CL.CLONE_FS;
  cloneExit(s, 100, { res: 101, tid: 100, pid: 100, ptid: 1, flags: threadFlags, cwd: '/home/alice/', uid: 1000 });
  const t = cloneExit(s, 101, { res: 0, tid: 101, pid: 100, ptid: 100, flags: threadFlags, cwd: '/home/alice/', uid: 1000 });
  assert.equal(text(t, 'thread.tid'), '101');
  assert.equal(text(t, 'proc.pid'), '100');
  assert.equal(text(t, 'proc.pname'), 'systemd', 'parent of the process');
  openat(s, 101, 6, AT_FDCWD, '/tmp/shared', O.WRONLY | O.CREAT);
  assert.equal(s.state.threads.peek(100)?.getFd(6)?.name, '/tmp/shared', 'opened by the thread, visible in the process');

  cloneExit(s, 100, { res: 300, tid: 100, pid: 100, ptid: 1, cwd: '/home/alice/', uid: 1000 });
  const fork = s.state.threads.peek(300)!;
  assert.equal(fork.getFd(5)?.name, '/home/alice/notes.txt', 'copied at fork');
  close(s, 300, 5);
  tick(s, 300);
  assert.equal(fork.getFd(5), undefined);
  assert.equal(s.state.threads.peek(100)?.getFd(5)?.name, '/home/alice/notes.txt', 'the parent keeps its copy');
});

test('open family: names resolved against cwd and dirfd, flags reported, close takes effect after the event', () => {
  const s = world();
  forkExec(s);
  const o = openat(s, 200, 3, AT_FDCWD, '../bob/./file', O.RDONLY);
  assert.equal(text(o, 'fd.name'), '/home/bob/file');
  assert.equal(text(o, 'fd.directory'), '/home/bob');
  assert.equal(text(o, 'fd.filename'), 'file');
  assert.equal(text(o, 'fd.typechar'), 'f');
  assert.equal(text(o, 'evt.is_open_read'), 'true');
  assert.equal(text(o, 'evt.is_open_write'), 'false');
  // a relative name prints with its resolution, as libsinsp prints FSRELPATH parameters
  assert.equal(text(o, 'evt.args'), 'fd=3(<f>/home/bob/file) dirfd=-100(AT_FDCWD) name=../bob/./file(/home/bob/file) flags=1(O_RDONLY) mode=0644 dev=0 ino=0');
  s.push(E.SYSCALL_OPENAT_2_X, 200, [p.i64(4), p.i64(AT_FDCWD), p.str('/etc'), p.u32(O.RDONLY | O.DIRECTORY), p.u32(0), p.u32(0), p.u64(0)]);
  const rel = openat(s, 200, 5, 4, 'hosts', O.RDONLY);
  assert.equal(text(rel, 'fd.name'), '/etc/hosts', 'relative to the directory fd');
  const failed = openat(s, 200, -2, AT_FDCWD, '/nonexistent', O.RDONLY);
  assert.equal(text(failed, 'evt.failed'), 'true');
  assert.equal(text(failed, 'evt.res'), 'ENOENT');
  assert.equal(text(failed, 'fd.name'), '/nonexistent', 'the attempted name');
  const c = close(s, 200, 3);
  assert.equal(text(c, 'fd.name'), '/home/bob/file', 'still known while its close is processed');
  const next = s.push(E.SYSCALL_READ_X, 200, [p.i64(-9), q.empty(), p.i64(3), p.u32(10)]);
  // libsinsp: an unknown fd of an event that names none has an empty name
  assert.equal(text(next, 'fd.name'), '');
  assert.equal(text(next, 'fd.type'), '<NA>');
  assert.equal(text(next, 'fd.num'), '3');
});

test('dup2, fcntl(F_DUPFD) and pipes', () => {
  const s = world();
  forkExec(s);
  openat(s, 200, 3, AT_FDCWD, '/var/log/app.log', O.WRONLY);
  const d = s.push(E.SYSCALL_DUP2_X, 200, [p.i64(1), p.i64(3), p.i64(1)]);
  assert.equal(text(d, 'fd.name'), '/var/log/app.log');
  assert.equal(s.state.threads.peek(200)?.getFd(1)?.name, '/var/log/app.log');
  s.push(E.SYSCALL_FCNTL_X, 200, [p.i64(9), p.i64(3), p.u8(1), p.u64(0)]);
  assert.equal(s.state.threads.peek(200)?.getFd(9)?.name, '/var/log/app.log');
  const pipe = s.push(E.SYSCALL_PIPE_X, 200, [p.i64(0), p.i64(10), p.i64(11), p.u64(4242)]);
  assert.equal(text(pipe, 'evt.type'), 'pipe');
  const t = s.state.threads.peek(200)!;
  assert.equal(t.getFd(10)?.typeChar, 'p');
  assert.equal(t.getFd(11)?.typeChar, 'p');
  assert.equal(t.getFd(11)?.ino, 4242);
});

test('sockets: connect fills the tuple, fields give both ends and the roles', () => {
  const s = world();
  // the machine's interfaces tell local from remote ends
  s.state.seedInterfaces([{ name: 'eth0', addr: 0xc0a80105, netmask: 0xffffff00, bcast: 0xc0a801ff }], []);
  forkExec(s, { comm: 'curl', exe: 'curl', args: ['http://10.0.0.9/'], path: '/usr/bin/curl' });
  const sock = s.push(E.SOCKET_SOCKET_X, 200, [p.i64(4), p.u32(2), p.u32(1), p.u32(6), p.u32(0)]);
  assert.equal(text(sock, 'fd.typechar'), '4');
  s.push(E.SOCKET_CONNECT_E, 200, [p.i64(4), q.addr4('10.0.0.9', 80)]);
  const c = s.push(E.SOCKET_CONNECT_X, 200, [p.i64(0), q.tuple4('192.168.1.5', 40000, '10.0.0.9', 80), p.i64(4), q.addr4('10.0.0.9', 80)]);
  assert.equal(c.delivery, Delivery.Rules);
  assert.equal(text(c, 'fd.name'), '192.168.1.5:40000->10.0.0.9:80');
  assert.equal(text(c, 'fd.cip'), '192.168.1.5');
  assert.equal(text(c, 'fd.sip'), '10.0.0.9');
  assert.equal(text(c, 'fd.sport'), '80');
  assert.equal(text(c, 'fd.rip'), '10.0.0.9');
  assert.equal(text(c, 'fd.lport'), '40000');
  assert.equal(text(c, 'fd.l4proto'), 'tcp');
  assert.equal(text(c, 'fd.sockfamily'), 'ip');
  assert.equal(text(c, 'fd.is_server'), 'false');
  assert.equal(text(c, 'fd.connected'), 'true');
  assert.equal(text(c, 'fd.rport'), '80');
  assert.equal(text(c, 'fd.lip'), '192.168.1.5');
  assert.equal(text(c, 'evt.args'), 'res=0 tuple=192.168.1.5:40000->10.0.0.9:80 fd=4(<4t>192.168.1.5:40000->10.0.0.9:80) addr=10.0.0.9:80');
  const write = s.push(E.SYSCALL_WRITE_X, 200, [p.i64(5), p.raw([71, 69, 84, 32, 47]), p.i64(4), p.u32(5)]);
  assert.equal(text(write, 'evt.category'), 'net');
  assert.equal(text(write, 'evt.buffer'), 'GET /');
});

test('cwd: chdir relative and absolute, fchdir to a directory fd; threads follow their process', () => {
  const s = world();
  forkExec(s);
  s.push(E.SYSCALL_CHDIR_X, 200, [p.i64(0), p.str('projects')]);
  assert.equal(s.state.threads.peek(200)?.getCwd(), '/home/alice/projects/');
  s.push(E.SYSCALL_CHDIR_X, 200, [p.i64(0), p.str('/srv/www')]);
  assert.equal(s.state.threads.peek(200)?.getCwd(), '/srv/www/');
  s.push(E.SYSCALL_CHDIR_X, 200, [p.i64(-2), p.str('/missing')]);
  assert.equal(s.state.threads.peek(200)?.getCwd(), '/srv/www/', 'a failed chdir changes nothing');
  s.push(E.SYSCALL_OPENAT_2_X, 200, [p.i64(7), p.i64(AT_FDCWD), p.str('/opt'), p.u32(O.RDONLY | O.DIRECTORY), p.u32(0), p.u32(0), p.u64(0)]);
  const f = s.push(E.SYSCALL_FCHDIR_X, 200, [p.i64(0), p.i64(7)]);
  assert.equal(text(f, 'proc.cwd'), '/opt/');
});

test('procexit: the process leaves the table after the event; orphans go to the reaper', () => {
  const s = world();
  forkExec(s);
  cloneExit(s, 200, { res: 201, tid: 200, pid: 200, ptid: 100 });
  cloneExit(s, 201, { res: 0, tid: 201, pid: 201, ptid: 200 });
  const exit = s.push(E.PROCEXIT_1_E, 200, [p.i64(0), p.i64(0), p.u8(0), p.u8(0), p.i64(0)]);
  assert.equal(text(exit, 'proc.name'), 'cat', 'the exiting process is described by its exit event');
  assert.equal(exit.delivery, Delivery.Rules);
  const after = tick(s, 201);
  assert.equal(s.state.threads.peek(200), undefined);
  assert.equal(text(after, 'proc.ppid'), '1', 'orphan re-parented to init');
  assert.equal(text(after, 'proc.pname'), 'systemd');
});

test('setuid changes the user; unknown uids have no name', () => {
  const s = world();
  forkExec(s);
  const e = s.push(E.SYSCALL_SETUID_X, 200, [p.i64(0), p.u32(0)]);
  assert.equal(text(e, 'user.uid'), '0');
  assert.equal(text(e, 'user.name'), 'root');
  const f = s.push(E.SYSCALL_SETUID_X, 200, [p.i64(0), p.u32(4321)]);
  assert.equal(text(f, 'user.uid'), '4321');
  assert.equal(text(f, 'user.name'), '<NA>');
});

test('containers: the id and type come from the cgroups of the process', () => {
  const s = world();
  forkExec(s, { cgroups: [`cpu=/docker/${DOCKER_ID}`, `memory=/docker/${DOCKER_ID}`] });
  const e = tick(s, 200);
  assert.equal(text(e, 'container.id'), DOCKER_ID.slice(0, 12));
  assert.equal(text(e, 'container.type'), 'docker');
  assert.equal(text(e, 'container.name'), '<NA>', 'no metadata without a runtime or container event');
  const host = tick(s, 100);
  assert.equal(text(host, 'container.id'), 'host');
});

test('unknown threads: a placeholder with pid -1 and "<NA>" names', () => {
  const s = world();
  const e = tick(s, 777);
  assert.equal(text(e, 'evt.type'), 'getpid');
  assert.equal(text(e, 'thread.tid'), '777');
  assert.equal(text(e, 'proc.pid'), '-1');
  assert.equal(text(e, 'proc.name'), '<NA>');
  assert.equal(s.state.threads.counters.placeholders, 1);
});

test('old-format events: the enter event is kept aside for its exit, unnumbered', () => {
  const s = world();
  forkExec(s);
  const numBefore = s.stream.counters.processed;
  const enter = s.push(E.SYSCALL_CLOSE_E, 200, [p.i64(0)]);
  assert.equal(enter.delivery, Delivery.Dropped);
  assert.equal(s.stream.counters.processed, numBefore, 'not numbered');
  // an old close exit has only res: the converter adds the fd from the kept enter event
  const exit = s.push(E.SYSCALL_CLOSE_X, 200, [p.i64(0)]);
  assert.equal(exit.num, numBefore + 1);
  assert.equal(text(exit, 'evt.args'), 'res=0 fd=0');
  assert.equal(s.stream.counters.converted, 1);
  // no enter event kept: a default value
  const lone = s.push(E.SYSCALL_CLOSE_X, 200, [p.i64(0)]);
  assert.equal(text(lone, 'evt.rawarg.fd'), '0');
});

test('live streams purge threads idle for longer than the timeout, on the purge interval', () => {
  const s = new Synth({ isCapture: false, purge: { intervalS: 60, threadTimeoutS: 120 } });
  s.seed(processRecord({ tid: 1, ptid: 0, comm: 'systemd' }), processRecord({ tid: 100, ptid: 1, comm: 'idle' }), processRecord({ tid: 101, ptid: 1, comm: 'busy' }));
  const minute = 60_000_000_000n;
  for (let i = 0; i < 6; i++) {
    tick(s, 101);
    s.ts += minute;
  }
  assert.equal(s.state.threads.peek(100), undefined, 'idle for 6 minutes: purged');
  assert.equal(s.state.threads.peek(101)?.comm, 'busy');
  assert.ok(s.state.threads.counters.purged >= 1);
});

test('fd-creating syscalls: each fd gets its type, name where the syscall gives one', () => {
  const s = world();
  forkExec(s);
  const cases: [keyof typeof E, string, string, string][] = [
    ['SYSCALL_EVENTFD2_X', 'event', 'e', ''],
    ['SYSCALL_SIGNALFD4_X', 'signalfd', 's', ''],
    ['SYSCALL_TIMERFD_CREATE_X', 'timerfd', 't', ''],
    ['SYSCALL_INOTIFY_INIT1_X', 'inotify', 'i', ''],
    ['SYSCALL_EPOLL_CREATE1_X', 'eventpoll', 'l', ''],
    ['SYSCALL_MEMFD_CREATE_X', 'memfd', 'm', 'name'],
    ['SYSCALL_USERFAULTFD_X', 'userfaultfd', 'u', ''],
    ['SYSCALL_IO_URING_SETUP_X', 'io_uring', 'r', ''],
    ['SYSCALL_BPF_2_X', 'bpf', 'b', ''],
    ['SYSCALL_PIDFD_OPEN_X', 'pidfd', 'P', '/proc/0'],
  ];
  let fd = 20;
  for (const [event, type, typechar, name] of cases) {
    const e = s.push(E[event], 200, defaultParams(E[event], fd));
    assert.equal(text(e, 'fd.num'), String(fd), event);
    assert.equal(text(e, 'fd.type'), type, event);
    assert.equal(text(e, 'fd.typechar'), typechar, event);
    assert.equal(text(e, 'fd.name'), name, event);
    fd++;
  }
  // a failed call creates nothing
  const failed = s.push(E.SYSCALL_EVENTFD2_X, 200, defaultParams(E.SYSCALL_EVENTFD2_X, -24));
  assert.equal(text(failed, 'evt.res'), 'EMFILE');
  assert.equal(s.state.threads.peek(200)?.fdOpenCount(), cases.length);
});

test('pid namespaces: virtual ids from clone; the namespace init is its own reaper', () => {
  const s = world();
  const cg = [`cpu=/docker/${DOCKER_ID}`];
  cloneExit(s, 100, { res: 5000, tid: 100, pid: 100, ptid: 1, flags: CL.CLONE_NEWPID, cwd: '/', uid: 0 });
  const init = cloneExit(s, 5000, { res: 0, tid: 5000, pid: 5000, ptid: 100, vtid: 1, vpid: 1, flags: CL.CLONE_NEWPID | CL.CHILD_IN_PIDNS, cgroups: cg });
  assert.equal(text(init, 'proc.pid'), '5000');
  assert.equal(text(init, 'proc.vpid'), '1');
  assert.equal(text(init, 'thread.vtid'), '1');
  assert.equal(text(init, 'container.id'), DOCKER_ID.slice(0, 12));
  cloneExit(s, 5000, { res: 5001, tid: 5000, pid: 5000, ptid: 100, vtid: 1, vpid: 1, flags: CL.CHILD_IN_PIDNS, cgroups: cg });
  const child = cloneExit(s, 5001, { res: 0, tid: 5001, pid: 5001, ptid: 5000, vtid: 7, vpid: 7, flags: CL.CHILD_IN_PIDNS, cgroups: cg });
  assert.equal(text(child, 'proc.vpid'), '7');
  assert.equal(text(child, 'proc.pname'), 'bash');
  assert.equal(text(child, 'container.id'), DOCKER_ID.slice(0, 12), 'inherited with the cgroups');
  cloneExit(s, 5001, { res: 5002, tid: 5001, pid: 5001, ptid: 5000, vtid: 7, vpid: 7, flags: CL.CHILD_IN_PIDNS, cgroups: cg });
  cloneExit(s, 5002, { res: 0, tid: 5002, pid: 5002, ptid: 5001, vtid: 8, vpid: 8, flags: CL.CHILD_IN_PIDNS, cgroups: cg });
  s.push(E.PROCEXIT_1_E, 5001, [p.i64(0), p.i64(0), p.u8(0), p.u8(0), p.i64(0)]);
  const orphan = tick(s, 5002);
  assert.equal(text(orphan, 'proc.ppid'), '5000', 'the namespace init reaps orphans of its namespace');
});
