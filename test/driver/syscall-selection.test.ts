// Falco's syscall selection semantics (base_syscalls custom_set / repair / all), and the syscall
// table the driver and the selection share.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ppmScName, syscallByNumber } from '../../src/scap/event-table.js';
import { eventTypeCodes } from '../../src/scap/event-table.js';
import {
  computeSyscallSelection, eventCodesToEventTypes, eventNamesToSyscalls, IGNORED_SYSCALLS, PROCEXIT_SYSCALL, repairStateSyscalls,
  STATE_SYSCALLS, syscallsToEventNames,
} from '../../src/sources/live/syscall-selection.js';
import { SYSCALL_ENTRIES, SYSCALLS_BY_NAME } from '../../src/sources/live/syscall-table.js';

const has = (list: readonly string[], ...names: string[]): void => {
  for (const n of names) assert.ok(list.includes(n), `${n} expected in ${list.join(',')}`);
};
const hasNot = (list: readonly string[], ...names: string[]): void => {
  for (const n of names) assert.ok(!list.includes(n), `${n} not expected`);
};

describe('syscall table', () => {
  test('agrees with the scap event table on numbers and ppm_sc codes', () => {
    let native = 0;
    for (const e of SYSCALL_ENTRIES) {
      assert.equal(ppmScName(e.ppmSc), e.name, `ppm_sc ${e.ppmSc}`);
      if (e.nr < 0) continue;
      native++;
      assert.equal(syscallByNumber(e.nr)?.ppmSc, e.ppmSc, `x86_64 syscall ${e.nr} is ${e.name}`);
    }
    assert.ok(native > 300, `${native} x86_64 syscalls`);
  });

  test("Falco's ignored set is the high-volume I/O syscalls (falco -i)", () => {
    assert.deepEqual([...syscallsToEventNames(IGNORED_SYSCALLS)].sort(),
      ['pread', 'preadv', 'pwrite', 'pwritev', 'read', 'readv', 'recv', 'send', 'sendfile', 'write', 'writev']);
  });

  test('event names map to syscalls as libsinsp maps them', () => {
    assert.deepEqual([...eventNamesToSyscalls(['procexit'])], [PROCEXIT_SYSCALL]);
    assert.deepEqual([...eventNamesToSyscalls(['pread'])], ['pread64']);
    assert.deepEqual([...eventNamesToSyscalls(['sendfile'])].sort(), ['sendfile', 'sendfile64']);
    assert.deepEqual([...eventNamesToSyscalls(['getppid'])], ['getppid'], 'a generic syscall by its own name');
    assert.deepEqual([...eventNamesToSyscalls(['setuid32'])], [], 'a syscall name that has an event of another name');
    assert.deepEqual([...eventNamesToSyscalls(['no_such_thing'])], []);
  });

  test('the state set has process, fd and credential syscalls but no plain I/O', () => {
    for (const n of ['clone', 'clone3', 'execve', 'open', 'openat', 'close', 'socket', 'connect', 'accept', 'dup2',
      'setuid', 'chdir', 'fcntl', 'pipe2', 'sched_process_exit']) {
      assert.ok(STATE_SYSCALLS.has(n), n);
    }
    for (const n of ['read', 'write', 'unlinkat', 'getppid', 'mmap']) assert.ok(!STATE_SYSCALLS.has(n), n);
    assert.equal(SYSCALLS_BY_NAME.get('openat')?.nr, 257);
  });
});

describe('computeSyscallSelection', () => {
  const rules = ['execve', 'execveat', 'openat', 'connect', 'unlinkat', 'read'];

  test('default: rules plus the state set, without the ignored I/O syscalls', () => {
    const s = computeSyscallSelection({ rulesEventTypes: rules });
    has(s.syscalls, 'execve', 'openat', 'connect', 'unlinkat', 'close', 'clone', 'socket', 'dup', PROCEXIT_SYSCALL);
    hasNot(s.syscalls, 'read', 'write', 'getppid');
    assert.deepEqual(s.rulesNotCaptured, ['read']);
    const warnings = s.messages.filter((m) => m.level === 'warning').map((m) => m.text);
    assert.match(warnings[0], /^Loaded rules match syscalls that are not activated .* warning \(unsupported-evttype\): read$/);
    assert.ok(s.messages.some((m) => m.level === 'debug' && m.text.startsWith('(6) syscalls in rules: connect, execve, execveat, openat, read, unlinkat')));
    assert.ok(s.messages.some((m) => m.text.startsWith('-(1) ignored syscalls (-> activate via `-A` flag): read')));
  });

  test('all: the high-volume syscalls the rules use are kept', () => {
    const s = computeSyscallSelection({ rulesEventTypes: rules, baseSyscalls: { all: true } });
    has(s.syscalls, 'read');
    assert.deepEqual(s.rulesNotCaptured, []);
  });

  test('custom_set: positive names replace the state set; negative names are removed', () => {
    const s = computeSyscallSelection({ rulesEventTypes: ['openat'], baseSyscalls: { custom_set: ['clone', 'execve', '!openat'] } });
    assert.deepEqual(s.syscalls, ['clone', 'execve', PROCEXIT_SYSCALL]);
    assert.deepEqual(s.rulesNotCaptured, ['openat']);
    assert.ok(s.messages.some((m) => m.text === '+(2) syscalls added (base_syscalls override): clone, execve\n'));
    assert.ok(s.messages.some((m) => m.text === '-(1) syscalls removed (base_syscalls override): openat\n'));
  });

  test('custom_set with only negative names keeps the state set', () => {
    const s = computeSyscallSelection({ rulesEventTypes: ['execve'], baseSyscalls: { custom_set: ['!close'] } });
    has(s.syscalls, 'execve', 'clone', 'openat');
    hasNot(s.syscalls, 'close');
  });

  test('invalid names are reported and ignored', () => {
    const s = computeSyscallSelection({ rulesEventTypes: ['execve'], baseSyscalls: { custom_set: ['bogus', '!nope', 'execve'] } });
    assert.deepEqual(s.invalidNames, ['bogus', 'nope']);
    const warnings = s.messages.filter((m) => m.level === 'warning').map((m) => m.text);
    assert.deepEqual(warnings, [
      'Invalid (positive) syscall names: warning (base_syscalls override): bogus',
      'Invalid (negative) syscall names: warning (base_syscalls override): nope',
    ]);
    assert.deepEqual(s.syscalls, ['execve', PROCEXIT_SYSCALL]);
  });

  test('repair without a custom set: the rules plus the minimal state-keeping set', () => {
    const s = computeSyscallSelection({ rulesEventTypes: ['connect'], baseSyscalls: { repair: true } });
    has(s.syscalls, 'connect', 'socket', 'getsockopt', 'close', 'clone', 'execve', 'chdir', 'setuid', 'prctl');
    hasNot(s.syscalls, 'bind', 'openat', 'dup');
    const withAccept = computeSyscallSelection({ rulesEventTypes: ['accept4'], baseSyscalls: { repair: true } });
    has(withAccept.syscalls, 'bind', 'socket', 'close');
    const processOnly = computeSyscallSelection({ rulesEventTypes: ['execve'], baseSyscalls: { repair: true } });
    hasNot(processOnly.syscalls, 'close', 'socket');
  });

  test('repair with a custom set repairs the result and says what it added', () => {
    const s = computeSyscallSelection({ rulesEventTypes: ['openat'], baseSyscalls: { custom_set: ['openat'], repair: true } });
    has(s.syscalls, 'openat', 'close', 'clone', 'execve');
    const info = s.messages.find((m) => m.level === 'info');
    assert.ok(info && /^\+\(\d+\) repaired syscalls: .*close/.test(info.text));
  });

  test('repairStateSyscalls keeps its input', () => {
    const out = repairStateSyscalls(new Set(['unlinkat']));
    assert.ok(out.has('unlinkat') && out.has('close') && out.has(PROCEXIT_SYSCALL));
  });

  test('event codes from the engine map back to event-type names', () => {
    const codes = [...eventTypeCodes('openat')!, ...eventTypeCodes('procexit')!];
    assert.deepEqual(eventCodesToEventTypes(codes), ['openat', 'procexit']);
    const withGeneric = eventCodesToEventTypes(eventTypeCodes('getppid')!);
    assert.ok(withGeneric.includes('getppid') && withGeneric.includes('fadvise64'), 'every generic syscall');
    assert.ok(!withGeneric.includes('openat'));
    const s = computeSyscallSelection({ rulesEventTypes: eventCodesToEventTypes(codes), baseSyscalls: { custom_set: ['execve'] } });
    assert.deepEqual(s.syscalls, ['execve', 'openat', PROCEXIT_SYSCALL]);
  });

  test('plugin event types are added', () => {
    const s = computeSyscallSelection({ rulesEventTypes: [], pluginEventTypes: ['ptrace'], baseSyscalls: { custom_set: ['execve'] } });
    assert.deepEqual(s.syscalls, ['execve', 'ptrace', PROCEXIT_SYSCALL]);
  });
});
