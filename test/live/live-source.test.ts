// The live syscall source itself (root, built driver): threads the stream never described are
// looked up in /proc; counters under libs' names; the selection follows new rules without a
// restart; a driver that dies ends the iteration with a clear error after the events it sent; a
// stalled driver is reported; stop() ends the iteration cleanly. Plus the configuration mapping
// (no root needed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/cli/config/load.js';
import { DriverError } from '../../src/sources/live/driver-process.js';
import { LiveSyscallSource, liveSourceOptionsFromConfig, ringBufferMiB } from '../../src/sources/live/live-source.js';
import { LOADGEN, liveOrSkip, run, sleep, waitExit } from './helpers.js';

test('engine.modern_ebpf buffer settings become one shared ring buffer of the same total size', () => {
  const m = (buf_size_preset: number, cpus_for_each_buffer: number) =>
    ({ buf_size_preset, cpus_for_each_buffer, drop_failed_exit: false, disable_iterators: false });
  assert.equal(ringBufferMiB(m(4, 2), 2), 8, 'the default: 8 MB for every 2 CPUs');
  assert.equal(ringBufferMiB(m(4, 2), 8), 32);
  assert.equal(ringBufferMiB(m(4, 0), 8), 8, '0: one buffer for all CPUs');
  assert.equal(ringBufferMiB(m(5, 3), 8), 64, '3 buffers of 16 MB, rounded up to a power of two');
  assert.equal(ringBufferMiB(m(0, 2), 2), undefined, 'preset 0: the driver decides');
});

test('a configuration becomes live source options (base_syscalls, thread table, purge, snaplen, drop_failed_exit)', () => {
  const { config } = loadConfig({
    defaultConfigFile: '/nonexistent/peregrine.yaml',
    overrides: ['base_syscalls.repair=true', 'falco_libs.snaplen=256', 'falco_libs.thread_table_size=1000', 'buffer_format_base64=true',
      'engine.modern_ebpf.drop_failed_exit=true'],
  });
  const o = liveSourceOptionsFromConfig(config);
  assert.equal(o.baseSyscalls?.repair, true);
  assert.equal(o.threadTableSize, 1000);
  assert.deepEqual(o.purge, { intervalS: 300, threadTimeoutS: 300 });
  assert.equal(o.bufferFormat, 'base64');
  assert.equal(o.driver?.snaplen, 256);
  assert.equal(o.driver?.dropFailedExit, true);
});

describe('live syscall source (root)', () => {
  test('a process the stream never described is looked up in /proc', async (t) => {
    if (!liveOrSkip(t)) return;
    // It runs before the capture starts and, without the initial scan, nothing lists it.
    const worker = spawn(LOADGEN, ['closebad-per-line', '3'], { stdio: ['pipe', 'pipe', 'ignore'], cwd: '/tmp' });
    await sleep(200);
    const live = await LiveSyscallSource.open({ rulesEventTypes: ['close'], baseSyscalls: { custom_set: ['close'] }, driver: { logOpen: false, procScan: false } });
    let seen: { comm: string; exepath: string; cwd: string; args: string[]; ptid: number } | undefined;
    const done = live.forEach((e) => {
      if (seen === undefined && e.evt.tid === worker.pid && e.thread) {
        seen = { comm: e.thread.comm, exepath: e.thread.exepath, cwd: e.thread.getCwd(), args: [...e.thread.args], ptid: e.thread.ptid };
      }
    });
    worker.stdin!.write('go\n');
    await new Promise((resolve) => worker.stdout!.once('data', resolve));
    await sleep(200);
    await live.stop();
    const stats = await done;
    worker.kill('SIGKILL');
    await waitExit(worker);
    await live.close();
    // Its parent (this test, which the driver never captures) is not in the table: no parent, as
    // libsinsp does rather than looking the whole ancestry up.
    assert.deepEqual(seen, { comm: 'peregrine-loadg', exepath: LOADGEN, cwd: '/tmp/', args: ['closebad-per-line', '3'], ptid: 0 });
    assert.ok(stats.procLookups.found >= 1, `lookups ${JSON.stringify(stats.procLookups)}`);
    assert.ok(stats.procLookups.durationNs > 0);
    assert.equal(stats.threadPlaceholders, stats.procLookups.lookups - stats.procLookups.found, 'only threads /proc does not know are placeholders');
  });

  test('counters, a hot reselect, and a clean stop', async (t) => {
    if (!liveOrSkip(t)) return;
    const live = await LiveSyscallSource.open({
      rulesEventTypes: ['openat'], baseSyscalls: { custom_set: ['clone', 'execve'] }, driver: { logOpen: false, statsIntervalMs: 200 },
    });
    const seenTypes = new Set<string>();
    const done = live.forEachForRules((e) => {
      if (e.thread?.comm === 'cat') seenTypes.add(e.evt.info.name);
    });
    assert.deepEqual(live.selection.syscalls, ['clone', 'execve', 'openat', 'sched_process_exit']);
    await run('cat', ['/etc/hostname']);
    const result = await live.reselectForRules(new Set([]));
    assert.ok(result, 'the driver confirmed the selection');
    assert.deepEqual([...result.selected].sort(), ['clone', 'execve']);
    await sleep(500);
    const k = live.kernelCounters();
    assert.ok(k.n_evts! > 0 && k.n_drops === 0, JSON.stringify(k));
    assert.deepEqual(Object.keys(live.captureCounters()).sort(), ['n_drops', 'n_drops_buffer', 'n_drops_bug', 'n_drops_pf', 'n_drops_scratch_map', 'n_evts']);
    const sc = live.stateCounters();
    assert.ok(sc.n_threads > 10 && sc.n_fds > 10, JSON.stringify(sc));
    await live.stop();
    const stats = await done;
    await live.close();
    assert.ok(seenTypes.has('openat') && seenTypes.has('execve'), [...seenTypes].join());
    assert.equal(stats.driver?.drops.buffer_full, 0);
    assert.ok(stats.stream.read > 0 && stats.stream.read === stats.reader.events, 'every event read reached the state');
    assert.match(live.verboseSummary(), /^Driver Events:\d+\nDriver Drops:0\n$/);
  });

  test('a driver that dies ends the iteration with a clear error', async (t) => {
    if (!liveOrSkip(t)) return;
    const live = await LiveSyscallSource.open({ rulesEventTypes: ['openat'], driver: { logOpen: false } });
    let events = 0;
    const done = live.forEach(() => void events++);
    await run('cat', ['/etc/hostname']);
    await sleep(100);
    process.kill(live.capture.driver.pid, 'SIGKILL');
    await assert.rejects(done, (err: unknown) => {
      assert.ok(err instanceof DriverError);
      assert.equal(err.code, 'exited');
      assert.match(err.message, /^The eBPF driver \(pid \d+\) exited unexpectedly on signal SIGKILL; live capture has stopped$/);
      return true;
    });
    assert.ok(events > 0, 'the events sent before were delivered');
    assert.equal(live.error?.code, 'exited');
    await live.close();
  });

  test('a stalled driver is reported', async (t) => {
    if (!liveOrSkip(t)) return;
    const live = await LiveSyscallSource.open({
      rulesEventTypes: ['openat'], driver: { logOpen: false, statsIntervalMs: 100, stallTimeoutMs: 600 },
    });
    const done = live.forEach(() => undefined);
    const warned = new Promise<DriverError>((resolve) => live.once('warning', resolve));
    process.kill(live.capture.driver.pid, 'SIGSTOP');
    const warning = await Promise.race([warned, sleep(5000).then(() => undefined)]);
    process.kill(live.capture.driver.pid, 'SIGCONT');
    assert.ok(warning, 'a warning within 5 s');
    assert.equal(warning.code, 'stalled');
    assert.match(warning.message, /has sent neither events nor statistics for \d+ s; it is stuck or overloaded/);
    await live.stop();
    await done;
    await live.close();
  });
});
