// The syscall event source as the rules engine sees it: the syscall field registry (libsinsp's
// classes plus the container plugin's) bound to the scap event table, and event-type names →
// codes for dispatch.
import { createSyscallFieldRegistry, type SyscallFieldOptions } from '../../fields/syscall/index.js';
import type { EventCatalog, EventParamInfo, Registry } from '../../fields/registry.js';
import type { FieldType, PrintFormat } from '../../fields/types.js';
import type { EventSourceDefinition } from '../../engine/source.js';
import { EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO, PARAM_TYPE_NAMES, PRINT_FORMAT_NAMES, eventTypeCodes } from '../../scap/event-table.js';

/** Print formats of event parameters that change how evt.rawarg values print. */
const PARAM_PRINT_FORMATS: Readonly<Record<string, PrintFormat>> = { HEX: 'HEX', OCT: 'OCT', '10_PADDED_DEC': 'PADDED_DEC' };

/**
 * Parameter names of every event, each with the type and print format of its first occurrence in
 * event-code order: libsinsp resolves `evt.rawarg.NAME` to the first parameter called NAME.
 */
const PARAMS_BY_NAME: ReadonlyMap<string, EventParamInfo> = (() => {
  const map = new Map<string, EventParamInfo>();
  for (const event of EVENT_INFO) {
    for (const p of event.params) {
      if (map.has(p.name)) continue;
      const printFormat = PARAM_PRINT_FORMATS[PRINT_FORMAT_NAMES[p.format] ?? ''];
      map.set(p.name, {
        name: p.name,
        type: PARAM_TYPE_NAMES[p.type] as FieldType,
        ...(printFormat ? { printFormat } : {}),
      });
    }
  }
  return map;
})();

/** Names longest first, for longest-prefix lookups. */
const PARAM_NAMES_LONGEST_FIRST: readonly string[] = [...PARAMS_BY_NAME.keys()].sort((a, b) => b.length - a.length);

const EVENT_NAMES: ReadonlySet<string> = new Set(EVENT_INFO.map((e) => e.name));

/** The event table as the syscall field syntax needs it (evt.arg.NAME, evt.type.is.NAME). */
export const SYSCALL_EVENT_CATALOG: EventCatalog = {
  longestParamPrefix(text: string): EventParamInfo | undefined {
    const name = PARAM_NAMES_LONGEST_FIRST.find((n) => text.startsWith(n));
    return name === undefined ? undefined : PARAMS_BY_NAME.get(name);
  },
  isEventName: (name: string): boolean => EVENT_NAMES.has(name),
};

/**
 * Per event code, `evt.type` when it is the code's table name for every event: all codes but
 * generic exits (named by their syscall) and async events (named by a parameter).
 */
const CONSTANT_FIELDS: readonly (ReadonlyMap<string, string> | undefined)[] = EVENT_INFO.map((info) =>
  info.code === EVENT_CODE.GENERIC_X || info.code === EVENT_CODE.ASYNCEVENT_E ? undefined : new Map([['evt.type', info.name]]));

/** The syscall source definition plus its concrete registry, where extractors are implemented. */
export interface SyscallSourceDefinition<E> extends EventSourceDefinition<E> {
  readonly fields: Registry<E>;
}

/**
 * Creates the syscall source for events of type E. Each call has its own registry, so a process
 * normally creates one and implements the extractors on it. `plugins` replaces the default plugin
 * field classes (the container plugin); `staticFields` is Falco's `static_fields` setting.
 */
export function createSyscallSourceDefinition<E>(options: Omit<SyscallFieldOptions, 'events'> = {}): SyscallSourceDefinition<E> {
  return {
    name: 'syscall',
    fields: createSyscallFieldRegistry<E>({ ...options, events: SYSCALL_EVENT_CATALOG }),
    eventTypeCount: EVENT_CODE_COUNT,
    eventTypeCodes,
    hasEventTypes: true,
    constantFields: (code) => CONSTANT_FIELDS[code],
  };
}
