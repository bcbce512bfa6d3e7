// Shared pieces of the driver tests: skipping where the driver cannot run, the load generator,
// and collecting the events of a live stream into plain objects.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import type { ScapHeader } from '../../src/scap/reader.js';
import type { ParamValue } from '../../src/scap/event.js';
import { PT } from '../../src/scap/event-table.js';
import { defaultDriverBinary, type DriverProcess } from '../../src/sources/live/driver-process.js';
import { REPO_ROOT } from '../helpers/corpus.js';

export const LOADGEN = path.join(REPO_ROOT, 'driver', 'build', 'peregrine-loadgen');
export const execFileAsync = promisify(execFile);

/** Skips the test unless it runs as root with the driver built; returns true when it may run. */
export function driverOrSkip(t: TestContext): boolean {
  if (process.getuid?.() !== 0) {
    t.skip('the eBPF driver tests need root (CAP_BPF, CAP_PERFMON, tracefs)');
    return false;
  }
  if (!existsSync(defaultDriverBinary()) || !existsSync(LOADGEN)) {
    t.skip(`driver not built (${defaultDriverBinary()}): run npm run build:driver`);
    return false;
  }
  return true;
}

/** An event of the stream, decoded into plain values that outlive the reader's view. */
export interface CollectedEvent {
  readonly num: number;
  readonly name: string;
  readonly code: number;
  readonly tid: number;
  readonly ts: bigint;
  readonly params: Record<string, ParamValue | undefined>;
  /** NUL-separated list parameters (args, env, cgroups) as string arrays. */
  readonly lists: Record<string, string[] | undefined>;
}

export interface Collection {
  header: ScapHeader;
  events: CollectedEvent[];
  /** Resolves when the stream ended (the driver stopped). */
  done: Promise<void>;
}

/**
 * Reads the driver's stream in the background. `keep` decides which events are stored (all by
 * default); every event is counted in `total`.
 */
export async function collect(driver: DriverProcess, keep: (name: string, tid: number) => boolean = () => true):
  Promise<Collection & { total: () => number }> {
  const reader = await driver.openReader();
  const events: CollectedEvent[] = [];
  let total = 0;
  const done = reader.forEach((evt) => {
    total++;
    const name = evt.info.name;
    if (!keep(name, evt.tid)) return;
    const params: Record<string, ParamValue | undefined> = {};
    const lists: Record<string, string[] | undefined> = {};
    for (let i = 0; i < evt.nparams; i++) {
      const info = evt.paramInfo(i);
      if (!info) continue;
      const value = evt.value(i);
      params[info.name] = value instanceof Uint8Array ? value.slice() : value; // views die with the event
      if (info.type === PT.BYTEBUF || info.type === PT.CHARBUFARRAY) lists[info.name] = evt.strList(i);
    }
    events.push({ num: evt.num, name, code: evt.type, tid: evt.tid, ts: evt.tsBig, params, lists });
  }).then(() => undefined);
  return { header: reader.header, events, done, total: () => total };
}

/** The thread ids of a process (its tasks), empty when it is gone. */
export function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
