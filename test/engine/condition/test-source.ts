// A small event source for the condition and output-format tests: events are plain objects, and
// the registry (the fields module's Registry, so names resolve as libsinsp resolves them) has
// real extractors over them, with fields of each value type and argument kind the engine must
// handle, a list field, and fields that yield one value per endpoint (fd.ip, fd.net, fd.port).
import { declareClass, ANCESTOR_ARG, REQUIRED_KEY_ARG } from '../../../src/fields/declare.js';
import { Registry, type EventCatalog, type FieldExtractor } from '../../../src/fields/registry.js';
import type { FieldArg, FieldDef, FieldValue, IpAddr } from '../../../src/fields/types.js';
import type { EventSourceDefinition } from '../../../src/engine/source.js';

export interface TestEvent {
  type?: string;
  num?: number;
  rawtime?: bigint;
  name?: string;
  pname?: string;
  pid?: number;
  ppid?: number;
  cmdline?: string;
  args?: string[];
  ancestors?: string[];
  env?: Record<string, string>;
  fdname?: string;
  sip?: IpAddr;
  cip?: IpAddr;
  sport?: number;
  cport?: number;
  buffer?: Uint8Array;
  isOpenRead?: boolean;
  uid?: number;
  hostpaths?: string[];
  privileged?: boolean[];
  params?: Record<string, string>;
  duration?: number;
  mode?: number;
}

/** Counts extractions per field as written, to test laziness and caching. */
export const extractions = new Map<string, number>();

const endpoints = <T>(a: T | undefined, b: T | undefined): T[] | undefined =>
  a === undefined && b === undefined ? undefined : [a, b].filter((x): x is T => x !== undefined);

type Getter = (e: TestEvent, arg: FieldArg | undefined) => FieldValue | undefined;

const GETTERS: Record<string, Getter> = {
  'evt.type': (e) => e.type,
  'evt.num': (e) => e.num,
  'evt.rawtime': (e) => e.rawtime,
  'evt.time': (e) => e.rawtime,
  'evt.duration': (e) => e.duration,
  'evt.buffer': (e) => e.buffer,
  'evt.is_open_read': (e) => e.isOpenRead,
  'evt.arg': (e, a) => (a?.key !== undefined ? e.params?.[a.key] : Object.values(e.params ?? {})[a?.index ?? -1]),
  'evt.mode': (e) => e.mode,
  'proc.name': (e) => e.name,
  'proc.pname': (e) => e.pname,
  'proc.pid': (e) => e.pid,
  'proc.ppid': (e) => e.ppid,
  'proc.cmdline': (e) => e.cmdline,
  'proc.args': (e) => e.args,
  'proc.aname': (e, a) => (a?.index === undefined || a.index === 0 ? e.name : e.ancestors?.[a.index - 1]),
  'proc.env': (e, a) => (a === undefined ? undefined : e.env?.[a.raw]),
  'fd.name': (e) => e.fdname,
  'fd.directory': (e) => (e.fdname === undefined ? undefined : e.fdname.slice(0, e.fdname.lastIndexOf('/')) || '/'),
  'fd.sip': (e) => e.sip,
  'fd.cip': (e) => e.cip,
  'fd.ip': (e) => endpoints(e.cip, e.sip),
  'fd.snet': (e) => e.sip,
  'fd.net': (e) => endpoints(e.cip, e.sip),
  'fd.sport': (e) => e.sport,
  'fd.port': (e) => endpoints(e.cport, e.sport),
  'user.uid': (e) => e.uid,
  'ka.req.pod.volumes.hostpath': (e) => e.hostpaths,
  'ka.req.pod.containers.privileged': (e) => e.privileged,
  'test.norhs': (e) => e.name,
  'test.notransformer': (e) => e.name,
  'test.output_only': (e) => e.name,
  'test.unimplemented': () => undefined,
};

const EVENT_PARAMS = ['flags', 'name', 'fd', 'res'];

const catalog: EventCatalog = {
  longestParamPrefix: (text) => {
    const name = [...EVENT_PARAMS].sort((a, b) => b.length - a.length).find((n) => text.startsWith(n));
    return name === undefined ? undefined : { name, type: 'CHARBUF' };
  },
  isEventName: (name) => name in EVENT_CODES,
};

function createRegistry(): Registry<TestEvent> {
  const registry = new Registry<TestEvent>('test', [
    declareClass({ name: 'evt' }, [
      { name: 'evt.type', type: 'CHARBUF', desc: 'event type' },
      { name: 'evt.num', type: 'UINT64', desc: 'event number' },
      { name: 'evt.rawtime', type: 'ABSTIME', desc: 'time' },
      { name: 'evt.time', type: 'ABSTIME', desc: 'time', filterOnly: false },
      { name: 'evt.duration', type: 'DOUBLE', desc: 'duration' },
      { name: 'evt.buffer', type: 'BYTEBUF', desc: 'buffer' },
      { name: 'evt.is_open_read', type: 'BOOL', desc: 'open for reading' },
      { name: 'evt.arg', type: 'CHARBUF', desc: 'argument', arg: { syntax: 'evt-arg', required: true, index: true, key: true } },
      { name: 'evt.mode', type: 'MODE', desc: 'mode', printFormat: 'OCT' },
    ]),
    declareClass({ name: 'process' }, [
      { name: 'proc.name', type: 'CHARBUF', desc: 'name' },
      { name: 'proc.pname', type: 'CHARBUF', desc: 'parent name' },
      { name: 'proc.pid', type: 'INT64', desc: 'pid' },
      { name: 'proc.ppid', type: 'INT64', desc: 'parent pid' },
      { name: 'proc.cmdline', type: 'CHARBUF', desc: 'command line' },
      { name: 'proc.args', type: 'CHARBUF', isList: true, desc: 'arguments' },
      { name: 'proc.aname', type: 'CHARBUF', desc: 'ancestor name', arg: ANCESTOR_ARG },
      { name: 'proc.env', type: 'CHARBUF', desc: 'environment', arg: { syntax: 'env', required: false } },
    ]),
    declareClass({ name: 'fd' }, [
      { name: 'fd.name', type: 'CHARBUF', desc: 'name' },
      { name: 'fd.directory', type: 'CHARBUF', desc: 'directory' },
      { name: 'fd.sip', type: 'IPADDR', desc: 'server ip' },
      { name: 'fd.cip', type: 'IPADDR', desc: 'client ip' },
      { name: 'fd.ip', type: 'IPADDR', desc: 'any ip', filterOnly: true, noRhs: true },
      { name: 'fd.snet', type: 'IPNET', desc: 'server net' },
      { name: 'fd.net', type: 'IPNET', desc: 'any net', filterOnly: true, noRhs: true },
      { name: 'fd.sport', type: 'PORT', desc: 'server port' },
      { name: 'fd.port', type: 'PORT', desc: 'any port', filterOnly: true, noRhs: true },
    ]),
    declareClass({ name: 'user' }, [{ name: 'user.uid', type: 'UINT32', desc: 'uid' }]),
    declareClass({ name: 'k8saudit', plugin: true }, [
      { name: 'ka.req.pod.volumes.hostpath', type: 'CHARBUF', isList: true, desc: 'host paths' },
      { name: 'ka.req.pod.containers.privileged', type: 'BOOL', isList: true, desc: 'privileged' },
      { name: 'ka.req.pod.labels', type: 'CHARBUF', desc: 'label', arg: REQUIRED_KEY_ARG },
    ]),
    declareClass({ name: 'test' }, [
      { name: 'test.norhs', type: 'CHARBUF', desc: 'no rhs', noRhs: true },
      { name: 'test.notransformer', type: 'CHARBUF', desc: 'no transformer', noTransformer: true },
      { name: 'test.output_only', type: 'CHARBUF', desc: 'output only', outputOnly: true },
      { name: 'test.unimplemented', type: 'CHARBUF', desc: 'never has a value' },
    ]),
  ], { events: catalog });
  for (const [name, get] of Object.entries(GETTERS)) {
    registry.implement(name, (def: FieldDef, arg: FieldArg | undefined): FieldExtractor<TestEvent> => {
      const text = arg === undefined ? def.name : `${def.name}[${arg.raw}]`;
      return {
        extract(e: TestEvent): FieldValue | undefined {
          extractions.set(text, (extractions.get(text) ?? 0) + 1);
          return get(e, arg);
        },
      };
    });
  }
  return registry;
}

/** Event types: each name has an enter and an exit code; 200 codes in all (like a syscall table). */
const EVENT_CODES: Record<string, number[]> = {
  open: [2, 3],
  openat: [4, 5],
  execve: [6, 7],
  connect: [8, 9],
  procexit: [10],
  close: [11, 12],
  // A syscall without a dedicated event: the generic event codes.
  mlock: [0, 1],
};

export const EVENT_TYPE_COUNT = 200;

export const testSource: EventSourceDefinition<TestEvent> = {
  name: 'test',
  fields: createRegistry(),
  eventTypeCount: EVENT_TYPE_COUNT,
  eventTypeCodes: (name) => EVENT_CODES[name],
  hasEventTypes: true,
};

/** The same fields, as a source without event types (like a plugin source). */
export const pluginLikeSource: EventSourceDefinition<TestEvent> = {
  name: 'plugin',
  fields: createRegistry(),
  eventTypeCount: 1,
  eventTypeCodes: () => undefined,
  hasEventTypes: false,
};

export function codesOf(...names: string[]): number[] {
  return names.flatMap((n) => EVENT_CODES[n] ?? []).sort((a, b) => a - b);
}
