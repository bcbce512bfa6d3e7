// Container cgroups reach the stream: a process moved into a cgroup named the way Docker names
// them (/docker/<64 hex>) carries that path in its exec event's cgroups, and a process already
// there when the driver starts has it in the initial process list. (Container identification
// from these paths belongs to state tracking; the driver only has to carry them faithfully.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { test } from 'node:test';
import { DriverProcess } from '../../src/sources/live/driver-process.js';
import { collect, driverOrSkip, LOADGEN, sleep } from './helpers.js';

const CONTROLLERS = ['cpu', 'cpuacct'];

test('cgroup paths of container-like cgroups in exec events and the process list (root)', async (t) => {
  if (!driverOrSkip(t)) return;
  if (!CONTROLLERS.every((c) => existsSync(`/sys/fs/cgroup/${c}/cgroup.procs`))) {
    t.skip('needs cgroup v1 cpu and cpuacct hierarchies at /sys/fs/cgroup');
    return;
  }
  const id = randomBytes(32).toString('hex');
  const dirs = CONTROLLERS.map((c) => `/sys/fs/cgroup/${c}/docker/${id}`);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const join = dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join('; ');
  const sleeper = spawn('/bin/sh', ['-c', `${join}; exec ${LOADGEN} sleep 60000`]);
  try {
    await sleep(200); // the sleeper has joined the cgroups
    const driver = await DriverProcess.start({ syscalls: ['execve', 'clone'], logOpen: false });
    const stream = await collect(driver, (name) => name === 'execve');
    const child = spawn('/bin/sh', ['-c', `${join}; exec ${LOADGEN} exit 0`]);
    await new Promise((resolve) => child.once('exit', resolve));
    await driver.stop();
    await stream.done;

    const exec = stream.events.find((e) => e.name === 'execve' && e.tid === child.pid && e.params.exe === LOADGEN);
    assert.ok(exec, 'exec of the process in the container cgroup');
    for (const c of CONTROLLERS) assert.ok(exec.lists.cgroups?.includes(`${c}=/docker/${id}`), `${c} in ${exec.lists.cgroups}`);

    const listed = stream.header.processes.find((p) => p.tid === sleeper.pid);
    assert.ok(listed, 'the process already in the cgroup is in the process list');
    for (const c of CONTROLLERS) assert.ok(listed.cgroups.includes(`${c}=/docker/${id}`), `${c} in ${listed.cgroups}`);
  } finally {
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
    await sleep(100);
    for (const d of dirs) {
      try {
        rmdirSync(d);
      } catch {
        /* still busy: left for the next run's cleanup by the kernel when empty */
      }
    }
  }
});
