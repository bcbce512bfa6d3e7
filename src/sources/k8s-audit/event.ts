// The event model of the `k8s_audit` source: one Kubernetes audit event (`"kind":"Event"`,
// audit.k8s.io/v1 or v1beta1), parsed once, with its timestamp (ns) and its number in the stream.
// The payload is the parsed JSON object; its compact text (the plugin's event data, which
// evt.plugininfo and json.value[] show) is made only when asked, and kept.
import { PluginStream, type JsonPayloadEvent } from '../../fields/plugins/extractors/plugin-event.js';
import type { Json, JsonObject } from '../../fields/plugins/extractors/json-access.js';

export const K8S_AUDIT_SOURCE = 'k8s_audit';
export const K8SAUDIT_PLUGIN_NAME = 'k8saudit';

/** What the events of one k8s_audit stream share (evt.source, evt.pluginname, evt.hostname, evt.reltime). */
export class K8sAuditStream extends PluginStream {
  constructor(hostname: string) {
    super(K8S_AUDIT_SOURCE, K8SAUDIT_PLUGIN_NAME, hostname);
  }
}

export class K8sAuditEvent implements JsonPayloadEvent {
  /** Event number in the stream, from 1; 0 until the source delivers the event. */
  num = 0;

  constructor(
    readonly payload: JsonObject,
    /** Nanoseconds since the epoch, from the event's stageTimestamp. */
    readonly ts: bigint,
    readonly stream: K8sAuditStream,
    private text?: string,
  ) {}

  payloadText(): string {
    if (this.text === undefined) this.text = JSON.stringify(this.payload);
    return this.text;
  }

  /** The k8saudit plugin summarises an event as its whole JSON text. */
  info(): string {
    return this.payloadText();
  }

  /** A field of the top level of the payload, for logs and tests. */
  get(key: string): Json | undefined {
    return Object.hasOwn(this.payload, key) ? this.payload[key] : undefined;
  }
}
