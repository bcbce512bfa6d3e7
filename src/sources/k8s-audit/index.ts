// The `k8s_audit` event source: Kubernetes audit events, read the way Falco's k8saudit plugin reads
// them (with the json plugin's fields), configured by the plugin's open_params and init_config.
//
// For the event loop:
//
//   const plugins = LoadedPlugins.load(pluginsToLoad(config));          // src/sources/plugins.ts
//   const definition = plugins.sourceDefinition('k8s_audit', { staticFields });   // compile rules with it
//   const source = await plugins.openSource('k8s_audit', { definition });
//   for await (const evt of source) { ...rules for code 0..., alert time = evt.ts }
//   await source.stop();                       // on shutdown; the iterator then drains and ends
//   source.counters                            // inputs, events, rejected by reason (for metrics)
//
// Modules: event.ts (the event), parse.ts (payload → events, times, sizes), documents.ts (log lines
// → JSON documents), files.ts (reading and following files), webhook.ts (the HTTP endpoint),
// queue.ts (webhook/follower → iterator, with backpressure), config.ts (init_config, open_params),
// definition.ts (fields for the rules engine), source.ts (K8sAuditSource).
export { K8sAuditEvent, K8sAuditStream, K8S_AUDIT_SOURCE, K8SAUDIT_PLUGIN_NAME } from './event.js';
export { K8sAuditSource, type K8sAuditCounters, type K8sAuditSourceOptions } from './source.js';
export { createK8sAuditSourceDefinition, type K8sAuditDefinitionOptions, type K8sAuditSourceDefinition } from './definition.js';
export {
  K8SAUDIT_INIT_DEFAULTS, K8SAUDIT_INIT_SCHEMA, K8sAuditOpenError, parseOpenParams,
  type K8sAuditInitConfig, type K8sAuditOpenTarget,
} from './config.js';
export { REJECT_REASONS, type RejectReason } from './parse.js';
