import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileCondition,
  ConditionCompileError,
  parseCondition,
  type Ast,
  type CompiledCondition,
} from '../../../src/engine/condition/index.js';
import { extractions, testSource, type TestEvent } from './test-source.js';

const STRATEGIES = ['codegen', 'closures'] as const;

function compileBoth(condition: string): CompiledCondition<TestEvent>[] {
  const ast = parseCondition(condition);
  return STRATEGIES.map((strategy) => compileCondition(ast, testSource, { strategy }));
}

/** Asserts the condition's result on `evt`, with both evaluation strategies. */
function check(condition: string, evt: TestEvent, expected: boolean): void {
  for (const [i, c] of compileBoth(condition).entries()) {
    assert.equal(c.evaluate(evt), expected, `${STRATEGIES[i]}: ${condition} on ${JSON.stringify(evt, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  }
}

function compileError(condition: string): ConditionCompileError {
  try {
    compileCondition(parseCondition(condition), testSource);
  } catch (e) {
    assert.ok(e instanceof ConditionCompileError, `expected a compile error, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${condition} not to compile`);
}

const bash: TestEvent = { type: 'open', name: 'bash', pname: 'sshd', pid: 42, ppid: 1, fdname: '/etc/shadow' };

test('string comparisons: = == != < <= > >= contains startswith endswith', () => {
  check('proc.name = bash', bash, true);
  check('proc.name == bash', bash, true);
  check('proc.name = Bash', bash, false);
  check('proc.name != bash', bash, false);
  check('proc.name != zsh', bash, true);
  // The grammar takes only numbers after < <= > >=; strings then compare as C strings.
  check('proc.name < 5', { name: '10' }, true);
  check('proc.name <= 10', { name: '10' }, true);
  check('proc.name > 5', { name: 'bash' }, true);
  check('proc.name >= 5', { name: '49' }, false);
  check('proc.name < val(proc.pname)', { name: 'bash', pname: 'bat' }, true);
  check('fd.name contains /sha', bash, true);
  check('fd.name contains ""', bash, true);
  check('fd.name startswith /etc/', bash, true);
  check('fd.name startswith /etc/x', bash, false);
  check('fd.name endswith shadow', bash, true);
  check('fd.name endswith /etc/shadowx', bash, false);
  check('proc.name in (zsh, bash)', bash, true);
  check('proc.name in (zsh, sh)', bash, false);
  check('proc.name in (bash)', bash, true);
  check('proc.name in ()', bash, false);
  check('proc.name intersects (bash, x)', bash, true);
});

test('icontains folds ASCII case only (strcasestr in the C locale)', () => {
  check('proc.cmdline icontains PASSWD', { cmdline: 'cat /etc/passwd' }, true);
  check('proc.cmdline icontains passwd', { cmdline: 'CAT /ETC/PASSWD' }, true);
  check('proc.cmdline icontains é', { cmdline: 'É' }, false);
  check('proc.cmdline icontains "É"', { cmdline: 'xÉy' }, true);
});

test('a missing value makes every check false, != included; exists tests presence', () => {
  const none: TestEvent = {};
  for (const c of [
    'proc.name = bash', 'proc.name != bash', 'proc.name contains a', 'proc.name in (a)', 'proc.pid > 1', 'proc.pid != 1',
    'proc.name glob "*"', 'proc.name pmatch (/)', 'proc.name regex ".*"', 'proc.name startswith anyof (a)',
    'proc.name != allof (a)', 'proc.name exists', 'proc.args in (a)', 'proc.args exists', 'fd.ip != 1.2.3.4',
  ]) {
    check(c, none, false);
  }
  check('not proc.name = bash', none, true);
  check('not proc.name != bash', none, true);
  check('proc.name exists', { name: '' }, true);
  check('proc.name = ""', { name: '' }, true);
  check('test.unimplemented exists', bash, false);
});

test('glob and iglob follow fnmatch: * crosses slashes, ?, brackets, escapes', () => {
  const f = (fdname: string): TestEvent => ({ fdname });
  check("fd.name glob '/home/*/.ssh/*'", f('/home/u/.ssh/id_rsa'), true);
  check("fd.name glob '/home/*/.ssh/*'", f('/home/a/b/.ssh/x'), true);
  check("fd.name glob '/home/*/.ssh/*'", f('/root/.ssh/x'), false);
  check("fd.name glob '*../*../*'", f('/x/../../etc'), true);
  check('fd.name glob /tmp/?.sh', f('/tmp/a.sh'), true);
  check('fd.name glob /tmp/?.sh', f('/tmp/ab.sh'), false);
  check('fd.name glob "/tmp/[abc].sh"', f('/tmp/b.sh'), true);
  check('fd.name glob "/tmp/[!abc].sh"', f('/tmp/b.sh'), false);
  check('fd.name glob "/tmp/[!abc].sh"', f('/tmp/d.sh'), true);
  check('fd.name glob "/tmp/[a-c]x"', f('/tmp/bx'), true);
  check('fd.name glob "[[:digit:]]*"', f('7z'), true);
  check('fd.name glob "a\\\\*"', f('a*'), true);
  check('fd.name glob "a\\\\*"', f('ab'), false);
  check('fd.name glob "a["', f('a['), true);
  check('fd.name glob "*"', f(''), true);
  check('fd.name glob "abc"', f('abc'), true);
  check('fd.name glob "abc"', f('abcd'), false);
  check('fd.name glob "*bc"', f('abc'), true);
  check('fd.name glob "ab*"', f('abc'), true);
  check('fd.name glob "*b*"', f('abc'), true);
  check('fd.name iglob "/ETC/*"', f('/etc/passwd'), true);
  check('fd.name iglob "/etc/[A-Z]*"', f('/etc/passwd'), true);
  check('fd.name glob "/ETC/*"', f('/etc/passwd'), false);
});

test('pmatch matches path prefixes by whole components, with globs per component', () => {
  const f = (fdname: string): TestEvent => ({ fdname });
  check('fd.name pmatch (/a/b)', f('/a/b'), true);
  check('fd.name pmatch (/a/b)', f('/a/b/c/d'), true);
  check('fd.name pmatch (/a/b)', f('/a/bc'), false);
  check('fd.name pmatch (/a/b)', f('/a'), false);
  check('fd.name pmatch (/a/b/)', f('/a//b/x'), true);
  check('fd.name pmatch (/x, /a/b)', f('/a/b/c'), true);
  check('fd.name pmatch (/a/b/c, /a/b)', f('/a/b/d'), true);
  check('fd.name pmatch (/etc/*/conf)', f('/etc/app/conf/x'), true);
  check('fd.name pmatch (/etc/*/conf)', f('/etc/app/other'), false);
  check('fd.name pmatch (/)', f('/anything/at/all'), true);
  check('fd.name pmatch ()', f('/a'), false);
  check('not fd.name pmatch (/usr, /etc)', f('/tmp/x'), true);
});

test('regex matches the whole value with RE2 POSIX syntax', () => {
  const n = (name: string): TestEvent => ({ name });
  check('proc.name regex "ba.*"', n('bash'), true);
  check('proc.name regex "as"', n('bash'), false);
  check('proc.name regex ".*as.*"', n('bash'), true);
  check('proc.name regex "^(ba|z)sh$"', n('zsh'), true);
  check('proc.name regex "[[:alpha:]]+[0-9]"', n('python3'), true);
  check('proc.name regex "a.b"', n('a\nb'), false);
  check('proc.name regex "a[^x]b"', n('a\nb'), true);
  check('proc.name regex "x{2,3}"', n('xxx'), true);
  check('proc.name regex "x{2,3}"', n('xxxx'), false);
  check('proc.name regex "a**"', n('aaa'), true);
  check('proc.name regex "a\\\\.b"', n('a.b'), true);
  check('proc.name regex "a\\\\.b"', n('axb'), false);
  check('proc.name regex ""', n(''), true);
  assert.equal(compileError('proc.name regex "\\\\d+"').message, 'invalid regex pattern: invalid escape sequence: \\d');
  assert.equal(compileError('proc.name regex "(?i)bash"').message, 'invalid regex pattern: missing argument to repetition operator: ?');
  assert.equal(compileError('proc.name regex "(ab"').message, 'invalid regex pattern: missing ): (ab');
  assert.equal(compileError('proc.name regex "[ab"').message, 'invalid regex pattern: missing ]: [ab');
  // A pathological pattern does not hang evaluation (V8 falls back to its linear engine).
  const t0 = Date.now();
  check('proc.name regex "(a+)+b"', n('a'.repeat(40)), false);
  assert.ok(Date.now() - t0 < 5000);
});

test('numbers: decimal literals converted to the field type, as libsinsp scans them', () => {
  check('proc.pid = 42', bash, true);
  check('proc.pid = +42', bash, true);
  check('proc.pid = 042', bash, true);
  check('proc.pid != 42', bash, false);
  check('proc.pid > 41 and proc.pid < 43 and proc.pid >= 42 and proc.pid <= 42', bash, true);
  check('proc.pid in (1, 42)', bash, true);
  check('proc.pid in (1, 2)', bash, false);
  check('proc.pid = "42"', bash, true);
  check('proc.pid = -1', { pid: -1 }, true);
  // Unsigned 32-bit: -1 wraps as C's scanf into an unsigned does.
  check('user.uid = -1', { uid: 4294967295 }, true);
  check('user.uid = 0', { uid: 0 }, true);
  check('evt.num > 10', { num: 11 }, true);
  check('evt.duration > 1.5', { duration: 2 }, true);
  assert.equal(compileError('proc.pid = 0x10').message, '0x10 is not a valid number');
  assert.equal(compileError('proc.pid = 1.5').message, '1.5 is not a valid number');
  assert.equal(compileError('proc.pid = abc').message, 'abc is not a valid number');
  assert.equal(compileError('proc.pid in (1, x)').pos.offset, 16);
  assert.equal(compileError('proc.pid contains 1').message, "filter error: 'contains' operator not supported for numeric filters");
  assert.equal(compileError('proc.pid pmatch (1)').message, "filter error: 'pmatch' operator not supported for numeric filters");
  assert.deepEqual(compileError('proc.pid glob 1').pos, { offset: 9, line: 1, column: 10 });
});

test('times compare exactly as bigint', () => {
  const t: TestEvent = { rawtime: 1700000000123456789n };
  check('evt.rawtime = 1700000000123456789', t, true);
  check('evt.rawtime = 1700000000123456788', t, false);
  check('evt.rawtime > 1700000000123456788', t, true);
  check('evt.rawtime in (1, 1700000000123456789)', t, true);
  check('evt.rawtime != 1', t, true);
});

test('booleans: true and false only', () => {
  check('evt.is_open_read = true', { isOpenRead: true }, true);
  check('evt.is_open_read = false', { isOpenRead: true }, false);
  check('evt.is_open_read != false', { isOpenRead: true }, true);
  check('evt.is_open_read in (true)', { isOpenRead: true }, true);
  assert.equal(compileError('evt.is_open_read = 1').message, 'filter error: unrecognized boolean value 1');
  assert.equal(compileError('evt.is_open_read > 1').message, "filter error: '>' operator not supported for numeric filters");
  assert.equal(compileError('evt.is_open_read contains t').message, "filter error: 'contains' operator not supported for numeric filters");
});

test('byte buffers: hex literals for bcontains/bstartswith, raw text for the others', () => {
  const b: TestEvent = { buffer: new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0x41, 0x42]) };
  check('evt.buffer bcontains cafebabe', b, true);
  check('evt.buffer bcontains CAFEBABE', b, true);
  check('evt.buffer bcontains febabe41', b, true);
  check('evt.buffer bcontains babe00', b, false);
  check('evt.buffer bstartswith cafe', b, true);
  check('evt.buffer bstartswith fe', b, false);
  check('evt.buffer contains AB', b, true);
  check('evt.buffer endswith AB', b, true);
  check('evt.buffer startswith AB', b, false);
  check('evt.buffer = AB', { buffer: new Uint8Array([0x41, 0x42]) }, true);
  check('evt.buffer != AB', { buffer: new Uint8Array([0x41, 0x42]) }, false);
  check('evt.buffer bcontains ""', b, true);
  const odd = compileError('evt.buffer bcontains abc');
  assert.equal(odd.message, 'filter error: bcontains and bstartswith operator support hex strings only');
  assert.equal(compileError('evt.buffer bstartswith zz').message, 'filter error: bcontains and bstartswith operator support hex strings only');
  assert.equal(compileError('proc.name bcontains 41').message, "filter error: 'bcontains' operator not supported for string filters");
  assert.equal(compileError('evt.buffer glob x').message, "filter error: 'glob' operator not supported for buffer filters");
});

test('IP addresses and networks', () => {
  const v4: TestEvent = { sip: 0x0a000001, cip: 0xc0a80002 };
  const v6: TestEvent = { sip: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) };
  check('fd.sip = 10.0.0.1', v4, true);
  check('fd.sip = 10.0.0.2', v4, false);
  check('fd.sip != 10.0.0.2', v4, true);
  check('fd.sip in (1.1.1.1, 10.0.0.1)', v4, true);
  check('fd.sip = ::1', v6, true);
  check('fd.sip = "0:0:0:0:0:0:0:1"', v6, true);
  // Different families are never equal.
  check('fd.sip = ::1', v4, false);
  check('fd.sip != ::1', v4, true);
  check('fd.sip != 10.0.0.1', v6, true);
  check('fd.snet = 10.0.0.0/8', v4, true);
  check('fd.snet = 10.1.0.0/16', v4, false);
  check('fd.snet != 10.1.0.0/16', v4, true);
  check('fd.snet in (192.168.0.0/16, 10.0.0.0/8)', v4, true);
  check('fd.snet = 0.0.0.0/0', v4, true);
  check('fd.snet = ::/8', v6, true);
  check('fd.snet = ::/8', v4, false);
  check('fd.snet = 2001:db8::/32', v6, false);
  assert.equal(compileError('fd.sip = 10.0.0.0/8').message, 'unrecognized IPv4 address 10.0.0.0/8');
  assert.equal(compileError('fd.sip = 256.0.0.1').message, 'unrecognized IPv4 address 256.0.0.1');
  assert.equal(compileError('fd.sip = 010.0.0.1').message, 'unrecognized IPv4 address 010.0.0.1');
  assert.equal(compileError('fd.sip = ::g').message, 'unrecognized IPv6 address ::g');
  assert.equal(compileError('fd.snet = 10.0.0.1').message, 'unrecognized IP network 10.0.0.1');
  assert.equal(compileError('fd.snet = 10.0.0.0/33').message, 'invalid netmask 33');
  assert.equal(compileError('fd.snet = ::1').message, 'invalid v6 netmask: ::1');
  assert.equal(compileError('fd.snet = ::/0').message, 'invalid v6 netmask 0');
  assert.equal(compileError('fd.sip contains 1').message, "filter error: 'contains' operator not supported for ip address and network filters");
  assert.equal(compileError('fd.sip startswith anyof (1)').message, "filter error: 'startswith' with modifier not supported for ip address and network filters");
});

test('fields with one value per endpoint: = and in match either end, != needs both to differ', () => {
  const conn: TestEvent = { cip: 0xc0a80002, sip: 0x0a000001, cport: 40000, sport: 22 };
  check('fd.ip = 10.0.0.1', conn, true);
  check('fd.ip = 192.168.0.2', conn, true);
  check('fd.ip = 1.1.1.1', conn, false);
  check('fd.ip != 10.0.0.1', conn, false);
  check('fd.ip != 1.1.1.1', conn, true);
  check('fd.ip in (1.1.1.1, 192.168.0.2)', conn, true);
  check('fd.net = 192.168.0.0/16', conn, true);
  check('fd.net != 192.168.0.0/16', conn, false);
  check('fd.net != 172.16.0.0/12', conn, true);
  check('fd.port = 22', conn, true);
  check('fd.port = ssh', conn, true);
  check('fd.port > 30000', conn, true);
  check('fd.port < 22', conn, false);
  check('fd.port != 22', conn, false);
  check('fd.port in (80, 40000)', conn, true);
  check('fd.port exists', conn, true);
  check('fd.port exists', {}, false);
  assert.equal(compileError('fd.port = nosuchservice').message, 'unrecognized protocol nosuchservice');
});

test('list fields: in needs every item in the set, intersects one; other operators refused', () => {
  const k: TestEvent = { hostpaths: ['/proc', '/var/run/docker.sock'], privileged: [false, true] };
  check('ka.req.pod.volumes.hostpath intersects (/proc, /etc)', k, true);
  check('ka.req.pod.volumes.hostpath intersects (/etc)', k, false);
  check('ka.req.pod.volumes.hostpath in (/proc, /var/run/docker.sock, /etc)', k, true);
  check('ka.req.pod.volumes.hostpath in (/proc)', k, false);
  check('ka.req.pod.volumes.hostpath in (/proc)', { hostpaths: [] }, true);
  check('ka.req.pod.volumes.hostpath intersects (/proc)', { hostpaths: [] }, false);
  check('ka.req.pod.volumes.hostpath exists', { hostpaths: [] }, true);
  check('ka.req.pod.containers.privileged intersects (true)', k, true);
  check('ka.req.pod.containers.privileged in (true)', k, false);
  check('proc.args intersects ("-c")', { args: ['-c', 'id'] }, true);
  assert.equal(compileError('proc.args = x').message, "filter error: '=' operator not supported list filters");
  assert.equal(compileError('proc.args contains x').message, "filter error: 'contains' operator not supported list filters");
  assert.equal(compileError('proc.args pmatch (x)').message, "filter error: 'pmatch' operator not supported list filters");
});

test('operator modifiers: oneof, anyof, allof', () => {
  const f = (fdname: string): TestEvent => ({ fdname });
  check('fd.name startswith anyof (/etc, /usr)', f('/usr/bin/x'), true);
  check('fd.name startswith anyof (/etc, /usr)', f('/tmp/x'), false);
  check('fd.name startswith oneof (/usr, /usr/bin)', f('/usr/bin/x'), false);
  check('fd.name startswith oneof (/usr, /usr/bin)', f('/usr/lib/x'), true);
  check('fd.name contains allof (usr, bin)', f('/usr/bin/x'), true);
  check('fd.name contains allof (usr, lib)', f('/usr/bin/x'), false);
  check('fd.name = anyof (/a, /b)', f('/b'), true);
  check('fd.name = oneof (/a, /a)', f('/a'), false);
  check('fd.name != allof (/a, /b)', f('/c'), true);
  check('fd.name != allof (/a, /b)', f('/a'), false);
  check('fd.name != anyof (/a, /b)', f('/a'), true);
  check('fd.name = allof (/a)', f('/a'), true);
  check('fd.name = anyof ()', f('/a'), false);
  check('fd.name != allof ()', f('/a'), false);
  check('fd.name glob anyof ("*.sh", "*.py")', f('/x/a.py'), true);
  check('fd.name regex allof (".*x.*", "/.*")', f('/x/a.py'), true);
  check('fd.name icontains anyof (USR)', f('/usr'), true);
  check('proc.pid = anyof (1, 42)', bash, true);
  check('fd.sip = anyof (1.1.1.1, 10.0.0.1)', { sip: 0x0a000001 }, true);
});

test('transformers: tolower, toupper, b64, basename, len', () => {
  check('tolower(proc.name) = bash', { name: 'BaSh' }, true);
  check('toupper(proc.name) = BASH', { name: 'BaSh' }, true);
  check('tolower(proc.name) = "é"', { name: 'É' }, false);
  check('tolower(toupper(proc.name)) = bash', { name: 'BaSh' }, true);
  check('basename(fd.name) = shadow', bash, true);
  check('basename(fd.name) = ""', { fdname: '/etc/' }, true);
  check('basename(fd.name) = noslash', { fdname: 'noslash' }, true);
  check('b64(proc.cmdline) = "hello world"', { cmdline: 'aGVsbG8gd29ybGQ=' }, true);
  check('b64(proc.cmdline) = "hello world"', { cmdline: 'aGVsbG8gd29ybGQ' }, true);
  check('b64(proc.cmdline) contains hello', { cmdline: 'aGVsbG8gd29ybGQ' }, true);
  // Not base64: the value is missing, so even != is false.
  check('b64(proc.cmdline) != x', { cmdline: 'not base64!' }, false);
  check('b64(proc.cmdline) exists', { cmdline: 'not base64!' }, false);
  check('b64(proc.cmdline) exists', { cmdline: 'aGk=' }, true);
  check('b64(evt.buffer) = hi', { buffer: new TextEncoder().encode('aGk=') }, true);
  check('len(proc.name) = 4', bash, true);
  check('len(proc.name) = 3', { name: 'héé' }, false);
  check('len(proc.name) = 5', { name: 'héé' }, true);
  check('len(proc.args) = 3', { args: ['a', 'b', 'c'] }, true);
  check('len(proc.args) = 0', { args: [] }, true);
  check('len(evt.buffer) > 1', { buffer: new Uint8Array(2) }, true);
  check('len(proc.name) > 100', {}, false);
  check('tolower(proc.args) intersects (x)', { args: ['A', 'X'] }, true);
  assert.equal(
    compileError('tolower(proc.pid) = 1').message,
    "can't add field transformer: type 'INT64' is not supported by 'tolower' transformer applied on field 'proc.pid'",
  );
  assert.equal(
    compileError('len(proc.pid) = 1').message,
    "can't add field transformer: type 'INT64' is not supported by 'len' transformer applied on field 'proc.pid'",
  );
  assert.equal(
    compileError('tolower(len(proc.name)) = 1').message,
    "can't add field transformer: type 'UINT64' is not supported by 'tolower' transformer applied on field 'proc.name'",
  );
  assert.equal(
    compileError('b64(fd.sip) = x').message,
    "can't add field transformer: type 'IPADDR' is not supported by 'b64' transformer applied on field 'fd.sip'",
  );
  assert.equal(compileError('tolower(proc.name)[1] = x').message, "filter error: transformer 'tolower' does not support field arguments");
  assert.equal(compileError('tolower(proc.name, proc.pname) = x').message, "filter error: transformer 'tolower' takes exactly one argument");
  assert.equal(compileError('tolower(test.notransformer) = x').message, "field 'test.notransformer' does not support transformers");
  // A transformer changes the type the operator and the literal are checked against.
  assert.equal(compileError('len(proc.name) contains 1').message, "filter error: 'contains' operator not supported for numeric filters");
  assert.equal(compileError('len(proc.name) = x').message, 'x is not a valid number');
});

test('multi-value transformers: join, concat, getopt', () => {
  const e: TestEvent = { name: 'bash', pname: 'sshd', pid: 42, args: ['-t', 'ns', '-v', 'file'] };
  check('concat(proc.name, "-", proc.pname) = bash-sshd', e, true);
  check('concat(proc.name, proc.pname, "x") startswith bashsshd', e, true);
  check('concat(proc.name, test.unimplemented) exists', e, false);
  check('join(",", proc.args) = "-t,ns,-v,file"', e, true);
  check('join(":", (proc.name, "x", proc.pid)) = "bash:x:42"', e, true);
  check('len(join("", (proc.name, proc.pname))) = 8', e, true);
  check('getopt(proc.args, "t:v") intersects (t)', e, true);
  check('getopt(proc.args, "t:v")[t] = ns', e, true);
  check('getopt(proc.args, "t:v")[v] = v', e, true);
  check('getopt(proc.args, "t:v")[x] exists', e, false);
  check('len(getopt(proc.args, "t:v")) = 3', e, true);
  check('getopt(proc.args, "t:v") in (t, ns, v)', e, true);
  check('getopt(proc.args, "t:v")[t] = ns', { args: ['-tns'] }, true);
  check('getopt(proc.args, "t:")[t] = ""', { args: ['-t'] }, true);
  check('getopt(proc.args, "t:") in ("?")', { args: ['-x'] }, true);
  check('getopt(proc.args, "t:")[t] exists', { args: ['file', '-t', 'x'] }, false);
  check('getopt(proc.args, "t:")[t] = y', { args: ['--long', '-t', 'x', '-t', 'y'] }, true);
  check('getopt(proc.args, "t:")[t] exists', { args: ['--', '-t', 'x'] }, false);
  assert.equal(compileError('join(",") = x').message, 'join() requires exactly 2 arguments: separator and list');
  assert.equal(compileError('join(",", proc.name) = x').message, 'join() second argument must be a list');
  assert.equal(compileError('join(proc.args, proc.args) = x').message, 'join() first argument (separator) must be a single value, not a list');
  assert.equal(compileError('concat(proc.name) = x').message, 'concat() requires at least 2 arguments');
  assert.equal(compileError('concat(proc.name, proc.pid) = x').message, 'concat() arguments must be strings');
  assert.equal(compileError('getopt(proc.name, "t") = x').message, 'getopt() first argument must be a list');
  assert.equal(compileError('getopt(proc.args, "t")[tv] = x').message, 'getopt() field argument must be a single option character');
  assert.equal(compileError('getopt(proc.args, "t") = x').message, "filter error: '=' operator not supported list filters");
});

test('comparing two fields: val() and transformers on the right', () => {
  check('proc.name = val(proc.pname)', { name: 'a', pname: 'a' }, true);
  check('proc.name = val(proc.pname)', { name: 'a', pname: 'b' }, false);
  check('proc.name != val(proc.pname)', { name: 'a', pname: 'b' }, true);
  check('proc.name != val(proc.pname)', { name: 'a' }, false);
  check('fd.name startswith val(fd.directory)', bash, true);
  check('fd.name contains val(proc.name)', { fdname: '/usr/bin/bash', name: 'bash' }, true);
  check('fd.name glob val(proc.cmdline)', { fdname: '/a/b', cmdline: '/a/*' }, true);
  check('proc.pid > val(proc.ppid)', bash, true);
  check('proc.pid <= val(proc.ppid)', bash, false);
  check('tolower(proc.name) = tolower(proc.pname)', { name: 'BASH', pname: 'bash' }, true);
  check('proc.args intersects val(proc.args)', { args: ['a'] }, true);
  check('fd.sip = val(fd.cip)', { sip: 1, cip: 1 }, true);
  assert.equal(
    compileError('proc.name = val(proc.pid)').message,
    "field 'proc.name' has type 'CHARBUF' while the right-hand side field 'proc.pid' has incompatible type 'INT64'",
  );
  assert.equal(
    compileError('proc.name in val(proc.args)').message,
    "field 'proc.name' has type 'CHARBUF' while the right-hand side field 'proc.args' has incompatible type 'CHARBUF (list)'",
  );
  assert.equal(compileError('proc.name pmatch val(fd.name)').message, "operator 'PMATCH' doesn't support right-hand side fields");
  assert.equal(compileError('proc.name regex val(fd.name)').message, "operator 'REGEX' doesn't support right-hand side fields");
  assert.equal(compileError('fd.snet = val(fd.snet)').message, "field type 'IPNET' doesn't support right-hand side fields");
  assert.equal(compileError('fd.ip = val(fd.sip)').message, "field 'fd.ip' doesn't support right-hand side fields");
  assert.equal(compileError('fd.sip = val(fd.ip)').message, "field 'fd.ip' can't be used as a right-hand side field");
  assert.equal(compileError('proc.name = val(proc.pname)[1]').message, "filter error: transformer 'val' does not support field arguments");
});

test('field names and arguments resolve through the registry', () => {
  const e: TestEvent = { name: 'bash', ancestors: ['sshd', 'systemd'], env: { HOME: '/root' }, params: { flags: 'O_RDONLY', fd: '3' } };
  check('proc.aname[1] = sshd', e, true);
  check('proc.aname[2] = systemd', e, true);
  check('proc.aname = bash', e, true);
  check('proc.env[HOME] = /root', e, true);
  check('proc.env["HOME"] = /root', e, true);
  check('evt.arg.flags contains O_RDONLY', e, true);
  check('evt.arg[1] = 3', e, true);
  const unknown = compileError('proc.nobody = cat');
  assert.equal(unknown.message, 'filter_check called with nonexistent field proc.nobody');
  assert.equal(unknown.code, 'unknown-field');
  assert.equal(unknown.unknownFilter, true);
  // libsinsp: a malformed ancestor argument makes the whole name unknown.
  assert.equal(compileError('proc.aname[x] = a').message, 'filter_check called with nonexistent field proc.aname[x]');
  const badArg = compileError('evt.arg.nosuchparam = x');
  assert.equal(badArg.message, 'unknown event argument nosuchparam');
  assert.equal(badArg.unknownFilter, false);
  assert.equal(compileError('test.output_only = x').message, "field 'test.output_only' can only be used in outputs");
});

test('evt.type values must be event types (skip-if-unknown-filter applies)', () => {
  const e = compileError('evt.type = open or evt.type in (close, nosuchevent)');
  assert.equal(e.message, 'unknown event type nosuchevent');
  assert.equal(e.code, 'unknown-event-type');
  assert.equal(e.unknownFilter, true);
  assert.deepEqual(e.pos, { offset: 39, line: 1, column: 40 });
  check('evt.type in (open, openat)', { type: 'openat' }, true);
  check('evt.type = mlock', { type: 'mlock' }, true);
  // As in libsinsp, the literal is checked under transformers of evt.type too.
  assert.equal(compileError('toupper(evt.type) = OPEN').message, 'unknown event type OPEN');
  assert.equal(compileError('evt.type startswith ope').message, 'unknown event type ope');
});

test('boolean structure and precedence evaluate as written', () => {
  const e: TestEvent = { name: 'a', pname: 'b', pid: 1 };
  check('proc.name = a or proc.name = x and proc.pid = 2', e, true);
  check('(proc.name = a or proc.name = x) and proc.pid = 2', e, false);
  check('not proc.name = a or proc.pid = 1', e, true);
  check('not (proc.name = a or proc.pid = 2)', e, false);
  check('not not proc.name = a', e, true);
  check('proc.name = a and proc.pname = b and proc.pid = 1', e, true);
  check('proc.name = x or proc.pname = x or proc.pid = 1', e, true);
  check('proc.name = x or proc.pname = x or proc.pid = 2', e, false);
});

test('fields are extracted lazily; and/or short-circuit; a field is read once per evaluation', () => {
  const [codegen, closures] = compileBoth('proc.name = zsh and fd.name startswith /etc');
  for (const c of [codegen!, closures!]) {
    extractions.clear();
    assert.equal(c.evaluate(bash), false);
    assert.equal(extractions.get('proc.name'), 1);
    assert.equal(extractions.get('fd.name'), undefined);
  }
  const or = compileCondition(parseCondition('proc.name = bash or fd.name = x'), testSource);
  extractions.clear();
  assert.equal(or.evaluate(bash), true);
  assert.equal(extractions.get('fd.name'), undefined);
  // Generated code reads a field used several times once per evaluation.
  const repeated = compileCondition(parseCondition('(proc.name = a or proc.name = b or proc.name startswith x) or proc.name = bash'), testSource);
  extractions.clear();
  assert.equal(repeated.evaluate(bash), true);
  assert.equal(extractions.get('proc.name'), 1);
  assert.equal(repeated.evaluate({ name: 'a' }), true);
  assert.equal(extractions.get('proc.name'), 2);
});

test('large conditions (helper functions in generated code) evaluate like small ones', () => {
  const names = Array.from({ length: 300 }, (_, i) => `p${i}`);
  const big = names.map((n) => `proc.name = ${n}`).join(' or ');
  const nested = `(${big}) and not (${names.slice(0, 100).map((n) => `proc.pname = ${n}`).join(' or ')})`;
  check(big, { name: 'p299' }, true);
  check(big, { name: 'p300' }, false);
  check(nested, { name: 'p150', pname: 'p50' }, false);
  check(nested, { name: 'p150', pname: 'p150' }, true);
  check(nested, { name: 'p0', pname: 'p99' }, false);
});

test('compiled conditions report their fields and warnings', () => {
  const c = compileCondition(parseCondition('proc.name = proc.pname and fd.name regex "/etc.*" and proc.aname[2] = x and proc.name = "tolower(x)"'), testSource);
  assert.deepEqual(c.fields, ['proc.name', 'fd.name', 'proc.aname[2]']);
  assert.deepEqual(c.warnings.map((w) => w.message), [
    "'proc.pname' may be a valid field misused as a const string value",
    "regex check with '/etc.*' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'",
    "'tolower(x)' may be a valid field transformer misused as a const string value",
  ]);
  assert.deepEqual(c.warnings[0]!.pos, { offset: 12, line: 1, column: 13 });
  const noWarn = compileCondition(parseCondition('fd.name regex "/etc/(a|b)"'), testSource);
  assert.deepEqual(noWarn.warnings, []);
});

test('an unexpanded macro reference is a compile error', () => {
  const e = compileError('proc.name = a and some_macro');
  assert.equal(e.message, "filter error: unexpected identifier 'some_macro'");
  assert.deepEqual(e.pos, { offset: 18, line: 1, column: 19 });
});

test('random conditions give the same results with generated code and closures', () => {
  // A small deterministic generator over the test fields.
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const atoms = [
    'proc.name = bash', 'proc.name != zsh', 'proc.name in (a, bash, c)', 'proc.pid > 10', 'proc.pid = 42',
    'fd.name startswith /etc', 'fd.name contains sh', 'fd.name glob "*ad*"', 'proc.name exists',
    'tolower(proc.name) = bash', 'proc.name = val(proc.pname)', 'fd.ip = 10.0.0.1', 'proc.args intersects (x)',
    'fd.name pmatch (/etc)', 'proc.name startswith anyof (b, z)',
  ];
  const gen = (depth: number): string => {
    const k = rnd(depth > 3 ? 2 : 5);
    if (k < 2) return atoms[rnd(atoms.length)]!;
    if (k === 2) return `not ${gen(depth + 1)}`;
    const parts = Array.from({ length: 2 + rnd(3) }, () => gen(depth + 1));
    return `(${parts.join(k === 3 ? ' and ' : ' or ')})`;
  };
  const events: TestEvent[] = [
    bash, {}, { name: 'zsh', pid: 5, fdname: '/tmp/x', args: ['x'] }, { name: 'a', pname: 'a', sip: 0x0a000001 },
    { name: 'BASH', fdname: '/etc/shadow', pid: 42 },
  ];
  for (let i = 0; i < 300; i++) {
    const cond = gen(0);
    const [a, b] = compileBoth(cond);
    for (const e of events) assert.equal(a!.evaluate(e), b!.evaluate(e), cond);
  }
});

test('conditions nested beyond 1000 levels after macro expansion are refused at compile time', () => {
  const deep = (n: number): Ast => {
    let ast: Ast = parseCondition('proc.name = x');
    for (let i = 0; i < n; i++) ast = { kind: 'not', pos: ast.pos, child: ast };
    return ast;
  };
  const ok = compileCondition(deep(997), testSource);
  assert.equal(ok.evaluate({ name: 'x' }), false);
  assert.equal(compileCondition(deep(996), testSource, { strategy: 'closures' }).evaluate({ name: 'x' }), true);
  assert.throws(
    () => compileCondition(deep(5000), testSource),
    (e: unknown) => e instanceof ConditionCompileError && /nested too deeply \(5002 levels after macro expansion, at most 1000\)/.test(e.message),
  );
});
