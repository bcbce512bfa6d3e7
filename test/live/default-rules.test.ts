// Peregrine's default rules (rules/peregrine_rules.yaml) on live events (root, built driver): each
// rule is raised by a real action performed safely on this machine, with the fields its output
// prints; and the file loads with neither errors nor warnings.
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { RulesLoader } from '../../src/engine/loader/index.js';
import { builtinRulesEnvironment } from '../../src/cli/commands/validate.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { externalIpv4, Scene } from './actions.js';
import { LiveRules, liveOrSkip, sleep, type Alert } from './helpers.js';

const RULES = path.join(REPO_ROOT, 'rules', 'peregrine_rules.yaml');

test('the default rules load without errors or warnings, and every rule has a description, tags and output', () => {
  const env = builtinRulesEnvironment({ sources: ['syscall'] });
  const loader = new RulesLoader({ sources: env.sources });
  const result = loader.loadContent(RULES, readFileSync(RULES, 'utf8'));
  assert.equal(result.successful, true, result.toText(loader.contents));
  assert.equal(result.hasWarnings, false, result.toText(loader.contents));
  assert.equal(loader.checkPluginRequirements(env.providedPlugins), undefined);
  const rules = loader.compiled!.rules;
  assert.ok(rules.length >= 20, `${rules.length} rules`);
  for (const r of rules) {
    assert.ok(r.name.startsWith('Peregrine '), r.name);
    assert.ok(r.description.length > 80, `description of ${r.name}`);
    assert.ok(r.tags.includes('peregrine') && r.tags.some((tag) => /^T\d{4}/.test(tag)), `tags of ${r.name}: ${r.tags}`);
    assert.ok(r.output.includes('%proc.name') || r.output.includes('%proc.exepath'), `output of ${r.name}`);
    assert.notEqual(r.compiled.eventTypes, 'all', `${r.name} is restricted to event types`);
  }
});

describe('Peregrine default rules on live events (root)', () => {
  let scene: Scene | undefined;
  let live: LiveRules | undefined;
  let startError: string | undefined;
  const pid: Record<string, number> = {};
  const info: Record<string, string> = {};
  const external = externalIpv4();

  before(async () => {
    if (process.getuid?.() !== 0) return;
    scene = new Scene();
    await scene.listen();
    scene.mountOverlay();
    try {
      live = await LiveRules.start([RULES]);
    } catch (e) {
      startError = (e as Error).message;
      return;
    }
    const s = scene;
    pid.shadow = await s.readShadow();
    pid.symlink = await s.symlinkShadow();
    pid.hardlink = await s.hardlinkShadow();
    const creds = await s.readCloudCredentials();
    pid.creds = creds.pid;
    info.creds = creds.file;
    const bin = await s.writeBelowBinaryDir();
    pid.bin = bin.pid;
    info.bin = bin.file;
    const etc = await s.writeBelowEtc();
    pid.etc = etc.pid;
    info.etc = etc.file;
    const log = await s.clearLog();
    pid.log = log.pid;
    info.log = log.file;
    const history = await s.emptyShellHistory();
    pid.history = history.pid;
    info.history = history.file;
    const suid = await s.runSetuidRoot();
    pid.suid = suid.pid;
    info.suid = suid.exe;
    info.euid = suid.euid;
    const chmod = await s.chmodSetuid();
    pid.chmod = chmod.pid;
    info.chmod = chmod.file;
    const attach = await s.pythonPtraceAttach();
    pid.ptrace = attach.pid;
    info.ptraceTarget = String(attach.target);
    const bpf = await s.pythonBpfLoad();
    if (bpf.code === 0) pid.bpf = bpf.pid;
    const tmp = await s.execFromTmp();
    pid.tmp = tmp.pid;
    info.tmp = tmp.exe;
    pid.memfd = await s.memfdExec();
    pid.ncat = await s.ncatExec();
    pid.shellSocket = await s.shellOnSocket();
    pid.packet = await s.pythonPacketSocket();
    if (s.container) {
      pid.containerShell = await s.shellInContainer();
      pid.packageManager = await s.packageManagerInContainer();
      if (external !== undefined) pid.outbound = await s.outboundFromContainerShell(external);
      const dropped = await s.dropAndExecInContainer();
      if (dropped) {
        pid.drift = dropped.pid;
        info.drift = dropped.exe;
      }
    }
    await sleep(300);
  });

  after(async () => {
    if (live) {
      await live.stop();
      // What fired during the run, for a look at the noise (other work on the machine included).
      const counts = new Map<string, number>();
      for (const a of live.alerts) counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
      process.stderr.write(`# alerts by rule: ${JSON.stringify(Object.fromEntries(counts))}\n`);
    }
    await scene?.dispose();
  });

  /** The first alert of `rule` matching `pred` (waiting a little for the pipeline). */
  async function alertWhere(t: TestContext, rule: string, pred: ((a: Alert) => boolean) | undefined, what = rule): Promise<Alert | undefined> {
    if (!liveOrSkip(t)) return undefined;
    if (startError !== undefined) assert.fail(`the live source did not start: ${startError}`);
    if (pred === undefined) {
      t.skip(`${what}: the action could not be performed here`);
      return undefined;
    }
    const a = await live!.waitFor((x) => x.rule === rule && pred(x));
    assert.ok(a, `'${rule}' raised; alerts of that rule: ${JSON.stringify(live!.of(rule).map((x) => x.output))}; kernel drops: ${live!.drops()}`);
    return a;
  }
  const byPid = (p: number | undefined): ((a: Alert) => boolean) | undefined => (p === undefined ? undefined : (a) => a.pid === p);
  const inContainer = (p: number | undefined): ((a: Alert) => boolean) | undefined =>
    (p === undefined || scene?.container === undefined ? undefined : (a) => a.containerId === scene!.container!.shortId);

  test('sensitive file read by untrusted program: cat /etc/shadow', async (t) => {
    const a = await alertWhere(t, 'Peregrine sensitive file read by untrusted program', byPid(pid.shadow));
    if (!a) return;
    assert.equal(a.fields['fd.name'], '/etc/shadow');
    assert.equal(a.fields['proc.name'], 'cat');
    assert.equal(a.fields['proc.exepath'], realpathSync('/usr/bin/cat'));
    assert.equal(a.fields['user.name'], 'root');
  });

  test('link created to a sensitive file: symbolic and hard links to /etc/shadow', async (t) => {
    const soft = await alertWhere(t, 'Peregrine link created to a sensitive file', byPid(pid.symlink));
    if (!soft) return;
    assert.equal(soft.fields['fs.path.target'], '/etc/shadow');
    assert.equal(soft.fields['fs.path.source'], path.join(scene!.work, 'shadow-symlink'));
    assert.equal(soft.fields['evt.type'], 'symlinkat');
    const hard = await alertWhere(t, 'Peregrine link created to a sensitive file', byPid(pid.hardlink));
    assert.equal(hard!.fields['fs.path.target'], '/etc/shadow');
    assert.equal(hard!.fields['evt.type'], 'linkat');
  });

  test('cloud credentials read: cat ~/.aws/credentials', async (t) => {
    const a = await alertWhere(t, 'Peregrine cloud credentials read', byPid(pid.creds));
    if (!a) return;
    assert.equal(a.fields['fd.name'], info.creds);
    assert.equal(a.fields['proc.name'], 'cat');
  });

  test('write below a binary directory: /usr/local/bin', async (t) => {
    const a = await alertWhere(t, 'Peregrine write below a binary directory', byPid(pid.bin));
    if (!a) return;
    assert.equal(a.fields['fd.name'], info.bin);
    assert.equal(a.fields['proc.name'], 'sh');
  });

  test('write below /etc', async (t) => {
    const a = await alertWhere(t, 'Peregrine write below /etc', byPid(pid.etc));
    if (!a) return;
    assert.equal(a.fields['fd.name'], info.etc);
    assert.match(String(a.fields['evt.arg.flags']), /O_TRUNC/);
  });

  test('log file cleared: truncation of a file in /var/log', async (t) => {
    const a = await alertWhere(t, 'Peregrine log file cleared', byPid(pid.log));
    if (!a) return;
    assert.equal(a.fields['fd.name'], info.log);
  });

  test('shell history emptied by cp', async (t) => {
    const a = await alertWhere(t, 'Peregrine shell history removed or emptied', byPid(pid.history));
    if (!a) return;
    assert.equal(a.fields['fd.name'], info.history);
    assert.equal(a.fields['proc.name'], 'cp');
  });

  test('root gained through a setuid program run by nobody', async (t) => {
    const a = await alertWhere(t, 'Peregrine root gained through a setuid program', byPid(pid.suid));
    if (!a) return;
    assert.equal(info.euid, '0');
    assert.equal(a.fields['proc.exepath'], info.suid);
    assert.equal(a.fields['user.name'], 'root');
    assert.equal(a.fields['group.gid'], 65534);
  });

  test('setuid bit set with chmod u+s', async (t) => {
    const a = await alertWhere(t, 'Peregrine setuid or setgid bit set on a file', byPid(pid.chmod));
    if (!a) return;
    assert.equal(a.fields['fs.path.name'], info.chmod);
    assert.match(String(a.fields['evt.arg.mode']), /S_ISUID/);
  });

  test('ptrace attach by a Python program', async (t) => {
    const a = await alertWhere(t, 'Peregrine ptrace attach to another process', byPid(pid.ptrace));
    if (!a) return;
    assert.equal(a.fields['evt.arg.request'], 'PTRACE_ATTACH');
    assert.equal(String(a.fields['evt.rawarg.pid']), info.ptraceTarget);
    assert.equal(a.fields['evt.arg.pid'], 'peregrine-loadg', 'the target resolved to its name, as Falco prints it');
    assert.equal(a.fields['proc.name'], 'python3');
  });

  test('eBPF program loaded by a Python program', async (t) => {
    const a = await alertWhere(t, 'Peregrine unexpected eBPF program load', byPid(pid.bpf), 'loading a BPF socket filter');
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'python3');
  });

  test('execution from a temporary directory', async (t) => {
    const a = await alertWhere(t, 'Peregrine execution from temporary directory', byPid(pid.tmp));
    if (!a) return;
    assert.equal(a.fields['proc.exepath'], info.tmp);
  });

  test('fileless execution from a memfd', async (t) => {
    const a = await alertWhere(t, 'Peregrine fileless execution from memory', byPid(pid.memfd));
    if (!a) return;
    assert.match(String(a.fields['proc.exepath']), /^\/memfd:peregrine-memfd/);
  });

  test('ncat -e handing a shell to a connection', async (t) => {
    const a = await alertWhere(t, 'Peregrine netcat serving a program', byPid(pid.ncat));
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'ncat');
    assert.equal(a.fields['proc.cmdline'], `ncat -e /bin/sh 127.0.0.1 ${scene!.port}`);
  });

  test('shell wired to a network socket (bash /dev/tcp as standard input and output)', async (t) => {
    // (ncat -e relays through pipes: its shell's standard streams are pipes, the netcat rule covers it.)
    const a = await alertWhere(t, 'Peregrine shell wired to a network socket', byPid(pid.shellSocket));
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'sh');
    assert.equal(a.fields['proc.cmdline'], 'sh -c true');
    assert.match(String(a.fields['proc.stdin.name']), new RegExp(`->127\\.0\\.0\\.1:${scene!.port}$`));
    assert.equal(a.fields['proc.stdout.name'], a.fields['proc.stdin.name']);
  });

  test('raw packet socket opened', async (t) => {
    const a = await alertWhere(t, 'Peregrine raw packet socket opened', byPid(pid.packet));
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'python3');
  });

  test('shell started in a container by a program that is not a shell', async (t) => {
    const a = await alertWhere(t, 'Peregrine shell started in a container', inContainer(pid.containerShell), 'a container-like cgroup');
    if (!a) return;
    assert.equal(a.fields['proc.name'], 'sh');
    assert.equal(a.fields['proc.pname'], 'peregrine-loadg');
    assert.equal(a.fields['container.id'], scene!.container!.shortId);
  });

  test('package manager run in a container', async (t) => {
    const a = await alertWhere(t, 'Peregrine package manager run in a container',
      inContainer(pid.packageManager) && ((x) => x.fields['proc.name'] === 'dpkg' && x.containerId === scene!.container!.shortId),
      'a container-like cgroup');
    if (!a) return;
    assert.equal(a.fields['proc.cmdline'], 'dpkg --version');
  });

  test('outbound connection from a shell in a container', async (t) => {
    const a = await alertWhere(t, 'Peregrine outbound connection from container shell',
      external === undefined ? undefined : inContainer(pid.outbound), 'a non-loopback address and a container-like cgroup');
    if (!a) return;
    assert.equal(a.fields['fd.sip'], external);
    assert.equal(a.fields['fd.sport'], scene!.port);
    assert.equal(a.fields['proc.name'], 'bash');
  });

  test('container drift: a program from the overlay upper layer', async (t) => {
    const a = await alertWhere(t, 'Peregrine container drift', inContainer(pid.drift), 'an overlay mount in a container');
    if (!a) return;
    assert.equal(a.fields['proc.exepath'], info.drift);
  });
});
