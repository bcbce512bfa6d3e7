// What the rules engine needs to know about an event source (syscall, k8s_audit, plugin sources):
// its fields and, for dispatch by event type, how event-type names map to numeric codes.
import type { FieldRegistry, FieldValue } from '../fields/types.js';

export interface EventSourceDefinition<E> {
  /** Source name as rules name it (`source:` key): `syscall`, `k8s_audit`, ... */
  readonly name: string;
  readonly fields: FieldRegistry<E>;
  /**
   * Number of event-type codes (codes are 0..eventTypeCount-1): the size of the dispatch table.
   * Sources without event types (most plugin sources) have 1 and every event has code 0.
   */
  readonly eventTypeCount: number;
  /**
   * Codes of the event types called `name` in conditions (`evt.type = open` names both the enter
   * and exit codes of open, plus generic-event codes for syscalls without a dedicated event);
   * undefined when the name is not an event type of this source.
   */
  eventTypeCodes(name: string): readonly number[] | undefined;
  /** Whether event-type sets are meaningful here (only then is LOAD_NO_EVTTYPE reported). */
  readonly hasEventTypes: boolean;
  /**
   * Field values that every event of this event-type code has, by field name (the syscall
   * source: `evt.type`, except for codes whose events name their type themselves). The ruleset
   * decides checks of these fields when it compiles the rules of one code. Optional.
   */
  constantFields?(code: number): ReadonlyMap<string, FieldValue> | undefined;
}
