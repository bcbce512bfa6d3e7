// The process manager around the loader, on a real kernel: run-time selection changes, excluded
// processes, draining on SIGTERM, the missing-capability message, death and stall detection.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DriverError, DriverProcess, totalDrops } from '../../src/sources/live/driver-process.js';
import { collect, driverOrSkip, execFileAsync, LOADGEN } from './helpers.js';

describe('driver process manager (root, live kernel)', () => {
  let work = '';
  let file = '';
  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'peregrine-dp-'));
    file = path.join(work, 'target.txt');
    writeFileSync(file, 'x');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('a deselected syscall stops appearing and comes back when selected again', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['openat', 'close'], logOpen: false });
    const stream = await collect(driver, (name) => name === 'openat' || name === 'close');
    const opensBy = (pid: number): number =>
      stream.events.filter((e) => e.tid === pid && e.name === 'openat' && e.params.name === file).length;

    const run = async (): Promise<number> => {
      const child = spawn(LOADGEN, ['open', '25', file]);
      await new Promise((resolve) => child.once('exit', resolve));
      return child.pid!;
    };
    const first = await run();
    const without = await driver.select(['close']);
    assert.deepEqual(without.selected, ['close']);
    const second = await run();
    const back = await driver.select(['openat', 'close', 'not_a_syscall']);
    assert.deepEqual([...back.selected].sort(), ['close', 'openat']);
    assert.deepEqual(back.unsupported, ['not_a_syscall']);
    const third = await run();
    await driver.stop();
    await stream.done;

    assert.equal(opensBy(first), 25, 'selected: every open captured');
    assert.equal(opensBy(second), 0, 'deselected: no open captured');
    assert.equal(opensBy(third), 25, 'selected again');
    const closes = stream.events.filter((e) => e.tid === second && e.name === 'close').length;
    assert.ok(closes >= 25, 'close stayed selected meanwhile');
  });

  test('an excluded process is not captured, an included one is again', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['close'], logOpen: false });
    const stream = await collect(driver, (name) => name === 'close');
    // Issues 10 close(-1) per line it reads: one burst while excluded, one after.
    const child = spawn(LOADGEN, ['closebad-per-line', '10']);
    const burst = async (): Promise<void> => {
      const ack = new Promise((resolve) => child.stdout.once('data', resolve));
      child.stdin.write('go\n');
      await ack;
    };
    driver.exclude(child.pid!);
    await driver.requestStats(); // commands are handled in order: the exclusion is in place
    await burst();
    driver.include(child.pid!);
    await driver.requestStats();
    await burst();
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
    await driver.stop();
    await stream.done;
    const bad = stream.events.filter((e) => e.tid === child.pid && e.params.fd === -1).length;
    assert.equal(bad, 10, 'only the burst after include is captured');
  });

  test('drop_failed_exit: failed syscalls are not captured, successful ones are', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['openat', 'close'], dropFailedExit: true, logOpen: false });
    const stream = await collect(driver, (name) => name === 'openat' || name === 'close');
    const missing = path.join(work, 'missing.txt');
    await execFileAsync(LOADGEN, ['open', '20', file]);
    const failing = spawn(LOADGEN, ['closebad', '20']);
    await new Promise((resolve) => failing.once('exit', resolve));
    const failedOpen = spawn('cat', [missing]);
    await new Promise((resolve) => failedOpen.once('exit', resolve));
    await driver.stop();
    await stream.done;
    const opens = stream.events.filter((e) => e.name === 'openat' && e.params.name === file);
    assert.equal(opens.length, 20, 'successful opens are captured');
    assert.ok(opens.every((e) => (e.params.fd as number) >= 0));
    const closes = stream.events.filter((e) => e.tid === failing.pid && e.name === 'close');
    assert.equal(closes.filter((e) => e.params.fd === -1).length, 0, 'close(-1) fails: not captured');
    assert.ok(closes.length > 0 && closes.every((e) => e.params.res === 0n || e.params.res === 0), 'its successful closes are');
    assert.equal(stream.events.filter((e) => e.name === 'openat' && e.params.name === missing).length, 0, 'a failed open is not captured');
  });

  test('SIGTERM delivers every captured event before the driver exits', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['close'], logOpen: false, pollMs: 200 });
    const stream = await collect(driver, () => false);
    const gen = await execFileAsync(LOADGEN, ['closebad', '200000']);
    assert.equal(gen.stderr, '');
    // Stop right away: the events still in the ring buffer must be written, not lost.
    const stats = await driver.stop();
    await stream.done;
    assert.ok(stats);
    assert.ok(stats.events >= 200000, `kernel side counted ${stats.events}`);
    assert.equal(totalDrops(stats), 0);
    assert.equal(stats.written_events, stats.events, 'everything captured was written');
    assert.equal(stream.total(), stats.written_events, 'and read');
  });

  test('missing capabilities give one clear message', async (t) => {
    if (!driverOrSkip(t)) return;
    // Run the driver as nobody without capabilities.
    await assert.rejects(
      DriverProcess.start({
        syscalls: ['openat'], logOpen: false,
        wrapper: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'],
      }),
      (err: unknown) => {
        assert.ok(err instanceof DriverError);
        assert.equal(err.code, 'capabilities');
        assert.deepEqual(err.details?.missing, ['CAP_BPF', 'CAP_PERFMON']);
        assert.match(err.message, /needs CAP_BPF and CAP_PERFMON \(or CAP_SYS_ADMIN\)/);
        assert.match(err.message, /lacks CAP_BPF and CAP_PERFMON/);
        assert.match(err.message, /Run Peregrine as root/);
        assert.doesNotMatch(err.message, /\n|at .*\.js/);
        return true;
      },
    );
  });

  test('a missing driver binary is reported with how to build it', async () => {
    await assert.rejects(DriverProcess.start({ syscalls: [], binary: '/nonexistent/peregrine-driver', logOpen: false }),
      (err: unknown) => err instanceof DriverError && err.code === 'binary' && /npm run build:driver/.test(err.message));
  });

  test('the death of the driver is reported', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['close'], logOpen: false });
    const stream = await collect(driver, () => false);
    const failure = new Promise<DriverError>((resolve) => driver.once('error', resolve));
    process.kill(driver.pid, 'SIGKILL');
    const err = await failure;
    await stream.done.catch(() => undefined);
    assert.equal(err.code, 'exited');
    assert.match(err.message, /exited unexpectedly on signal SIGKILL; live capture has stopped/);
  });

  test('without an error listener a death is logged, not thrown', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['close'], logOpen: false });
    const stream = await collect(driver, () => false);
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const exited = new Promise((resolve) => driver.once('exit', resolve));
      process.kill(driver.pid, 'SIGKILL');
      await exited;
    } finally {
      process.stderr.write = write;
    }
    await stream.done.catch(() => undefined);
    assert.ok(lines.some((l) => /: The eBPF driver \(pid \d+\) exited unexpectedly on signal SIGKILL/.test(l)), lines.join(''));
  });

  test('a stalled driver is reported', async (t) => {
    if (!driverOrSkip(t)) return;
    const driver = await DriverProcess.start({ syscalls: ['close'], logOpen: false, statsIntervalMs: 100, stallTimeoutMs: 1000 });
    const stream = await collect(driver, () => false);
    const failure = new Promise<DriverError>((resolve) => driver.once('error', resolve));
    process.kill(driver.pid, 'SIGSTOP');
    const err = await failure;
    process.kill(driver.pid, 'SIGCONT');
    assert.equal(err.code, 'stalled');
    assert.match(err.message, /has sent neither events nor statistics for \d+ s/);
    await driver.stop();
    await stream.done;
  });
});
