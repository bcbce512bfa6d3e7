// Container identification from cgroup paths, as Falco 0.44's container plugin does it without
// talking to a runtime: each cgroup path of a thread is tried, in the thread's cgroup order,
// against the engines' path patterns (podman, docker, cri/cri-o/containerd, containerd `ctr`,
// lxc, libvirt-lxc, bpm, in the plugin's order); the first match gives the container id (the
// first 12 hex digits for runc-style 64-digit ids). No match means the host.
//
// The plugin only knows a container's type once the runtime answered; Peregrine has no runtime
// connection in replay, so it reports the engine whose path pattern matched (where Falco would
// print <NA> until the runtime answers). Metadata carried by the capture itself (container
// events) refines it.

export type ContainerType =
  | 'docker' | 'cri' | 'containerd' | 'cri-o' | 'podman' | 'lxc' | 'libvirt-lxc' | 'bpm';

export interface ContainerMatch {
  /** Container id as Falco prints it (`container.id`): 12 characters for runc-style ids. */
  readonly id: string;
  readonly type: ContainerType;
}

/** The id and type of processes outside any container. */
export const HOST_CONTAINER_ID = 'host';

const FULL_ID_LENGTH = 64;
const REPORTED_ID_LENGTH = 12;

function firstNonHex(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return i;
  }
  return Number.MAX_SAFE_INTEGER;
}

/**
 * Looks for `<prefix><id><suffix>` at the end of `cgroup` the way runc-style matchers do: the
 * prefix is the last occurrence of `prefix`, the suffix the last occurrence of `suffix` (or the
 * end of the string when empty). A 64-hex-digit id is reported as its first 12 digits; for
 * containerd's `ctr` layout (`lenient`) any id up to 64 characters is accepted unless the path is
 * a systemd unit.
 */
function matchRuncLayout(cgroup: string, prefix: string, suffix: string, lenient: boolean): string | undefined {
  let start = cgroup.lastIndexOf(prefix);
  if (start === -1) return undefined;
  start += prefix.length;
  const end = suffix === '' ? cgroup.length : cgroup.lastIndexOf(suffix);
  if (end === -1) return undefined;
  const len = end - start;
  // The plugin accepts the id when the first non-hex character after the prefix sits at an
  // absolute position of at least 64 in the path (a quirk kept for identical results).
  if (len === FULL_ID_LENGTH && firstNonHex(cgroup, start) >= FULL_ID_LENGTH) {
    return cgroup.slice(start, start + REPORTED_ID_LENGTH);
  }
  if (len > FULL_ID_LENGTH || len <= 0) return undefined;
  if (lenient && !cgroup.endsWith('.service') && !cgroup.endsWith('.slice') && !cgroup.endsWith('.scope')) {
    return cgroup.slice(start, start + Math.min(len, REPORTED_ID_LENGTH));
  }
  return undefined;
}

type Layout = readonly (readonly [prefix: string, suffix: string])[];

const PODMAN: Layout = [
  ['/libpod-', '.scope'], ['/libpod-', '.scope/container'], ['/libpod-', ''],
  ['/libpod-payload-', '.scope'], ['/libpod-payload-', '.scope/container'], ['/libpod-payload-', ''],
];
const DOCKER: Layout = [['/', ''], ['/docker-', '.scope']];
const CRI: Layout = [
  ['/', ''], ['/crio-', ''], ['/cri-containerd-', '.scope'], ['/crio-', '.scope'],
  [':cri-containerd:', ''], ['/docker-', '.scope'], ['/nerdctl-', '.scope'],
];

function matchLayouts(cgroup: string, layouts: Layout, lenient = false): string | undefined {
  for (const [prefix, suffix] of layouts) {
    const id = matchRuncLayout(cgroup, prefix, suffix, lenient);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Which engine produced a runc-style id, from the shape of the path (no runtime to ask). */
function runcEngine(cgroup: string): ContainerType {
  if (cgroup.includes('/crio-')) return 'cri-o';
  if (cgroup.includes('cri-containerd') || cgroup.includes('/nerdctl-')) return 'containerd';
  if (cgroup.includes('/kubepods')) return 'cri';
  return 'docker';
}

// containerd `ctr` containers live under `/<namespace>/<id>`: the namespace is the first path
// component made of alphanumerics joined by single `.`, `_` or `-`.
const CONTAINERD_NAMESPACE = /\/([A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*)\//;

function matchLxc(cgroup: string): string | undefined {
  for (const marker of ['/lxc/', '/lxc.payload/', '/lxc.payload.']) {
    const pos = cgroup.indexOf(marker);
    if (pos !== -1) {
      const start = pos + marker.length;
      const slash = cgroup.indexOf('/', start);
      return cgroup.slice(start, slash === -1 ? undefined : slash);
    }
  }
  return undefined;
}

function matchLibvirtLxc(cgroup: string): string | undefined {
  const legacySuffix = '.libvirt-lxc';
  let pos = cgroup.indexOf(legacySuffix);
  if (pos !== -1 && pos === cgroup.length - legacySuffix.length) {
    const slash = cgroup.lastIndexOf('/');
    if (slash !== -1) return cgroup.slice(slash + 1, pos);
  }
  const systemdMarker = '-lxc\\x2';
  pos = cgroup.indexOf(systemdMarker);
  if (pos !== -1) {
    const delimiter = cgroup.includes('.scope/libvirt') ? '.scope/libvirt' : '.scope';
    const end = cgroup.indexOf(delimiter);
    // The plugin skips the marker plus one character (the `d` of `\x2d`).
    const skip = systemdMarker.length + 1;
    if (end !== -1 && end === cgroup.length - delimiter.length) return cgroup.slice(pos + skip, end);
  }
  const legacyDir = '/libvirt/lxc/';
  pos = cgroup.indexOf(legacyDir);
  if (pos !== -1) return cgroup.slice(pos + legacyDir.length);
  return undefined;
}

const BPM_ID = /^[A-Za-z0-9._-]+$/;

function matchBpm(cgroup: string): string | undefined {
  const pos = cgroup.indexOf('bpm-');
  if (pos === -1) return undefined;
  const start = pos + 'bpm-'.length;
  const end = cgroup.indexOf('.scope', start);
  const id = cgroup.slice(start, end === -1 ? undefined : end);
  return id !== '' && BPM_ID.test(id) ? id : undefined;
}

/** Matches one cgroup path; undefined when it is not a container's. */
export function matchContainerCgroup(cgroup: string): ContainerMatch | undefined {
  let id = matchLayouts(cgroup, PODMAN);
  if (id !== undefined) return { id, type: 'podman' };
  id = matchLayouts(cgroup, DOCKER);
  if (id !== undefined) return { id, type: runcEngine(cgroup) };
  id = matchLayouts(cgroup, CRI);
  if (id !== undefined) return { id, type: runcEngine(cgroup) };
  const ns = CONTAINERD_NAMESPACE.exec(cgroup);
  if (ns !== null) {
    id = matchRuncLayout(cgroup, ns[0], '', true);
    if (id !== undefined) return { id, type: 'containerd' };
  }
  id = matchLxc(cgroup);
  if (id !== undefined) return { id, type: 'lxc' };
  id = matchLibvirtLxc(cgroup);
  if (id !== undefined) return { id, type: 'libvirt-lxc' };
  id = matchBpm(cgroup);
  if (id !== undefined) return { id, type: 'bpm' };
  return undefined;
}

/**
 * Resolves a thread's cgroups (subsystem, path) to its container, trying every non-empty path in
 * order; results are cached per path because a host has few distinct cgroups.
 */
export class ContainerResolver {
  private readonly cache = new Map<string, ContainerMatch | null>();
  private static readonly MAX_CACHE = 4096;

  resolve(cgroups: readonly (readonly [string, string])[]): ContainerMatch | undefined {
    for (const [, path] of cgroups) {
      if (path === '') continue;
      let hit = this.cache.get(path);
      if (hit === undefined) {
        hit = matchContainerCgroup(path) ?? null;
        if (this.cache.size >= ContainerResolver.MAX_CACHE) this.cache.clear();
        this.cache.set(path, hit);
      }
      if (hit !== null) return hit;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------- container metadata

export interface ContainerMount {
  readonly source: string;
  readonly dest: string;
  readonly mode: string;
  readonly rdwr: boolean;
  readonly propagation: string;
}

/** What is known about a container (from container events in a capture, or a runtime). */
export interface ContainerInfo {
  readonly id: string;
  readonly fullId: string;
  /** container.type text (`docker`, `cri-o`, `host`...). */
  readonly type: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly imageRepo: string;
  readonly imageTag: string;
  readonly imageDigest: string;
  readonly user: string;
  readonly cniJson: string;
  readonly ip: string;
  readonly privileged: boolean;
  readonly hostPid: boolean;
  readonly hostNetwork: boolean;
  readonly hostIpc: boolean;
  readonly labels: ReadonlyMap<string, string>;
  readonly podSandboxId: string;
  readonly podSandboxLabels: ReadonlyMap<string, string>;
  readonly mounts: readonly ContainerMount[];
}

/** Container engine numbers of the container plugin (container_type), by number. */
const CONTAINER_TYPE_NAMES: readonly string[] = [
  'docker', 'lxc', 'libvirt-lxc', 'mesos', 'rkt', 'custom', 'cri', 'containerd', 'cri-o', 'bpm', 'static', 'podman',
];

export function containerTypeName(type: number): string {
  if (type === 0xfffe) return 'host';
  return CONTAINER_TYPE_NAMES[type] ?? '';
}

/** The host, as the container plugin describes it. */
export const HOST_CONTAINER: ContainerInfo = {
  id: HOST_CONTAINER_ID, fullId: HOST_CONTAINER_ID, type: 'host', name: HOST_CONTAINER_ID, image: '', imageId: '',
  imageRepo: '', imageTag: '', imageDigest: '', user: '', cniJson: '', ip: '', privileged: false, hostPid: false,
  hostNetwork: false, hostIpc: false, labels: new Map(), podSandboxId: '', podSandboxLabels: new Map(), mounts: [],
};

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : '';
}

function bool(o: Record<string, unknown>, k: string): boolean {
  return o[k] === true;
}

function stringMap(v: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) if (typeof val === 'string') m.set(k, val);
  }
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Parses the JSON of a container event (`{"container": {...}}`, libsinsp's container JSON).
 * Undefined when the text is not such a document.
 */
export function containerInfoFromJson(text: string): ContainerInfo | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== 'object') return undefined;
  const c = (doc as Record<string, unknown>).container;
  if (c === null || typeof c !== 'object') return undefined;
  const o = c as Record<string, unknown>;
  const mounts: ContainerMount[] = [];
  if (Array.isArray(o.Mounts)) {
    for (const m of o.Mounts as unknown[]) {
      if (m === null || typeof m !== 'object') continue;
      const mo = m as Record<string, unknown>;
      mounts.push({
        source: str(mo, 'Source'), dest: str(mo, 'Destination'), mode: str(mo, 'Mode'), rdwr: bool(mo, 'RW'),
        propagation: str(mo, 'Propagation'),
      });
    }
  }
  return {
    id: str(o, 'id'), fullId: str(o, 'full_id'),
    type: typeof o.type === 'number' ? containerTypeName(o.type) : '',
    name: str(o, 'name'), image: str(o, 'image'), imageId: str(o, 'imageid'), imageRepo: str(o, 'imagerepo'),
    imageTag: str(o, 'imagetag'), imageDigest: str(o, 'imagedigest'), user: str(o, 'User'), cniJson: str(o, 'cni_json'),
    ip: str(o, 'ip'), privileged: bool(o, 'privileged'), hostPid: bool(o, 'host_pid'), hostNetwork: bool(o, 'host_network'),
    hostIpc: bool(o, 'host_ipc'), labels: stringMap(o.labels), podSandboxId: str(o, 'pod_sandbox_id'),
    podSandboxLabels: stringMap(o.pod_sandbox_labels), mounts,
  };
}

/** Known containers by id, with the host under "". */
export class ContainerTable {
  private readonly infos = new Map<string, ContainerInfo>([['', HOST_CONTAINER]]);
  /** The container of the last container event (its fields describe it, libsinsp's rule). */
  lastEvent: { num: number; info: ContainerInfo } | undefined;

  get(id: string): ContainerInfo | undefined {
    return this.infos.get(id);
  }

  put(info: ContainerInfo): void {
    this.infos.set(info.id, info);
  }

  remove(id: string): void {
    if (id !== '') this.infos.delete(id);
  }

  /** Number of known containers (the host excluded). */
  get size(): number {
    return this.infos.size - 1;
  }
}
