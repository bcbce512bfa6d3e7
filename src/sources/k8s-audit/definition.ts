// The k8s_audit source as the rules engine sees it: the generic evt.* fields, Falco's
// static_fields, and the fields of the plugins extracting from it (k8saudit, json), all with
// their extractors. Plugin sources have no event types: every event has code 0, and `evt.type`
// is not a field of theirs.
import type { EventSourceDefinition } from '../../engine/source.js';
import { jsonPluginClass, k8sAuditPluginClass, createPluginSourceFieldRegistry } from '../../fields/plugins/index.js';
import { implementJsonFields } from '../../fields/plugins/extractors/json.js';
import { implementK8sAuditFields } from '../../fields/plugins/extractors/k8saudit.js';
import { implementPluginEventFields } from '../../fields/plugins/extractors/plugin-event.js';
import type { FieldClassDecl, Registry } from '../../fields/registry.js';
import { K8S_AUDIT_SOURCE, type K8sAuditEvent } from './event.js';

export interface K8sAuditSourceDefinition extends EventSourceDefinition<K8sAuditEvent> {
  readonly fields: Registry<K8sAuditEvent>;
}

export interface K8sAuditDefinitionOptions {
  /** Falco's `static_fields` (names without the `static.` prefix). */
  readonly staticFields?: Readonly<Record<string, string>>;
  /**
   * Whether the json plugin is loaded (its json.* and jevt.* fields exist only then, as in
   * Falco); default true, the usual `load_plugins: [k8saudit, json]`.
   */
  readonly withJsonPlugin?: boolean;
}

/** A k8s_audit source definition with every field implemented; one per ruleset is enough. */
export function createK8sAuditSourceDefinition(options: K8sAuditDefinitionOptions = {}): K8sAuditSourceDefinition {
  const classes: FieldClassDecl[] = [k8sAuditPluginClass];
  if (options.withJsonPlugin ?? true) classes.push(jsonPluginClass);
  const staticFields = options.staticFields && Object.keys(options.staticFields).length > 0 ? options.staticFields : undefined;
  const fields = createPluginSourceFieldRegistry<K8sAuditEvent>(K8S_AUDIT_SOURCE, classes, staticFields);
  implementPluginEventFields(fields);
  implementK8sAuditFields(fields);
  if (options.withJsonPlugin ?? true) implementJsonFields(fields);
  return {
    name: K8S_AUDIT_SOURCE,
    fields,
    eventTypeCount: 1,
    eventTypeCodes: () => undefined,
    hasEventTypes: false,
  };
}
