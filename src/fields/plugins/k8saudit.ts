// Fields of the k8saudit plugin (falcosecurity/plugins `k8saudit` 0.18): Kubernetes audit events
// of the `k8s_audit` source. All values are strings (plugin type `string`); list fields with an
// optional index give one element with `[N]`.
import { declareClass, OPTIONAL_INDEX_ARG, REQUIRED_KEY_ARG, type FieldSpec } from '../declare.js';

const POD = 'When the request object is a pod,';
const BINDING = 'When the request object is a (cluster) role binding,';
const ROLE = 'When the request object is a role or cluster role,';

function list(name: string, desc: string): FieldSpec {
  return { name, type: 'CHARBUF', isList: true, arg: OPTIONAL_INDEX_ARG, desc };
}

/**
 * The per-container fields, repeated for each container list of a pod spec (containers,
 * initContainers, ephemeralContainers), in the plugin's order for the extra lists.
 */
function containerListFields(list_: string, what: string, withHostPort: boolean): FieldSpec[] {
  const p = `ka.req.pod.${list_}.`;
  const fields = [
    list(`${p}name`, `${POD} the names of its ${what}.`),
    list(`${p}image`, `${POD} the images of its ${what}.`),
    list(`${p}image.repository`, `Like ${p}image, but only the repository part of each image (e.g. falcosecurity/falco).`),
    list(`${p}command`, `${POD} the commands of its ${what}.`),
    list(`${p}args`, `${POD} the arguments of its ${what}.`),
    list(`${p}privileged`, `${POD} the privileged flag of each of its ${what}.`),
    list(`${p}allow_privilege_escalation`, `${POD} the allowPrivilegeEscalation flag of each of its ${what}.`),
    list(`${p}read_only_fs`, `${POD} the readOnlyRootFilesystem flag of each of its ${what}.`),
    list(`${p}run_as_user`, `${POD} the runAsUser uid of each of its ${what}.`),
    list(
      `${p}eff_run_as_user`,
      `${POD} the uid each of its ${what} starts with, from the pod and container security contexts together (0 when neither sets one).`,
    ),
    list(`${p}run_as_group`, `${POD} the runAsGroup gid of each of its ${what}.`),
    list(
      `${p}eff_run_as_group`,
      `${POD} the gid each of its ${what} starts with, from the pod and container security contexts together (0 when neither sets one).`,
    ),
    list(`${p}proc_mount`, `${POD} the procMount type of each of its ${what}.`),
    list(`${p}add_capabilities`, `${POD} the capabilities added to each of its ${what}.`),
  ];
  if (withHostPort) fields.push(list(`${p}host_port`, `${POD} the hostPort values of its ${what}.`));
  return fields;
}

export const k8sAuditPluginClass = declareClass({ name: 'k8saudit', plugin: true }, [
  { name: 'ka.auditid', type: 'CHARBUF', desc: 'Unique id of the audit event.' },
  { name: 'ka.stage', type: 'CHARBUF', desc: 'Stage of the request, such as RequestReceived or ResponseComplete.' },
  { name: 'ka.auth.decision', type: 'CHARBUF', desc: 'Authorization decision.' },
  { name: 'ka.auth.reason', type: 'CHARBUF', desc: 'Reason given for the authorization decision.' },
  {
    name: 'ka.auth.openshift.decision',
    type: 'CHARBUF',
    desc: 'Authentication decision of the OpenShift API server extension (OpenShift clusters only).',
  },
  {
    name: 'ka.validations.admission.policy.failure',
    type: 'CHARBUF',
    desc: 'Why a Validating Admission Policy rejected the request.',
  },
  { name: 'ka.security.pod.violations', type: 'CHARBUF', desc: 'Why the pod security policy was violated.' },
  {
    name: 'ka.auth.openshift.username',
    type: 'CHARBUF',
    desc: 'User authenticated by the OpenShift authentication operation (OpenShift clusters only).',
  },
  { name: 'ka.user.name', type: 'CHARBUF', desc: 'Name of the user who made the request.' },
  { name: 'ka.user.groups', type: 'CHARBUF', isList: true, desc: 'Groups of the user who made the request.' },
  { name: 'ka.impuser.name', type: 'CHARBUF', desc: 'Name of the user being impersonated.' },
  { name: 'ka.verb', type: 'CHARBUF', desc: 'Action requested (get, create, delete ...).' },
  { name: 'ka.uri', type: 'CHARBUF', desc: 'Request URI as the client sent it to the API server.' },
  {
    name: 'ka.uri.param',
    type: 'CHARBUF',
    arg: REQUIRED_KEY_ARG,
    desc: 'Value of one query parameter of the URI: for /foo?key=val, ka.uri.param[key] is val.',
  },
  { name: 'ka.target.name', type: 'CHARBUF', desc: 'Name of the object the request acts on.' },
  { name: 'ka.target.namespace', type: 'CHARBUF', desc: 'Namespace of the object the request acts on.' },
  { name: 'ka.target.resource', type: 'CHARBUF', desc: 'Resource kind of the object the request acts on.' },
  { name: 'ka.target.subresource', type: 'CHARBUF', desc: 'Subresource of the object the request acts on.' },
  { name: 'ka.target.pod.name', type: 'CHARBUF', desc: 'Name of the pod the request acts on.' },
  { name: 'ka.req.binding.subjects', type: 'CHARBUF', isList: true, desc: `${BINDING} the subjects (users, accounts ...) it binds.` },
  { name: 'ka.req.binding.subjects.user_names', type: 'CHARBUF', isList: true, desc: `${BINDING} the user names it binds.` },
  {
    name: 'ka.req.binding.subjects.serviceaccount_names',
    type: 'CHARBUF',
    isList: true,
    desc: `${BINDING} the service account names it binds.`,
  },
  {
    name: 'ka.req.binding.subjects.serviceaccount_ns_names',
    type: 'CHARBUF',
    isList: true,
    desc: `${BINDING} the service accounts it binds, as namespace:name (e.g. mynamespace:myserviceaccount).`,
  },
  { name: 'ka.req.binding.subjects.group_names', type: 'CHARBUF', isList: true, desc: `${BINDING} the group names it binds.` },
  { name: 'ka.req.binding.role', type: 'CHARBUF', desc: `${BINDING} the role it binds to.` },
  {
    name: 'ka.req.binding.subject.has_name',
    type: 'CHARBUF',
    arg: REQUIRED_KEY_ARG,
    desc: 'Deprecated, kept so that old rules still load: always "true" (the value the plugin gives, although it documents "N/A").',
  },
  { name: 'ka.req.configmap.name', type: 'CHARBUF', desc: 'When the request object is a configmap, its name.' },
  { name: 'ka.req.configmap.obj', type: 'CHARBUF', desc: 'When the request object is a configmap, the whole object.' },
  list('ka.req.pod.containers.args', `${POD} the arguments of its containers.`),
  list('ka.req.pod.containers.command', `${POD} the commands of its containers.`),
  list('ka.req.pod.containers.name', `${POD} the names of its containers.`),
  list('ka.req.pod.containers.image', `${POD} the images of its containers.`),
  {
    name: 'ka.req.container.image',
    type: 'CHARBUF',
    desc: 'Deprecated, see ka.req.pod.containers.image: the image of the first container only.',
  },
  list(
    'ka.req.pod.containers.image.repository',
    'Like ka.req.pod.containers.image, but only the repository part of each image (e.g. falcosecurity/falco).',
  ),
  {
    name: 'ka.req.container.image.repository',
    type: 'CHARBUF',
    desc: 'Deprecated, see ka.req.pod.containers.image.repository: the repository of the first container only.',
  },
  { name: 'ka.req.pod.host_ipc', type: 'CHARBUF', desc: `${POD} its hostIPC flag.` },
  { name: 'ka.req.pod.host_network', type: 'CHARBUF', desc: `${POD} its hostNetwork flag.` },
  { name: 'ka.req.container.host_network', type: 'CHARBUF', desc: 'Deprecated alias of ka.req.pod.host_network.' },
  { name: 'ka.req.pod.host_pid', type: 'CHARBUF', desc: `${POD} its hostPID flag.` },
  list('ka.req.pod.containers.host_port', `${POD} the hostPort values of its containers.`),
  list('ka.req.pod.containers.privileged', `${POD} the privileged flag of each of its containers.`),
  {
    name: 'ka.req.container.privileged',
    type: 'CHARBUF',
    desc: 'Deprecated, see ka.req.pod.containers.privileged: true when any container is privileged.',
  },
  list('ka.req.pod.containers.allow_privilege_escalation', `${POD} the allowPrivilegeEscalation flag of each of its containers.`),
  list('ka.req.pod.containers.read_only_fs', `${POD} the readOnlyRootFilesystem flag of each of its containers.`),
  {
    name: 'ka.req.pod.run_as_user',
    type: 'CHARBUF',
    desc: `${POD} the runAsUser uid of the pod security context (see ka.req.pod.containers.run_as_user for each container).`,
  },
  list('ka.req.pod.containers.run_as_user', `${POD} the runAsUser uid of each of its containers.`),
  list(
    'ka.req.pod.containers.eff_run_as_user',
    `${POD} the uid each container starts with, from the pod and container security contexts together (0 when neither sets one).`,
  ),
  {
    name: 'ka.req.pod.run_as_group',
    type: 'CHARBUF',
    desc: `${POD} the runAsGroup gid of the pod security context (see ka.req.pod.containers.run_as_group for each container).`,
  },
  list('ka.req.pod.containers.run_as_group', `${POD} the runAsGroup gid of each of its containers.`),
  list(
    'ka.req.pod.containers.eff_run_as_group',
    `${POD} the gid each container starts with, from the pod and container security contexts together (0 when neither sets one).`,
  ),
  list('ka.req.pod.containers.proc_mount', `${POD} the procMount type of each of its containers.`),
  { name: 'ka.req.role.rules', type: 'CHARBUF', isList: true, desc: `${ROLE} its rules.` },
  list('ka.req.role.rules.apiGroups', `${ROLE} the API groups of its rules.`),
  list('ka.req.role.rules.nonResourceURLs', `${ROLE} the non-resource URLs of its rules.`),
  list('ka.req.role.rules.verbs', `${ROLE} the verbs of its rules.`),
  list('ka.req.role.rules.resources', `${ROLE} the resources of its rules.`),
  { name: 'ka.req.pod.fs_group', type: 'CHARBUF', desc: `${POD} the fsGroup gid of its security context.` },
  {
    name: 'ka.req.pod.supplemental_groups',
    type: 'CHARBUF',
    isList: true,
    desc: `${POD} the supplementalGroups gids of its security context.`,
  },
  list('ka.req.pod.containers.add_capabilities', `${POD} the capabilities added to each of its containers.`),
  { name: 'ka.req.service.type', type: 'CHARBUF', desc: 'When the request object is a service, its type.' },
  list('ka.req.service.ports', 'When the request object is a service, its ports.'),
  list('ka.req.pod.volumes.hostpath', `${POD} the hostPath paths of all its volumes.`),
  {
    name: 'ka.req.volume.hostpath',
    type: 'CHARBUF',
    arg: REQUIRED_KEY_ARG,
    desc: 'Deprecated, see ka.req.pod.volumes.hostpath: true when a volume uses the given host path prefix.',
  },
  list('ka.req.pod.volumes.flexvolume_driver', `${POD} the flexVolume drivers of all its volumes.`),
  list('ka.req.pod.volumes.volume_type', `${POD} the types of all its volumes.`),
  { name: 'ka.resp.name', type: 'CHARBUF', desc: 'Name of the object in the response.' },
  { name: 'ka.response.code', type: 'CHARBUF', desc: 'Response code.' },
  { name: 'ka.response.reason', type: 'CHARBUF', desc: 'Reason given in the response (mostly for failures).' },
  { name: 'ka.useragent', type: 'CHARBUF', desc: 'User agent of the client that sent the request to the API server.' },
  list('ka.sourceips', 'IP addresses of the client that sent the request to the API server.'),
  { name: 'ka.cluster.name', type: 'CHARBUF', desc: 'Name of the Kubernetes cluster.' },
  ...containerListFields('initContainers', 'init containers', true),
  ...containerListFields('ephemeralContainers', 'ephemeral containers', false),
]);
