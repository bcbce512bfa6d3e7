// The syscall source definition: registry bound to the scap event table, event-type codes for dispatch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSyscallSourceDefinition, SYSCALL_EVENT_CATALOG } from '../../src/sources/syscall/definition.js';
import { EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO, PARAM_TYPE_NAMES } from '../../src/scap/event-table.js';
import type { EventSourceDefinition } from '../../src/engine/source.js';

test('syscall source: name, dispatch table size, event-type codes', () => {
  const source: EventSourceDefinition<unknown> = createSyscallSourceDefinition<unknown>();
  assert.equal(source.name, 'syscall');
  assert.equal(source.fields.source, 'syscall');
  assert.equal(source.hasEventTypes, true);
  assert.equal(source.eventTypeCount, EVENT_CODE_COUNT);
  const open = source.eventTypeCodes('open')!;
  assert.ok(open.includes(EVENT_CODE.SYSCALL_OPEN_E) && open.includes(EVENT_CODE.SYSCALL_OPEN_X));
  assert.ok(open.every((c) => EVENT_INFO[c]!.name === 'open'));
  // a syscall without its own event is dispatched on the generic events
  assert.deepEqual([...source.eventTypeCodes('fadvise64')!].sort(), [EVENT_CODE.GENERIC_E, EVENT_CODE.GENERIC_X].sort());
  assert.equal(source.eventTypeCodes('nosuchsyscall'), undefined);
});

test('event catalog: longest parameter name prefix, first occurrence typed; event names', () => {
  assert.equal(SYSCALL_EVENT_CATALOG.longestParamPrefix('fd')!.name, 'fd');
  assert.equal(SYSCALL_EVENT_CATALOG.longestParamPrefix('fdx')!.name, 'fd');
  assert.equal(SYSCALL_EVENT_CATALOG.longestParamPrefix('fds')!.name, 'fds');
  assert.equal(SYSCALL_EVENT_CATALOG.longestParamPrefix('zzz'), undefined);
  // the first event (by code) with a parameter called "flags" is what evt.rawarg.flags is typed by
  const first = EVENT_INFO.flatMap((e) => e.params).find((p) => p.name === 'flags')!;
  assert.equal(SYSCALL_EVENT_CATALOG.longestParamPrefix('flags')!.type, PARAM_TYPE_NAMES[first.type]);
  assert.ok(SYSCALL_EVENT_CATALOG.isEventName('execve'));
  assert.ok(SYSCALL_EVENT_CATALOG.isEventName('syscall'), 'generic events are called "syscall"');
  assert.ok(!SYSCALL_EVENT_CATALOG.isEventName('fadvise64'), 'evt.type.is only knows event names');
});

test('each definition has its own registry, so extractors are attached per process', () => {
  const a = createSyscallSourceDefinition<unknown>();
  const b = createSyscallSourceDefinition<unknown>();
  a.fields.implement('proc.name', () => ({ extract: () => 'x' }));
  assert.ok(a.fields.isImplemented('proc.name'));
  assert.ok(!b.fields.isImplemented('proc.name'));
});
