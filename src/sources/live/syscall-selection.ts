// Which syscalls the live driver captures, computed as Falco computes it
// (falco/app/actions/configure_interesting_sets.cpp with libsinsp's sinsp_state_sc_set and
// sinsp_repair_state_sc_set), so a configuration behaves as it does in Falco:
//
//   selected = rules' syscalls ∪ plugins' syscalls ∪ base set
//     base set = base_syscalls.custom_set's positive names when there are any,
//                else libsinsp's state set (the syscalls that keep process and fd state right);
//     with repair and no positive names: rules' syscalls ∪ the minimal repair set instead;
//   minus custom_set's negative ("!name") names;
//   minus the high-volume I/O syscalls (read, write, ...) unless base_syscalls.all;
//   with repair and a custom set: plus the repair set of the result;
//   plus sched_process_exit (procexit), always: without it the process table would only grow.
//
// Sets are of ppm_sc names (the syscall names of Falco's event model, see syscall-table.ts). The
// caller passes the event-type names the loaded rules can match (the union of the rules' event-type
// sets, as the engine computes them) and gets the names to send to the driver plus Falco's log lines.
import type { LogLevel } from '../../util/log.js';
import { EVENT_INFO, isGenericCode } from '../../scap/event-table.js';
import { SYSCALL_ENTRIES, SYSCALLS_BY_EVENT_NAME, SYSCALLS_BY_NAME, type SyscallCategory } from './syscall-table.js';

/** The `base_syscalls` configuration block of falco.yaml. */
export interface BaseSyscallsConfig {
  /** Syscall names to add, or "!name" to remove. */
  readonly custom_set?: readonly string[];
  readonly repair?: boolean;
  /** Keep the high-volume I/O syscalls Falco ignores by default (Falco's `-A`). */
  readonly all?: boolean;
}

export interface SyscallSelectionInput {
  /** Event-type names (`evt.type` values) the loaded syscall rules can match. */
  readonly rulesEventTypes: Iterable<string>;
  /** Event-type names plugins with event parsing need. */
  readonly pluginEventTypes?: Iterable<string>;
  readonly baseSyscalls?: BaseSyscallsConfig;
}

export interface SelectionMessage {
  readonly level: LogLevel;
  readonly text: string;
}

export interface SyscallSelection {
  /** ppm_sc names to capture, sorted: what the driver's `select` command takes. */
  readonly syscalls: readonly string[];
  /** Event names the rules match that will not be captured (Falco's unsupported-evttype warning). */
  readonly rulesNotCaptured: readonly string[];
  /** Names of custom_set that are not syscalls (ignored, with a warning). */
  readonly invalidNames: readonly string[];
  /** Falco's log lines about the computation, in Falco's order and wording. */
  readonly messages: readonly SelectionMessage[];
}

type ScSet = Set<string>;

/** Syscalls whose events carry this category (libsinsp's io_sc_set, net_sc_set, ...). */
function byCategory(...categories: SyscallCategory[]): ScSet {
  return new Set(SYSCALL_ENTRIES.filter((e) => categories.includes(e.category)).map((e) => e.name));
}

/** libsinsp's sinsp_state_sc_set(): syscalls whose events modify state, plus UF_NEVER_DROP ones. */
export const STATE_SYSCALLS: ReadonlySet<string> = new Set(SYSCALL_ENTRIES.filter((e) => e.modifiesState).map((e) => e.name));
const IO_SYSCALLS = byCategory('io_read', 'io_write');
const IO_OTHER_SYSCALLS = byCategory('io_other');
const FILE_SYSCALLS = byCategory('file');
const NET_SYSCALLS = byCategory('net');

/** Falco's ignored_sc_set(): high-volume I/O syscalls not needed for state, dropped unless `all`. */
export const IGNORED_SYSCALLS: ReadonlySet<string> = new Set([...IO_SYSCALLS].filter((s) => !STATE_SYSCALLS.has(s)));

/** Always traced, whatever the configuration: procexit keeps the process table from growing. */
export const PROCEXIT_SYSCALL = 'sched_process_exit';

/**
 * Event names → syscalls, as libsinsp's event_names_to_sc_set: an event name selects the syscalls
 * its events map to; a name that is not an event but is the name of a syscall without a dedicated
 * event (a generic one, e.g. `fadvise64`) selects that syscall. Unknown names select nothing.
 */
export function eventNamesToSyscalls(names: Iterable<string>): ScSet {
  const out: ScSet = new Set();
  for (const name of names) {
    const mapped = SYSCALLS_BY_EVENT_NAME.get(name);
    if (mapped) {
      for (const sc of mapped) out.add(sc);
      continue;
    }
    const entry = SYSCALLS_BY_NAME.get(name);
    if (entry && entry.eventNames.length === 0) out.add(name);
  }
  return out;
}

/** Syscalls → the names Falco prints for them: their event names, or their own for generic ones. */
export function syscallsToEventNames(syscalls: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const sc of syscalls) {
    const entry = SYSCALLS_BY_NAME.get(sc);
    if (!entry) continue;
    if (entry.eventNames.length === 0) out.add(sc);
    else for (const ev of entry.eventNames) out.add(ev);
  }
  return out;
}

/** libsinsp's sinsp_repair_state_sc_set(set): the input plus the minimal state-keeping syscalls. */
export function repairStateSyscalls(input: ReadonlySet<string>): ScSet {
  const intersects = (s: ReadonlySet<string>): boolean => [...s].some((x) => input.has(x));
  const net = intersects(NET_SYSCALLS);
  const bind = ['accept', 'accept4', 'listen'].some((x) => input.has(x));
  const fdClose = net || intersects(FILE_SYSCALLS) || intersects(IO_SYSCALLS) || intersects(IO_OTHER_SYSCALLS);
  const out: ScSet = new Set([
    'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'fchdir', 'chdir', 'chroot', 'capset',
    'setgid', 'setgid32', 'setpgid', 'setresgid', 'setresgid32', 'setresuid', 'setresuid32', 'setsid',
    'setuid', 'setuid32', 'prctl', PROCEXIT_SYSCALL,
  ]);
  if (net) {
    out.add('socket');
    out.add('getsockopt');
  }
  if (bind) out.add('bind');
  if (fdClose) out.add('close');
  for (const x of input) out.add(x);
  return out;
}

const sorted = (s: Iterable<string>): string[] => [...s].sort();
/** libsinsp's concat_set_in_order: sorted, comma separated. */
const inOrder = (s: Iterable<string>): string => sorted(s).join(', ');
const diff = (a: ReadonlySet<string>, b: ReadonlySet<string>): ScSet => new Set([...a].filter((x) => !b.has(x)));

/** The syscalls to capture for the loaded rules and configuration, with Falco's log lines. */
export function computeSyscallSelection(input: SyscallSelectionInput): SyscallSelection {
  const messages: SelectionMessage[] = [];
  const debug = (text: string): void => void messages.push({ level: 'debug', text });
  const base = input.baseSyscalls ?? {};
  const customSet = base.custom_set ?? [];

  const rulesSet = eventNamesToSyscalls(input.rulesEventTypes);
  if (rulesSet.size > 0) {
    const names = syscallsToEventNames(rulesSet);
    debug(`(${names.size}) syscalls in rules: ${inOrder(names)}\n`);
  }
  const pluginSet = eventNamesToSyscalls(input.pluginEventTypes ?? []);
  if (pluginSet.size > 0) {
    const names = syscallsToEventNames(pluginSet);
    debug(`(${names.size}) syscalls required by plugins: ${inOrder(names)}\n`);
  }

  const positiveNames = new Set<string>();
  const negativeNames = new Set<string>();
  for (const name of customSet) {
    if (name === '') continue;
    if (name.startsWith('!')) negativeNames.add(name.slice(1));
    else positiveNames.add(name);
  }
  const positiveSet = eventNamesToSyscalls(positiveNames);
  const negativeSet = eventNamesToSyscalls(negativeNames);

  let baseSet: ScSet = new Set(STATE_SYSCALLS);
  const positiveValid = syscallsToEventNames(positiveSet);
  if (positiveSet.size > 0) {
    baseSet = positiveSet;
    debug(`+(${positiveValid.size}) syscalls added (base_syscalls override): ${inOrder(positiveValid)}\n`);
  }
  const invalidPositive = [...positiveNames].filter((n) => !positiveValid.has(n));
  if (invalidPositive.length > 0) {
    messages.push({
      level: 'warning',
      text: `Invalid (positive) syscall names: warning (base_syscalls override): ${inOrder(invalidPositive)}`,
    });
  }

  let selected: ScSet = new Set([...rulesSet, ...pluginSet, ...baseSet]);
  if (base.repair && positiveSet.size === 0) selected = repairStateSyscalls(rulesSet);

  const negativeValid = syscallsToEventNames(negativeSet);
  if (negativeSet.size > 0) {
    selected = diff(selected, negativeSet);
    debug(`-(${negativeValid.size}) syscalls removed (base_syscalls override): ${inOrder(negativeValid)}\n`);
  }
  const invalidNegative = [...negativeNames].filter((n) => !negativeValid.has(n));
  if (invalidNegative.length > 0) {
    messages.push({
      level: 'warning',
      text: `Invalid (negative) syscall names: warning (base_syscalls override): ${inOrder(invalidNegative)}`,
    });
  }

  const nonRules = diff(selected, rulesSet);
  if (nonRules.size > 0 && positiveSet.size === 0) {
    const names = syscallsToEventNames(nonRules);
    debug(`+(${names.size}) syscalls (Falco's state engine set of syscalls): ${inOrder(names)}\n`);
  }

  if (!base.all) {
    const erased = [...selected].filter((s) => IGNORED_SYSCALLS.has(s));
    selected = diff(selected, IGNORED_SYSCALLS);
    if (erased.length > 0) {
      const names = syscallsToEventNames(erased);
      debug(`-(${names.size}) ignored syscalls (-> activate via \`-A\` flag): ${inOrder(names)}\n`);
    }
  }

  if (base.repair && customSet.length > 0) {
    const before = selected;
    selected = repairStateSyscalls(selected);
    const repaired = diff(selected, before);
    if (repaired.size > 0) {
      const names = syscallsToEventNames(repaired);
      messages.push({ level: 'info', text: `+(${names.size}) repaired syscalls: ${inOrder(names)}\n` });
    }
  }

  selected.add(PROCEXIT_SYSCALL);
  const selectedNames = syscallsToEventNames(selected);
  debug(`(${selectedNames.size}) syscalls selected in total (final set): ${inOrder(selectedNames)}\n`);

  // Falco prints this on stderr, not through its log: the caller shows it the same way.
  const notCaptured = diff(rulesSet, selected);
  const notCapturedNames = sorted(syscallsToEventNames(notCaptured));
  if (notCaptured.size > 0) {
    messages.push({
      level: 'warning',
      text: 'Loaded rules match syscalls that are not activated (e.g. were removed via config settings such ' +
        'as no -A flag or negative base_syscalls elements) or unsupported with current configuration: ' +
        `warning (unsupported-evttype): ${notCapturedNames.join(', ')}`,
    });
    messages.push({
      level: 'warning',
      text: 'If syscalls in rules include high volume syscalls (-> activate via `-A` flag), else syscalls may ' +
        'have been removed via base_syscalls option or might be associated with syscalls undefined on your ' +
        'architecture (https://marcin.juszkiewicz.com.pl/download/tables/syscalls.html)',
    });
  }

  return {
    syscalls: sorted(selected),
    rulesNotCaptured: notCapturedNames,
    invalidNames: sorted([...invalidPositive, ...invalidNegative]),
    messages,
  };
}

/**
 * Event-type names for a set of event codes (what the engine's rulesets report: enabledCodes()).
 * A generic event code stands for every syscall without an event of its own, so it yields all of
 * their names: the engine's codes do not say which one a rule named. (Falco works from the names in
 * the conditions and selects only those; pass names when they are available.)
 */
export function eventCodesToEventTypes(codes: Iterable<number>): string[] {
  const names = new Set<string>();
  let generic = false;
  for (const code of codes) {
    if (isGenericCode(code)) generic = true;
    else if (EVENT_INFO[code] !== undefined && EVENT_INFO[code].name !== 'NA') names.add(EVENT_INFO[code].name);
  }
  if (generic) for (const e of SYSCALL_ENTRIES) if (e.eventNames.length === 0 && e.nr >= 0) names.add(e.name);
  return sorted(names);
}

/** The x86_64 syscalls among `syscalls` (the rest are tracepoints or other architectures' calls). */
export function nativeSyscalls(syscalls: Iterable<string>): string[] {
  return sorted([...syscalls].filter((s) => (SYSCALLS_BY_NAME.get(s)?.nr ?? -1) >= 0));
}
