// Shared pieces of the k8saudit tests: events from JSON values or corpus files, and field readers.
import { readFileSync } from 'node:fs';
import { boundJson, boundText } from '../../src/fields/render.js';
import type { FieldValue, JsonFieldValue } from '../../src/fields/types.js';
import { createK8sAuditSourceDefinition } from '../../src/sources/k8s-audit/definition.js';
import { K8sAuditStream, type K8sAuditEvent } from '../../src/sources/k8s-audit/event.js';
import { parseAuditPayload } from '../../src/sources/k8s-audit/parse.js';
import { corpusPath } from '../helpers/corpus.js';

export const definition = createK8sAuditSourceDefinition();

/** Audit events of a JSON payload (throws if the payload has problems), numbered from 1. */
export function eventsOf(payload: unknown, stream = new K8sAuditStream('test-host')): K8sAuditEvent[] {
  const parsed = parseAuditPayload(JSON.stringify(payload), stream, 262144);
  if (parsed.problems.length > 0) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  parsed.events.forEach((e, i) => {
    e.num = i + 1;
  });
  if (parsed.events.length > 0 && stream.firstEventTs === 0n) stream.firstEventTs = parsed.events[0]!.ts;
  return parsed.events;
}

/** A minimal audit event with the given extra keys (auditID and stageTimestamp set). */
export function auditEvent(extra: Record<string, unknown> = {}): K8sAuditEvent {
  return eventsOf({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'test-id', stage: 'ResponseComplete',
    stageTimestamp: '2024-05-06T07:08:09.123456789Z', ...extra,
  })[0]!;
}

/** A pod-creation event with the given pod spec. */
export function podEvent(spec: Record<string, unknown>): K8sAuditEvent {
  return auditEvent({ verb: 'create', objectRef: { resource: 'pods', namespace: 'default' }, requestObject: { kind: 'Pod', spec } });
}

/** Events of a corpus file of JSON lines (blank lines skipped). */
export function corpusEvents(name: string): K8sAuditEvent[] {
  const stream = new K8sAuditStream('test-host');
  const events: K8sAuditEvent[] = [];
  for (const line of readFileSync(corpusPath('k8s-audit', name), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    events.push(...eventsOf(JSON.parse(line), stream));
  }
  return events;
}

function bind(text: string) {
  const field = definition.fields.bindText(text);
  if (field === undefined) throw new Error(`unknown field ${text}`);
  return field;
}

/** The value a condition compares. */
export function value(evt: K8sAuditEvent, text: string): FieldValue | undefined {
  return bind(text).extract(evt);
}

/** The text an output shows. */
export function text(evt: K8sAuditEvent, fieldText: string): string {
  return boundText(bind(fieldText), evt);
}

/** The JSON output_fields value. */
export function json(evt: K8sAuditEvent, fieldText: string): JsonFieldValue {
  return boundJson(bind(fieldText), evt);
}
