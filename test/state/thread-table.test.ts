// The thread table: bounds and what it counts, placeholders, process groups, removal with
// re-parenting of orphans, inactivity purge, ancestors, fd tables and their sharing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CL } from '../../src/state/constants.js';
import { FdInfo, FdTable, MAX_FDS_PER_PROCESS } from '../../src/state/fds.js';
import { ThreadTable, type ThreadSource } from '../../src/state/thread-table.js';
import type { ThreadInfo } from '../../src/state/threads.js';

function proc(table: ThreadTable, tid: number, pid: number, ptid: number, comm: string, flags = 0): ThreadInfo {
  const t = table.newThread(tid);
  t.pid = pid;
  t.ptid = ptid;
  t.comm = comm;
  t.flags = flags;
  assert.ok(table.add(t, true));
  return t;
}

test('size bound: additions beyond it are refused and counted; lookups of unknown tids counted', () => {
  const table = new ThreadTable({ maxSize: 3 });
  proc(table, 1, 1, 0, 'init');
  proc(table, 2, 2, 1, 'a');
  proc(table, 3, 3, 1, 'b');
  const extra = table.newThread(4);
  extra.pid = 4;
  assert.equal(table.add(extra, true), false);
  assert.equal(table.size, 3);
  assert.equal(table.counters.droppedFullTable, 1);
  assert.equal(table.get(5), undefined, 'no placeholder when full');
  assert.ok(table.counters.failedLookups >= 1);
});

test('our own process is admitted even when the table is full', () => {
  const table = new ThreadTable({ maxSize: 1, selfPid: 77 });
  proc(table, 1, 1, 0, 'init');
  const self = table.newThread(77);
  self.pid = 77;
  assert.equal(table.add(self, true), true);
});

test('placeholders: an unknown tid gets an invalid "<NA>" thread once; a source is asked first', () => {
  const table = new ThreadTable();
  const t = table.get(42)!;
  assert.equal(t.comm, '<NA>');
  assert.equal(t.pid, -1);
  assert.ok(t.isInvalid());
  assert.equal(table.get(42), t);
  assert.equal(table.counters.placeholders, 1);

  const source: ThreadSource = {
    fetch: (tid, tbl) => {
      const f = tbl.newThread(tid);
      f.pid = tid;
      f.ptid = 1;
      f.comm = 'fetched';
      return f;
    },
  };
  const live = new ThreadTable({ source });
  assert.equal(live.get(9)?.comm, 'fetched');
  assert.equal(live.counters.placeholders, 0);
});

test('groups and parents: threads join their process, children are linked to the parent', () => {
  const table = new ThreadTable();
  const init = proc(table, 1, 1, 0, 'init');
  const sh = proc(table, 10, 10, 1, 'sh');
  const worker = proc(table, 11, 10, 10, 'sh', CL.CLONE_THREAD);
  assert.equal(worker.mainThread(), sh);
  assert.equal(sh.numThreads(), 2);
  assert.ok(init.children.includes(sh));
  assert.equal(table.ancestorProcess(worker), init, 'the parent of the process, not of the thread');
  const orphan = proc(table, 20, 20, 999, 'orphan');
  assert.equal(orphan.ptid, 0, 'a parent not in the table is forgotten');
});

test('removal: a dead process leaves the table; its children go to the nearest reaper', () => {
  const table = new ThreadTable();
  const init = proc(table, 1, 1, 0, 'init');
  const shell = proc(table, 10, 10, 1, 'bash');
  const child = proc(table, 20, 20, 10, 'sleep');
  const grandchild = proc(table, 30, 30, 20, 'cat');
  table.remove(20);
  assert.equal(table.peek(20), undefined);
  assert.equal(child.removed, true);
  assert.equal(grandchild.ptid, 1, 're-parented to init, the reaper');
  assert.ok(init.children.includes(grandchild));
  assert.equal(table.peek(10), shell);
  assert.equal(table.counters.removed, 1);
});

test('removal of a thread: the process stays while other threads live; its main thread stays', () => {
  const table = new ThreadTable();
  proc(table, 1, 1, 0, 'init');
  const main = proc(table, 10, 10, 1, 'java');
  proc(table, 11, 10, 10, 'java', CL.CLONE_THREAD);
  table.remove(10);
  assert.equal(table.peek(10), main, 'a dead main thread is kept for its live threads');
  assert.ok(main.isDead());
  table.remove(11);
  assert.equal(table.peek(11), undefined);
  assert.equal(table.peek(10), undefined, 'the process goes with its last thread');
});

test('inactivity purge: threads idle for longer than the timeout and placeholders go', () => {
  const table = new ThreadTable();
  table.now = 1_000;
  proc(table, 1, 1, 0, 'init');
  table.get(50); // placeholder
  const busy = proc(table, 10, 10, 1, 'busy');
  table.now = 10_000_000_000;
  table.find(10, false); // stamps busy
  assert.equal(busy.lastAccessTs, 10_000_000_000);
  const purged = table.purgeInactive(5_000_000_000);
  assert.equal(purged, 2, 'init (idle) and the placeholder');
  assert.equal(table.peek(10), busy);
  assert.equal(table.peek(50), undefined);
  assert.equal(table.counters.purged, 2);
});

test('recently exited threads: remembered for 2 s by (parent, tid)', () => {
  const table = new ThreadTable();
  table.recordRecentlyExited(20, 10, 5_000_000_000);
  assert.equal(table.hasRecentlyExited(20, 10, 5_500_000_000), true);
  assert.equal(table.hasRecentlyExited(20, 11, 5_500_000_000), false);
  assert.equal(table.hasRecentlyExited(20, 10, 7_500_000_000), false);
  assert.equal(table.hasRecentlyExited(20, 10, 4_000_000_000), false);
});

test('ancestors: visited parent first, loops in the parent chain stop the walk', () => {
  const table = new ThreadTable();
  proc(table, 1, 1, 0, 'init');
  proc(table, 2, 2, 1, 'sshd');
  proc(table, 3, 3, 2, 'bash');
  const leaf = proc(table, 4, 4, 3, 'vi');
  const names: string[] = [];
  table.forEachAncestor(leaf, (p) => {
    names.push(p.comm);
    return true;
  });
  assert.deepEqual(names, ['bash', 'sshd', 'init']);
  const a = proc(table, 100, 100, 1, 'a');
  const b = proc(table, 101, 101, 100, 'b');
  a.ptid = 101; // a cycle a → b → a
  let visits = 0;
  table.forEachAncestor(b, () => ++visits < 100);
  assert.ok(visits < 10, `stopped after ${visits} visits`);
});

test('fd tables: bounded per process, counted; threads sharing files use their main thread table', () => {
  const counters = { added: 0, removed: 0, droppedFullTable: 0 };
  const fds = new FdTable(counters, 2);
  assert.ok(fds.add(3, new FdInfo()));
  assert.ok(fds.add(4, new FdInfo()));
  assert.ok(fds.add(4, new FdInfo()), 'replacing an fd is not an addition');
  assert.equal(fds.add(5, new FdInfo()), undefined);
  assert.deepEqual(counters, { added: 2, removed: 0, droppedFullTable: 1 });
  assert.equal(MAX_FDS_PER_PROCESS, 4096);

  const table = new ThreadTable();
  proc(table, 1, 1, 0, 'init');
  const main = proc(table, 10, 10, 1, 'nginx');
  const shared = proc(table, 11, 10, 10, 'nginx', CL.CLONE_THREAD | CL.CLONE_FILES);
  const own = proc(table, 12, 10, 10, 'nginx', CL.CLONE_THREAD);
  const f = new FdInfo();
  f.name = '/var/log/nginx/access.log';
  shared.addFd(7, f);
  assert.equal(main.getFd(7)?.name, '/var/log/nginx/access.log');
  assert.equal(own.getFd(7), undefined);
  assert.equal(main.fdOpenCount(), 1);
});
