// Live capture cost and throughput (root, built driver). Side by side in one run:
//  - three workloads with and without the driver attached, the driver capturing what the upstream
//    rules files need (computeSyscallSelection over their event types), its stream read by a Node
//    consumer: `dd bs=1` (4M read/write syscalls that no rule needs), an open+close loop (1M pairs,
//    every syscall captured) and a fork+exec loop (3000 processes). Reported as slowdown ratios of
//    the workload's CPU time (user+sys, steadier than wall time on a shared machine) and wall time,
//    medians over interleaved rounds;
//  - the event rate the driver and a Node consumer sustain: close(-1) as fast as one core issues
//    it, every call captured, events read and counted by the consumer, with the drops counted.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchReport, BenchRow } from './run.js';
import { defaultDriverBinary, DriverProcess, totalDrops, type DriverStats } from '../src/sources/live/driver-process.js';
import { computeSyscallSelection, eventCodesToEventTypes } from '../src/sources/live/syscall-selection.js';
import { builtinRulesEnvironment } from '../src/cli/commands/validate.js';
import { RulesLoader } from '../src/engine/loader/index.js';
import { Ruleset } from '../src/engine/ruleset.js';

const execFileAsync = promisify(execFile);
const ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
const LOADGEN = path.join(ROOT, 'driver', 'build', 'peregrine-loadgen');
const CORPUS = process.env.PEREGRINE_CORPUS ?? path.resolve(ROOT, '..', 'shared', 'corpus');
const ROUNDS = Number(process.env.PEREGRINE_BENCH_ROUNDS ?? 7);

/** evt.type names the three upstream rules files use (their event-type sets), when the corpus is absent. */
const UPSTREAM_EVENT_TYPES = [
  'accept', 'accept4', 'bpf', 'chmod', 'connect', 'creat', 'dup', 'dup2', 'dup3', 'execve', 'execveat', 'fchmod',
  'fchmodat', 'finit_module', 'init_module', 'link', 'linkat', 'listen', 'mkdir', 'mkdirat', 'open', 'openat',
  'openat2', 'ptrace', 'rename', 'renameat', 'renameat2', 'rmdir', 'sendmsg', 'sendto', 'setns', 'setuid', 'socket',
  'symlink', 'symlinkat', 'unlink', 'unlinkat', 'unshare', 'userfaultfd',
];

/** The event types the upstream rules files need: loaded and compiled by the engine (enabled codes of
 *  the syscall ruleset) when the corpus is present. */
function upstreamEventTypes(): { names: string[]; source: string } {
  const files = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml']
    .map((f) => path.join(CORPUS, 'upstream-rules', f));
  if (!files.every((f) => existsSync(f))) return { names: UPSTREAM_EVENT_TYPES, source: 'built-in list of the upstream rules' };
  const env = builtinRulesEnvironment();
  const loader = new RulesLoader({ sources: env.sources });
  for (const f of files) loader.loadContent(f, readFileSync(f, 'utf8'));
  const compiled = loader.compiled;
  if (!compiled) return { names: UPSTREAM_EVENT_TYPES, source: 'built-in list of the upstream rules' };
  const ruleset = new Ruleset(compiled, env.sources);
  const codes = ruleset.forSource('syscall')?.enabledCodes() ?? new Set<number>();
  return { names: eventCodesToEventTypes(codes), source: 'upstream rules files as the engine compiles them' };
}

interface Usage {
  wall_s: number;
  user_s: number;
  sys_s: number;
  status: number;
}

async function measure(cmd: string[]): Promise<Usage> {
  const { stdout } = await execFileAsync(LOADGEN, ['measure', ...cmd], { maxBuffer: 1 << 20 });
  const u = JSON.parse(stdout) as Usage;
  if (u.status !== 0) throw new Error(`${cmd.join(' ')} exited with status ${u.status}`);
  return u;
}

const min = (xs: number[]): number => Math.min(...xs);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Captured {
  driver: DriverProcess;
  events: () => number;
  done: Promise<void>;
}

/** A driver whose stream a Node consumer reads (and counts) the way live capture does; or, with
 *  `discard`, whose stream is thrown away unread (the driver's own cost, without the consumer's). */
async function startCaptured(syscalls: readonly string[], discard = false): Promise<Captured> {
  const driver = await DriverProcess.start({ syscalls, logOpen: false, ringBufferMiB: 64 });
  if (discard) {
    driver.stream.resume();
    return { driver, events: () => 0, done: new Promise((resolve) => driver.stream.once('end', resolve)) };
  }
  const reader = await driver.openReader();
  let n = 0;
  const done = reader.forEach((evt) => {
    if (evt.type >= 0) n++;
  }).then(() => undefined);
  return { driver, events: () => n, done };
}

export async function run(): Promise<BenchReport> {
  const title = 'live capture: workload slowdown with the driver attached, sustained event rate';
  if (process.getuid?.() !== 0 || !existsSync(defaultDriverBinary()) || !existsSync(LOADGEN)) {
    return { title, rows: [], notes: ['skipped: needs root and the driver built (npm run build:driver)'] };
  }
  const work = mkdtempSync(path.join(tmpdir(), 'peregrine-bench-'));
  const file = path.join(work, 'file.txt');
  writeFileSync(file, 'x');
  const rules = upstreamEventTypes();
  const selection = computeSyscallSelection({ rulesEventTypes: rules.names });
  const rows: BenchRow[] = [];
  const ratios: string[] = [];
  const notes: string[] = [
    `selection: ${selection.syscalls.length} syscalls/tracepoints for the event types of the ${rules.source} ` +
    `(${rules.names.length} names) plus Falco's state set; ${ROUNDS} rounds, alternating order; ratios of minimums`,
  ];

  const workloads: { name: string; cmd: string[]; falco: string; discard?: boolean }[] = [
    { name: 'dd bs=1 count=4M (no syscall captured)', cmd: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=4194304'], falco: '1.60x' },
    { name: 'open+close x1M (2M events)', cmd: [LOADGEN, 'open', '1000000', file], falco: '1.74x' },
    { name: 'open+close x1M, stream discarded (driver alone)', cmd: [LOADGEN, 'open', '1000000', file], falco: '1.74x', discard: true },
    { name: 'fork+exec x3000', cmd: [LOADGEN, 'forkexec', '3000', '/bin/true'], falco: '1.07x' },
  ];
  try {
    for (const w of workloads) {
      const base: Usage[] = [];
      const live: Usage[] = [];
      let lastStats: DriverStats | undefined;
      let consumed = 0;
      // Rounds alternate the order (base first, then driver first) so drift cancels; the driver
      // has fully exited (detached) before the next measurement starts.
      const measureLive = async (): Promise<void> => {
        const cap = await startCaptured(selection.syscalls, w.discard);
        live.push(await measure(w.cmd));
        lastStats = await cap.driver.stop();
        await cap.done;
        await cap.driver.waitExit();
        consumed = cap.events();
      };
      for (let r = 0; r < ROUNDS; r++) {
        if (r % 2 === 0) {
          base.push(await measure(w.cmd));
          await measureLive();
        } else {
          await measureLive();
          base.push(await measure(w.cmd));
        }
      }
      const cpu = (u: Usage): number => u.user_s + u.sys_s;
      const wall = (u: Usage): number => u.wall_s;
      // Noise from other work on the machine only adds time: the minimum is the steadiest estimate.
      const cpuRatio = min(live.map(cpu)) / min(base.map(cpu));
      const wallRatio = min(live.map(wall)) / min(base.map(wall));
      rows.push({
        name: w.name,
        figures: {
          base_cpu_s_min: min(base.map(cpu)),
          driver_cpu_s_min: min(live.map(cpu)),
          base_cpu_s_median: median(base.map(cpu)),
          driver_cpu_s_median: median(live.map(cpu)),
          base_wall_s_min: min(base.map(wall)),
          driver_wall_s_min: min(live.map(wall)),
          events_last_round: w.discard ? lastStats?.written_events ?? -1 : consumed,
          drops_last_round: lastStats ? totalDrops(lastStats) : -1,
        },
      });
      ratios.push(`${w.name}: with/without driver CPU = ${cpuRatio.toFixed(3)}x (medians ${(median(live.map(cpu)) / median(base.map(cpu))).toFixed(3)}x), ` +
        `wall = ${wallRatio.toFixed(3)}x (Falco 0.44.1 here: ${w.falco})`);
    }

    // Sustained rate: one generator per core issues close(-1) flat out; the driver and the Node
    // consumer take their CPU time from the same cores. The CPU time the loader and the consumer
    // spend per event gives the rate the pipeline can sustain on its own.
    const generators = Math.max(1, Number(process.env.PEREGRINE_BENCH_GENERATORS ?? 2));
    const perGenerator = 3_000_000;
    const cap = await startCaptured(['close']);
    const before = cap.events();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const gens = await Promise.all(Array.from({ length: generators }, () => measure([LOADGEN, 'closebad', String(perGenerator)])));
    const genWall = Math.max(...gens.map((g) => g.wall_s));
    const stats = await cap.driver.stop();
    await cap.done;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu1 = process.cpuUsage(cpu0);
    await cap.driver.waitExit();
    const events = cap.events() - before;
    const consumerCpu = (cpu1.user + cpu1.system) / 1e6;
    const loaderCpu = stats?.cpu_seconds ?? 0;
    const capacity = events / (consumerCpu + loaderCpu);
    rows.push({
      name: `close(-1) x${perGenerator / 1e6}M x${generators} procs, all captured`,
      figures: {
        generator_wall_s: genWall,
        events_per_s_during_generation: events / genWall,
        events_per_s_end_to_end: events / seconds,
        events_read: events,
        drops: stats ? totalDrops(stats) : -1,
        loader_cpu_s: loaderCpu,
        node_consumer_cpu_s: consumerCpu,
        pipeline_events_per_cpu_s: capacity,
      },
    });
    ratios.push(`sustained: ${(events / genWall / 1e6).toFixed(2)}M events/s captured and read by Node with ` +
      `${stats ? totalDrops(stats) : '?'} drops (target >= 1M/s without drops); loader + consumer need ` +
      `${(1e9 / capacity).toFixed(0)} ns of CPU per event (${(capacity / 1e6).toFixed(2)}M events per CPU-second)`);
    notes.push(`load average after the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} ` +
      `on ${availableParallelism()} CPUs (other work on the machine inflates the ratios)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { title, rows, ratios, notes };
}
