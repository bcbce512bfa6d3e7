// Field registry: declarations, name resolution with every argument syntax, libsinsp's error
// messages, and the extractor mechanism.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../src/fields/registry.js';
import { createSyscallSourceDefinition } from '../../src/sources/syscall/definition.js';
import { createCloudtrailFieldRegistry, createK8sAuditFieldRegistry } from '../../src/fields/plugins/index.js';
import { declareClass } from '../../src/fields/declare.js';
import { FieldBindError, unknownFieldMessage, type FieldArg, type FieldDef } from '../../src/fields/types.js';

const syscall = createSyscallSourceDefinition<unknown>().fields;
const arg = (raw: string): FieldArg => ({ raw });

/** Binds `name` with an optional bracket argument; returns the bound field or the error message. */
function tryBind(reg: Registry<unknown>, name: string, raw?: string): ReturnType<Registry<unknown>['bind']> | string {
  try {
    return reg.bind(name, raw === undefined ? undefined : arg(raw));
  } catch (e) {
    assert.ok(e instanceof FieldBindError, `expected FieldBindError, got ${String(e)}`);
    return e.message;
  }
}

test('syscall registry: classes in libsinsp order, container plugin last, names unique', () => {
  assert.deepEqual(
    syscall.classes().map((c) => c.name),
    ['evt', 'evt', 'process', 'user', 'group', 'fd', 'fs.path', 'util', 'fdlist', 'container'],
  );
  const names = syscall.all().map((d) => d.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(syscall.classes().find((c) => c.name === 'util')!.hidden);
  assert.equal(syscall.lookup('proc.name')!.className, 'process');
  assert.equal(syscall.lookup('container.id')!.className, 'container');
  assert.equal(syscall.lookup('evt.arg.fd'), undefined, 'lookup is by declared name only');
});

test('every declaration is well formed', () => {
  const regs = [syscall, createK8sAuditFieldRegistry<unknown>(), createCloudtrailFieldRegistry<unknown>()];
  for (const reg of regs) {
    for (const d of reg.all()) {
      assert.match(d.name, /^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$/, d.name);
      assert.ok(d.desc.length > 5 && d.desc === d.desc.trim(), `${d.name}: description`);
      if (d.arg?.syntax === 'bracket') assert.ok(d.arg.index || d.arg.key, `${d.name}: bracket argument needs index or key`);
      if (d.isList) assert.notEqual(d.type, 'DYN');
    }
  }
});

test('plain names resolve exactly; longer or shorter names are unknown', () => {
  const b = syscall.bind('proc.name', undefined);
  assert.ok(b && typeof b !== 'string');
  assert.equal(b.def.name, 'proc.name');
  assert.equal(b.text, 'proc.name');
  assert.equal(b.arg, undefined);
  assert.equal(syscall.bind('proc.names', undefined), undefined);
  assert.equal(syscall.bind('proc.nam', undefined), undefined);
  assert.equal(syscall.bind('proc.nobody', undefined), undefined);
  assert.equal(syscall.bind('nosuch.field', undefined), undefined);
  // an argument on a field that takes none makes the text unknown (libsinsp parses less than given)
  assert.equal(syscall.bind('proc.name', arg('1')), undefined);
  // the longest declared name wins: evt.args is not evt.arg + "s"
  assert.equal((syscall.bind('evt.args', undefined) as { def: FieldDef }).def.name, 'evt.args');
  assert.equal((syscall.bind('thread.cgroups', undefined) as { def: FieldDef }).def.name, 'thread.cgroups');
  assert.equal((syscall.bind('fd.typechar', undefined) as { def: FieldDef }).def.name, 'fd.typechar');
});

test('ancestor fields: optional [N]; a malformed index makes the name unknown', () => {
  for (const name of ['proc.aname', 'proc.apid', 'proc.aexe', 'proc.aexepath', 'proc.acmdline', 'proc.args', 'proc.aargs']) {
    const bare = syscall.bind(name, undefined)!;
    assert.equal(bare.def.name, name);
    assert.equal(bare.arg, undefined);
    const indexed = syscall.bind(name, arg('3'))!;
    assert.equal(indexed.def.name, name);
    assert.deepEqual(indexed.arg, { index: 3, raw: '3' });
    assert.equal(indexed.text, `${name}[3]`);
    assert.equal(syscall.bind(name, arg('x')), undefined, `${name}[x]`);
    assert.equal(syscall.bind(name, arg('1x')), undefined, `${name}[1x]`);
  }
  assert.equal(syscall.bind('proc.aexepath', arg('2'))!.def.name, 'proc.aexepath');
  assert.equal(syscall.bind('proc.aname', arg('-1'))!.arg?.index, -1);
});

test('proc.env / proc.aenv: a key, or an index when all digits', () => {
  assert.deepEqual(syscall.bind('proc.env', arg('HOME'))!.arg, { key: 'HOME', raw: 'HOME' });
  assert.deepEqual(syscall.bind('proc.aenv', arg('2'))!.arg, { index: 2, raw: '2' });
  assert.deepEqual(syscall.bind('proc.aenv', arg('PATH'))!.arg, { key: 'PATH', raw: 'PATH' });
  assert.equal(syscall.bind('proc.env', undefined)!.arg, undefined);
});

test('evt.arg: .NAME from the event table or [N]; errors as libsinsp words them', () => {
  const named = syscall.bind('evt.arg.flags', undefined)!;
  assert.equal(named.def.name, 'evt.arg');
  assert.deepEqual(named.arg, { key: 'flags', raw: 'flags' });
  assert.equal(named.text, 'evt.arg.flags');
  assert.deepEqual(syscall.bind('evt.arg', arg('0'))!.arg, { index: 0, raw: '0' });
  assert.equal(tryBind(syscall, 'evt.arg', 'x'), 'x is not a valid number');
  assert.equal(tryBind(syscall, 'evt.arg'), 'filter syntax error: evt.arg');
  assert.equal(tryBind(syscall, 'evt.arg.nosuchparam'), 'unknown event argument nosuchparam');
  // a known parameter name followed by more text: libsinsp parses the name only → unknown field
  assert.equal(syscall.bind('evt.arg.fdx', undefined), undefined);
});

test('evt.rawarg takes the type and print format of the first parameter with that name', () => {
  const flags = syscall.bind('evt.rawarg.flags', undefined)!;
  assert.equal(flags.def.name, 'evt.rawarg');
  assert.equal(flags.def.type, 'FLAGS32');
  assert.equal(flags.def.printFormat, 'HEX');
  assert.equal(syscall.bind('evt.rawarg.res', undefined)!.def.type, 'ERRNO');
  assert.equal(syscall.bind('evt.rawarg.fd', undefined)!.def.type, 'FD');
  assert.equal(syscall.lookup('evt.rawarg')!.type, 'DYN', 'the declaration itself stays dynamic');
  assert.equal(tryBind(syscall, 'evt.rawarg', '0'), 'evt.arg fields must be expressed explicitly');
  assert.equal(tryBind(syscall, 'evt.rawarg'), 'filter syntax error: evt.rawarg');
});

test('evt.type.is, evt.around, evt.abspath, thread.cgroup, fd.types', () => {
  assert.deepEqual(syscall.bind('evt.type.is.open', undefined)!.arg, { key: 'open', raw: 'open' });
  assert.deepEqual(syscall.bind('evt.type.is.3', undefined)!.arg, { index: 3, raw: '3' });
  assert.equal(syscall.bind('evt.type.is.notanevent', undefined), undefined);
  assert.equal(tryBind(syscall, 'evt.type.is'), 'filter syntax error: evt.type.is');

  assert.deepEqual(syscall.bind('evt.around', arg('1404996934793590564'))!.arg, { raw: '1404996934793590564' });
  assert.equal(tryBind(syscall, 'evt.around', 'soon'), 'soon is not a valid number');
  assert.equal(tryBind(syscall, 'evt.around.x'), 'wrong syntax for evt.around');
  assert.equal(tryBind(syscall, 'evt.around'), 'filter syntax error: evt.around');
  assert.ok(syscall.lookup('evt.around')!.filterOnly);

  assert.equal(syscall.bind('evt.abspath', undefined)!.arg, undefined);
  assert.deepEqual(syscall.bind('evt.abspath.src', undefined)!.arg, { key: 'src', raw: 'src' });
  assert.deepEqual(syscall.bind('evt.abspath.dst', undefined)!.arg, { key: 'dst', raw: 'dst' });
  assert.equal(syscall.bind('evt.abspath.other', undefined), undefined);

  assert.deepEqual(syscall.bind('thread.cgroup.cpuacct', undefined)!.arg, { key: 'cpuacct', raw: 'cpuacct' });
  assert.equal(tryBind(syscall, 'thread.cgroup'), 'filter syntax error: thread.cgroup');
  assert.equal(tryBind(syscall, 'thread.cgroup', 'cpu'), 'filter syntax error: thread.cgroup[cpu]');

  assert.deepEqual(syscall.bind('fd.types', arg('1'))!.arg, { index: 1, raw: '1' });
  assert.equal(syscall.bind('fd.types', undefined)!.def.isList, true);
  assert.equal(tryBind(syscall, 'fd.types', 'x'), 'x is not a valid number');
});

test('names starting with "arg" are rejected as libsinsp does', () => {
  assert.equal(tryBind(syscall, 'arg.x'), 'filter error: proc.arg filter not implemented yet');
});

test('plugin fields: bracket arguments checked by index/key/required flags', () => {
  const mount = syscall.bind('container.mount.dest', arg('/var/run/docker.sock'))!;
  assert.equal(mount.def.name, 'container.mount.dest');
  assert.deepEqual(mount.arg, { raw: '/var/run/docker.sock', key: '/var/run/docker.sock' });
  assert.deepEqual(syscall.bind('container.mount', arg('0'))!.arg, { raw: '0', index: 0, key: '0' });
  assert.equal(
    tryBind(syscall, 'container.label'),
    "filter 'container.label': container.label requires an argument but none provided",
  );
  // the dotted form of a key is not accepted by libsinsp either
  assert.equal(
    tryBind(syscall, 'k8s.pod.label.app'),
    "filter 'k8s.pod.label.app': k8s.pod.label requires an argument but none provided",
  );
  assert.equal(syscall.bind('container.id', arg('1')), undefined);

  const ka = createK8sAuditFieldRegistry<unknown>();
  assert.deepEqual(ka.bind('ka.req.pod.containers.image', arg('2'))!.arg, { raw: '2', index: 2 });
  assert.equal(ka.bind('ka.req.pod.containers.image', undefined)!.def.isList, true);
  assert.equal(
    tryBind(ka, 'ka.req.pod.containers.image', 'x'),
    'filter ka.req.pod.containers.image[x] ka.req.pod.containers.image has an invalid index argument not composed only by digits: x',
  );
  assert.equal(
    tryBind(ka, 'ka.req.pod.containers.image', '01'),
    'filter ka.req.pod.containers.image[01] ka.req.pod.containers.image has an invalid index argument starting with 0: 01',
  );
  assert.deepEqual(ka.bind('ka.uri.param', arg('command'))!.arg, { raw: 'command', key: 'command' });
  assert.deepEqual(ka.bind('jevt.value', arg('/a~1~0b'))!.arg, { raw: '/a~1~0b', key: '/a~1~0b' });
  assert.equal(ka.bind('evt.num', undefined)!.def.className, 'evt');
  assert.equal(ka.bind('proc.name', undefined), undefined, 'syscall fields are not k8s_audit fields');
  assert.equal(ka.bind('evt.type', undefined), undefined, 'only the generic evt class applies to plugin sources');
});

test('unimplemented fields bind with hasExtractor false; implement() attaches the extractor', () => {
  const reg = createSyscallSourceDefinition<{ comm: string; ancestors: string[] }>().fields;
  const unbound = reg.bind('proc.name', undefined)!;
  assert.equal(unbound.hasExtractor, false);
  assert.equal(unbound.extract({ comm: 'bash', ancestors: [] }), undefined);
  assert.equal(reg.unimplemented().length, reg.all().length);

  reg.implement('proc.name', () => ({ extract: (e) => e.comm }));
  const seen: (FieldArg | undefined)[] = [];
  reg.implement('proc.aname', (_def, a) => {
    seen.push(a);
    return { extract: (e) => (a?.index === undefined ? e.ancestors : e.ancestors[a.index]) };
  });
  const name = reg.bind('proc.name', undefined)!;
  assert.equal(name.hasExtractor, true);
  assert.equal(name.extract({ comm: 'bash', ancestors: [] }), 'bash');
  const second = reg.bind('proc.aname', arg('1'))!;
  assert.equal(second.extract({ comm: 'sh', ancestors: ['sh', 'bash', 'sshd'] }), 'bash');
  assert.deepEqual(seen, [{ index: 1, raw: '1' }]);
  assert.ok(reg.isImplemented('proc.aname'));
  assert.equal(reg.unimplemented().length, reg.all().length - 2);
  assert.throws(() => reg.implement('proc.nosuch', () => ({ extract: () => undefined })), /undeclared field 'proc.nosuch'/);
});

test('addClass refuses a field another class already declares (as Falco refuses overlapping plugins)', () => {
  const reg = createSyscallSourceDefinition<unknown>().fields;
  const overlapping = declareClass({ name: 'mine', plugin: true }, [{ name: 'proc.name', type: 'CHARBUF', desc: 'Clash.' }]);
  assert.throws(() => reg.addClass(overlapping), {
    message: "Plugin 'mine' supports extraction of field 'proc.name' that is overlapping for source 'syscall'",
  });
  assert.throws(() => reg.addClass({ ...overlapping, plugin: false }), /field 'proc.name' of class 'mine' is already declared/);
  const statics = declareClass({ name: 'static' }, [{ name: 'static.env', type: 'CHARBUF', desc: 'A static field.' }]);
  reg.addClass(statics);
  assert.equal(reg.bind('static.env', undefined)!.def.className, 'static');
});

test('the first class that recognises a prefix decides', () => {
  // Two classes where the first knows a prefix of the second's field: libsinsp stops at the first.
  const first = declareClass({ name: 'a' }, [{ name: 'x.y', type: 'CHARBUF', desc: 'Short name.' }]);
  const second = declareClass({ name: 'b' }, [{ name: 'x.yz', type: 'CHARBUF', desc: 'Longer name.' }]);
  const reg = new Registry<unknown>('test', [first, second]);
  assert.equal(reg.bind('x.yz', undefined), undefined);
  assert.equal(reg.bind('x.y', undefined)!.def.className, 'a');
});

test('extractors may keep state on `this`; an object handed out twice still binds correctly', () => {
  const reg = createSyscallSourceDefinition<number>().fields;
  class Scaled {
    constructor(private readonly factor: number) {}
    extract(evt: number): number {
      return evt * this.factor;
    }
  }
  reg.implement('proc.apid', (_d, a) => new Scaled(a?.index ?? 1));
  const apid2 = reg.bind('proc.apid', arg('2'))!;
  const apid3 = reg.bind('proc.apid', arg('3'))!;
  assert.equal(apid2.extract(10), 20);
  assert.equal(apid3.extract(10), 30);
  assert.equal(apid2.text, 'proc.apid[2]');

  const shared = { extract: (evt: number) => evt + 1 };
  reg.implement('proc.pid', () => shared);
  const a = reg.bind('proc.pid', undefined)!;
  const b = reg.bind('proc.vpid', undefined)!;
  const c = reg.bind('proc.pid', undefined)!;
  assert.equal(a.extract(1), 2);
  assert.equal(c.extract(1), 2);
  assert.equal(a.def.name, 'proc.pid');
  assert.equal(c.def.name, 'proc.pid');
  assert.equal(b.hasExtractor, false);
});

test('static_fields: constant static.NAME fields in every source, suggested for outputs', () => {
  const reg = createSyscallSourceDefinition<unknown>({ staticFields: { env: 'prod', team: 'sec' } }).fields;
  const env = reg.bind('static.env', undefined)!;
  assert.equal(env.hasExtractor, true);
  assert.equal(env.extract(undefined), 'prod');
  assert.ok(env.def.addOutput);
  assert.equal(reg.bind('static.nosuch', undefined), undefined);
  const names = reg.classes().map((c) => c.name);
  assert.ok(names.indexOf('static') < names.indexOf('container'), 'before the plugin classes, as in Falco');
  assert.equal(createK8sAuditFieldRegistry<unknown>({ team: 'sec' }).bind('static.team', undefined)!.extract(undefined), 'sec');
});

test('bindText resolves a field as written, as Falco checks exception fields', () => {
  const b = syscall.bindText('proc.aname[2]')!;
  assert.equal(b.def.name, 'proc.aname');
  assert.deepEqual(b.arg, { index: 2, raw: '2' });
  assert.equal(b.text, 'proc.aname[2]');
  assert.equal(syscall.bindText('evt.arg.fd')!.arg?.key, 'fd');
  assert.equal(syscall.bindText('not.exist'), undefined);
  assert.equal(unknownFieldMessage('proc.nobody'), 'filter_check called with nonexistent field proc.nobody');
});
