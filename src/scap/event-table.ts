// The syscall event table as Peregrine uses it: for every event code its name, direction,
// category, flags and parameters; the syscall names of generic events; name → codes for dispatch.
//
// The data comes from src/scap/tables/ (generated from falcosecurity/libs 0.25.4, the libs of
// Falco 0.44.1, by src/scap/gen/generate-tables.ts); this module turns the rows into objects once,
// at load time, so the hot path only indexes arrays.
import { DYNAMIC_PARAM_TABLES, FLAG_TABLES } from './tables/flags.js';
import { EC, EF, EVENT_CODE, EVENT_CODE_COUNT, EVENT_ROWS, PF, PT } from './tables/events.js';
import { PPM_SC_NAMES, SYSCALLS_X86_64, UF } from './tables/syscalls.js';

export { EC, EF, EVENT_CODE, EVENT_CODE_COUNT, PF, PT, UF };

/** A flag/enum/mode name table: `[name, value]` pairs in libsinsp's rendering order. */
export type FlagTable = readonly (readonly [name: string, value: number])[];

/** One possible shape of a PT_DYN parameter, selected by its first byte. */
export interface DynamicParamVariant {
  readonly type: number;
  readonly format: number;
}

export interface ParamInfo {
  readonly name: string;
  /** PT.* code. */
  readonly type: number;
  /** PF.* code. */
  readonly format: number;
  /** For FLAGS*, ENUMFLAGS* and MODE parameters: the table that names the bits/values. */
  readonly flagTable?: FlagTable;
  readonly flagTableName?: string;
  /** For PT_FSRELPATH parameters: index of the parameter holding the directory fd. */
  readonly dirfdParam?: number;
  /** For PT_DYN parameters: the variants, indexed by the parameter's first byte. */
  readonly dynamic?: readonly DynamicParamVariant[];
}

export interface EventInfo {
  readonly code: number;
  /** Event name as `evt.type` prints it (generic events print their syscall name instead). */
  readonly name: string;
  /** libs enum name without the `PPME_` prefix, e.g. `SYSCALL_OPEN_X`. */
  readonly enumName: string;
  readonly isEnter: boolean;
  /** `>` for enter events, `<` for exit events (`evt.dir`). */
  readonly dir: '>' | '<';
  /** EC.* bits: one event category (low bits) plus one source category (EC.SYSCALL, ...). */
  readonly category: number;
  /** EF.* bits. */
  readonly flags: number;
  readonly params: readonly ParamInfo[];
  /** The PT code of each parameter, as a typed array for the decoder's hot path. */
  readonly paramTypes: Uint8Array;
  /** Parameters have 4-byte lengths in the event instead of 2 (EF_LARGE_PAYLOAD). */
  readonly largePayload: boolean;
  /** Index of a parameter by name, -1 if the event has no such parameter. */
  paramIndex(name: string): number;
}

/** PT code → name as libsinsp spells it without the prefix (`INT8`, `CHARBUF`, `SOCKTUPLE`...). */
export const PARAM_TYPE_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(PT)) names[code] = name;
  return names;
})();

function buildEventInfo(code: number): EventInfo {
  const [name, category, flags, rows] = EVENT_ROWS[code];
  const params: ParamInfo[] = rows.map(([pname, type, format, info]) => {
    if (info === undefined) return { name: pname, type, format };
    if (typeof info === 'number') return { name: pname, type, format, dirfdParam: info };
    if (type === PT.DYN) {
      const variants = DYNAMIC_PARAM_TABLES[info].map(([t, f]) => ({ type: t, format: f }));
      return { name: pname, type, format, dynamic: variants };
    }
    return { name: pname, type, format, flagTable: FLAG_TABLES[info], flagTableName: info };
  });
  const byName = new Map<string, number>();
  params.forEach((p, i) => {
    if (!byName.has(p.name)) byName.set(p.name, i);
  });
  const isEnter = (code & 1) === 0;
  return {
    code,
    name,
    enumName: ENUM_NAMES[code],
    isEnter,
    dir: isEnter ? '>' : '<',
    category,
    flags,
    params,
    paramTypes: Uint8Array.from(params, (p) => p.type),
    largePayload: (flags & EF.LARGE_PAYLOAD) !== 0,
    paramIndex: (n: string) => byName.get(n) ?? -1,
  };
}

const ENUM_NAMES: string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(EVENT_CODE)) names[code] = name;
  return names;
})();

/** Every event code's description, indexed by code (0 .. EVENT_CODE_COUNT-1). */
export const EVENT_INFO: readonly EventInfo[] = Array.from({ length: EVENT_CODE_COUNT }, (_, code) => buildEventInfo(code));

/** The description of an event code, or undefined for codes this table does not know. */
export function eventInfo(code: number): EventInfo | undefined {
  return EVENT_INFO[code];
}

export function isEnterCode(code: number): boolean {
  return (code & 1) === 0;
}

export function isGenericCode(code: number): boolean {
  return code === EVENT_CODE.GENERIC_E || code === EVENT_CODE.GENERIC_X;
}

// ---- syscalls -------------------------------------------------------------------------------------

/** Name of a ppm_sc syscall code (the `ID` parameter of generic events), undefined if unknown. */
export function ppmScName(ppmSc: number): string | undefined {
  const name = PPM_SC_NAMES[ppmSc];
  return name === '' ? undefined : name;
}

/** ppm_sc code of a syscall name, undefined if the driver does not know the syscall. */
export function ppmScCode(name: string): number | undefined {
  return PPM_SC_BY_NAME.get(name);
}

const PPM_SC_BY_NAME = new Map<string, number>();
PPM_SC_NAMES.forEach((name, code) => {
  if (name !== '') PPM_SC_BY_NAME.set(name, code);
});

export interface SyscallInfo {
  /** x86_64 syscall number. */
  readonly nr: number;
  readonly name: string;
  readonly ppmSc: number;
  /** Event codes the driver uses for it (GENERIC_E/X when it has no dedicated event). */
  readonly enterEvent: number;
  readonly exitEvent: number;
  /** UF.* flags (UF.NEVER_DROP, UF.ALWAYS_DROP...). */
  readonly flags: number;
}

const SYSCALL_BY_NR: SyscallInfo[] = [];
const PPM_SC_TO_NATIVE = new Map<number, number>();
for (const [nr, name, ppmSc, enterEvent, exitEvent, flags] of SYSCALLS_X86_64) {
  SYSCALL_BY_NR[nr] = { nr, name, ppmSc, enterEvent, exitEvent, flags };
  PPM_SC_TO_NATIVE.set(ppmSc, nr);
}

/** The x86_64 syscall with this native number, undefined if unknown. */
export function syscallByNumber(nr: number): SyscallInfo | undefined {
  return SYSCALL_BY_NR[nr];
}

/** Every x86_64 syscall the driver knows, by native number. */
export function allSyscalls(): readonly SyscallInfo[] {
  return SYSCALL_BY_NR.filter((s) => s !== undefined);
}

/**
 * Name of the syscall a generic event (GENERIC_E/X) stands for, as libsinsp resolves `evt.type`:
 * the ppm_sc name of the `ID` parameter; when that is 0 (unknown to the driver that recorded it) the
 * native number (`nativeID`, absent in old captures) is looked up in the x86_64 table.
 */
export function genericSyscallName(ppmSc: number, nativeId?: number): string {
  if (ppmSc === 0 && nativeId !== undefined) {
    const native = SYSCALL_BY_NR[nativeId];
    if (native !== undefined) return PPM_SC_NAMES[native.ppmSc] || 'unknown';
  }
  return PPM_SC_NAMES[ppmSc] || 'unknown';
}

// ---- event-type names for rules -------------------------------------------------------------------

const CODES_BY_NAME = new Map<string, number[]>();
// Codes 0 and 1 (generic events, named "syscall") are not reachable by name: libsinsp starts at 2.
for (let code = 2; code < EVENT_CODE_COUNT; code++) {
  const { name } = EVENT_INFO[code];
  let list = CODES_BY_NAME.get(name);
  if (!list) CODES_BY_NAME.set(name, (list = []));
  list.push(code);
}
const GENERIC_CODES: readonly number[] = Object.freeze([EVENT_CODE.GENERIC_E, EVENT_CODE.GENERIC_X]);
for (const list of CODES_BY_NAME.values()) Object.freeze(list);

/**
 * The event codes an `evt.type = NAME` condition selects, as libsinsp's names_to_event_set does:
 * every code (all versions, enter and exit) whose event is called NAME; or, when no event has that
 * name but a syscall does (e.g. `fadvise64`), the two generic event codes. Undefined when NAME is
 * neither (the caller reports an unknown event type).
 */
export function eventTypeCodes(name: string): readonly number[] | undefined {
  const codes = CODES_BY_NAME.get(name);
  if (codes !== undefined) return codes;
  if (PPM_SC_BY_NAME.has(name)) return GENERIC_CODES;
  return undefined;
}

/** Every name `eventTypeCodes` accepts: event names (except the internal `NA`) and syscall names. */
export function eventTypeNames(): readonly string[] {
  const names = new Set<string>();
  for (const name of CODES_BY_NAME.keys()) if (name !== 'NA') names.add(name);
  for (const name of PPM_SC_BY_NAME.keys()) if (name !== 'unknown') names.add(name);
  return [...names].sort();
}

// ---- categories -------------------------------------------------------------------------------------

/** What an I/O event's fd is (libsinsp's subcategory), known only from fd state. */
export type IoSubcategory = 'file' | 'net' | 'ipc' | 'unknown';

const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  [EC.UNKNOWN]: 'unknown',
  [EC.OTHER]: 'other',
  [EC.FILE]: 'file',
  [EC.NET]: 'net',
  [EC.IPC]: 'IPC',
  [EC.MEMORY]: 'memory',
  [EC.PROCESS]: 'process',
  [EC.SLEEP]: 'sleep',
  [EC.SYSTEM]: 'system',
  [EC.SIGNAL]: 'signal',
  [EC.USER]: 'user',
  [EC.TIME]: 'time',
  [EC.PROCESSING]: 'processing',
  [EC.WAIT]: 'wait',
  [EC.SCHEDULER]: 'scheduler',
  [EC.INTERNAL]: 'internal',
};

/**
 * `evt.category` of an event with these EC bits. The source bits (EC.SYSCALL and above) are
 * ignored as libsinsp does; I/O categories (EC.IO_READ/WRITE/OTHER) print the kind of their fd,
 * which the caller knows from state (`unknown` when it does not).
 */
export function categoryName(category: number, io: IoSubcategory = 'unknown'): string {
  const c = category & (EC.SYSCALL - 1);
  if (c === EC.IO_READ || c === EC.IO_WRITE || c === EC.IO_OTHER) return io;
  return CATEGORY_NAMES[c] ?? 'unknown';
}

/** Whether the event's category is one of the I/O ones whose name depends on the fd. */
export function isIoCategory(category: number): boolean {
  const c = category & (EC.SYSCALL - 1);
  return c === EC.IO_READ || c === EC.IO_WRITE || c === EC.IO_OTHER;
}

/** PF code → name (`NA`, `DEC`, `HEX`, `OCT`...). */
export const PRINT_FORMAT_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(PF)) names[code] = name;
  return names;
})();
