// Which syscalls loaded rules make the driver capture: the names in their evt.type checks, so
// that a rule on one generic syscall (getrandom) does not capture every generic syscall, while
// rules that select by exclusion, or that match every event, still capture them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RulesLoader } from '../../src/engine/loader/index.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import { ruleEventTypeNames } from '../../src/sources/live/rule-event-types.js';
import { eventCodesToEventTypes } from '../../src/sources/live/syscall-selection.js';
import { SYSCALL_ENTRIES } from '../../src/sources/live/syscall-table.js';

function rules(conditions: Record<string, string>) {
  const loader = new RulesLoader({ sources: [createSyscallSource()] });
  const text = Object.entries(conditions).map(([name, condition]) =>
    `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: INFO\n`).join('\n');
  const result = loader.loadContent('rules.yaml', text);
  assert.ok(result.successful, result.toText(loader.contents));
  return loader.compiled!.rules;
}

const GENERIC = SYSCALL_ENTRIES.filter((e) => e.eventNames.length === 0 && e.nr >= 0).length;

test('event types and the generic syscalls a rule names', () => {
  const r = rules({
    a: 'evt.type in (openat, getrandom) and proc.name = x',
    b: 'evt.type = execve',
  });
  assert.deepEqual(ruleEventTypeNames(r), ['execve', 'getrandom', 'openat']);
  // From the codes alone, the generic code stands for every generic syscall.
  const fromCodes = eventCodesToEventTypes(new Set(r.flatMap((x) => [...(x.compiled.eventTypes as Set<number>)])));
  assert.ok(fromCodes.length >= GENERIC, `${fromCodes.length} names from codes`);
});

test('rules that exclude event types or match every event keep every generic syscall', () => {
  for (const condition of ['evt.type != openat', 'not evt.type in (openat, execve)', 'evt.type = getrandom or proc.name = x', 'proc.name = x']) {
    const names = ruleEventTypeNames(rules({ r: condition }));
    assert.ok(names.includes('getrandom') && names.includes('rseq') && names.length > GENERIC, `${condition}: ${names.length}`);
    assert.equal(names.includes('openat'), !condition.includes('openat'), condition);
  }
});

test('rules on dedicated events only select those', () => {
  assert.deepEqual(ruleEventTypeNames(rules({ r: 'evt.type in (symlink, symlinkat) and evt.rawres = 0' })), ['symlink', 'symlinkat']);
});
