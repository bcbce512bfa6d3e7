// Field registries of the plugin event sources Peregrine knows: each has the generic evt.* fields
// (libsinsp adds them for every plugin event source) followed by the fields of the plugins that
// extract from it, in the order Falco's `load_plugins` usually lists them.
import { genEventClass } from '../gen-event.js';
import { Registry, type FieldClassDecl } from '../registry.js';
import { implementStaticFields, staticFieldsClass } from '../static.js';
import { cloudtrailPluginClass } from './cloudtrail.js';
import { jsonPluginClass } from './json.js';
import { k8sAuditPluginClass } from './k8saudit.js';

export { containerPluginClass } from './container.js';
export { cloudtrailPluginClass, jsonPluginClass, k8sAuditPluginClass };

/**
 * A plugin event source's registry: evt.*, then Falco's `static_fields` if any, then the given
 * plugin classes.
 */
export function createPluginSourceFieldRegistry<E>(
  source: string,
  plugins: readonly FieldClassDecl[],
  staticFields?: Readonly<Record<string, string>>,
): Registry<E> {
  const statics = staticFields ? [staticFieldsClass(staticFields)] : [];
  const registry = new Registry<E>(source, [genEventClass, ...statics, ...plugins]);
  if (staticFields) implementStaticFields(registry, staticFields);
  return registry;
}

/** `k8s_audit`: the k8saudit plugin with the json plugin, as Falco's k8s audit setup loads them. */
export function createK8sAuditFieldRegistry<E>(staticFields?: Readonly<Record<string, string>>): Registry<E> {
  return createPluginSourceFieldRegistry<E>('k8s_audit', [k8sAuditPluginClass, jsonPluginClass], staticFields);
}

/** `aws_cloudtrail`: the cloudtrail plugin with the json plugin. */
export function createCloudtrailFieldRegistry<E>(staticFields?: Readonly<Record<string, string>>): Registry<E> {
  return createPluginSourceFieldRegistry<E>('aws_cloudtrail', [cloudtrailPluginClass, jsonPluginClass], staticFields);
}
