import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileOutputFormat, OutputFormatError } from '../../src/engine/output-format.js';
import { testSource, type TestEvent } from './condition/test-source.js';

const evt: TestEvent = {
  type: 'open',
  name: 'bash',
  pname: 'sshd',
  pid: 42,
  fdname: '/etc/shadow',
  args: ['-c', 'ls'],
  ancestors: ['sshd', 'systemd'],
  sip: 0x0a000001,
  rawtime: 1700000000123456789n,
  mode: 0o644,
  buffer: new Uint8Array([0x41, 0x00, 0x42]),
};

function formatError(format: string): OutputFormatError {
  try {
    compileOutputFormat(format, testSource);
  } catch (e) {
    assert.ok(e instanceof OutputFormatError, String(e));
    return e;
  }
  assert.fail(`expected ${JSON.stringify(format)} not to compile`);
}

test('fields are replaced by their values, text is kept, missing values print <NA>', () => {
  const f = compileOutputFormat('File opened (user=%proc.name file=%fd.name cmd=%proc.cmdline)', testSource);
  assert.equal(f.text(evt), 'File opened (user=bash file=/etc/shadow cmd=<NA>)');
  assert.deepEqual(f.fieldNames, ['proc.name', 'fd.name', 'proc.cmdline']);
  assert.equal(f.requiresAllValues, true);
  assert.equal(compileOutputFormat('no fields at all', testSource).text(evt), 'no fields at all');
  assert.equal(compileOutputFormat('%proc.name', testSource).text(evt), 'bash');
});

test('values render by type: numbers, times, lists, addresses, octal modes, buffers', () => {
  const f = compileOutputFormat('%proc.pid %evt.rawtime %proc.args %fd.sip %evt.mode %evt.buffer %evt.is_open_read', testSource);
  assert.equal(f.text({ ...evt, isOpenRead: true }), '42 1700000000123456789 (-c,ls) 10.0.0.1 644 A.B true');
});

test('a leading * allows missing values; without it textIfComplete drops the event', () => {
  const strict = compileOutputFormat('%proc.name %proc.cmdline', testSource);
  assert.equal(strict.textIfComplete(evt), undefined);
  assert.equal(strict.text(evt), 'bash <NA>');
  assert.equal(strict.textIfComplete({ ...evt, cmdline: 'ls' }), 'bash ls');
  const lenient = compileOutputFormat('*%proc.name %proc.cmdline', testSource);
  assert.equal(lenient.requiresAllValues, false);
  assert.equal(lenient.textIfComplete(evt), 'bash <NA>');
  assert.equal(lenient.text(evt), 'bash <NA>');
  assert.equal(compileOutputFormat('*', testSource).text(evt), '');
});

test('field arguments and transformers as tokens', () => {
  const f = compileOutputFormat('%proc.aname[2]/%proc.aname[1] %tolower(proc.pname) %toupper(proc.name)!', testSource);
  assert.equal(f.text(evt), 'systemd/sshd sshd BASH!');
  assert.equal(compileOutputFormat('%concat(proc.name, "-", proc.pname)', testSource).text(evt), 'bash-sshd');
  assert.equal(compileOutputFormat('%len(proc.args)', testSource).text(evt), '2');
  assert.equal(compileOutputFormat('%getopt(proc.args, "c:")[c]', testSource).text(evt), 'ls');
  assert.equal(compileOutputFormat('%evt.arg.flags', testSource).text({ params: { flags: 'O_RDONLY' } }), 'O_RDONLY');
  assert.equal(compileOutputFormat('%proc.env[HOME]', testSource).text({ env: { HOME: '/root' } }), '/root');
});

test('a token is the longest prefix that is a field: the rest is text', () => {
  assert.equal(compileOutputFormat('%proc.namex', testSource).text(evt), 'bashx');
  assert.equal(compileOutputFormat('(%proc.name)', testSource).text(evt), '(bash)');
  assert.equal(compileOutputFormat('%proc.name.', testSource).text(evt), 'bash.');
  assert.equal(compileOutputFormat('%proc.name:%proc.pid', testSource).text(evt), 'bash:42');
  assert.equal(compileOutputFormat('%proc.aname[1]x', testSource).text(evt), 'sshdx');
  // proc.aname[x] is no field (a malformed ancestor argument): proc.aname, then text.
  assert.equal(compileOutputFormat('%proc.aname[x]', testSource).text(evt), 'bash[x]');
});

test('widths cut or pad values to exactly that many characters', () => {
  assert.equal(compileOutputFormat('|%10proc.name|%2fd.name|%0proc.pid|', testSource).text(evt), '|bash      |/e|42|');
  assert.equal(compileOutputFormat('%3proc.cmdline', testSource).text(evt), '<NA');
});

test('JSON output fields: every field named, inside transformers too, keys sorted', () => {
  const f = compileOutputFormat('%proc.name %tolower(proc.pname) %proc.aname[2] %proc.cmdline %proc.name %proc.args', testSource);
  assert.deepEqual(f.fieldNames, ['proc.name', 'proc.pname', 'proc.aname[2]', 'proc.cmdline', 'proc.args']);
  const fields = f.fields(evt);
  assert.deepEqual(fields, {
    'proc.aname[2]': 'systemd',
    'proc.args': ['-c', 'ls'],
    'proc.cmdline': null,
    'proc.name': 'bash',
    'proc.pname': 'sshd',
  });
  assert.deepEqual(Object.keys(fields), ['proc.aname[2]', 'proc.args', 'proc.cmdline', 'proc.name', 'proc.pname']);
  assert.deepEqual(compileOutputFormat('%proc.pid %evt.rawtime %fd.sip', testSource).fields(evt), {
    'evt.rawtime': 1700000000123456789n,
    'fd.sip': '10.0.0.1',
    'proc.pid': 42,
  });
  const withTransformed = compileOutputFormat('%tolower(toupper(proc.pname))', testSource, { includeTransformedFields: true });
  assert.deepEqual(withTransformed.fields(evt), { 'proc.pname': 'sshd', 'tolower(toupper(proc.pname))': 'sshd' });
});

test('format errors: Falco messages, the offset of the token, and unknown-field marking', () => {
  const unknown = formatError('An open was seen %not_a_real_field');
  assert.equal(unknown.message, "unknown filter: unexpected token after '");
  assert.equal(unknown.offset, 17);
  assert.equal(unknown.unknownFilter, true);
  assert.equal(formatError('x %proc.nobody').unknownFilter, true);
  assert.equal(formatError('100%%').message, "unknown filter: unexpected token after '");
  const end = formatError('abc %');
  assert.equal(end.message, 'invalid formatting syntax: formatting cannot end with a %');
  assert.equal(end.unknownFilter, false);
  assert.equal(formatError('abc %12').message, 'invalid formatting syntax: formatting cannot end with a number');
  assert.equal(formatError('').message, 'empty formatting token');
  assert.equal(formatError('%val(proc.name)').message, "unknown filter: unexpected token after '");
});
