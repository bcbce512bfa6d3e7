// Users and groups per container, with the pluggable directory for unknown ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EtcFilesDirectory, UserGroupTable, parseGroup, parsePasswd, type UserDirectory } from '../../src/state/users.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  '+nisuser::::::',
  'broken line',
  'alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh',
  'bad:x:notanumber:1:x:/:/bin/sh',
].join('\n');
const GROUP = ['root:x:0:', 'adm:x:4:syslog,alice', '-nis:x:5:', 'alice:x:1000:'].join('\n');

test('passwd and group files: entries, NSS compat lines and malformed lines skipped', () => {
  assert.deepEqual(parsePasswd(PASSWD), [
    { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash' },
    { uid: 1, gid: 1, name: 'daemon', homedir: '/usr/sbin', shell: '/usr/sbin/nologin' },
    { uid: 1000, gid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/zsh' },
  ]);
  assert.deepEqual(parseGroup(GROUP), [{ gid: 0, name: 'root' }, { gid: 4, name: 'adm' }, { gid: 1000, name: 'alice' }]);
});

test('capture users: per container, overwritten by later entries, compat names ignored', () => {
  const t = new UserGroupTable();
  t.putUser('', 1000, 1000, 'alice', '/home/alice', '/bin/zsh');
  t.putUser('abc123', 1000, 1000, 'app', '/app', '/bin/sh');
  t.putUser('', 1000, 1000, 'alice2', '/home/alice2', '/bin/bash');
  t.putUser('', 7, 7, '+compat', '/', '/bin/sh');
  assert.equal(t.user('', 1000)?.name, 'alice2');
  assert.equal(t.user('', 1000)?.homedir, '/home/alice2');
  assert.equal(t.user('abc123', 1000)?.name, 'app');
  assert.equal(t.user('', 7), undefined);
  t.putGroup('', 4, 'adm');
  assert.equal(t.group('', 4)?.name, 'adm');
  assert.deepEqual(t.size, { users: 2, groups: 1 });
  assert.equal(t.removeUser('', 1000), true);
  assert.equal(t.removeUser('', 1000), false);
  t.removeContainer('abc123');
  assert.equal(t.user('abc123', 1000), undefined);
});

test('unknown ids: host root without lookup, other ids asked again after a miss', () => {
  let asked = 0;
  let known = false;
  const dir: UserDirectory = {
    hostUser: (uid) => {
      asked++;
      return known && uid === 1000 ? { uid, gid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/zsh' } : undefined;
    },
    hostGroup: () => undefined,
  };
  const t = new UserGroupTable(dir);
  t.ensureUser('', 1, 0, 0);
  assert.deepEqual(t.user('', 0), { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '<NA>' });
  t.ensureGroup('', 1, 0);
  assert.equal(t.group('', 0)?.name, 'root');
  assert.equal(asked, 0, 'root needs no lookup');
  t.ensureUser('', 1, 1000, 1000);
  assert.equal(t.user('', 1000), undefined);
  known = true;
  t.ensureUser('', 1, 1000, 1000);
  assert.equal(t.user('', 1000)?.name, 'alice', 'a miss is not cached');
  t.ensureUser('', 1, 1000, 1000);
  assert.equal(asked, 2, 'a hit is cached');
  t.ensureUser('', 1, 0xffffffff, 0);
  assert.equal(asked, 2, 'the "no user" id is never looked up');
});

test('EtcFilesDirectory: host files under a root, container files through /proc/<pid>/root', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'peregrine-users-'));
  try {
    mkdirSync(path.join(root, 'etc'));
    writeFileSync(path.join(root, 'etc/passwd'), PASSWD);
    writeFileSync(path.join(root, 'etc/group'), GROUP);
    mkdirSync(path.join(root, 'proc/4242/root/etc'), { recursive: true });
    writeFileSync(path.join(root, 'proc/4242/root/etc/passwd'), 'www:x:33:33:www:/var/www:/usr/sbin/nologin\n');
    const dir = new EtcFilesDirectory(root);
    assert.equal(dir.hostUser(1000)?.name, 'alice');
    assert.equal(dir.hostGroup(4)?.name, 'adm');
    assert.equal(dir.hostUser(4242), undefined);
    const t = new UserGroupTable(dir);
    t.ensureUser('c0ffee', 4242, 33, 33);
    assert.equal(t.user('c0ffee', 33)?.homedir, '/var/www');
    assert.equal(t.user('', 33), undefined, 'container users stay in their container');
    assert.equal(dir.containerUsers('x', 99999), undefined, 'unreachable container');
    // users created while running are found on the next miss
    writeFileSync(path.join(root, 'etc/passwd'), PASSWD + '\nbob:x:1001:1001::/home/bob:/bin/sh\n');
    t.ensureUser('', 1, 1001, 1001);
    assert.equal(t.user('', 1001)?.name, 'bob');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
