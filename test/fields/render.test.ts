// Rendering of field values to text and JSON, per type, and against the values Falco 0.44.1 emitted
// for the reference captures (oracle-falco).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import { boundJson, boundText, bytesText, doubleText, ipText, ipv6Text, renderJson, renderText } from '../../src/fields/render.js';
import { createSyscallSourceDefinition } from '../../src/sources/syscall/definition.js';
import type { FieldDef, FieldType } from '../../src/fields/types.js';
import { corpusOrSkip } from '../helpers/corpus.js';

const syscall = createSyscallSourceDefinition<unknown>().fields;
const def = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name: 'x.y', className: 'x', type, desc: 'test', ...extra });
const field = (name: string): FieldDef => syscall.lookup(name)!;

/** IPv6 text → 16 bytes (test helper; accepts '::' and a trailing dotted IPv4). */
function ipv6Bytes(text: string): Uint8Array {
  let t = text;
  const words: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(t);
  if (v4) t = t.slice(0, v4.index) + (((+v4[1]! << 8) | +v4[2]!).toString(16) + ':' + ((+v4[3]! << 8) | +v4[4]!).toString(16));
  const [head, tail] = t.split('::') as [string, string | undefined];
  const part = (s: string | undefined): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = part(head);
  const tl = part(tail);
  words.push(...h, ...new Array<number>(tail === undefined ? 0 : 8 - h.length - tl.length).fill(0), ...tl);
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

test('missing values: <NA> in text, null in JSON', () => {
  assert.equal(renderText(field('proc.name'), undefined), '<NA>');
  assert.equal(renderJson(field('proc.name'), undefined), null);
  assert.equal(renderText(field('fd.types'), undefined), '<NA>');
});

test('integers: decimal; JSON numbers; 64-bit times exact as bigint', () => {
  assert.equal(renderText(field('proc.pid'), 1234), '1234');
  assert.equal(renderJson(field('proc.pid'), 1234), 1234);
  assert.equal(renderText(field('user.loginuid'), -1), '-1');
  assert.equal(renderJson(field('user.loginuid'), -1), -1);
  assert.equal(renderText(field('fd.sport'), 443), '443');
  const ts = 1522704422999999999n;
  assert.equal(renderText(field('evt.rawtime'), ts), '1522704422999999999');
  assert.equal(renderJson(field('evt.rawtime'), ts), ts);
  assert.equal(renderText(field('evt.num'), 42), '42');
});

test('print formats: hex device numbers, 9-digit zero-padded nanoseconds', () => {
  assert.equal(renderText(field('fd.dev'), 0x803), '803');
  assert.equal(renderText(field('fd.dev'), 0xfd01), 'FD01');
  assert.equal(renderText(field('fd.dev'), -1), 'FFFFFFFF');
  assert.equal(renderJson(field('fd.dev'), 0xfd01), 'FD01', 'hex values are strings in JSON');
  assert.equal(renderText(field('evt.rawtime.ns'), 1234n), '000001234');
  assert.equal(renderText(field('evt.reltime.ns'), 999999999n), '999999999');
  assert.equal(renderText(def('INT64', { printFormat: 'PADDED_DEC' }), -5), '-00000005');
  assert.equal(renderText(def('INT64', { printFormat: 'HEX' }), -1), 'FFFFFFFFFFFFFFFF');
  assert.equal(renderText(def('UINT32', { printFormat: 'OCT' }), 0o755), '755');
  // evt.rawarg takes the parameter's format: open flags print in hex
  const flags = syscall.bind('evt.rawarg.flags', undefined)!;
  assert.equal(renderText(flags.def, 0x241), '241');
  assert.equal(renderText(flags.def, 0xc0), 'C0');
});

test('doubles print with one decimal as printf("%.1f") does', () => {
  // Expected values from C's printf (glibc, via Python's % operator).
  const cases: [number, string][] = [
    [0.25, '0.2'], [0.75, '0.8'], [1.25, '1.2'], [2.5, '2.5'], [0.15, '0.1'], [0.05, '0.1'], [0.35, '0.3'],
    [-0.25, '-0.2'], [-1.25, '-1.2'], [0, '0.0'], [1 / 3, '0.3'], [2 / 3, '0.7'], [12345.678, '12345.7'],
    [0.95, '0.9'], [9.95, '9.9'], [-0.05, '-0.1'], [1e-9, '0.0'], [123456789.25, '123456789.2'],
  ];
  for (const [v, want] of cases) assert.equal(doubleText(v), want, String(v));
  assert.equal(renderText(field('proc.fdusage'), 0.25), '0.2');
  assert.equal(renderJson(field('proc.fdusage'), 0.25), 0.25);
});

test('booleans and strings', () => {
  assert.equal(renderText(field('evt.failed'), true), 'true');
  assert.equal(renderText(field('evt.failed'), false), 'false');
  assert.equal(renderJson(field('evt.failed'), false), false);
  assert.equal(renderText(field('proc.cmdline'), 'bash -c "ls"'), 'bash -c "ls"');
  assert.equal(renderJson(field('proc.cmdline'), ''), '');
});

test('byte buffers: printable ASCII kept, other bytes as dots, cut at 1021 characters; base64 option', () => {
  const buf = Uint8Array.from([0x68, 0x69, 0x0a, 0x00, 0x7e, 0x7f, 0x20, 0xc3, 0xa9]);
  assert.equal(bytesText(buf), 'hi..~. ..');
  assert.equal(renderText(field('evt.buffer'), buf), 'hi..~. ..');
  assert.equal(renderJson(field('evt.buffer'), buf), 'hi..~. ..');
  assert.equal(renderText(field('evt.buffer'), buf, { bufferFormat: 'base64' }), Buffer.from(buf).toString('base64'));
  assert.equal(bytesText(new Uint8Array(5000).fill(0x41)).length, 1021);
  assert.equal(bytesText(new Uint8Array(0)), '');
});

test('IPv4 addresses', () => {
  assert.equal(renderText(field('fd.sip'), 0x7f000001), '127.0.0.1');
  assert.equal(renderText(field('fd.cip'), 0xc0a80a01), '192.168.10.1');
  assert.equal(renderJson(field('fd.rip'), 0x0a00020f), '10.0.2.15');
  assert.equal(ipText(Uint8Array.from([10, 0, 0, 1])), '10.0.0.1');
});

test('IPv6 addresses are compressed as glibc inet_ntop does', () => {
  // Byte strings and their inet_ntop text, from glibc (Python's socket.inet_ntop).
  const cases: [string, string][] = [
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000002030405', '::2.3.4.5'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00010000000000010000000000000001', '1:0:0:1::1'],
    ['00010000000100000001000000010000', '1:0:1:0:1:0:1:0'],
    ['20010db8000000000000000000000000', '2001:db8::'],
    ['00000000000000010000000000000001', '::1:0:0:0:1'],
    ['00000000000000000000000100000000', '::1:0:0'],
    ['00000000000000000000000000000002', '::2'],
    ['fe800000000000000000000000010002', 'fe80::1:2'],
  ];
  for (const [bytes, text] of cases) assert.equal(ipv6Text(hex(bytes)), text, bytes);
  assert.equal(renderText(field('fd.sip'), hex('20014860486000000000000000008888')), '2001:4860:4860::8888');
});

test('networks print as <IPNET>', () => {
  assert.equal(renderText(def('IPNET'), { addr: 0x0a000000, prefix: 8 }), '<IPNET>');
});

test('lists: (a,b) in text, arrays in JSON; an empty list is () and null; cut at 1023 characters', () => {
  const types = field('fd.types');
  assert.equal(renderText(types, ['file', 'ipv4']), '(file,ipv4)');
  assert.deepEqual(renderJson(types, ['file', 'ipv4']), ['file', 'ipv4']);
  assert.equal(renderText(types, []), '()');
  assert.equal(renderJson(types, []), null);
  const long = renderText(types, new Array(400).fill('abcd'));
  assert.equal(long.length, 1023);
  assert.ok(long.startsWith('(abcd,abcd'));
  const ports = def('PORT', { isList: true });
  assert.equal(renderText(ports, [80, 443]), '(80,443)');
  assert.deepEqual(renderJson(ports, [80, 443]), [80, 443]);
});

test('bound fields use their own renderers when they define them', () => {
  const reg = createSyscallSourceDefinition<{ ts: bigint }>().fields;
  reg.implement('evt.time', () => ({
    extract: (e) => `time:${e.ts}`,
    toJson: (e) => e.ts,
  }));
  reg.implement('evt.rawtime', () => ({ extract: (e) => e.ts }));
  const time = reg.bind('evt.time', undefined)!;
  const raw = reg.bind('evt.rawtime', undefined)!;
  const evt = { ts: 7n };
  assert.equal(boundText(time, evt), 'time:7');
  assert.equal(boundJson(time, evt), 7n);
  assert.equal(boundText(raw, evt), '7');
  assert.equal(boundJson(raw, evt), 7n);
  const missing = reg.bind('proc.name', undefined)!;
  assert.equal(boundText(missing, evt), '<NA>');
  assert.equal(boundJson(missing, evt), null);
});

/** JSON kind each declared type renders as; fields whose extractor renders JSON its own way are listed. */
const JSON_KIND_OVERRIDES: Readonly<Record<string, string>> = { 'evt.time': 'number' };

function jsonKind(d: FieldDef): string {
  const sample: Record<string, unknown> = { BOOL: true, DOUBLE: 0.5, CHARBUF: 'x', BYTEBUF: new Uint8Array(1), IPADDR: 1 };
  const value = sample[d.type] ?? (d.type === 'ABSTIME' || d.type === 'RELTIME' ? 1n : 1);
  const rendered = renderJson(d, value as never);
  return typeof rendered === 'bigint' ? 'number' : typeof rendered;
}

function oracleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = path.join(dir, e);
    return statSync(full).isDirectory() ? oracleFiles(full) : e.endsWith('.jsonl') ? [full] : [];
  });
}

test('declared types give the JSON kinds Falco 0.44.1 emitted, and IP texts round-trip', (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const kindsSeen = new Map<string, Set<string>>();
  const ips = new Set<string>();
  for (const file of oracleFiles(path.join(corpus, 'oracle-falco'))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      for (const [key, value] of Object.entries(JSON.parse(line) as Record<string, unknown>)) {
        if (value === null) continue;
        let kinds = kindsSeen.get(key);
        if (!kinds) kindsSeen.set(key, (kinds = new Set()));
        kinds.add(typeof value);
        if (/^fd\.[cslr]ip$/.test(key)) ips.add(value as string);
      }
    }
  }
  assert.ok(kindsSeen.size >= 50, 'oracle fields found');
  for (const [text, kinds] of kindsSeen) {
    const m = /^([^[]+)(?:\[(.*)\])?$/.exec(text)!;
    const bound = syscall.bind(m[1]!, m[2] === undefined ? undefined : { raw: m[2] });
    assert.ok(bound, `${text} resolves`);
    const want = JSON_KIND_OVERRIDES[text] ?? jsonKind(bound.def);
    assert.deepEqual([...kinds], [want], `${text}: Falco emitted ${[...kinds]}, type ${bound.def.type} renders ${want}`);
  }
  assert.ok(ips.size > 5);
  for (const ip of ips) {
    if (isIPv4(ip)) {
      const n = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
      assert.equal(renderText(field('fd.sip'), n), ip);
    } else {
      assert.ok(isIPv6(ip), ip);
      assert.equal(renderText(field('fd.sip'), ipv6Bytes(ip)), ip);
    }
  }
});
