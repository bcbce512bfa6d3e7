// Extractors of the k8saudit plugin's fields (ka.*) for Kubernetes audit events, with the value
// shapes of the plugin (falcosecurity/plugins k8saudit 0.18), because rules and outputs observe them:
// - every value is a string; non-string JSON values are given as compact JSON (`true`, `201`,
//   `{"kind":"User",...}`), JSON null as `null`;
// - an event without `auditID` has no ka.* value at all;
// - a list field whose list is empty has no value (libsinsp treats zero values as none);
// - per-container fields walk `requestObject.spec.<list>[*]`; `[N]` picks container N (also at
//   every other array met on the way, as the plugin does); containers lacking the value are
//   skipped, except for name and image, where one missing value leaves the whole field without one.
//
// Two deliberate departures from the plugin, where its code contradicts its own field
// descriptions and the Kubernetes API, so that rules on these fields do what they say:
// - ka.sourceips reads the event's `sourceIPs` (the plugin reads `requestObject.rules[*].sourceIPs`,
//   which never exists, so it never has a value);
// - ka.req.pod.*.eff_run_as_user / eff_run_as_group read the container's and the pod's
//   `securityContext` (the plugin reads `runAsUser` directly under the container and the pod
//   spec, where Kubernetes never puts it, so it always gives "0").
import type { FieldExtractor, Registry } from '../../registry.js';
import type { FieldArg, FieldValue } from '../../types.js';
import {
  ALL_ELEMENTS, arrayTexts, child, isObject, jsonText, lookup, valuesAlong,
  type Json,
} from './json-access.js';
import type { JsonPayloadEvent } from './plugin-event.js';

/** Computes a field's value from an audit event payload known to have an auditID. */
type PayloadReader = (payload: Json) => FieldValue | undefined;

/** Builds the reader of a field for its argument (`[N]` index or `[key]`). */
type ReaderFactory = (arg: FieldArg | undefined) => PayloadReader;

/** The plugin ignores events that are not audit events, recognised by their `auditID`. */
function isAuditEvent(payload: Json): boolean {
  return child(payload, 'auditID') !== undefined;
}

/** A list value as libsinsp receives it: an empty list is no value. */
function listValue(values: readonly string[] | undefined): readonly string[] | undefined {
  return values === undefined || values.length === 0 ? undefined : values;
}

function indexOf(arg: FieldArg | undefined): number {
  return arg?.index ?? ALL_ELEMENTS;
}

/** The text of the value at a path (the plugin's extractFromKeys for a single-valued field). */
const textAt = (...keys: string[]): ReaderFactory => () => (p) => {
  const found = lookup(p, keys);
  return found === undefined ? undefined : jsonText(found);
};

/** The texts of the array at a path (extractFromKeys for a list field: the value must be an array). */
const textsAt = (...keys: string[]): ReaderFactory => () => (p) => listValue(arrayTexts(lookup(p, keys)));

/** Texts of the values found along a path, skipping elements where the path ends early. */
function textsSkippingMissing(found: readonly (Json | undefined)[]): string[] {
  const texts: string[] = [];
  for (const v of found) if (v !== undefined) texts.push(jsonText(v));
  return texts;
}

/** Texts of the values found along a path; undefined when any element lacks the value. */
function textsOfAll(found: readonly (Json | undefined)[]): string[] | undefined {
  const texts: string[] = [];
  for (const v of found) {
    if (v === undefined) return undefined;
    texts.push(jsonText(v));
  }
  return texts;
}

// ---------------------------------------------------------------------------- pod containers

/** The pod spec's container lists with per-container fields. */
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
type ContainerList = (typeof CONTAINER_LISTS)[number];

function containerValues(p: Json, list: ContainerList, index: number, ...keys: string[]): (Json | undefined)[] | undefined {
  return valuesAlong(p, ['requestObject', 'spec', list, ...keys], index);
}

function containerImages(p: Json, list: ContainerList, index: number): string[] | undefined {
  const found = containerValues(p, list, index, 'image');
  return found === undefined ? undefined : textsOfAll(found);
}

/**
 * The repository part of an image reference as the plugin computes it: the text before the first
 * `:`, then before the first `@` (so a registry with a port, `host:5000/app`, gives `host`).
 */
function imageRepository(image: string): string {
  return image.split(':')[0]!.split('@')[0]!;
}

/** Each container's string-array value (command, args) joined with spaces; non-strings void the field. */
function joinedArrays(found: readonly (Json | undefined)[]): string[] | undefined {
  const joined: string[] = [];
  for (const v of found) {
    if (v === undefined) continue;
    if (!Array.isArray(v)) return undefined;
    const parts: string[] = [];
    for (const part of v as readonly Json[]) {
      if (typeof part !== 'string') return undefined;
      parts.push(part);
    }
    joined.push(parts.join(' '));
  }
  return joined;
}

/** hostPort of each declared port, or its containerPort when there is no hostPort. */
function hostPorts(found: readonly (Json | undefined)[]): string[] | undefined {
  const ports: string[] = [];
  for (const v of found) {
    if (v === undefined) continue;
    if (!Array.isArray(v)) return undefined;
    for (const port of v as readonly Json[]) {
      // JSON null is a value here (its text is `null`), so no `??`.
      let chosen = child(port, 'hostPort');
      if (chosen === undefined) chosen = child(port, 'containerPort');
      if (chosen !== undefined) ports.push(jsonText(chosen));
    }
  }
  return ports;
}

/**
 * The effective runAsUser/runAsGroup of each container: its own security context's, else the
 * pod's, else 0 (the image default is unknown to the API server; 0 is the conservative guess).
 */
function effectiveIds(p: Json, list: ContainerList, index: number, key: string): string[] | undefined {
  const podValue = lookup(p, ['requestObject', 'spec', 'securityContext', key]);
  const podDefault = podValue === undefined ? '0' : jsonText(podValue);
  const containers = containerValues(p, list, index, '');
  if (containers === undefined) return undefined;
  return containers.map((c) => {
    const own = lookup(c, ['securityContext', key]);
    return own === undefined ? podDefault : jsonText(own);
  });
}

/** Readers of the per-container fields of one container list, by field suffix. */
function containerFieldReaders(list: ContainerList): Record<string, ReaderFactory> {
  const securityContextTexts = (...keys: string[]): ReaderFactory => (arg) => (p) => {
    const found = containerValues(p, list, indexOf(arg), 'securityContext', ...keys);
    return found === undefined ? undefined : listValue(textsSkippingMissing(found));
  };
  return {
    name: (arg) => (p) => {
      const found = containerValues(p, list, indexOf(arg), 'name');
      return found === undefined ? undefined : listValue(textsOfAll(found));
    },
    image: (arg) => (p) => listValue(containerImages(p, list, indexOf(arg))),
    'image.repository': (arg) => (p) => listValue(containerImages(p, list, indexOf(arg))?.map(imageRepository)),
    command: (arg) => (p) => {
      const found = containerValues(p, list, indexOf(arg), 'command');
      return found === undefined ? undefined : listValue(joinedArrays(found));
    },
    args: (arg) => (p) => {
      const found = containerValues(p, list, indexOf(arg), 'args');
      return found === undefined ? undefined : listValue(joinedArrays(found));
    },
    host_port: (arg) => (p) => {
      const found = containerValues(p, list, indexOf(arg), 'ports');
      return found === undefined ? undefined : listValue(hostPorts(found));
    },
    privileged: securityContextTexts('privileged'),
    allow_privilege_escalation: securityContextTexts('allowPrivilegeEscalation'),
    read_only_fs: securityContextTexts('readOnlyRootFilesystem'),
    run_as_user: securityContextTexts('runAsUser'),
    run_as_group: securityContextTexts('runAsGroup'),
    eff_run_as_user: (arg) => (p) => listValue(effectiveIds(p, list, indexOf(arg), 'runAsUser')),
    eff_run_as_group: (arg) => (p) => listValue(effectiveIds(p, list, indexOf(arg), 'runAsGroup')),
    proc_mount: securityContextTexts('procMount'),
    // The whole `add` array of each container, as compact JSON text (the plugin does not flatten it).
    add_capabilities: securityContextTexts('capabilities', 'add'),
  };
}

// ---------------------------------------------------------------------------- other computed fields

/** Names of the binding's subjects of one kind; `namespace:name` for namespaced service accounts. */
function subjectNames(kind: 'User' | 'ServiceAccount' | 'Group', withNamespace = false): ReaderFactory {
  return () => (p) => {
    const subjects = lookup(p, ['requestObject', 'subjects']);
    if (!Array.isArray(subjects)) return undefined;
    const names: string[] = [];
    for (const subject of subjects as readonly Json[]) {
      const subjectKind = child(subject, 'kind');
      const name = child(subject, 'name');
      if (subjectKind === undefined || name === undefined || jsonText(subjectKind) !== kind) continue;
      if (!withNamespace) {
        names.push(jsonText(name));
        continue;
      }
      const namespace = child(subject, 'namespace');
      if (namespace !== undefined) names.push(`${jsonText(namespace)}:${jsonText(name)}`);
    }
    return listValue(names);
  };
}

/** The elements of one array key of every rule of a role (`[N]` picks rule N). */
function roleRuleElements(key: string): ReaderFactory {
  return (arg) => (p) => {
    const found = valuesAlong(p, ['requestObject', 'rules', key], indexOf(arg));
    if (found === undefined) return undefined;
    const texts: string[] = [];
    for (const v of found) if (Array.isArray(v)) for (const element of v as readonly Json[]) texts.push(jsonText(element));
    return listValue(texts);
  };
}

/** Query parameters of a request URI, first value per key, decoded as Go's url.ParseQuery does. */
function firstQueryValue(uri: string, wanted: string): string | undefined {
  const queryStart = uri.indexOf('?');
  if (queryStart < 0) return undefined;
  const fragment = uri.indexOf('#', queryStart);
  const query = uri.slice(queryStart + 1, fragment < 0 ? undefined : fragment);
  // Go refuses `;` as a separator, and the plugin then gives no value for any parameter.
  if (query.includes(';')) return undefined;
  let first: string | undefined;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    // A badly escaped pair makes the whole query unusable for the plugin.
    if (key === undefined || value === undefined) return undefined;
    if (first === undefined && key === wanted) first = value;
  }
  return first;
}

function queryUnescape(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** ka.req.volume.hostpath[P]: "true" when a hostPath volume is P (or starts with P without its final `*`). */
function volumeHostPathMatch(arg: FieldArg | undefined): PayloadReader {
  const wanted = arg?.key ?? arg?.raw ?? '';
  const prefix = wanted.endsWith('*') ? wanted.slice(0, -1) : undefined;
  return (p) => {
    const found = valuesAlong(p, ['requestObject', 'spec', 'volumes', 'hostPath', 'path']);
    if (found === undefined) return undefined;
    for (const path of textsSkippingMissing(found)) {
      if (prefix !== undefined ? path.startsWith(prefix) : path === wanted) return 'true';
    }
    return 'false';
  };
}

/** ka.req.pod.volumes.volume_type: the keys of each volume other than `name` (its type keys). */
function volumeTypes(arg: FieldArg | undefined): PayloadReader {
  return (p) => {
    const found = valuesAlong(p, ['requestObject', 'spec', 'volumes', ''], indexOf(arg));
    if (found === undefined) return undefined;
    const types: string[] = [];
    for (const volume of found) {
      if (!isObject(volume)) continue;
      for (const key of Object.keys(volume)) if (key !== 'name') types.push(key);
    }
    return listValue(types);
  };
}

/** ka.target.pod.name: the created pod's name, for requests on pods themselves (no subresource). */
const targetPodName: ReaderFactory = () => (p) => {
  const resource = lookup(p, ['objectRef', 'resource']);
  if (resource !== 'pods') return undefined;
  const subresource = lookup(p, ['objectRef', 'subresource']);
  if (typeof subresource === 'string' && subresource !== '') return undefined;
  const name = lookup(p, ['responseObject', 'metadata', 'name']);
  return name === undefined ? undefined : jsonText(name);
};

// ---------------------------------------------------------------------------- the table

const ANNOTATION = (key: string): ReaderFactory => textAt('annotations', key);

const READERS: Readonly<Record<string, ReaderFactory>> = {
  'ka.auditid': textAt('auditID'),
  'ka.stage': textAt('stage'),
  'ka.auth.decision': ANNOTATION('authorization.k8s.io/decision'),
  'ka.auth.reason': ANNOTATION('authorization.k8s.io/reason'),
  'ka.auth.openshift.decision': ANNOTATION('authentication.openshift.io/decision'),
  'ka.auth.openshift.username': ANNOTATION('authentication.openshift.io/username'),
  'ka.validations.admission.policy.failure': ANNOTATION('validation.policy.admission.k8s.io/validation_failure'),
  'ka.security.pod.violations': ANNOTATION('pod-security.kubernetes.io/audit-violations'),
  'ka.user.name': textAt('user', 'username'),
  'ka.user.groups': textsAt('user', 'groups'),
  'ka.impuser.name': textAt('impersonatedUser', 'username'),
  'ka.verb': textAt('verb'),
  'ka.uri': textAt('requestURI'),
  'ka.uri.param': (arg) => {
    const wanted = arg?.key ?? arg?.raw ?? '';
    return (p) => {
      const uri = child(p, 'requestURI');
      return uri === undefined ? undefined : firstQueryValue(jsonText(uri), wanted);
    };
  },
  'ka.target.name': textAt('objectRef', 'name'),
  'ka.target.namespace': textAt('objectRef', 'namespace'),
  'ka.target.resource': textAt('objectRef', 'resource'),
  'ka.target.subresource': textAt('objectRef', 'subresource'),
  'ka.target.pod.name': targetPodName,
  'ka.req.binding.subjects': textsAt('requestObject', 'subjects'),
  'ka.req.binding.subjects.user_names': subjectNames('User'),
  'ka.req.binding.subjects.serviceaccount_names': subjectNames('ServiceAccount'),
  'ka.req.binding.subjects.serviceaccount_ns_names': subjectNames('ServiceAccount', true),
  'ka.req.binding.subjects.group_names': subjectNames('Group'),
  'ka.req.binding.role': textAt('requestObject', 'roleRef', 'name'),
  // Kept for old rules; the plugin answers "true" whatever the event.
  'ka.req.binding.subject.has_name': () => () => 'true',
  'ka.req.configmap.name': textAt('objectRef', 'name'),
  'ka.req.configmap.obj': textAt('requestObject', 'data'),
  'ka.req.container.image': () => (p) => containerImages(p, 'containers', 0)?.[0],
  'ka.req.container.image.repository': () => (p) => {
    const image = containerImages(p, 'containers', 0)?.[0];
    return image === undefined ? undefined : imageRepository(image);
  },
  'ka.req.pod.host_ipc': textAt('requestObject', 'spec', 'hostIPC'),
  'ka.req.pod.host_network': textAt('requestObject', 'spec', 'hostNetwork'),
  'ka.req.container.host_network': textAt('requestObject', 'spec', 'hostNetwork'),
  'ka.req.pod.host_pid': textAt('requestObject', 'spec', 'hostPID'),
  'ka.req.container.privileged': () => (p) => {
    const found = containerValues(p, 'containers', ALL_ELEMENTS, 'securityContext', 'privileged');
    if (found === undefined) return undefined;
    return found.some((v) => v === true) ? 'true' : 'false';
  },
  'ka.req.pod.run_as_user': textAt('requestObject', 'spec', 'securityContext', 'runAsUser'),
  'ka.req.pod.run_as_group': textAt('requestObject', 'spec', 'securityContext', 'runAsGroup'),
  'ka.req.role.rules': textsAt('requestObject', 'rules'),
  'ka.req.role.rules.apiGroups': roleRuleElements('apiGroups'),
  'ka.req.role.rules.nonResourceURLs': roleRuleElements('nonResourceURLs'),
  'ka.req.role.rules.verbs': roleRuleElements('verbs'),
  'ka.req.role.rules.resources': roleRuleElements('resources'),
  'ka.req.pod.fs_group': textAt('requestObject', 'spec', 'securityContext', 'fsGroup'),
  'ka.req.pod.supplemental_groups': textsAt('requestObject', 'spec', 'securityContext', 'supplementalGroups'),
  'ka.req.service.type': textAt('requestObject', 'spec', 'type'),
  // The whole ports array as one compact JSON text (the plugin's value; `[N]` changes nothing).
  'ka.req.service.ports': () => (p) => {
    const ports = lookup(p, ['requestObject', 'spec', 'ports']);
    return ports === undefined ? undefined : [jsonText(ports)];
  },
  'ka.req.pod.volumes.hostpath': (arg) => (p) => {
    const found = valuesAlong(p, ['requestObject', 'spec', 'volumes', 'hostPath', 'path'], indexOf(arg));
    return found === undefined ? undefined : listValue(textsSkippingMissing(found));
  },
  'ka.req.volume.hostpath': volumeHostPathMatch,
  'ka.req.pod.volumes.flexvolume_driver': (arg) => (p) => {
    const found = valuesAlong(p, ['requestObject', 'spec', 'volumes', 'flexVolume', 'driver'], indexOf(arg));
    return found === undefined ? undefined : listValue(textsSkippingMissing(found));
  },
  'ka.req.pod.volumes.volume_type': volumeTypes,
  'ka.resp.name': textAt('responseObject', 'metadata', 'name'),
  'ka.response.code': textAt('responseStatus', 'code'),
  'ka.response.reason': textAt('responseStatus', 'reason'),
  'ka.useragent': textAt('userAgent'),
  'ka.sourceips': (arg) => {
    const index = indexOf(arg);
    return (p) => {
      const ips = arrayTexts(child(p, 'sourceIPs'));
      if (ips === undefined || index === ALL_ELEMENTS) return listValue(ips);
      return index < ips.length ? [ips[index]!] : undefined;
    };
  },
  'ka.cluster.name': ANNOTATION('cluster_name'),
};

for (const list of CONTAINER_LISTS) {
  for (const [suffix, factory] of Object.entries(containerFieldReaders(list))) {
    // Ephemeral containers cannot declare ports: the plugin has no host_port field for them.
    if (list === 'ephemeralContainers' && suffix === 'host_port') continue;
    (READERS as Record<string, ReaderFactory>)[`ka.req.pod.${list}.${suffix}`] = factory;
  }
}

/** Names of the fields this module implements (tests compare them with the declarations). */
export const K8SAUDIT_EXTRACTED_FIELDS: readonly string[] = Object.keys(READERS);

/** Attaches the k8saudit plugin's extractors to a registry of JSON-payload events. */
export function implementK8sAuditFields<E extends JsonPayloadEvent>(registry: Registry<E>): void {
  for (const [name, makeReader] of Object.entries(READERS)) {
    // Fields the registry does not declare (e.g. container lists of a newer plugin) are skipped.
    if (registry.lookup(name) === undefined) continue;
    registry.implement(name, (_def, arg): FieldExtractor<E> => {
      const read = makeReader(arg);
      return {
        extract(e) {
          const payload = e.payload;
          return isAuditEvent(payload) ? read(payload) : undefined;
        },
      };
    });
  }
}
