// Rule priorities (Falco's severities). One definition for the rules loader, the `priority`
// setting, alert rendering and metrics.

/** Ordered from most to least severe; the numeric value is the syslog severity. */
export enum Priority {
  Emergency = 0,
  Alert = 1,
  Critical = 2,
  Error = 3,
  Warning = 4,
  Notice = 5,
  Informational = 6,
  Debug = 7,
}

/** How Falco spells each priority in alerts (`"priority": "Warning"`). */
export const PRIORITY_NAMES: readonly string[] = [
  'Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug',
];

/**
 * Parses a priority name as Falco accepts it: any letter case, and `info` for Informational.
 * Returns undefined for anything else.
 */
export function parsePriority(text: string): Priority | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === 'info') return Priority.Informational;
  const index = PRIORITY_NAMES.findIndex((name) => name.toLowerCase() === lower);
  return index < 0 ? undefined : (index as Priority);
}

export function priorityName(p: Priority): string {
  return PRIORITY_NAMES[p]!;
}
