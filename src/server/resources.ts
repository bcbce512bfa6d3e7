// CPU and memory of the agent and of the host, read from /proc as libs' resource utilization
// metrics read them (same sources, same formulas, same rounding), so Peregrine's numbers compare
// with Falco's.
import { readFileSync } from 'node:fs';

export interface ResourceUtilization {
  /** CPU time of this process over its lifetime, % of one CPU, 1 decimal. */
  cpuUsagePerc: number;
  memoryRssKb: number;
  memoryVszKb: number;
  memoryPssKb: number;
  /** cgroup v1 memory usage (FALCO_CGROUP_MEM_PATH or memory.usage_in_bytes); 0 when absent. */
  containerMemoryUsedBytes: number;
  /** Host CPU busy share since boot, %, 1 decimal. */
  hostCpuUsagePerc: number;
  /** MemTotal - MemFree - Buffers - Cached, kB. */
  hostMemoryUsedKb: number;
  hostProcsRunning: number;
  /** Allocated file handles of the host (first number of /proc/sys/fs/file-nr). */
  hostOpenFds: number;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The number after `key` on its line of a `Key: value` file, or 0. */
function field(text: string, key: string): number {
  const match = new RegExp(`^${key}\\s+(\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const DEFAULT_CGROUP_MEMORY = '/sys/fs/cgroup/memory/memory.usage_in_bytes';

export function readResourceUtilization(env: NodeJS.ProcessEnv = process.env): ResourceUtilization {
  const status = read('/proc/self/status');
  const meminfo = read('/proc/meminfo');
  const stat = read('/proc/stat');

  const cpu = process.cpuUsage();
  const elapsedS = process.uptime();
  const cpuUsagePerc = elapsedS > 0 ? round1((100 * (cpu.user + cpu.system)) / 1e6 / elapsedS) : 0;

  // First line of /proc/stat: "cpu user nice system idle iowait irq softirq ..." in jiffies.
  let hostCpuUsagePerc = 0;
  const cpuLine = /^cpu\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(stat);
  if (cpuLine) {
    const values = cpuLine.slice(1, 8).map(Number);
    const sum = values.reduce((a, b) => a + b, 0);
    if (sum > 0) hostCpuUsagePerc = round1(100 - (values[3]! * 100) / sum);
  }

  // A user-set cgroup file is used unless it tries to leave its directory, as libs checks.
  const cgroupPath = env.FALCO_CGROUP_MEM_PATH && !env.FALCO_CGROUP_MEM_PATH.includes('..') ? env.FALCO_CGROUP_MEM_PATH : DEFAULT_CGROUP_MEMORY;
  const containerMemoryUsedBytes = Number(/^\d+/.exec(read(cgroupPath).trim())?.[0] ?? 0);

  return {
    cpuUsagePerc,
    memoryRssKb: field(status, 'VmRSS:'),
    memoryVszKb: field(status, 'VmSize:'),
    memoryPssKb: field(read('/proc/self/smaps_rollup'), 'Pss:'),
    containerMemoryUsedBytes,
    hostCpuUsagePerc,
    hostMemoryUsedKb: Math.max(0, field(meminfo, 'MemTotal:') - field(meminfo, 'MemFree:') - field(meminfo, 'Buffers:') - field(meminfo, 'Cached:')),
    hostProcsRunning: field(stat, 'procs_running'),
    hostOpenFds: Number(/^\d+/.exec(read('/proc/sys/fs/file-nr'))?.[0] ?? 0),
  };
}
