// Threads unknown to the live state, looked up in /proc: the record matches what /proc says of a
// real process (and, as root, what the driver's own initial scan lists for it), open files and
// sockets become fds with the right types, addresses and ports, and a secondary thread brings
// its process along and shares its fds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FD_TYPE } from '../../src/scap/format.js';
import { DriverProcess } from '../../src/sources/live/driver-process.js';
import { linuxOpenFlagsToPpm, ProcReader, ProcThreadSource } from '../../src/state/proc-threads.js';
import { SystemState } from '../../src/state/system-state.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { LOADGEN, liveOrSkip, sleep, waitExit } from './helpers.js';

const PPM_O_RDONLY = 1 << 0;
const PPM_O_WRONLY = 1 << 1;
const PPM_O_CREAT = 1 << 2;
const PPM_O_APPEND = 1 << 3;
const PPM_O_CLOEXEC = 1 << 12;

test('Linux open flags become the PPM flags the driver reports', () => {
  assert.equal(linuxOpenFlagsToPpm(0), PPM_O_RDONLY);
  assert.equal(linuxOpenFlagsToPpm(0o1), PPM_O_WRONLY);
  assert.equal(linuxOpenFlagsToPpm(0o2), PPM_O_RDONLY | PPM_O_WRONLY);
  assert.equal(linuxOpenFlagsToPpm(0o2000000 | 0o2000 | 0o100 | 0o1), PPM_O_WRONLY | PPM_O_CLOEXEC | PPM_O_APPEND | PPM_O_CREAT);
});

describe('/proc lookups of this test process', () => {
  let server: Server;
  let client: Socket;
  let port = 0;
  let fileFd = -1;
  const file = path.join(REPO_ROOT, 'package.json');

  before(async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    fileFd = openSync(file, 'r');
  });

  after(() => {
    client.destroy();
    server.close();
    closeSync(fileFd);
  });

  test('the process record says what /proc says', () => {
    const r = new ProcReader().thread(process.pid, process.pid);
    assert.ok(r);
    const cmdline = readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1);
    assert.equal(r.tid, process.pid);
    assert.equal(r.pid, process.pid);
    assert.equal(r.ptid, process.ppid);
    assert.equal(r.comm, readFileSync('/proc/self/comm', 'utf8').trim());
    assert.equal(r.exe, cmdline[0]);
    assert.deepEqual(r.args, cmdline.slice(1));
    assert.equal(r.exepath, realpathSync(process.execPath));
    assert.equal(r.cwd, process.cwd());
    assert.equal(r.uid, process.geteuid!());
    assert.equal(r.gid, process.getegid!());
    assert.equal(r.flags, 0, 'a main thread');
    assert.ok(r.env.includes(`PATH=${process.env.PATH}`));
    assert.ok(r.fdlimit > 0);
    assert.ok(r.vmrssKb > 0);
    assert.ok(r.exeIno > 0);
    // cgroup v1 controllers as controller=path, named hierarchies left out
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, cgroup] = line.split(':');
      if (!controllers || controllers.startsWith('name=')) continue;
      for (const c of controllers.split(',')) assert.ok(r.cgroups.includes(`${c}=${cgroup}`), `${c}=${cgroup} in ${r.cgroups}`);
    }
  });

  test('open files and sockets become fds with their types, names, addresses and ports', () => {
    const fds = new ProcReader().fds(process.pid);
    const f = fds.find((x) => x.fd === fileFd);
    assert.ok(f);
    assert.equal(f.type, FD_TYPE.FILE_V2);
    assert.equal(f.name, realpathSync(file));
    assert.equal((f.openFlags ?? 0) & (PPM_O_RDONLY | PPM_O_WRONLY), PPM_O_RDONLY);

    const listening = fds.find((x) => x.type === FD_TYPE.IPV4_SERVSOCK && x.sport === port);
    assert.ok(listening, 'the listening socket');
    assert.equal(listening.sip, 0x7f000001);
    const conns = fds.filter((x) => x.type === FD_TYPE.IPV4_SOCK && (x.sport === port || x.dport === port));
    assert.equal(conns.length, 2, 'both ends of the connection');
    const out = conns.find((x) => x.dport === port)!;
    assert.equal(out.sip, 0x7f000001);
    assert.equal(out.dip, 0x7f000001);
    assert.equal(out.sport, client.localPort);
    for (const x of fds) {
      const target = readlinkSync(`/proc/self/fd/${x.fd}`);
      if (target.startsWith('pipe:')) assert.equal(x.type, FD_TYPE.FIFO);
    }
  });

  test('the thread source builds unknown threads, their fds, and their process first', () => {
    const source = new ProcThreadSource();
    const state = new SystemState({ threadSource: source });
    source.attach(state);
    const others = readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid);
    assert.ok(others.length > 0, 'Node runs helper threads');
    const tid = others[0]!;
    const t = state.threads.get(tid, true);
    assert.ok(t && !t.isInvalid());
    assert.equal(t.pid, process.pid);
    const main = state.threads.peek(process.pid);
    assert.ok(main, 'the process was fetched with its thread');
    assert.equal(t.mainThread(), main);
    assert.equal(t.fdTable(), main.ownFdTable, 'the thread shares its process\'s fds');
    assert.equal(t.fdTable()!.find(fileFd)?.name, realpathSync(file));
    const conn = [...main.ownFdTable.values()].find((x) => x.type === FD_TYPE.IPV4_SOCK && x.name.endsWith(`->127.0.0.1:${port}`));
    assert.ok(conn, 'the outgoing connection, named source->destination');
    assert.equal(source.counters.lookups, 2);
    assert.equal(source.counters.found, 2);
    // The thread's user is made known (uid 0 is root without any lookup).
    if (t.uid === 0) assert.equal(state.users.user('', 0)?.name, 'root');
    // A tid that does not exist: no thread, counted as a lookup.
    assert.equal(source.fetch(0x3ffffff0, state.threads), undefined);
    assert.equal(source.counters.lookups, 3);
  });
});

describe('/proc lookups against the driver\'s initial scan (root)', () => {
  test('a running process is described as the driver lists it at start', async (t) => {
    if (!liveOrSkip(t)) return;
    const sleeper = spawn(LOADGEN, ['sleep', '10000'], { stdio: 'ignore', cwd: '/tmp' });
    try {
      await sleep(200);
      const driver = await DriverProcess.start({ syscalls: ['execve'], logOpen: false });
      const reader = await driver.openReader();
      const listed = reader.header.processes.find((p) => p.tid === sleeper.pid);
      const listedFds = reader.header.fdLists.find((l) => l.tid === sleeper.pid)?.fds ?? [];
      await driver.stop();
      await reader.forEach(() => undefined);
      const mine = new ProcReader().thread(sleeper.pid!, sleeper.pid!);
      assert.ok(listed && mine);
      // Counters that move while the process runs are left out.
      const stable = (r: typeof mine): Partial<typeof mine> => {
        const { vmsizeKb: _a, vmrssKb: _b, vmswapKb: _c, pfMajor: _d, pfMinor: _e, ...rest } = r;
        return rest;
      };
      assert.deepEqual(stable(mine), stable(listed));
      const mineFds = new ProcReader().fds(sleeper.pid!);
      const key = (f: { fd: number; type: number; name?: string }): string => `${f.fd}:${f.type}:${f.name ?? ''}`;
      assert.deepEqual(mineFds.map(key).sort(), listedFds.map(key).sort());
    } finally {
      sleeper.kill('SIGKILL');
      await waitExit(sleeper);
    }
  });
});
