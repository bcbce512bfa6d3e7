// The driver's stream on a real kernel: start the driver, perform known actions (an exec with
// arguments and a working directory, a fork, opens relative to the cwd and to a directory fd, a
// symlink, a loopback connection, a setuid binary, exits), stop it, and check that the stream parses
// with the scap reader and carries each action with Falco's parameters.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SockAddr, SockTuple } from '../../src/scap/event.js';
import { DriverProcess } from '../../src/sources/live/driver-process.js';
import { collect, driverOrSkip, execFileAsync, LOADGEN, threadsOf, type CollectedEvent } from './helpers.js';

const SYSCALLS = [
  'openat', 'open', 'close', 'chdir', 'symlink', 'symlinkat', 'socket', 'connect', 'clone', 'clone3',
  'fork', 'vfork', 'execve', 'execveat', 'mkdir', 'setuid',
];

const LOOPBACK = 0x7f000001;

describe('driver stream (root, live kernel)', () => {
  let work = '';
  let server: Server | undefined;
  let port = 0;
  before(() => {
    work = realpathSync(mkdtempSync(path.join(tmpdir(), 'peregrine-driver-')));
  });
  after(() => {
    server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('captures exec, fork, opens, symlink, connect, setuid and exits with Falco parameters', async (t) => {
    if (!driverOrSkip(t)) return;
    server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;

    // A setuid copy of `id`, owned by nobody: running it as root switches the effective uid.
    const suid = path.join(work, 'id-suid');
    copyFileSync('/usr/bin/id', suid);
    chownSync(suid, 65534, 65534);
    chmodSync(suid, 0o4755);

    const driver = await DriverProcess.start({ syscalls: SYSCALLS, statsIntervalMs: 500, logOpen: false });
    const driverThreads = threadsOf(driver.pid);
    const nodeThreads = threadsOf(process.pid);
    const stream = await collect(driver);

    const actionsOut = await execFileAsync(LOADGEN, ['actions', work, String(port)]);
    const facts = JSON.parse(actionsOut.stdout) as {
      pid: number; dirfd: number; fd_relative: number; fd_inner: number; sockfd: number;
      connect_res: number; local_port: number; child: number; child_status: number;
    };
    const echo = await execFileAsync('/bin/echo', ['hello', 'peregrine world'], { cwd: work });
    assert.equal(echo.stdout, 'hello peregrine world\n');
    const idOut = await execFileAsync(suid, ['-u']);
    assert.equal(idOut.stdout.trim(), '65534', 'the setuid binary ran with euid nobody');

    const stats = await driver.stop();
    await stream.done;
    const events = stream.events;

    // The stream is complete: every event the loader wrote was parsed, nothing was dropped.
    assert.ok(stats, 'final statistics reported');
    assert.equal(stream.total(), stats.written_events, 'events parsed = events written');
    assert.equal(stats.drops.buffer_full + stats.drops.too_large, 0, 'no drops');

    // The initial process list has the test process, with its executable and working directory.
    const self = stream.header.processes.find((p) => p.tid === process.pid);
    assert.ok(self, 'the test process is in the initial process list');
    assert.equal(self.pid, process.pid);
    assert.equal(self.exepath, realpathSync(process.execPath));
    assert.equal(self.cwd, process.cwd());
    assert.ok(stream.header.fdLists.some((l) => l.tid === process.pid), 'the test process has an fd list');
    assert.ok(stream.header.users.some((u) => u.uid === 0 && u.name === 'root'), 'user list has root');
    assert.ok(stream.header.machine && stream.header.machine.numCpus > 0, 'machine info');

    // Neither the driver's nor the test process's own syscalls are captured.
    const excluded = new Set([...driverThreads, ...nodeThreads]);
    assert.deepEqual(events.filter((e) => excluded.has(e.tid) && e.name !== 'procexit').map((e) => `${e.name}@${e.tid}`), []);

    const of = (tid: number, name: string): CollectedEvent[] => events.filter((e) => e.tid === tid && e.name === name);
    const gen = facts.pid;

    // exec of the load generator: exe, args, cwd, ids, a real executable path.
    const [genExec] = of(gen, 'execve');
    assert.ok(genExec, 'execve of the load generator');
    assert.equal(genExec.params.res, 0);
    assert.equal(genExec.params.exe, LOADGEN);
    assert.deepEqual(genExec.lists.args, ['actions', work, String(port)]);
    assert.equal(genExec.params.trusted_exepath, LOADGEN);
    assert.equal(genExec.params.filename, LOADGEN);
    assert.equal(genExec.params.pid, gen);
    assert.equal(genExec.params.ptid, process.pid);
    assert.equal(genExec.params.cwd, process.cwd());
    assert.equal(genExec.params.comm, 'peregrine-loadg');
    assert.equal(genExec.params.exe_ino, statSync(LOADGEN).ino);
    assert.ok(genExec.lists.env?.some((v) => v.startsWith('PATH=')), 'environment carried');

    // opens relative to the cwd and to a directory fd: name and dirfd as passed, and the inode of
    // the file the path leads to (cwd + name, directory of dirfd + name).
    const [chdir] = of(gen, 'chdir');
    assert.equal(chdir.params.path, work);
    assert.equal(chdir.params.res, 0);
    const opens = of(gen, 'openat');
    const rel = opens.find((e) => e.params.name === 'relative.txt');
    assert.ok(rel, 'openat relative.txt');
    assert.equal(rel.params.fd, facts.fd_relative);
    assert.equal(rel.params.dirfd, -100);
    assert.equal(rel.params.ino, statSync(path.join(work, 'relative.txt')).ino);
    assert.equal(Number(rel.params.mode), 0o640);
    const dirOpen = opens.find((e) => e.params.name === 'sub');
    assert.ok(dirOpen, 'openat of the directory');
    assert.equal(dirOpen.params.fd, facts.dirfd);
    assert.equal(dirOpen.params.ino, statSync(path.join(work, 'sub')).ino);
    const inner = opens.find((e) => e.params.name === 'inner.txt');
    assert.ok(inner, 'openat relative to the directory fd');
    assert.equal(inner.params.dirfd, facts.dirfd);
    assert.equal(inner.params.fd, facts.fd_inner);
    assert.equal(inner.params.ino, statSync(path.join(work, 'sub', 'inner.txt')).ino);
    assert.equal(inner.params.dev, statSync(path.join(work, 'sub', 'inner.txt')).dev);
    assert.ok((Number(inner.params.flags) & (1 << 14)) !== 0, 'O_F_CREATED: the file was created');

    // symlink
    const [link] = of(gen, 'symlink');
    assert.ok(link, 'symlink event');
    assert.equal(link.params.res, 0);
    assert.equal(link.params.target, 'relative.txt');
    assert.equal(link.params.linkpath, 'link.txt');

    // connect to the loopback server: tuple from the socket, address as passed
    assert.equal(facts.connect_res, 0);
    const [conn] = of(gen, 'connect');
    assert.ok(conn, 'connect event');
    assert.equal(conn.params.res, 0);
    assert.equal(conn.params.fd, facts.sockfd);
    const tuple = conn.params.tuple as SockTuple;
    assert.deepEqual({ ...tuple }, { family: 2, sip: LOOPBACK, sport: facts.local_port, dip: LOOPBACK, dport: port });
    assert.deepEqual({ ...(conn.params.addr as SockAddr) }, { family: 2, ip: LOOPBACK, port });

    // fork: the parent's clone returns the child's pid, the child's returns 0; the child exits 7
    const parentSide = events.find((e) => e.tid === gen && e.name === 'clone' && e.params.res === facts.child);
    assert.ok(parentSide, 'clone in the parent');
    const childSide = of(facts.child, 'clone').find((e) => e.params.res === 0);
    assert.ok(childSide, 'clone in the child');
    assert.equal(childSide.params.pid, facts.child);
    assert.equal(childSide.params.ptid, gen);
    assert.equal(childSide.params.exe, LOADGEN);
    const [childExit] = of(facts.child, 'procexit');
    assert.equal(childExit.params.ret, 7);
    assert.equal(childExit.params.status, 7 << 8);
    const [genExit] = of(gen, 'procexit');
    assert.equal(genExit.params.ret, 0);
    assert.ok(genExit.num > childExit.num, 'the parent exits after its child');

    // exec of a known binary with arguments and a working directory
    const echoExec = events.find((e) => e.name === 'execve' && e.params.exe === '/bin/echo');
    assert.ok(echoExec, 'execve of /bin/echo');
    assert.deepEqual(echoExec.lists.args, ['hello', 'peregrine world']);
    assert.equal(echoExec.params.cwd, work);
    assert.equal(echoExec.params.trusted_exepath, realpathSync('/bin/echo'));
    // the exec happens in a child of the test process (its clone's child side is captured)
    const echoTid = echoExec.tid;
    assert.ok(of(echoTid, 'clone').some((e) => e.params.res === 0), 'the child side of the spawn');

    // setuid binary: the exec reports the new effective uid and the file's inode
    const suidExec = events.find((e) => e.name === 'execve' && e.params.exe === suid);
    assert.ok(suidExec, 'execve of the setuid binary');
    assert.equal(suidExec.params.uid, 65534, 'euid after exec');
    assert.equal(suidExec.params.exe_ino, statSync(suid).ino);
    assert.equal(suidExec.params.trusted_exepath, suid);
  });
});
