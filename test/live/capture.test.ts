// `peregrine capture` (root, built driver): a live capture taken while the test performs real
// actions, stopped with SIGINT, reads the same in Peregrine and in sysdig 0.29.3 on the fields
// both compute the same way from current driver events; an unfiltered gzip capture is read
// whole by both; without privileges the command prints one clear message and exits 1.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EVENT_INFO } from '../../src/scap/event-table.js';
import { ScapReader } from '../../src/scap/reader.js';
import { ScapWriter } from '../../src/scap/writer.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { Scene } from './actions.js';
import { liveOrSkip, LOADGEN, run, sleep, waitExit } from './helpers.js';

const PEREGRINE = path.join(REPO_ROOT, 'bin', 'peregrine.js');
const SYSDIG = '/usr/bin/sysdig';

/** Starts `peregrine capture` and resolves once it is capturing. */
async function startCapture(args: readonly string[]): Promise<{ child: ReturnType<typeof spawn>; stderr: () => string }> {
  const child = spawn(process.execPath, [PEREGRINE, 'capture', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr += d));
  const end = Date.now() + 60_000;
  while (!stderr.includes('Capturing ') && child.exitCode === null && Date.now() < end) await sleep(50);
  return { child, stderr: () => stderr };
}

/** Whether `line` (Peregrine's) has the same first two columns as a line of `lines` (sysdig's). */
function sysdigByKeyHas(lines: readonly string[], line: string): boolean {
  const key = line.split(' ').slice(0, 2).join(' ');
  return lines.some((l) => l.startsWith(key + ' '));
}

/** Lines of `-p FORMAT` output from sysdig or Peregrine for the same filter. */
function sysdigLines(file: string, format: string, filter: string): string[] {
  const r = spawnSync(SYSDIG, ['-r', file, '-p', format, filter], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `sysdig failed (${r.signal ?? r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

function peregrineLines(file: string, format: string, filter: string): string[] {
  const r = spawnSync(process.execPath, [PEREGRINE, 'inspect', file, '-p', format, filter], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `peregrine inspect failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/**
 * Whether sysdig 0.29.3 knows an event type: a capture with only events of that type (taken from
 * `file`) shows none of them in sysdig when it does not.
 */
async function sysdigKnows(file: string, type: number, scratch: string): Promise<boolean> {
  const reader = await ScapReader.open(file);
  const writer = ScapWriter.create(scratch);
  writer.writeHeader(reader.header);
  await reader.forEach((e) => {
    if (e.type === type && writer.events < 3) writer.writeEvent(e);
  });
  await writer.close();
  return sysdigLines(scratch, '*%evt.num', 'evt.num > 0').length > 0;
}

describe('peregrine capture (root)', () => {
  let scene: Scene | undefined;
  const file = (name: string): string => path.join(scene!.work, name);
  const pids: number[] = [];
  const containerPids: number[] = [];
  let captureCode: number | null = null;
  let captureLog = '';

  before(async () => {
    if (process.getuid?.() !== 0 || !existsSync(path.join(REPO_ROOT, 'driver', 'build', 'peregrine-driver'))) return;
    scene = new Scene();
    await scene.listen();
    const filter = 'evt.type in (execve, execveat, openat, connect, symlinkat, fchmodat, linkat)';
    const cap = await startCapture(['-w', file('live.scap'), filter]);
    pids.push(await scene.readShadow());
    pids.push((await run('/bin/sh', ['-c', `echo data > ${file('written.txt')}`])).pid);
    pids.push((await run('/bin/bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${scene.port}`])).pid);
    pids.push(await scene.symlinkShadow());
    pids.push((await scene.runSetuidRoot()).pid);
    if (scene.container) {
      const r = await scene.inContainer([LOADGEN, 'forkexec', '1', '/bin/cat', '/etc/hostname']);
      containerPids.push(r.pid);
    }
    await sleep(300);
    cap.child.kill('SIGINT');
    captureCode = await waitExit(cap.child);
    captureLog = cap.stderr();
  });

  after(async () => {
    await scene?.dispose();
  });

  test('SIGINT ends the capture cleanly, with a summary', (t) => {
    if (!liveOrSkip(t)) return;
    assert.equal(captureCode, 0, captureLog);
    assert.match(captureLog, /Capture .*live\.scap complete: \d+ events matching the filter, \d+ written in total; 0 events dropped/);
  });

  test('sysdig 0.29.3 and peregrine inspect read the capture the same way', async (t) => {
    if (!liveOrSkip(t)) return;
    if (!existsSync(SYSDIG)) {
      t.skip('sysdig is not installed (scripts/setup.sh installs it)');
      return;
    }
    const capture = file('live.scap');
    const all = [...pids, ...containerPids];
    const ours = `proc.pid in (${all.join(', ')}) or proc.ppid in (${all.join(', ')})`;
    // Fields whose values sysdig 0.29.3 computes from current driver events as Falco does (it
    // expects the old layouts of a few events: exe paths, close and socket fds, failed opens, and
    // the ids of setresuid/setresgid, compared separately below).
    const common = '*%evt.rawtime %evt.type %evt.dir %thread.tid %proc.pid %proc.ppid %proc.name %proc.exe %proc.cmdline ' +
      '%proc.cwd %evt.res';
    const s = sysdigLines(capture, common, ours);
    const p = peregrineLines(capture, common, ours);
    assert.ok(s.length > 50, `sysdig printed ${s.length} events of the test's processes`);
    const key = (l: string): string => l.split(' ').slice(0, 2).join(' ');
    const sysdigByKey = new Map(s.map((l) => [key(l), l]));
    // Every event sysdig shows, Peregrine shows identically.
    const peregrineByKey = new Map(p.map((l) => [key(l), l]));
    for (const line of s) assert.equal(peregrineByKey.get(key(line)), line);
    // Events only Peregrine shows are of types sysdig 0.29.3 does not know.
    const onlyOurs = new Set(p.filter((l) => !sysdigByKey.has(key(l))).map((l) => l.split(' ')[1]!));
    for (const name of onlyOurs) {
      const info = EVENT_INFO.find((e) => e.name === name && !e.isEnter);
      assert.ok(info, name);
      assert.equal(await sysdigKnows(capture, info.code, file(`only-${name}.scap`)), false, `sysdig 0.29.3 knows ${name}`);
    }
    // The actions themselves are there.
    assert.ok(p.some((l) => / openat < .* cat cat cat \/etc\/shadow /.test(l)), 'the read of /etc/shadow');
    assert.ok(p.some((l) => / symlinkat < .* ln ln ln -s \/etc\/shadow /.test(l)), 'the symlink');

    // Users and groups. sysdig 0.29.3 reads the new ids of setresuid and setresgid from enter
    // events current drivers no longer send, and an exec's group from a parameter it predates, so
    // it keeps stale ids in setpriv and in the program setpriv runs: those are left out.
    const users = '*%evt.rawtime %evt.type %proc.name %user.uid %user.name';
    const userFilter = `(${ours}) and proc.name != setpriv`;
    const su = sysdigLines(capture, users, userFilter);
    const pu = new Set(peregrineLines(capture, users, userFilter));
    for (const line of su) assert.ok(pu.has(line), line);
    assert.ok(su.some((l) => / execve suid-probe 0 root$/.test(l)), 'the setuid program runs as root');
    const groups = '*%evt.rawtime %evt.type %proc.name %group.gid %group.name';
    const groupFilter = `(${ours}) and not proc.name in (setpriv, suid-probe)`;
    const sg = sysdigLines(capture, groups, groupFilter);
    assert.ok(sg.length > 20);
    assert.deepEqual(peregrineLines(capture, groups, groupFilter).filter((l) => sysdigByKeyHas(sg, l)), sg);
    assert.ok(p.length > 0 && peregrineLines(capture, '*%evt.type %proc.name %user.uid %group.gid %group.name', `(${ours}) and proc.name = suid-probe`)
      .some((l) => l === 'execve suid-probe 0 65534 nogroup'), 'Peregrine: the setuid program as root with the caller\'s group');

    // Successful opens: the fd and the file name.
    const opens = '*%evt.rawtime %thread.tid %fd.num %fd.typechar %fd.name';
    const openFilter = `evt.type = openat and evt.rawres >= 0 and (${ours})`;
    const so = sysdigLines(capture, opens, openFilter);
    assert.ok(so.some((l) => l.endsWith(' f /etc/shadow')));
    assert.deepEqual(peregrineLines(capture, opens, openFilter), so);

    // The container id of the process in the Docker-like cgroup.
    if (containerPids.length > 0) {
      // (Before the processes join the cgroup, sysdig 0.29.3 calls them "host": it does not know
      // the containerd layout of this machine's own cgroup, which Falco's container plugin does.)
      const short = scene!.container!.shortId;
      const cf = `(proc.pid in (${containerPids.join(', ')}) or proc.ppid in (${containerPids.join(', ')})) and container.id = ${short}`;
      const cfmt = '*%evt.rawtime %evt.type %proc.name %container.id';
      const sc = sysdigLines(capture, cfmt, cf);
      assert.ok(sc.some((l) => l.endsWith(` execve cat ${short}`)), sc.join('\n'));
      assert.deepEqual(peregrineLines(capture, cfmt, cf).filter((l) => sysdigByKeyHas(sc, l)), sc);
    }
  });

  test('an unfiltered, gzip-compressed capture is read whole by sysdig and Peregrine', async (t) => {
    if (!liveOrSkip(t)) return;
    const out = file('all.scap.gz');
    const cap = await startCapture(['-w', out, '-n', '20000', '-M', '3']);
    await run(LOADGEN, ['forkexec', '5', '/bin/true']);
    assert.equal(await waitExit(cap.child), 0, cap.stderr());
    const raw = readFileSync(out);
    assert.deepEqual([...raw.subarray(0, 2)], [0x1f, 0x8b], 'gzip');
    const reader = await ScapReader.open(out);
    let n = 0;
    await reader.forEach(() => void n++);
    assert.ok(n > 0);
    assert.match(cap.stderr(), new RegExp(`\\d+ events, ${n} written in total`));
    if (!existsSync(SYSDIG)) return;
    // Every generic event of a syscall newer than sysdig's table is written so that sysdig can
    // print its type (it would crash on the raw code).
    const lines = sysdigLines(out, '*%evt.num %evt.type %proc.name', 'evt.num > 0');
    assert.ok(lines.length > n / 2, `sysdig printed ${lines.length} of ${n} events`);
  });

  test('without privileges: one clear message, exit status 1, no stack trace', async (t) => {
    if (!liveOrSkip(t)) return;
    const out = file('denied.scap');
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all',
      process.execPath, PEREGRINE, 'capture', '-w', out, '-M', '1'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error: '));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /^Error: Cannot open the 'syscall' source: the eBPF driver needs CAP_BPF and CAP_PERFMON \(or CAP_SYS_ADMIN\), and this process lacks CAP_BPF and CAP_PERFMON\. Run Peregrine as root/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(out), false, 'no capture file left behind');
  });
});
