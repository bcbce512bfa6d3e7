// Extractors of the container plugin's fields (container.*, k8s.*), as Falco 0.44's container
// plugin computes them: the container id comes from the thread's cgroups, metadata from container
// events recorded in the capture (or a runtime, when one is connected); without metadata only
// the id (and the engine type the cgroup path shows) is known and the other fields have no value.
import type { FieldArg, FieldDef, FieldValue } from '../../types.js';
import type { SyscallEvent } from '../../../state/syscall-event.js';
import type { ContainerInfo } from '../../../state/containers.js';
import { EVENT_CODE } from '../../../scap/event-table.js';
import { value, type Extractor } from './common.js';

const SHORT_ID = 12;

const CONTAINER_EVENTS = new Set<number>([
  EVENT_CODE.CONTAINER_E, EVENT_CODE.CONTAINER_JSON_E, EVENT_CODE.CONTAINER_JSON_2_E, EVENT_CODE.ASYNCEVENT_E,
]);

interface Resolved {
  /** Container id of the thread ("" for the host). */
  id: string;
  info: ContainerInfo | undefined;
}

const resolved: Resolved = { id: '', info: undefined };

/** The container an event belongs to, or undefined when the event has no thread. */
function resolve(e: SyscallEvent): Resolved | undefined {
  const last = e.state.containerInfos.lastEvent;
  if (last !== undefined && last.num === e.num && CONTAINER_EVENTS.has(e.evt.type)) {
    resolved.id = last.info.id;
    resolved.info = last.info;
    return resolved;
  }
  const t = e.thread;
  if (t === undefined) return undefined;
  const id = e.state.containerId(t);
  resolved.id = id === 'host' ? '' : id;
  resolved.info = e.state.containerInfos.get(resolved.id);
  return resolved;
}

/** A field that needs the container's metadata. */
function meta(fn: (c: ContainerInfo, e: SyscallEvent) => FieldValue | undefined): Extractor {
  return value((e) => {
    const r = resolve(e);
    return r?.info === undefined ? undefined : fn(r.info, e);
  });
}

function labelsText(labels: ReadonlyMap<string, string>): string {
  let s = '';
  for (const [k, v] of labels) {
    // Annotations and Kubernetes' own labels are left out.
    if (k.startsWith('annotation.') || k.startsWith('io.kubernetes.')) continue;
    if (s !== '') s += ', ';
    s += k;
    if (v !== '') s += ':' + v;
  }
  return s;
}

/** The explicit pod sandbox container holding pod-level data, when this container lacks it. */
function sandbox(e: SyscallEvent, c: ContainerInfo): ContainerInfo | undefined {
  if (c.cniJson !== '') return undefined;
  return e.state.containerInfos.get(c.podSandboxId.slice(0, SHORT_ID));
}

function mountMatch(c: ContainerInfo, arg: FieldArg | undefined, bySource: boolean) {
  if (arg?.index !== undefined) return c.mounts[arg.index];
  const key = arg?.key ?? '';
  let re: RegExp;
  try {
    re = new RegExp(key, 'm');
  } catch {
    return undefined;
  }
  return c.mounts.find((m) => re.test(bySource ? m.source : m.dest));
}

const deprecated = (): Extractor => value(() => undefined);

export function containerExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  return {
    'container.id': () =>
      value((e) => {
        const r = resolve(e);
        if (r === undefined) return undefined;
        return r.info !== undefined ? r.info.id : r.id;
      }),
    'container.full_id': () => meta((c) => c.fullId),
    'container.name': () => meta((c) => c.name),
    'container.image': () => meta((c) => c.image),
    'container.image.id': () => meta((c) => c.imageId),
    'container.type': () =>
      value((e) => {
        const r = resolve(e);
        if (r === undefined) return undefined;
        if (r.info !== undefined) return r.info.type;
        // No metadata: the engine whose cgroup layout matched (see docs/oracle-differences.md).
        return e.thread === undefined ? undefined : e.state.container(e.thread)?.type;
      }),
    'container.privileged': () => meta((c) => c.privileged),
    'container.mounts': () => meta((c) => c.mounts.map((m) => mountText(m)).join(',')),
    'container.mount': (_d, arg) => meta((c) => {
      const m = mountMatch(c, arg, true);
      return m === undefined ? undefined : mountText(m);
    }),
    'container.mount.source': (_d, arg) => meta((c) => mountMatch(c, arg, false)?.source),
    'container.mount.dest': (_d, arg) => meta((c) => mountMatch(c, arg, true)?.dest),
    'container.mount.mode': (_d, arg) => meta((c) => mountMatch(c, arg, true)?.mode),
    'container.mount.rdwr': (_d, arg) => meta((c) => {
      const m = mountMatch(c, arg, true);
      return m === undefined ? undefined : m.rdwr ? 'true' : 'false';
    }),
    'container.mount.propagation': (_d, arg) => meta((c) => mountMatch(c, arg, true)?.propagation),
    'container.image.repository': () => meta((c) => c.imageRepo),
    'container.image.tag': () => meta((c) => c.imageTag),
    'container.image.digest': () => meta((c) => c.imageDigest),
    'container.healthcheck': deprecated,
    'container.liveness_probe': deprecated,
    'container.readiness_probe': deprecated,
    'container.start_ts': () =>
      value((e) => {
        const t = e.thread;
        return t === undefined || t.pidnsInitStartTs === 0n ? undefined : t.pidnsInitStartTs;
      }),
    'container.duration': () =>
      value((e) => {
        const t = e.thread;
        return t === undefined || t.pidnsInitStartTs === 0n ? undefined : BigInt.asUintN(64, e.evt.tsBig - t.pidnsInitStartTs);
      }),
    'container.ip': () => meta((c) => c.ip),
    'container.cni.json': () => meta((c) => c.cniJson),
    'container.host_pid': () => meta((c) => c.hostPid),
    'container.host_network': () => meta((c) => c.hostNetwork),
    'container.host_ipc': () => meta((c) => c.hostIpc),
    'container.label': (_d, arg) => meta((c) => c.labels.get(arg?.key ?? '')),
    'container.labels': () => meta((c) => labelsText(c.labels)),
    'proc.is_container_healthcheck': deprecated,
    'proc.is_container_liveness_probe': deprecated,
    'proc.is_container_readiness_probe': deprecated,
    'k8s.pod.name': () => meta((c) => c.labels.get('io.kubernetes.pod.name')),
    'k8s.ns.name': () => meta((c) => c.labels.get('io.kubernetes.pod.namespace')),
    'k8s.pod.id': () => meta((c) => c.labels.get('io.kubernetes.pod.uid')),
    'k8s.pod.uid': () => meta((c) => c.labels.get('io.kubernetes.pod.uid')),
    'k8s.pod.sandbox_id': () => meta((c) => c.podSandboxId.slice(0, SHORT_ID)),
    'k8s.pod.full_sandbox_id': () => meta((c) => c.podSandboxId),
    'k8s.pod.label': (_d, arg) =>
      meta((c, e) => {
        const key = arg?.key ?? '';
        return sandbox(e, c)?.podSandboxLabels.get(key) ?? c.podSandboxLabels.get(key);
      }),
    'k8s.pod.labels': () => meta((c, e) => labelsText((sandbox(e, c) ?? c).podSandboxLabels)),
    'k8s.pod.ip': () =>
      meta((c, e) => {
        if (c.cniJson !== '') return c.ip;
        return e.state.containerInfos.get(c.podSandboxId.slice(0, SHORT_ID))?.ip;
      }),
    'k8s.pod.cni.json': () =>
      meta((c, e) => {
        if (c.cniJson !== '') return c.cniJson;
        return e.state.containerInfos.get(c.podSandboxId.slice(0, SHORT_ID))?.cniJson;
      }),
    // Kubernetes metadata beyond the pod is no longer provided (deprecated in Falco 0.44).
    'k8s.rc.name': deprecated, 'k8s.rc.id': deprecated, 'k8s.rc.label': deprecated, 'k8s.rc.labels': deprecated,
    'k8s.svc.name': deprecated, 'k8s.svc.id': deprecated, 'k8s.svc.label': deprecated, 'k8s.svc.labels': deprecated,
    'k8s.ns.id': deprecated, 'k8s.ns.label': deprecated, 'k8s.ns.labels': deprecated,
    'k8s.rs.name': deprecated, 'k8s.rs.id': deprecated, 'k8s.rs.label': deprecated, 'k8s.rs.labels': deprecated,
    'k8s.deployment.name': deprecated, 'k8s.deployment.id': deprecated, 'k8s.deployment.label': deprecated,
    'k8s.deployment.labels': deprecated,
  };
}

function mountText(m: { source: string; dest: string; mode: string; rdwr: boolean; propagation: string }): string {
  return `${m.source}:${m.dest}:${m.mode}:${m.rdwr ? 'true' : 'false'}:${m.propagation}`;
}
