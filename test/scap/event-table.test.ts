import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  EVENT_CODE, EVENT_CODE_COUNT, EVENT_INFO, EF, PT, categoryName, eventInfo, eventTypeCodes, eventTypeNames,
  genericSyscallName, ppmScCode, ppmScName, syscallByNumber,
} from '../../src/scap/event-table.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';

test('every event code has an entry whose direction follows the code parity', () => {
  assert.equal(EVENT_INFO.length, EVENT_CODE_COUNT);
  for (const info of EVENT_INFO) {
    assert.equal(info.isEnter, info.code % 2 === 0, info.enumName);
    assert.equal(info.dir, info.isEnter ? '>' : '<');
    assert.ok(info.name.length > 0);
  }
  assert.equal(eventInfo(EVENT_CODE_COUNT), undefined);
});

test('open exit lists its parameters with types, formats and the flag table', () => {
  const open = eventInfo(EVENT_CODE.SYSCALL_OPEN_X)!;
  assert.equal(open.name, 'open');
  assert.deepEqual(open.params.map((p) => p.name), ['fd', 'name', 'flags', 'mode', 'dev', 'ino']);
  assert.equal(open.params[0].type, PT.FD);
  assert.equal(open.paramIndex('flags'), 2);
  assert.equal(open.paramIndex('nope'), -1);
  const flags = open.params[2].flagTable!;
  assert.ok(flags.some(([n, v]) => n === 'O_CLOEXEC' && v === 1 << 12));
  assert.equal(categoryName(open.category), 'file');
  // openat's relative path names the dirfd parameter it is relative to.
  const openat = eventInfo(EVENT_CODE.SYSCALL_OPENAT_2_X)!;
  const nameParam = openat.params[openat.paramIndex('name')];
  assert.equal(nameParam.type, PT.FSRELPATH);
  assert.equal(openat.params[nameParam.dirfdParam!].name, 'dirfd');
});

test('old, unused and large-payload flags are carried', () => {
  assert.ok(eventInfo(EVENT_CODE.SYSCALL_EXECVE_8_X)!.flags & EF.OLD_VERSION);
  assert.ok(EVENT_INFO.some((e) => e.flags & EF.UNUSED));
  assert.ok(eventInfo(EVENT_CODE.PLUGINEVENT_E)!.largePayload);
  assert.ok(!eventInfo(EVENT_CODE.SYSCALL_OPEN_X)!.largePayload);
});

test('event-type names resolve to every version, enter and exit, or to the generic codes', () => {
  const execve = eventTypeCodes('execve')!;
  for (const c of [EVENT_CODE.SYSCALL_EXECVE_8_E, EVENT_CODE.SYSCALL_EXECVE_8_X,
    EVENT_CODE.SYSCALL_EXECVE_19_E, EVENT_CODE.SYSCALL_EXECVE_19_X]) {
    assert.ok(execve.includes(c), `execve includes ${c}`);
  }
  assert.ok(execve.every((c) => EVENT_INFO[c].name === 'execve'));
  assert.deepEqual(eventTypeCodes('fadvise64'), [EVENT_CODE.GENERIC_E, EVENT_CODE.GENERIC_X]);
  assert.equal(eventTypeCodes('syscall'), undefined, 'generic events are not selected by their table name');
  assert.equal(eventTypeCodes('no_such_syscall'), undefined);
  const names = eventTypeNames();
  assert.ok(names.includes('open') && names.includes('fadvise64') && !names.includes('NA'));
});

test('syscall tables: ppm_sc names and x86_64 numbers', () => {
  assert.equal(ppmScName(0), 'unknown');
  assert.equal(ppmScName(syscallByNumber(257)!.ppmSc), 'openat');
  assert.equal(ppmScCode('openat'), syscallByNumber(257)!.ppmSc);
  assert.equal(syscallByNumber(257)!.name, 'openat');
  assert.equal(syscallByNumber(257)!.exitEvent, EVENT_CODE.SYSCALL_OPENAT_2_X);
  assert.equal(syscallByNumber(221)!.name, 'fadvise64');
  assert.equal(syscallByNumber(221)!.exitEvent, EVENT_CODE.GENERIC_X);
  assert.equal(genericSyscallName(ppmScCode('fadvise64')!), 'fadvise64');
  assert.equal(genericSyscallName(0, 221), 'fadvise64', 'native id fallback');
  assert.equal(genericSyscallName(0), 'unknown');
});

test('categories print as libsinsp prints them', () => {
  assert.equal(categoryName(eventInfo(EVENT_CODE.PROCINFO_E)!.category), 'internal');
  assert.equal(categoryName(eventInfo(EVENT_CODE.SYSCALL_READ_X)!.category), 'unknown');
  assert.equal(categoryName(eventInfo(EVENT_CODE.SYSCALL_READ_X)!.category, 'file'), 'file');
  assert.equal(categoryName(eventInfo(EVENT_CODE.SOCKET_CONNECT_X)!.category), 'net');
});

test('every event type in the reference counts is a known event-type name', (t) => {
  if (!corpusOrSkip(t)) return;
  for (const capture of ['cat_write', 'connect_localhost', 'syscall', 'ping_sendto', 'psp/run_as_user_0_container']) {
    const counts = JSON.parse(readFileSync(corpusPath('oracle', `${capture}.counts.json`), 'utf8')) as {
      by_evt_type: Record<string, unknown>;
    };
    for (const name of Object.keys(counts.by_evt_type)) {
      if (name === '<unknown>') continue;
      assert.ok(eventTypeCodes(name), `${capture}: ${name}`);
    }
  }
});
