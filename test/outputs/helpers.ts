// Shared pieces of the outputs tests: sample alerts, temporary directories, a test certificate
// authority made with openssl, a private rsyslogd, and capture of the log.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Priority } from '../../src/engine/priority.js';
import type { Alert } from '../../src/outputs/alert.js';
import { configureLog, setLogSink, type LogLevel } from '../../src/util/log.js';

// The receivers of these tests live on loopback: a proxy set in the environment must not be used
// for them (the proxy test sets its own).
for (const name of ['no_proxy', 'NO_PROXY']) {
  process.env[name] = [process.env[name], '127.0.0.1', 'localhost'].filter(Boolean).join(',');
}

/** A rule alert like the ones of the corpus' open_from_cat rule, numbered through its command. */
export function sampleAlert(n = 0, overrides: Partial<Alert> = {}): Alert {
  return {
    time: 1470327477881785348n + BigInt(n),
    rule: 'open_from_cat',
    priority: Priority.Warning,
    source: 'syscall',
    tags: ['testing', 'filesystem', 'process'],
    output: `An open was seen (command=cat /dev/null #${n})`,
    outputFields: { 'proc.cmdline': `cat /dev/null #${n}` },
    ...overrides,
  };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'peregrine-outputs-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws). */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Reads a file's lines (without the final empty one); [] when it does not exist. */
export function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.length === 0 ? [] : text.replace(/\n$/, '').split('\n');
}

/** Collects log messages (instead of printing them) until the returned restore() is called. */
export function captureLog(): { messages: { level: LogLevel; message: string }[]; restore(): void } {
  const messages: { level: LogLevel; message: string }[] = [];
  configureLog({ stderr: false, level: 'debug' });
  setLogSink((level, message) => messages.push({ level, message }));
  return {
    messages,
    restore(): void {
      setLogSink(undefined);
      configureLog({ stderr: true, level: 'info' });
    },
  };
}

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Certificate and key in one PEM file, as Falco's webserver.ssl_certificate expects. */
  serverCombined: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing the server trusts. */
  otherCaCert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA, a server certificate for localhost/127.0.0.1 and a client certificate (EC P-256). */
export function makeTestPki(dir: string): TestPki {
  const key = (name: string): void => openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
  const ca = (name: string, cn: string): void => {
    key(`${name}.key`);
    openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`]);
  };
  const leaf = (name: string, cn: string, ext: string): void => {
    key(`${name}.key`);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  };
  ca('ca', 'Peregrine Test CA');
  ca('other-ca', 'Unrelated Test CA');
  leaf('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'peregrine-client', 'extendedKeyUsage=clientAuth\n');
  const p = (name: string): string => path.join(dir, name);
  writeFileSync(p('server.pem'), readFileSync(p('server.crt'), 'utf8') + readFileSync(p('server.key'), 'utf8'));
  return {
    dir,
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    serverCombined: p('server.pem'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherCaCert: p('other-ca.crt'),
  };
}

/** Path of rsyslogd, or undefined when it is not installed (scripts/setup.sh installs it). */
export function rsyslogdPath(): string | undefined {
  return ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
}

export interface TestSyslogd {
  socket: string;
  /** File where rsyslogd writes `PRI|facility|severity|tag|message` per received message. */
  logFile: string;
  /** Received messages, parsed. */
  messages(): { pri: number; facility: string; severity: string; tag: string; message: string }[];
  stop(): Promise<void>;
}

/** Starts a private rsyslogd listening on its own socket in `dir`, writing what it gets to a file. */
export async function startRsyslogd(dir: string): Promise<TestSyslogd> {
  const binary = rsyslogdPath();
  if (!binary) throw new Error('rsyslogd is not installed (run scripts/setup.sh)');
  const socket = path.join(dir, 'log.sock');
  const logFile = path.join(dir, 'received.log');
  const config = path.join(dir, 'rsyslog.conf');
  writeFileSync(config, [
    `global(workDirectory="${dir}")`,
    // Escape control characters (rsyslog's default) so each message stays on one line.
    'module(load="imuxsock" SysSock.Use="off")',
    `input(type="imuxsock" Socket="${socket}" CreatePath="on")`,
    'template(name="fields" type="string" string="%PRI%|%syslogfacility-text%|%syslogseverity-text%|%syslogtag%|%msg:2:$%\\n")',
    `*.* action(type="omfile" file="${logFile}" template="fields")`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn(binary, ['-n', '-f', config, '-i', path.join(dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor(`rsyslogd socket ${socket} (stderr: ${stderr})`, () => existsSync(socket), 10_000);
  return {
    socket,
    logFile,
    messages() {
      return readLines(logFile).map((line) => {
        const [pri, facility, severity, tag, ...rest] = line.split('|');
        return { pri: Number(pri), facility: facility!, severity: severity!, tag: tag!, message: rest.join('|') };
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
