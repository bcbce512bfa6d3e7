// The syscalls Falco leaves out of its selection (the I/O syscalls, unless `base_syscalls.all`, and
// the negative entries of `base_syscalls.custom_set`), and Falco's warning when loaded rules name
// some of them: such rules never see those events from the live driver.
import type { PeregrineConfig } from '../cli/config/types.js';
import { EVENT_INFO, isGenericCode } from '../scap/event-table.js';
import { IGNORED_IO_SYSCALLS } from '../sources/scap-replay.js';

/** The ignored syscalls in `falco -i` order (sorted by name). */
export function ignoredSyscalls(): string[] {
  return [...IGNORED_IO_SYSCALLS].sort();
}

/** Event names (not generic) of a set of event codes. */
function eventNames(codes: Iterable<number>): Set<string> {
  const names = new Set<string>();
  for (const code of codes) {
    if (isGenericCode(code)) continue;
    const info = EVENT_INFO[code];
    if (info !== undefined) names.add(info.name);
  }
  return names;
}

/**
 * The syscalls the rules need that the configuration does not activate, sorted; empty when none.
 * `ruleCodes` are the event codes of the enabled syscall rules.
 */
export function unsupportedRuleSyscalls(config: PeregrineConfig, ruleCodes: Iterable<number>): string[] {
  const wanted = eventNames(ruleCodes);
  const removed = new Set<string>();
  if (!config.base_syscalls.all) for (const name of IGNORED_IO_SYSCALLS) removed.add(name);
  for (const entry of config.base_syscalls.custom_set) if (entry.startsWith('!')) removed.add(entry.slice(1));
  return [...wanted].filter((name) => removed.has(name)).sort();
}

/** Falco's two-line warning (printed on stderr, outside the log) for `unsupportedRuleSyscalls`. */
export function unsupportedSyscallsWarning(names: readonly string[]): string {
  return 'Loaded rules match syscalls that are not activated (e.g. were removed via config settings such as no -A flag ' +
    'or negative base_syscalls elements) or unsupported with current configuration: warning (unsupported-evttype): ' +
    `${names.join(', ')}\n` +
    'If syscalls in rules include high volume syscalls (-> activate via `-A` flag), else syscalls may have been removed ' +
    'via base_syscalls option or might be associated with syscalls undefined on your architecture ' +
    '(https://marcin.juszkiewicz.com.pl/download/tables/syscalls.html)\n';
}
