// Fields of the container plugin (falcosecurity/plugins `container` 0.7.1, loaded by Falco 0.44 by
// default): container.*, k8s.* (pod and namespace from the container runtime) and the deprecated
// healthcheck/probe and k8s object fields it keeps for compatibility. Declared in the syscall
// source so that upstream rules validate. Plugin fields carry no deprecation flag, so `--list`
// shows the deprecated ones too, as Falco does.
import { declareClass, REQUIRED_INDEX_OR_KEY_ARG, REQUIRED_KEY_ARG, type FieldSpec } from '../declare.js';

/** Falls back to a later lookup: the runtime may not have answered yet when the event arrives. */
const LOOKUP_DELAY = 'It may be missing while the container engine lookup has not completed.';
const K8S_FROM_RUNTIME =
  "Read from the container runtime together with the container.* fields, so it may be missing while that lookup has not completed.";

function deprecatedK8s(kind: string, label: string): FieldSpec[] {
  return [
    { name: `k8s.${kind}.name`, type: 'CHARBUF', desc: `Deprecated (no longer filled): ${label} name. Use the k8smeta plugin.` },
    { name: `k8s.${kind}.id`, type: 'CHARBUF', desc: `Deprecated (no longer filled): ${label} id. Use the k8smeta plugin.` },
    {
      name: `k8s.${kind}.label`,
      type: 'CHARBUF',
      arg: REQUIRED_KEY_ARG,
      desc: `Deprecated (no longer filled): one ${label} label. Use the k8smeta plugin.`,
    },
    { name: `k8s.${kind}.labels`, type: 'CHARBUF', desc: `Deprecated (no longer filled): ${label} labels. Use the k8smeta plugin.` },
  ];
}

export const containerPluginClass = declareClass({ name: 'container', plugin: true }, [
  {
    name: 'container.id',
    type: 'CHARBUF',
    addOutput: true,
    desc:
      "Container id truncated to 12 characters (e.g. 3ad7b26ded6d), taken from the process's cgroups in the " +
      "kernel: always available, and the key used to query the container runtime for the other container.* " +
      "fields. For processes on the host (outside any container PID namespace) it is 'host'. In Kubernetes a " +
      'pod sandbox process has container.id equal to k8s.pod.sandbox_id and no other container details.',
  },
  {
    name: 'container.full_id',
    type: 'CHARBUF',
    desc: `Full container id (64 hex characters), filled by the container engine lookup, unlike container.id. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.name',
    type: 'CHARBUF',
    addOutput: true,
    desc: `Container name; 'host' for processes on the host. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.image',
    type: 'CHARBUF',
    desc: `Container image name, e.g. falcosecurity/falco:latest. ${LOOKUP_DELAY}`,
  },
  { name: 'container.image.id', type: 'CHARBUF', desc: `Container image id, e.g. 6f7e2741b66b. ${LOOKUP_DELAY}` },
  { name: 'container.type', type: 'CHARBUF', desc: 'Container engine kind: docker, cri-o, containerd and so on.' },
  {
    name: 'container.privileged',
    type: 'BOOL',
    desc: `'true' for containers running privileged, 'false' otherwise. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mounts',
    type: 'CHARBUF',
    desc: `The mounts of the container separated by spaces, each as 'source:dest:mode:rdrw:propagation'. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mount',
    type: 'CHARBUF',
    arg: REQUIRED_INDEX_OR_KEY_ARG,
    desc:
      "One mount as 'source:dest:mode:rdrw:propagation', chosen by position (container.mount[0]) or by source " +
      "path, which may be a glob (container.mount[/usr/local/*], first match). Gives the text 'none' rather than " +
      `no value when nothing matches. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mount.source',
    type: 'CHARBUF',
    arg: REQUIRED_INDEX_OR_KEY_ARG,
    desc:
      'Source of one mount, chosen by position (container.mount.source[0]) or by destination path, which may ' +
      `be a glob (container.mount.source[/host/lib/modules]). ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mount.dest',
    type: 'CHARBUF',
    arg: REQUIRED_INDEX_OR_KEY_ARG,
    desc:
      'Destination of one mount, chosen by position (container.mount.dest[0]) or by source path, which may be ' +
      `a glob (container.mount.dest[/lib/modules]). ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mount.mode',
    type: 'CHARBUF',
    arg: REQUIRED_INDEX_OR_KEY_ARG,
    desc: `Mode of one mount, chosen by position or by source path (a glob is allowed). ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mount.rdwr',
    type: 'CHARBUF',
    arg: REQUIRED_INDEX_OR_KEY_ARG,
    desc: `Read/write flag of one mount, chosen by position or by source path (a glob is allowed). ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.mount.propagation',
    type: 'CHARBUF',
    arg: REQUIRED_INDEX_OR_KEY_ARG,
    desc: `Propagation of one mount, chosen by position or by source path (a glob is allowed). ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.image.repository',
    type: 'CHARBUF',
    addOutput: true,
    desc: `Repository of the container image, e.g. falcosecurity/falco. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.image.tag',
    type: 'CHARBUF',
    addOutput: true,
    desc: `Tag of the container image, e.g. stable or latest. ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.image.digest',
    type: 'CHARBUF',
    desc: `Registry digest of the container image (sha256:...). ${LOOKUP_DELAY}`,
  },
  { name: 'container.healthcheck', type: 'CHARBUF', desc: 'Deprecated; to be removed.' },
  { name: 'container.liveness_probe', type: 'CHARBUF', desc: 'Deprecated; to be removed (use the k8smeta plugin).' },
  { name: 'container.readiness_probe', type: 'CHARBUF', desc: 'Deprecated; to be removed (use the k8smeta plugin).' },
  {
    name: 'container.start_ts',
    type: 'ABSTIME',
    desc:
      'Start of the container in nanoseconds since the epoch, from proc.pidns_init_start_ts as the kernel ' +
      'reports it (not from the container runtime).',
  },
  { name: 'container.duration', type: 'RELTIME', desc: 'Nanoseconds since container.start_ts.' },
  {
    name: 'container.ip',
    type: 'CHARBUF',
    desc:
      'Primary IPv4 address of the container or pod, from the container engine (IPv6 is not tracked; see ' +
      `container.cni.json for every interface). ${LOOKUP_DELAY}`,
  },
  {
    name: 'container.cni.json',
    type: 'CHARBUF',
    desc:
      "CNI result of the container's pod, as escaped JSON text: the IPv4 and IPv6 addresses of every network " +
      `interface. CRI engines only (containerd, cri-o). ${LOOKUP_DELAY}`,
  },
  { name: 'container.host_pid', type: 'BOOL', desc: "'true' if the container shares the host PID namespace, 'false' otherwise." },
  { name: 'container.host_network', type: 'BOOL', desc: "'true' if the container shares the host network namespace, 'false' otherwise." },
  { name: 'container.host_ipc', type: 'BOOL', desc: "'true' if the container shares the host IPC namespace, 'false' otherwise." },
  { name: 'container.label', type: 'CHARBUF', arg: REQUIRED_KEY_ARG, desc: 'One container label, e.g. container.label[foo].' },
  {
    name: 'container.labels',
    type: 'CHARBUF',
    desc: "Container labels as comma-separated key:value pairs, e.g. 'foo1:bar1,foo2:bar2'.",
  },
  { name: 'proc.is_container_healthcheck', type: 'BOOL', desc: 'Deprecated; to be removed.' },
  { name: 'proc.is_container_liveness_probe', type: 'BOOL', desc: 'Deprecated; to be removed (use the k8smeta plugin).' },
  { name: 'proc.is_container_readiness_probe', type: 'BOOL', desc: 'Deprecated; to be removed (use the k8smeta plugin).' },
  { name: 'k8s.pod.name', type: 'CHARBUF', addOutput: true, desc: `Kubernetes pod name. ${K8S_FROM_RUNTIME}` },
  { name: 'k8s.ns.name', type: 'CHARBUF', addOutput: true, desc: `Kubernetes namespace name. ${K8S_FROM_RUNTIME}` },
  {
    name: 'k8s.pod.id',
    type: 'CHARBUF',
    desc: `[LEGACY] Same value as k8s.pod.uid, kept for old rules; k8s.pod.uid is the accurate name. ${K8S_FROM_RUNTIME}`,
  },
  {
    name: 'k8s.pod.uid',
    type: 'CHARBUF',
    desc:
      'Kubernetes pod UID (e.g. 3e41dc6b-08a8-44db-bc2a-3724b18ab19a), assigned by Kubernetes when the pod is ' +
      `created; not the same thing as the pod sandbox id. ${K8S_FROM_RUNTIME}`,
  },
  {
    name: 'k8s.pod.sandbox_id',
    type: 'CHARBUF',
    desc:
      'Pod sandbox id truncated to 12 characters (e.g. 63060edc2d3a): the container id of the pod sandbox, from ' +
      'the cgroups, specific to the container runtime and different from the pod UID. Sandbox processes have ' +
      `container.id equal to it. ${K8S_FROM_RUNTIME}`,
  },
  { name: 'k8s.pod.full_sandbox_id', type: 'CHARBUF', desc: `Full pod sandbox id (64 hex characters). ${K8S_FROM_RUNTIME}` },
  {
    name: 'k8s.pod.label',
    type: 'CHARBUF',
    arg: REQUIRED_KEY_ARG,
    desc:
      "One Kubernetes pod label, by name in brackets; the name may contain '.', '-', '_' and '/', e.g. " +
      `k8s.pod.label[app.kubernetes.io/name]. ${K8S_FROM_RUNTIME}`,
  },
  {
    name: 'k8s.pod.labels',
    type: 'CHARBUF',
    desc: `Kubernetes pod labels as comma-separated key:value pairs, e.g. 'foo1:bar1,foo2:bar2'. ${K8S_FROM_RUNTIME}`,
  },
  {
    name: 'k8s.pod.ip',
    type: 'CHARBUF',
    desc:
      'IPv4 address of the pod, the same as container.ip since the containers of a pod share its network ' +
      `(see k8s.pod.cni.json for every interface). ${K8S_FROM_RUNTIME}`,
  },
  {
    name: 'k8s.pod.cni.json',
    type: 'CHARBUF',
    desc:
      'CNI result of the pod as escaped JSON text (same as container.cni.json): the addresses of every network ' +
      `interface, IPv4 and IPv6. CRI engines only (containerd, cri-o). ${K8S_FROM_RUNTIME}`,
  },
  ...deprecatedK8s('rc', 'replication controller'),
  ...deprecatedK8s('svc', 'service'),
  { name: 'k8s.ns.id', type: 'CHARBUF', desc: 'Deprecated (no longer filled): namespace id. Use the k8smeta plugin.' },
  {
    name: 'k8s.ns.label',
    type: 'CHARBUF',
    arg: REQUIRED_KEY_ARG,
    desc: 'Deprecated (no longer filled): one namespace label. Use the k8smeta plugin.',
  },
  { name: 'k8s.ns.labels', type: 'CHARBUF', desc: 'Deprecated (no longer filled): namespace labels. Use the k8smeta plugin.' },
  ...deprecatedK8s('rs', 'replica set'),
  ...deprecatedK8s('deployment', 'deployment'),
]);
