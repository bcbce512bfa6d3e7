// Live detection end to end (root, built driver): the live source evaluates a rules file written
// for this test while the test performs real actions on this machine, and each action raises its
// alert with the right field values: a shell spawned by a parent with a known name, a read of
// /etc/shadow, a write under a watched directory, a connect to a loopback port, a symlink, a
// setuid-root binary run by an unprivileged user, and processes in container-like cgroups
// (Docker and containerd layouts).
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeContainer, LiveRules, LOADGEN, liveOrSkip, run, sleep } from './helpers.js';

const MARKER = 'peregrine-live-marker';

function rulesText(watched: string, port: number, suid: string, containers: readonly FakeContainer[]): string {
  const ids = containers.map((c) => c.shortId).join(', ');
  return `
- macro: started
  condition: (evt.type in (execve, execveat) and evt.rawres = 0)

- rule: Shell from a known parent
  desc: a shell started by the load generator
  condition: started and proc.name = sh and proc.pname = peregrine-loadg and proc.args contains ${MARKER}
  output: shell %proc.name parent=%proc.pname cmdline=%proc.cmdline exe=%proc.exepath user=%user.name
  priority: WARNING

- rule: Shadow read
  desc: /etc/shadow read by cat
  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.name = /etc/shadow and proc.name = cat
  output: read %fd.name by %proc.name (%proc.exepath) parent=%proc.pname cmdline=%proc.cmdline user=%user.name
  priority: WARNING

- rule: Write in watched directory
  desc: a file opened for writing in the test's directory
  condition: evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.directory = ${watched}
  output: wrote %fd.name by %proc.name cmdline=%proc.cmdline user=%user.name
  priority: WARNING

- rule: Loopback connect
  desc: a connection to the test's server
  condition: evt.type = connect and evt.rawres = 0 and fd.sip = 127.0.0.1 and fd.sport = ${port}
  output: connect %fd.name server=%fd.sip:%fd.sport client=%fd.cip:%fd.cport by %proc.name user=%user.name
  priority: WARNING

- rule: Symlink in watched directory
  desc: a symlink created in the test's directory
  condition: evt.type in (symlink, symlinkat) and evt.rawres = 0 and fs.path.source startswith ${watched}/
  output: link %fs.path.source -> %fs.path.target by %proc.name cmdline=%proc.cmdline
  priority: WARNING

- rule: Setuid root program
  desc: the test's setuid copy of id, run by nobody
  condition: started and proc.exepath = ${suid}
  output: setuid %proc.name uid=%user.uid user=%user.name gid=%group.gid group=%group.name parent=%proc.pname
  priority: WARNING

- rule: Process in a container
  desc: a program started in one of the test's container cgroups
  condition: started and container.id in (${ids})
  output: in container %container.id (%container.type) %proc.name cmdline=%proc.cmdline parent=%proc.pname
  priority: WARNING
`;
}

describe('live detection: real actions raise alerts with the right fields (root)', () => {
  let work = '';
  let live: LiveRules | undefined;
  let server: Server | undefined;
  let port = 0;
  let suid = '';
  const containers: FakeContainer[] = [];
  const pids: Record<string, number> = {};
  let skipReason: string | undefined;

  before(async () => {
    if (process.getuid?.() !== 0) return;
    work = realpathSync(mkdtempSync(path.join(tmpdir(), 'peregrine-live-')));
    chmodSync(work, 0o755); // the unprivileged user must reach the setuid program
    suid = path.join(work, 'suid-probe');
    copyFileSync('/usr/bin/id', suid);
    chmodSync(suid, 0o4755);
    server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    if (FakeContainer.available()) containers.push(new FakeContainer('docker'), new FakeContainer('cri-containerd'));
    const rules = path.join(work, 'live_rules.yaml');
    writeFileSync(rules, rulesText(work, port, suid, containers));
    try {
      live = await LiveRules.start([rules]);
    } catch (e) {
      skipReason = (e as Error).message;
      return;
    }

    pids.shellParent = (await run(LOADGEN, ['forkexec', '1', '/bin/sh', '-c', 'true', MARKER])).pid;
    pids.cat = (await run('cat', ['/etc/shadow'])).pid;
    pids.writer = (await run('/bin/sh', ['-c', `echo hello > ${work}/written.txt`])).pid;
    pids.bash = (await run('/bin/bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`])).pid;
    pids.ln = (await run('ln', ['-s', '/etc/shadow', path.join(work, 'shadow-link')])).pid;
    const id = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', suid, '-u']);
    pids.suid = id.pid;
    assert.equal(id.stdout.trim(), '0', 'the setuid program ran as root');
    for (const c of containers) {
      const [command, ...args] = c.wrap([LOADGEN, 'forkexec', '1', '/bin/sh', '-c', 'true', `in-${c.layout}`]);
      pids[c.layout] = (await run(command!, args)).pid;
    }
    await sleep(300); // the driver drains its buffer every 10 ms; the pipeline needs a moment
  });

  after(async () => {
    if (live) await live.stop();
    server?.close();
    for (const c of containers) await c.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ready = (t: { skip(msg: string): void }): LiveRules | undefined => {
    if (!liveOrSkip(t as Parameters<typeof liveOrSkip>[0])) return undefined;
    if (skipReason !== undefined) assert.fail(`the live source did not start: ${skipReason}`);
    return live;
  };

  test('a shell spawned by a parent with a known name', async (t) => {
    const l = ready(t);
    if (!l) return;
    const a = await l.waitFor((x) => x.rule === 'Shell from a known parent');
    assert.ok(a, 'alert raised');
    assert.equal(a.fields['proc.name'], 'sh');
    assert.equal(a.fields['proc.pname'], 'peregrine-loadg');
    assert.equal(a.fields['proc.cmdline'], `sh -c true ${MARKER}`);
    assert.equal(a.fields['proc.exepath'], realpathSync('/bin/sh'));
    assert.equal(a.fields['user.name'], 'root');
  });

  test('a read of /etc/shadow', async (t) => {
    const l = ready(t);
    if (!l) return;
    const a = await l.waitFor((x) => x.rule === 'Shadow read' && x.pid === pids.cat);
    assert.ok(a, 'alert raised for the cat process');
    assert.equal(a.fields['fd.name'], '/etc/shadow');
    assert.equal(a.fields['proc.name'], 'cat');
    assert.equal(a.fields['proc.exepath'], realpathSync('/usr/bin/cat'));
    assert.equal(a.fields['proc.cmdline'], 'cat /etc/shadow');
    assert.equal(a.fields['user.name'], 'root');
    assert.equal(a.fields['proc.pname'], 'node', 'spawned by the test (node)');
  });

  test('a write under the watched directory', async (t) => {
    const l = ready(t);
    if (!l) return;
    const a = await l.waitFor((x) => x.rule === 'Write in watched directory' && x.pid === pids.writer);
    assert.ok(a, 'alert raised for the writing shell');
    assert.equal(a.fields['fd.name'], path.join(work, 'written.txt'));
    assert.equal(a.fields['proc.name'], 'sh');
    assert.equal(a.fields['proc.cmdline'], `sh -c echo hello > ${work}/written.txt`);
  });

  test('a connect to a loopback port', async (t) => {
    const l = ready(t);
    if (!l) return;
    const a = await l.waitFor((x) => x.rule === 'Loopback connect' && x.pid === pids.bash);
    assert.ok(a, 'alert raised for bash');
    assert.equal(a.fields['fd.sip'], '127.0.0.1');
    assert.equal(a.fields['fd.sport'], port);
    assert.equal(a.fields['fd.cip'], '127.0.0.1');
    assert.equal(a.fields['proc.name'], 'bash');
    const cport = a.fields['fd.cport'] as number;
    assert.ok(cport > 0 && cport !== port, `client port ${cport}`);
    assert.equal(a.fields['fd.name'], `127.0.0.1:${cport}->127.0.0.1:${port}`);
  });

  test('a symlink', async (t) => {
    const l = ready(t);
    if (!l) return;
    const a = await l.waitFor((x) => x.rule === 'Symlink in watched directory' && x.pid === pids.ln);
    assert.ok(a, 'alert raised for ln');
    assert.equal(a.fields['fs.path.source'], path.join(work, 'shadow-link'));
    assert.equal(a.fields['fs.path.target'], '/etc/shadow');
    assert.equal(a.fields['proc.name'], 'ln');
  });

  test('a setuid-root binary run by an unprivileged user', async (t) => {
    const l = ready(t);
    if (!l) return;
    const a = await l.waitFor((x) => x.rule === 'Setuid root program' && x.pid === pids.suid);
    assert.ok(a, 'alert raised for the setuid program');
    assert.equal(a.fields['proc.name'], 'suid-probe');
    assert.equal(a.fields['user.uid'], 0, 'effective user root');
    assert.equal(a.fields['user.name'], 'root');
    assert.equal(a.fields['group.gid'], 65534, 'group of the unprivileged caller');
    assert.equal(a.fields['group.name'], 'nogroup');
    assert.equal(a.fields['proc.pname'], 'node');
  });

  test('processes in container-like cgroups (Docker and containerd layouts)', async (t) => {
    const l = ready(t);
    if (!l) return;
    if (containers.length === 0) {
      t.skip('no cgroup v1 hierarchies to create container-like cgroups in');
      return;
    }
    for (const c of containers) {
      const entered = await l.waitFor((x) => x.rule === 'Process in a container' && x.pid === pids[c.layout]);
      assert.ok(entered, `alert for the process that entered the ${c.layout} cgroup`);
      assert.equal(entered.fields['container.id'], c.shortId);
      assert.equal(entered.fields['proc.name'], 'peregrine-loadg');
      assert.equal(entered.fields['container.type'], c.layout === 'docker' ? 'docker' : 'containerd');
      const child = await l.waitFor((x) => x.rule === 'Process in a container' && x.fields['proc.name'] === 'sh' &&
        x.fields['container.id'] === c.shortId);
      assert.ok(child, `its child shell is in the same ${c.layout} container`);
      assert.equal(child.fields['proc.pname'], 'peregrine-loadg');
      assert.equal(child.fields['proc.cmdline'], `sh -c true in-${c.layout}`);
    }
  });
});
