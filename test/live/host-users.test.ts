// Host users and groups for live capture: read from the host root's /etc/passwd and /etc/group,
// re-read when they change, and applied to the state's user table (accounts added, renamed and
// removed while the agent runs), the stream's own entries left alone.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { HostUserDirectory } from '../../src/state/host-users.js';
import { UserGroupTable } from '../../src/state/users.js';

function hostRoot(passwd: string, group: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'peregrine-hostroot-'));
  mkdirSync(path.join(root, 'etc'));
  writeFileSync(path.join(root, 'etc', 'passwd'), passwd);
  writeFileSync(path.join(root, 'etc', 'group'), group);
  return root;
}

/** Rewrites a file with a later modification time (file systems with coarse times see the change). */
function rewrite(file: string, text: string, bump: number): void {
  writeFileSync(file, text);
  const t = new Date(Date.now() + bump * 1000);
  utimesSync(file, t, t);
}

test('lookups of unknown ids come from the host files, and follow changes of the files', (t) => {
  const root = hostRoot('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/zsh\n', 'root:x:0:\nalice:x:1000:\n');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = new HostUserDirectory({ hostRoot: root, checkIntervalMs: 0 });
  assert.deepEqual(dir.hostUser(1000), { uid: 1000, gid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/zsh' });
  assert.equal(dir.hostUser(1001), undefined);
  assert.equal(dir.refresh(), false, 'unchanged files are not re-read');

  rewrite(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/zsh\nbob:x:1001:1001::/home/bob:/bin/sh\n', 5);
  // checkIntervalMs 0: every lookup checks the files first.
  assert.equal(dir.hostUser(1001)?.name, 'bob', 'an account created after start is found');
  assert.equal(dir.reloads, 1);
  assert.equal(dir.hostGroup(1000)?.name, 'alice');
});

test('applyTo brings the host entries of a user table in line: added, renamed, removed', (t) => {
  const passwd = path.join('etc', 'passwd');
  const root = hostRoot('alice:x:1000:1000::/home/alice:/bin/zsh\nbob:x:1001:1001::/home/bob:/bin/sh\n', 'staff:x:50:\n');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = new HostUserDirectory({ hostRoot: root, checkIntervalMs: 60_000 });
  const table = new UserGroupTable(dir);
  // An entry the stream listed (not in the files) and a container's user.
  table.putUser('', 4242, 4242, 'from-stream', '/', '/bin/sh');
  table.putUser('c0ffee', 1000, 1000, 'container-alice', '/', '/bin/sh');
  dir.applyTo(table);
  assert.equal(table.user('', 1000)?.name, 'alice');
  assert.equal(table.user('', 1001)?.name, 'bob');
  assert.equal(table.group('', 50)?.name, 'staff');

  rewrite(path.join(root, passwd), 'alice2:x:1000:1000::/home/alice2:/bin/bash\ncarol:x:1002:1002::/home/carol:/bin/sh\n', 5);
  rewrite(path.join(root, 'etc', 'group'), '', 5);
  assert.equal(dir.refresh(), true);
  dir.applyTo(table);
  assert.deepEqual(table.user('', 1000), { uid: 1000, gid: 1000, name: 'alice2', homedir: '/home/alice2', shell: '/bin/bash' }, 'renamed');
  assert.equal(table.user('', 1002)?.name, 'carol', 'added');
  assert.equal(table.user('', 1001), undefined, 'removed');
  assert.equal(table.group('', 50), undefined, 'group removed');
  assert.equal(table.user('', 4242)?.name, 'from-stream', 'entries that did not come from the files stay');
  assert.equal(table.user('c0ffee', 1000)?.name, 'container-alice', 'container users are not the host files\' business');
});

test('a host root without account files knows nobody (and says so without failing)', (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'peregrine-hostroot-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = new HostUserDirectory({ hostRoot: root });
  assert.equal(dir.hostUser(0), undefined);
  assert.deepEqual(dir.allUsers(), []);
  assert.equal(dir.refresh(), false);
});
