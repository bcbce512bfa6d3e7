// The syscall extractors as a whole: every declared field has one, every field (with sample
// arguments) extracts and renders on every event of real captures without throwing, and values
// have the representation of their declared type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { boundJson, boundText } from '../../src/fields/render.js';
import type { BoundField, FieldDef, FieldType } from '../../src/fields/types.js';
import { createSyscallSource, syscallExtractorFactories } from '../../src/fields/syscall/extractors/index.js';
import { ScapReplaySource } from '../../src/sources/scap-replay.js';
import type { SyscallEvent } from '../../src/state/syscall-event.js';
import { corpusOrSkip } from '../helpers/corpus.js';

test('every declared syscall field has an extractor, and every extractor a declared field', () => {
  const source = createSyscallSource();
  assert.deepEqual(source.fields.unimplemented().map((f) => f.name), []);
  const declared = new Set(source.fields.all().map((f) => f.name));
  const stray = Object.keys(syscallExtractorFactories()).filter((n) => !declared.has(n));
  assert.deepEqual(stray, []);
  assert.ok(declared.size > 250, `${declared.size} fields`);
});

/** The ways each field can be written (with sample arguments where it takes one). */
function spellings(def: FieldDef): string[] {
  const n = def.name;
  const arg = def.arg;
  if (arg === undefined) return [n];
  const optional = arg.required ? [] : [n];
  switch (arg.syntax) {
    case 'evt-type-is': return [`${n}.open`, `${n}.execve`];
    case 'evt-arg': return [`${n}.fd`, `${n}.name`, `${n}[0]`, `${n}[1]`];
    case 'evt-rawarg': return [`${n}.fd`, `${n}.res`, `${n}.name`];
    case 'evt-around': return [`${n}[1470327477881730713]`];
    case 'evt-abspath': return [n, `${n}.src`, `${n}.dst`];
    case 'cgroup': return [`${n}.cpu`, `${n}.memory`];
    case 'ancestor': return [...optional, `${n}[0]`, `${n}[1]`, `${n}[3]`];
    case 'env': return [...optional, `${n}[HOME]`, `${n}[PATH]`, `${n}[1]`];
    case 'fd-types': return [...optional, `${n}[0]`, `${n}[3]`];
    case 'bracket': {
      const out = [...optional];
      if (arg.index === true) out.push(`${n}[0]`);
      if (arg.key === true) out.push(`${n}[app]`, `${n}[/tmp]`);
      return out;
    }
  }
}

const NUMERIC: ReadonlySet<FieldType> = new Set<FieldType>([
  'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'ERRNO', 'FD', 'FD32', 'PID', 'PID32',
  'UID', 'GID', 'PORT', 'L4PROTO', 'SOCKFAMILY', 'MODE', 'FLAGS8', 'FLAGS16', 'FLAGS32', 'ENUMFLAGS8', 'ENUMFLAGS16',
  'ENUMFLAGS32', 'SYSCALLID', 'SIGTYPE', 'SIGSET', 'ABSTIME', 'RELTIME', 'DOUBLE',
]);
const STRINGS: ReadonlySet<FieldType> = new Set<FieldType>(['CHARBUF', 'FSPATH', 'FSRELPATH']);

/** Fields seen returning several values. */
const arrays = new Set<string>();

function checkValue(field: string, def: FieldDef, v: unknown): void {
  if (v === undefined) return;
  const items = Array.isArray(v) ? (v as unknown[]) : [v];
  if (Array.isArray(v)) arrays.add(field);
  for (const item of items) {
    if (NUMERIC.has(def.type)) assert.ok(typeof item === 'number' || typeof item === 'bigint', `${field}: ${typeof item}`);
    else if (STRINGS.has(def.type)) assert.equal(typeof item, 'string', field);
    else if (def.type === 'BOOL') assert.ok(typeof item === 'boolean' || item === 0 || item === 1, `${field}: ${String(item)}`);
  }
}

test('every field extracts and renders on every event of real captures', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const source = createSyscallSource();
  const fields: { text: string; def: FieldDef; bound: BoundField<SyscallEvent> }[] = [];
  for (const def of source.fields.all()) {
    for (const text of spellings(def)) {
      const bound = source.fields.bindText(text);
      assert.ok(bound !== undefined, `${text} binds`);
      fields.push({ text, def, bound });
    }
  }
  const seen = new Map<string, number>();
  for (const capture of ['libs_e2e/curl_google', 'psp/run_as_user_0_container', 'history/empty_with_containers', 'cat_write']) {
    const replay = await ScapReplaySource.open(path.join(corpus, 'captures', `${capture}.scap`));
    await replay.forEach((e) => {
      for (const f of fields) {
        let v: unknown;
        try {
          v = f.bound.extract(e);
          const txt = boundText(f.bound, e);
          assert.equal(typeof txt, 'string');
          boundJson(f.bound, e);
        } catch (err) {
          assert.fail(`${capture} event ${e.fileNum}: ${f.text} threw ${String(err)}`);
        }
        checkValue(f.text, f.def, v);
        if (v !== undefined) seen.set(f.def.name, (seen.get(f.def.name) ?? 0) + 1);
      }
    });
    await replay.close();
  }
  // Several values: list fields, the both-ends network fields, ancestor fields without an index
  // and proc.aenv (any ancestor's environment).
  const unexpected = [...arrays].filter((f) => {
    const def = source.fields.resolveText(f)!.def;
    return !(def.isList === true || ['fd.ip', 'fd.port', 'fd.proto', 'fd.net', 'proc.aenv'].includes(def.name) || (def.arg?.syntax === 'ancestor' && !f.includes('[')));
  });
  assert.deepEqual(unexpected, [], 'fields with several values that are neither lists nor any-match fields');
  // The corpus exercises most fields; the rest need data it does not have (k8s, plugins, mounts).
  const withValues = [...seen.keys()].length;
  assert.ok(withValues > 180, `fields with a value somewhere: ${withValues}`);
  for (const name of ['proc.name', 'proc.aname', 'fd.name', 'fd.sip', 'user.name', 'group.name', 'container.id', 'container.name', 'fs.path.name', 'fdlist.names', 'proc.env', 'thread.cgroup']) {
    assert.ok(seen.has(name), `${name} had a value`);
  }
});
