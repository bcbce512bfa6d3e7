// Shared pieces of the live acceptance tests: a live source evaluating rules files as the agent
// does (rules loaded against the syscall source with its extractors, the capture selection from
// their event types), processes in container-like cgroups, and small process helpers.
//
// The tests run as root with the driver built; elsewhere they skip with a message.
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { RulesLoader } from '../../src/engine/loader/index.js';
import { Ruleset } from '../../src/engine/ruleset.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import type { JsonFieldValue } from '../../src/fields/types.js';
import { LiveSyscallSource, type LiveStats } from '../../src/sources/live/live-source.js';
import { ruleEventTypeNames } from '../../src/sources/live/rule-event-types.js';
import type { SyscallEvent } from '../../src/state/syscall-event.js';
import { driverOrSkip, LOADGEN } from '../driver/helpers.js';

export { LOADGEN };
export const execFileAsync = promisify(execFile);

/** Skips unless root with the driver built. */
export function liveOrSkip(t: TestContext): boolean {
  return driverOrSkip(t);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An alert as the tests look at it: rule, output text, and the output's field values. */
export interface Alert {
  readonly rule: string;
  readonly priority: number;
  readonly output: string;
  readonly fields: Record<string, JsonFieldValue>;
  /** Thread and process of the event. */
  readonly tid: number;
  readonly pid: number;
  /** `container.id` of the event's thread (outputs without %container.id carry it too). */
  readonly containerId: string;
}

/** Rules files loaded and a live source evaluating them, collecting every match (rule_matching: all). */
export class LiveRules {
  readonly alerts: Alert[] = [];
  private done: Promise<LiveStats> | undefined;

  private constructor(readonly source: LiveSyscallSource, readonly ruleset: Ruleset) {}

  /** Loads the files in order (failing on load errors) and starts capturing what their rules need. */
  static async start(files: readonly string[], opts: { onEvent?: (e: SyscallEvent) => void } = {}): Promise<LiveRules> {
    const syscall = createSyscallSource();
    const loader = new RulesLoader({ sources: [syscall] });
    for (const file of files) {
      const result = loader.loadContent(file, readFileSync(file, 'utf8'));
      if (!result.successful) throw new Error(`cannot load ${file}:\n${result.toText(loader.contents)}`);
    }
    const ruleset = new Ruleset(loader.compiled!, [syscall]);
    const rules = ruleset.forSource('syscall')!;
    const source = await LiveSyscallSource.open({
      rulesEventTypes: ruleEventTypeNames(rules.enabledRules()),
      // A large buffer absorbs bursts from other work on the machine (drops would lose actions).
      driver: { logOpen: false, ringBufferMiB: 64 },
    });
    const harness = new LiveRules(source, ruleset);
    const matches: ReturnType<typeof rules.enabledRules> = [];
    harness.done = source.forEachForRules((e) => {
      opts.onEvent?.(e);
      matches.length = 0;
      rules.allMatches(e.evt.type, e, matches);
      for (const r of matches) {
        harness.alerts.push({
          rule: r.name, priority: r.priority, output: r.outputFormat.text(e), fields: r.outputFormat.fields(e),
          tid: e.evt.tid, pid: e.thread?.pid ?? -1, containerId: e.thread ? e.state.containerId(e.thread) : '',
        });
      }
    });
    return harness;
  }

  /** Waits until an alert satisfying `pred` arrived (or the timeout passed); returns it. */
  async waitFor(pred: (a: Alert) => boolean, timeoutMs = 5000): Promise<Alert | undefined> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.alerts.find(pred);
      if (found !== undefined || Date.now() > end) return found;
      await sleep(20);
    }
  }

  /** Events the kernel dropped so far (a missing alert with drops may be a lost event). */
  drops(): number {
    return this.source.kernelCounters().n_drops ?? 0;
  }

  /** Alerts of one rule for one process. */
  of(rule: string, pid?: number): Alert[] {
    return this.alerts.filter((a) => a.rule === rule && (pid === undefined || a.pid === pid));
  }

  async stop(): Promise<LiveStats> {
    await this.source.stop();
    const stats = await this.done!;
    await this.source.close();
    return stats;
  }
}

/** Runs a command to completion; resolves with its pid and exit status. */
export function run(command: string, args: readonly string[], opts: SpawnOptions = {}): Promise<{ pid: number; code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], ...opts });
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (stdout += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ pid: child.pid!, code, stdout }));
  });
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** cgroup v1 hierarchies a process can be moved into without configuring them first. */
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'devices', 'freezer'];

/**
 * A cgroup named the way a container runtime names it, in every cgroup v1 hierarchy of this
 * machine, below the test process's own cgroup there: `<current>/docker/<64 hex>` (Docker), or
 * `<current>/kubepods.slice/cri-containerd-<64 hex>.scope` (containerd under Kubernetes).
 */
export class FakeContainer {
  readonly id = randomBytes(32).toString('hex');
  readonly dirs: string[] = [];

  constructor(readonly layout: 'docker' | 'cri-containerd' = 'docker') {
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    for (const controller of V1_CONTROLLERS) {
      const root = `/sys/fs/cgroup/${controller}`;
      if (!existsSync(path.join(root, 'cgroup.procs'))) continue;
      const line = own.find((l) => l.split(':')[1]?.split(',').includes(controller));
      const current = line === undefined ? '/' : line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
      const leaf = layout === 'docker' ? path.join('docker', this.id) : path.join('kubepods.slice', `cri-containerd-${this.id}.scope`);
      const dir = path.join(root, current, leaf);
      mkdirSync(dir, { recursive: true });
      this.dirs.push(dir);
    }
  }

  /** `container.id` as Falco reports it. */
  get shortId(): string {
    return this.id.slice(0, 12);
  }

  /** Whether this machine has cgroup v1 hierarchies to fake a container with. */
  static available(): boolean {
    return existsSync('/sys/fs/cgroup/memory/cgroup.procs') || existsSync('/sys/fs/cgroup/cpu/cgroup.procs');
  }

  /** A shell command line that moves itself into the container's cgroups, then runs `command`. */
  wrap(command: readonly string[]): string[] {
    const join = this.dirs.map((d) => `echo $$ > '${d}/cgroup.procs'`).join(' && ');
    return ['/bin/sh', '-c', `${join} && exec "$@"`, 'enter-container', ...command];
  }

  /** Removes the cgroups (once their processes are gone). */
  async remove(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      let left = 0;
      for (const dir of this.dirs) {
        for (const d of [dir, path.dirname(dir)]) {
          try {
            rmdirSync(d);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === 'EBUSY') left++;
            // ENOTEMPTY for the shared parent while siblings exist, ENOENT once gone
          }
        }
      }
      if (left === 0) return;
      await sleep(50);
    }
  }
}
