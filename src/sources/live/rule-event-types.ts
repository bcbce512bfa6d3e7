// The event-type names loaded rules need, for the capture selection, as Falco computes them from
// the rules rather than from their dispatch codes. The codes say which events a rule can match,
// but every syscall without an event of its own shares the two generic codes: selecting from
// codes alone would capture all of those syscalls as soon as one rule names one of them
// (`evt.type = mprotect`). The names written in the rule's `evt.type` checks say which; a rule
// that selects by exclusion (`evt.type != open`) or names no generic syscall keeps all of them.
import type { Ast, AnyNode } from '../../engine/condition/ast.js';
import type { CompiledRule } from '../../engine/loader/index.js';
import { EVENT_INFO, isGenericCode } from '../../scap/event-table.js';
import { SYSCALL_ENTRIES, SYSCALLS_BY_NAME } from './syscall-table.js';

const EVENT_TYPE_FIELDS = new Set(['evt.type', 'syscall.type']);

/**
 * Names a condition compares evt.type with (`=`, `==`, `in`); `complemented` is set when a check
 * selects the complement of its names (`!=`, or under `not`): then names do not bound the set.
 */
function namedEventTypes(node: AnyNode, negated: boolean, out: { names: Set<string>; complemented: boolean }): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) namedEventTypes(c, negated, out);
      return;
    case 'not':
      namedEventTypes(node.child, !negated, out);
      return;
    case 'binary': {
      if (node.left.kind !== 'field' || !EVENT_TYPE_FIELDS.has(node.left.name)) return;
      const positive = node.operator === '=' || node.operator === '==' || node.operator === 'in';
      if (!positive || negated) {
        out.complemented = true;
        return;
      }
      if (node.right.kind === 'value') out.names.add(node.right.value);
      else if (node.right.kind === 'list') for (const v of node.right.items) out.names.add(v.value);
      return;
    }
    default:
      return;
  }
}

/** Syscalls without an event of their own (they are generic events). */
const GENERIC_SYSCALLS: readonly string[] = SYSCALL_ENTRIES.filter((e) => e.eventNames.length === 0 && e.nr >= 0).map((e) => e.name);

function isGenericSyscallName(name: string): boolean {
  const e = SYSCALLS_BY_NAME.get(name);
  return e !== undefined && e.eventNames.length === 0;
}

/**
 * The event-type names (and names of generic syscalls) a condition can match, given its
 * event-type codes (as the engine computes them) and its expanded AST. The generic codes
 * contribute the generic syscalls the condition names, or all of them when its names do not bound
 * the set (`evt.type != open`, no evt.type check, a check on another field or-ed in).
 */
export function conditionEventTypeNames(codes: ReadonlySet<number> | 'all', ast: Ast, into = new Set<string>()): Set<string> {
  let generic = false;
  const iter = codes === 'all' ? EVENT_INFO.map((i) => i.code) : codes;
  for (const code of iter) {
    if (isGenericCode(code)) generic = true;
    else if (EVENT_INFO[code] !== undefined && EVENT_INFO[code]!.name !== 'NA') into.add(EVENT_INFO[code]!.name);
  }
  if (!generic) return into;
  const named = { names: new Set<string>(), complemented: false };
  namedEventTypes(ast, false, named);
  const genericNamed = [...named.names].filter(isGenericSyscallName);
  // The names bound the generic syscalls only when they account for the whole set.
  const bounded = codes !== 'all' && !named.complemented && genericNamed.length > 0 &&
    [...codes].every((code) => isGenericCode(code) || named.names.has(EVENT_INFO[code]?.name ?? ''));
  for (const n of bounded ? genericNamed : GENERIC_SYSCALLS) into.add(n);
  return into;
}

/** The names every rule of `rules` can match, sorted: computeSyscallSelection's `rulesEventTypes`. */
export function ruleEventTypeNames(rules: Iterable<CompiledRule>): string[] {
  const names = new Set<string>();
  for (const rule of rules) conditionEventTypeNames(rule.compiled.eventTypes, rule.ast, names);
  return [...names].sort();
}
