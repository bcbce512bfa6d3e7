// `--list-events` and `-i`: the scap event table as Falco 0.44 prints it. Events are grouped as
// syscall, tracepoint, plugin and meta events (old versions, unused and unknown events left out);
// generic events are listed once per syscall they stand for. "Available" means captured by
// default, i.e. not one of the ignored I/O syscalls (see `-i` and base_syscalls.all).
import { allSyscalls, EC, EF, EVENT_CODE, EVENT_INFO, isGenericCode, ppmScName, PT, type EventInfo, type ParamInfo } from '../scap/event-table.js';
import { IGNORED_IO_SYSCALLS } from '../sources/scap-replay.js';
import { SCAP_DRIVER_SCHEMA_VERSION } from '../version.js';
import { ignoredSyscalls } from './syscall-sets.js';

export type EventListFormat = 'text' | 'markdown' | 'json';

interface EventEntry {
  readonly info: EventInfo;
  /** The event's name, or for generic events the syscall's. */
  readonly name: string;
  readonly available: boolean;
}

const CATEGORIES = ['Syscall events', 'Tracepoint events', 'Plugin events', 'Metaevents'] as const;

/** libsinsp's param_type_to_string: the type names without prefix, DYN as DYNAMIC, <NA> for the rest. */
const PARAM_TYPE_TEXT: ReadonlyMap<number, string> = new Map(
  Object.entries(PT)
    .filter(([name]) => !['MAX', 'IPV6ADDR', 'IPV6NET', 'FD32', 'PID32'].includes(name))
    .map(([name, code]) => [code, name === 'DYN' ? 'DYNAMIC' : name]),
);

function paramTypeText(type: number): string {
  return PARAM_TYPE_TEXT.get(type) ?? '<NA>';
}

const FLAG_TYPES: ReadonlySet<number> = new Set([PT.FLAGS8, PT.FLAGS16, PT.FLAGS32, PT.ENUMFLAGS8, PT.ENUMFLAGS16, PT.ENUMFLAGS32]);

function flagNames(p: ParamInfo): readonly string[] | undefined {
  if (!FLAG_TYPES.has(p.type) || p.flagTable === undefined) return undefined;
  return p.flagTable.map(([name]) => name);
}

function categoryIndex(info: EventInfo): number | undefined {
  if (info.category & EC.SYSCALL) return 0;
  if (info.category & EC.TRACEPOINT) return 1;
  if (info.category & EC.PLUGIN) return 2;
  if (info.category & EC.METAEVENT) return 3;
  return undefined;
}

/** The syscalls generic events stand for (those without a dedicated event), sorted. */
function genericSyscallNames(): string[] {
  const names = new Set<string>();
  for (const s of allSyscalls()) {
    if (!isGenericCode(s.enterEvent)) continue;
    const name = ppmScName(s.ppmSc);
    if (name !== undefined && name !== 'unknown') names.add(name);
  }
  return [...names].sort();
}

/** Events by category, in event-code order, generic events last. */
function eventsByCategory(): EventEntry[][] {
  const groups: EventEntry[][] = CATEGORIES.map(() => []);
  const add = (info: EventInfo, name: string): void => {
    const group = categoryIndex(info);
    if (group === undefined) return;
    groups[group]!.push({ info, name, available: !IGNORED_IO_SYSCALLS.has(name) });
  };
  for (const info of EVENT_INFO) {
    if (isGenericCode(info.code) || info.flags & (EF.OLD_VERSION | EF.UNUSED) || info.category === EC.UNKNOWN) continue;
    add(info, info.name);
  }
  for (const name of genericSyscallNames()) {
    add(EVENT_INFO[EVENT_CODE.GENERIC_E]!, name);
    add(EVENT_INFO[EVENT_CODE.GENERIC_X]!, name);
  }
  return groups;
}

function textParam(p: ParamInfo, markdown: boolean): string {
  let out = `${paramTypeText(p.type)} **${p.name}**`;
  const flags = flagNames(p);
  if (flags !== undefined) out += ': ' + flags.map((f) => (markdown ? `*${f}*` : f)).join(', ');
  return out;
}

/** The `--list-events` output in the given format. */
export function formatEventList(format: EventListFormat): string {
  const groups = eventsByCategory();
  if (format === 'json') {
    const root: Record<string, unknown> = { schema_version: SCAP_DRIVER_SCHEMA_VERSION };
    CATEGORIES.forEach((category, i) => {
      root[category] = groups[i]!.map((e) => ({
        available: e.available,
        dir: e.info.dir,
        name: e.name,
        params: e.info.params.map((p) => {
          const flags = flagNames(p);
          return { ...(flags !== undefined ? { flags } : {}), name: p.name, type: paramTypeText(p.type) };
        }),
      }));
    });
    // nlohmann orders keys; two-space indentation as Falco's dump(2).
    return JSON.stringify(sortKeys(root), null, 2) + '\n';
  }
  const markdown = format === 'markdown';
  let out = `The events below are valid for Falco *Schema Version*: ${SCAP_DRIVER_SCHEMA_VERSION}\n`;
  CATEGORIES.forEach((category, i) => {
    out += `## ${category}\n\n`;
    if (markdown) out += 'Default | Dir | Name | Params \n:-------|:----|:-----|:-----\n';
    for (const e of groups[i]!) {
      const params = e.info.params.map((p) => textParam(p, markdown)).join(', ');
      out += markdown
        ? `${e.available ? 'Yes' : 'No'} | \`${e.info.dir}\` | \`${e.name}\` | ${params}\n`
        : `${e.info.dir} ${e.name}(${params})\n`;
    }
    out += '\n';
  });
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** `-i`: the syscalls ignored unless base_syscalls.all, as Falco prints them. */
export function formatIgnoredEvents(): string {
  return `Ignored syscall(s):\n${ignoredSyscalls().map((name) => `- ${name}\n`).join('')}\n`;
}
