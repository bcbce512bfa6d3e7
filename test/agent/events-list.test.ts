// `--list-events` (text, markdown, JSON) and `-i`, through the real command line, checked against
// the event table they print from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EF, EVENT_INFO, EC } from '../../src/scap/event-table.js';
import { runPeregrine } from './helpers.js';

const IGNORED = ['pread', 'preadv', 'pwrite', 'pwritev', 'read', 'readv', 'recv', 'send', 'sendfile', 'write', 'writev'];

test('-i prints the ignored syscalls as Falco does', async () => {
  const r = await runPeregrine(['-i']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Ignored syscall(s):\n${IGNORED.map((n) => `- ${n}\n`).join('')}\n`);
});

test('--list-events: categories, current event versions only, generic syscalls by name, flag names', async () => {
  const r = await runPeregrine(['--list-events']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^The events below are valid for Falco \*Schema Version\*: \d+\.\d+\.\d+$/);
  assert.deepEqual(lines.filter((l) => l.startsWith('## ')), ['## Syscall events', '## Tracepoint events', '## Plugin events', '## Metaevents']);
  assert.ok(lines.includes('< close(ERRNO **res**, FD **fd**)'));
  // One line per direction of each current event: no old versions.
  assert.equal(lines.filter((l) => l.startsWith('< open(')).length, 1);
  assert.match(lines.find((l) => l.startsWith('< open('))!, /^< open\(FD \*\*fd\*\*, FSPATH \*\*name\*\*, FLAGS32 \*\*flags\*\*: (\w+, )*O_CREAT, (\w+, )*UINT32 \*\*mode\*\*/);
  // A syscall without a dedicated event is listed by name as a generic event.
  assert.ok(lines.includes('> fsopen(SYSCALLID **ID**, UINT16 **nativeID**)'));
  assert.ok(lines.includes('< fsopen(SYSCALLID **ID**, UINT16 **nativeID**)'));
  assert.ok(!lines.some((l) => /^[<>] syscall\(/.test(l)), 'generic events are not listed under their own name');
  const tracepoints = lines.slice(lines.indexOf('## Tracepoint events'), lines.indexOf('## Plugin events'));
  assert.ok(tracepoints.some((l) => l.startsWith('> sched_process_exit(') || l.startsWith('> procexit(')), tracepoints.join('\n'));
  // Every listed non-generic event is a current event of the table.
  const current = new Set(EVENT_INFO.filter((e) => !(e.flags & (EF.OLD_VERSION | EF.UNUSED)) && e.category !== EC.UNKNOWN).map((e) => e.dir + ' ' + e.name));
  for (const line of lines.filter((l) => /^[<>] /.test(l))) {
    const key = line.slice(0, line.indexOf('('));
    if (line.includes('**nativeID**') && !current.has(key)) continue; // generic
    assert.ok(current.has(key), line);
  }
});

test('--list-events --format markdown says which events are captured by default', async () => {
  const r = await runPeregrine(['--list-events', '--format', 'markdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /## Syscall events\n\nDefault \| Dir \| Name \| Params \n:-------\|:----\|:-----\|:-----\n/);
  assert.match(r.stdout, /^No \| `<` \| `read` \| ERRNO \*\*res\*\*, BYTEBUF \*\*data\*\*/m);
  assert.match(r.stdout, /^Yes \| `<` \| `open` \| FD \*\*fd\*\*, FSPATH \*\*name\*\*, FLAGS32 \*\*flags\*\*: \*O_LARGEFILE\*, /m);
});

test('--list-events --format json: one array per category, parameters with types and flags', async () => {
  const r = await runPeregrine(['--list-events', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  type Entry = { name: string; dir: string; available: boolean; params: { name: string; type: string; flags?: string[] }[] };
  const doc = JSON.parse(r.stdout) as Record<string, Entry[] | string>;
  assert.deepEqual(Object.keys(doc), ['Metaevents', 'Plugin events', 'Syscall events', 'Tracepoint events', 'schema_version']);
  const syscalls = doc['Syscall events'] as Entry[];
  const openExit = syscalls.find((e) => e.name === 'open' && e.dir === '<')!;
  assert.equal(openExit.available, true);
  assert.deepEqual(openExit.params.map((p) => `${p.type} ${p.name}`), ['FD fd', 'FSPATH name', 'FLAGS32 flags', 'UINT32 mode', 'UINT32 dev', 'UINT64 ino']);
  assert.ok(openExit.params[2]!.flags!.includes('O_CREAT'));
  assert.equal(syscalls.find((e) => e.name === 'write' && e.dir === '<')!.available, false);
  assert.ok((doc['Metaevents'] as Entry[]).some((e) => e.name === 'drop'));
});
