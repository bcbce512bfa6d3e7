// Falco's stable rules (the corpus's upstream falco_rules.yaml, unchanged) on live events (root,
// built driver): real actions that the rules describe, done safely on this machine, raise those
// rules with the fields their outputs print.
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { corpusPath } from '../helpers/corpus.js';
import { Scene } from './actions.js';
import { LiveRules, liveOrSkip, sleep, type Alert } from './helpers.js';

const RULES = corpusPath('upstream-rules', 'falco_rules.yaml');

describe('upstream Falco rules on live events (root)', () => {
  let scene: Scene | undefined;
  let live: LiveRules | undefined;
  let startError: string | undefined;
  const pid: Record<string, number> = {};
  const info: Record<string, string> = {};

  before(async () => {
    if (process.getuid?.() !== 0 || !existsSync(RULES)) return;
    scene = new Scene();
    await scene.listen();
    scene.mountOverlay();
    try {
      live = await LiveRules.start([RULES]);
    } catch (e) {
      startError = (e as Error).message;
      return;
    }
    pid.shadow = await scene.readShadow();
    pid.symlink = await scene.symlinkShadow();
    pid.hardlink = await scene.hardlinkShadow();
    const log = await scene.clearLog();
    pid.clearLog = log.pid;
    info.log = log.file;
    pid.shred = await scene.shred();
    const shm = await scene.execFromDevShm();
    pid.devShm = shm.pid;
    info.devShm = shm.exe;
    pid.strace = await scene.straceAttach();
    pid.traceme = await scene.pythonTraceme();
    pid.findAws = await scene.findAwsCredentials();
    pid.findKeys = await scene.findPrivateKeys();
    pid.memfd = await scene.memfdExec();
    if (scene.container) {
      pid.terminal = await scene.terminalShellInContainer();
      pid.packet = await scene.packetSocketInContainer();
      pid.redirect = await scene.redirectStdioToSocketInContainer();
      const dropped = await scene.dropAndExecInContainer();
      if (dropped) {
        pid.dropped = dropped.pid;
        info.dropped = dropped.exe;
      }
    }
    await sleep(300);
  });

  after(async () => {
    if (live) await live.stop();
    await scene?.dispose();
  });

  /** The alerts of `rule` raised by process `p` (waiting a little for the pipeline). */
  async function alertOf(t: TestContext, rule: string, p: number | undefined, what = rule): Promise<Alert | undefined> {
    if (!liveOrSkip(t)) return undefined;
    if (!existsSync(RULES)) {
      t.skip(`upstream rules not found at ${RULES} (set PEREGRINE_CORPUS)`);
      return undefined;
    }
    if (startError !== undefined) assert.fail(`the live source did not start: ${startError}`);
    if (p === undefined) {
      t.skip(`${what}: the action could not be performed here`);
      return undefined;
    }
    const a = await live!.waitFor((x) => x.rule === rule && x.pid === p);
    assert.ok(a, `'${rule}' raised for pid ${p}; alerts of that rule: ${JSON.stringify(live!.of(rule).map((x) => x.output))}; kernel drops: ${live!.drops()}`);
    return a;
  }

  test('Read sensitive file untrusted: cat /etc/shadow', async (t) => {
    const a = await alertOf(t, 'Read sensitive file untrusted', pid.shadow);
    if (!a) return;
    assert.equal(a.fields['fd.name'], '/etc/shadow');
    assert.equal(a.fields['proc.name'], 'cat');
    assert.equal(a.fields['proc.cmdline'], 'cat /etc/shadow');
    assert.equal(a.fields['user.name'], 'root');
    assert.match(a.output, /^Sensitive file opened for reading by non-trusted program \| file=\/etc\/shadow /);
  });

  test('Create Symlink Over Sensitive Files: ln -s /etc/shadow', async (t) => {
    const a = await alertOf(t, 'Create Symlink Over Sensitive Files', pid.symlink);
    if (!a) return;
    assert.equal(a.fields['evt.arg.target'], '/etc/shadow');
    assert.equal(a.fields['evt.arg.linkpath'], `${scene!.work}/shadow-symlink`);
    assert.equal(a.fields['proc.name'], 'ln');
  });

  test('Create Hardlink Over Sensitive Files: ln /etc/shadow', async (t) => {
    const a = await alertOf(t, 'Create Hardlink Over Sensitive Files', pid.hardlink);
    if (!a) return;
    assert.equal(a.fields['evt.arg.oldpath'], '/etc/shadow');
    assert.equal(a.fields['evt.arg.newpath'], `${scene!.work}/shadow-hardlink`);
  });

  test('Clear Log Activities: a log file in /var/log truncated', async (t) => {
    const a = await alertOf(t, 'Clear Log Activities', pid.clearLog);
    if (!a) return;
    assert.equal(a.fields['fd.name'], info.log);
    assert.equal(a.fields['proc.name'], 'sh');
  });

  test('Remove Bulk Data from Disk: shred', async (t) => {
    const a = await alertOf(t, 'Remove Bulk Data from Disk', pid.shred);
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'shred');
    assert.equal(a.fields['proc.exepath'], realpathSync('/usr/bin/shred'));
  });

  test('Execution from /dev/shm', async (t) => {
    const a = await alertOf(t, 'Execution from /dev/shm', pid.devShm);
    if (!a) return;
    assert.equal(a.fields['proc.exepath'], info.devShm);
  });

  test('PTRACE attached to process: strace -p', async (t) => {
    const a = await alertOf(t, 'PTRACE attached to process', pid.strace);
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'strace');
    assert.equal(a.fields['evt.type'], 'ptrace');
  });

  test('PTRACE anti-debug attempt: PTRACE_TRACEME', async (t) => {
    const a = await alertOf(t, 'PTRACE anti-debug attempt', pid.traceme);
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'python3');
  });

  test('Find AWS Credentials: find -path */.aws/credentials', async (t) => {
    const a = await alertOf(t, 'Find AWS Credentials', pid.findAws);
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'find');
    assert.equal(a.fields['proc.cmdline'], `find ${scene!.work} -path */.aws/credentials`);
  });

  test('Search Private Keys or Passwords: find -name id_rsa', async (t) => {
    const a = await alertOf(t, 'Search Private Keys or Passwords', pid.findKeys);
    if (!a) return;
    assert.equal(a.fields['proc.cmdline'], `find ${scene!.work} -name id_rsa`);
  });

  test('Fileless execution via memfd_create', async (t) => {
    const a = await alertOf(t, 'Fileless execution via memfd_create', pid.memfd);
    if (!a) return;
    assert.match(String(a.fields['proc.exepath']), /^\/memfd:peregrine-memfd/);
  });

  test('Terminal shell in container: a shell with a terminal started by runc', async (t) => {
    // The process that enters the container becomes runc; its child is the shell.
    if (!liveOrSkip(t)) return;
    if (scene?.container === undefined) {
      t.skip('no cgroup v1 hierarchies to create container-like cgroups in');
      return;
    }
    const a = await live!.waitFor((x) => x.rule === 'Terminal shell in container' && x.containerId === scene!.container!.shortId);
    assert.ok(a, `raised in the fake container; alerts: ${JSON.stringify(live!.of('Terminal shell in container').map((x) => x.output))}`);
    assert.equal(a.fields['proc.pname'], 'runc');
    assert.equal(a.fields['proc.name'], 'sh');
    assert.notEqual(a.fields['proc.tty'], 0);
  });

  test('Packet socket created in container', async (t) => {
    const a = await alertOf(t, 'Packet socket created in container', pid.packet, 'a packet socket in a container');
    if (!a) return;
    assert.equal(a.containerId, scene!.container!.shortId);
    assert.equal(a.fields['proc.name'], 'python3');
  });

  test('Redirect STDOUT/STDIN to Network Connection in Container', async (t) => {
    const a = await alertOf(t, 'Redirect STDOUT/STDIN to Network Connection in Container', pid.redirect, 'stdio redirected in a container');
    if (!a) return;
    assert.equal(a.containerId, scene!.container!.shortId);
    assert.equal(a.fields['fd.sip'], '127.0.0.1');
    assert.equal(a.fields['fd.rport'], scene!.port);
    assert.equal(a.fields['proc.name'], 'bash');
  });

  test('Drop and execute new binary in container: a program from the overlay upper layer', async (t) => {
    const a = await alertOf(t, 'Drop and execute new binary in container', pid.dropped, 'overlay mount in a container');
    if (!a) return;
    assert.equal(a.fields['proc.exepath'], info.dropped);
    assert.equal(a.containerId, scene!.container!.shortId);
  });
});
