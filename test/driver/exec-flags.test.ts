// The executable flags of exec events (proc.is_exe_writable, proc.is_exe_from_memfd,
// proc.is_exe_upper_layer / lower_layer): a program run from a memfd, from a file its user may
// write, and from the upper and the lower layer of an overlay filesystem.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DriverProcess } from '../../src/sources/live/driver-process.js';
import { collect, driverOrSkip, LOADGEN, type CollectedEvent } from './helpers.js';

const EXE_WRITABLE = 1 << 0;
const EXE_UPPER_LAYER = 1 << 1;
const EXE_FROM_MEMFD = 1 << 2;
const EXE_LOWER_LAYER = 1 << 3;

let work = '';
before(() => {
  work = realpathSync(mkdtempSync(path.join(tmpdir(), 'peregrine-exe-')));
});
after(() => {
  try {
    execFileSync('umount', [path.join(work, 'merged')], { stdio: 'ignore' });
  } catch {
    /* not mounted */
  }
  rmSync(work, { recursive: true, force: true });
});

async function run(cmd: string, args: string[]): Promise<number> {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('exec flags: memfd, writable file, overlay upper and lower layers (root)', async (t) => {
  if (!driverOrSkip(t)) return;
  // An overlay: `lower-true` exists only in the lower layer, `upper-true` is created through the mount.
  for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(path.join(work, d));
  copyFileSync('/bin/true', path.join(work, 'lower', 'lower-true'));
  chmodSync(path.join(work, 'lower', 'lower-true'), 0o555);
  let overlay = true;
  try {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o',
      `lowerdir=${work}/lower,upperdir=${work}/upper,workdir=${work}/work`, `${work}/merged`], { stdio: 'ignore' });
    copyFileSync('/bin/true', path.join(work, 'merged', 'upper-true'));
    chmodSync(path.join(work, 'merged', 'upper-true'), 0o555);
  } catch {
    overlay = false;
  }
  // Falco's notion: the owner may always write (chmod), others need a write bit or
  // CAP_DAC_OVERRIDE. So root's own program is writable for root, not for nobody.
  const writable = path.join(work, 'writable-true');
  copyFileSync('/bin/true', writable);
  chmodSync(writable, 0o755);
  chmodSync(work, 0o755);

  const driver = await DriverProcess.start({ syscalls: ['execve', 'clone'], logOpen: false });
  const stream = await collect(driver, (name) => name === 'execve');
  const memfdPid = await run(LOADGEN, ['memfd-exec', '/bin/true']);
  const writablePid = await run(writable, []);
  const nobodyPid = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', writable]);
  const upperPid = overlay ? await run(path.join(work, 'merged', 'upper-true'), []) : -1;
  const lowerPid = overlay ? await run(path.join(work, 'merged', 'lower-true'), []) : -1;
  await driver.stop();
  await stream.done;

  const execOf = (pid: number, pred: (e: CollectedEvent) => boolean = () => true): CollectedEvent => {
    const e = stream.events.filter((x) => x.tid === pid && x.params.res === 0 && pred(x)).at(-1);
    assert.ok(e, `exec of ${pid}`);
    return e;
  };
  const flags = (e: CollectedEvent): number => Number(e.params.flags);

  const memfd = execOf(memfdPid, (e) => e.params.exe === 'memfd-program');
  assert.ok(flags(memfd) & EXE_FROM_MEMFD, `memfd flag in ${flags(memfd)}`);
  assert.equal(memfd.params.trusted_exepath, '/memfd:peregrine-memfd');

  const w = execOf(writablePid);
  assert.ok(flags(w) & EXE_WRITABLE, 'writable for its owner');
  assert.equal(flags(w) & (EXE_FROM_MEMFD | EXE_UPPER_LAYER | EXE_LOWER_LAYER), 0);
  const n = execOf(nobodyPid, (e) => e.params.exe === writable);
  assert.equal(n.params.uid, 65534);
  assert.equal(flags(n) & EXE_WRITABLE, 0, 'not writable for nobody');

  if (!overlay) {
    t.diagnostic('overlayfs could not be mounted: layer flags not checked');
    return;
  }
  const upper = execOf(upperPid);
  assert.ok(flags(upper) & EXE_UPPER_LAYER, `upper layer flag in ${flags(upper)}`);
  assert.equal(flags(upper) & EXE_LOWER_LAYER, 0);
  const lower = execOf(lowerPid);
  assert.ok(flags(lower) & EXE_LOWER_LAYER, `lower layer flag in ${flags(lower)}`);
  assert.equal(flags(lower) & EXE_UPPER_LAYER, 0);
});
