// Container detection from cgroup paths (the container plugin's path patterns), and container
// metadata from capture events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContainerResolver,
  containerInfoFromJson,
  containerTypeName,
  matchContainerCgroup,
} from '../../src/state/containers.js';

const ID64 = 'a9f3c5e7b1d24f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a';
const ID12 = ID64.slice(0, 12);

test('docker: plain and systemd-scope layouts; the id is the first 12 hex digits', () => {
  assert.deepEqual(matchContainerCgroup(`/docker/${ID64}`), { id: ID12, type: 'docker' });
  assert.deepEqual(matchContainerCgroup(`/system.slice/docker-${ID64}.scope`), { id: ID12, type: 'docker' });
});

test('kubernetes: cri-o, containerd and generic kubepods layouts', () => {
  assert.deepEqual(
    matchContainerCgroup(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-${ID64}.scope`),
    { id: ID12, type: 'cri-o' },
  );
  assert.deepEqual(
    matchContainerCgroup(`/kubepods.slice/kubepods-pod1.slice/cri-containerd-${ID64}.scope`),
    { id: ID12, type: 'containerd' },
  );
  assert.deepEqual(matchContainerCgroup(`/kubepods/besteffort/pod123/${ID64}`), { id: ID12, type: 'cri' });
});

test('podman: libpod scopes, with or without a container subdirectory', () => {
  assert.deepEqual(matchContainerCgroup(`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID64}.scope`), { id: ID12, type: 'podman' });
  assert.deepEqual(matchContainerCgroup(`/machine.slice/libpod-${ID64}.scope/container`), { id: ID12, type: 'podman' });
});

test('containerd ctr namespaces, lxc, libvirt-lxc and bpm', () => {
  assert.deepEqual(matchContainerCgroup('/default/redis-1'), { id: 'redis-1', type: 'containerd' });
  assert.equal(matchContainerCgroup('/default/cron.service'), undefined, 'systemd units are not containers');
  assert.deepEqual(matchContainerCgroup('/lxc/web01/init.scope'), { id: 'web01', type: 'lxc' });
  assert.deepEqual(matchContainerCgroup('/lxc.payload.web02/system.slice'), { id: 'web02', type: 'lxc' });
  // containerd's namespace pattern is tried before lxc and libvirt-lxc (the plugin's order)
  assert.deepEqual(matchContainerCgroup('/machine/vm1.libvirt-lxc'), { id: 'vm1.libvirt-', type: 'containerd' });
  assert.deepEqual(matchContainerCgroup('/machine.slice/machine-lxc\\x2d1234\\x2dguest.scope'), { id: '1234\\x2dguest', type: 'libvirt-lxc' });
  assert.deepEqual(matchContainerCgroup('/system.slice/bpm-app_1.scope'), { id: 'app_1', type: 'bpm' });
});

test('host cgroups and malformed ids are not containers', () => {
  for (const cg of ['/', '/user.slice/user-1000.slice/session-1.scope', '/system.slice/sshd.service', '/system.slice/docker-abc.scope', '/init.scope']) {
    assert.equal(matchContainerCgroup(cg), undefined, cg);
  }
});

test('resolver: first matching cgroup in the thread order wins, empty paths are skipped, results cached', () => {
  const r = new ContainerResolver();
  const cgroups: [string, string][] = [['cpuset', ''], ['cpu', '/user.slice'], ['memory', `/docker/${ID64}`]];
  assert.deepEqual(r.resolve(cgroups), { id: ID12, type: 'docker' });
  assert.equal(r.resolve([['cpu', '/user.slice']]), undefined);
  assert.strictEqual(r.resolve(cgroups), r.resolve(cgroups), 'cached per path');
});

test('container events: the container plugin JSON, type numbers and defaults', () => {
  const info = containerInfoFromJson(JSON.stringify({
    container: {
      id: ID12, full_id: ID64, type: 0, name: 'web', image: 'nginx:1.25', imagerepo: 'nginx', imagetag: '1.25',
      privileged: true, labels: { b: '2', a: '1' }, Mounts: [{ Source: '/src', Destination: '/dst', Mode: 'ro', RW: false, Propagation: 'rprivate' }],
    },
  }))!;
  assert.equal(info.id, ID12);
  assert.equal(info.type, 'docker');
  assert.equal(info.name, 'web');
  assert.equal(info.imageTag, '1.25');
  assert.equal(info.privileged, true);
  assert.equal(info.hostNetwork, false);
  assert.deepEqual([...info.labels.keys()], ['a', 'b'], 'labels sorted by key');
  assert.deepEqual(info.mounts, [{ source: '/src', dest: '/dst', mode: 'ro', rdwr: false, propagation: 'rprivate' }]);
  assert.equal(containerInfoFromJson('not json'), undefined);
  assert.equal(containerInfoFromJson('{"other": {}}'), undefined);
  assert.equal(containerTypeName(8), 'cri-o');
  assert.equal(containerTypeName(11), 'podman');
  assert.equal(containerTypeName(0xfffe), 'host');
});
