// A small event source for the condition and output-format tests: events are plain objects, and
// the registry has real extractors over them, with one field of each value type and each
// argument kind the engine must handle (including a list field and multi-endpoint fields).
import type { BoundField, FieldArg, FieldDef, FieldRegistry, FieldType, FieldValue } from '../../../src/fields/types.js';
import { FieldBindError } from '../../../src/fields/types.js';
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
  sip?: number | Uint8Array;
  cip?: number | Uint8Array;
  sport?: number;
  cport?: number;
  buffer?: Uint8Array;
  isOpenRead?: boolean;
  uid?: number;
  hostpaths?: string[];
  privileged?: boolean[];
  params?: Record<string, string>;
  duration?: number;
}

/** Counts extractions per field name, to test laziness. */
export const extractions = new Map<string, number>();

function def(name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  return { name, className: name.split('.')[0]!, type, arg: 'none', desc: name, ...extra };
}

type Extractor = (e: TestEvent, arg?: FieldArg) => FieldValue | undefined;

const endpoints = (a: FieldValue | undefined, b: FieldValue | undefined): FieldValue | undefined =>
  a === undefined && b === undefined ? undefined : ([a, b].filter((x) => x !== undefined) as FieldValue[]) as FieldValue;

const FIELDS: [FieldDef, Extractor][] = [
  [def('evt.type', 'CHARBUF'), (e) => e.type],
  [def('evt.num', 'UINT64'), (e) => e.num],
  [def('evt.rawtime', 'ABSTIME'), (e) => e.rawtime],
  [def('evt.duration', 'DOUBLE'), (e) => e.duration],
  [def('evt.buffer', 'BYTEBUF'), (e) => e.buffer],
  [def('evt.is_open_read', 'BOOL'), (e) => e.isOpenRead],
  [def('evt.arg', 'CHARBUF', { arg: 'index-or-key' }), (e, a) => (a?.key !== undefined ? e.params?.[a.key] : a?.index !== undefined ? Object.values(e.params ?? {})[a.index] : undefined)],
  [def('evt.dir', 'CHARBUF'), () => '<'],
  [def('proc.name', 'CHARBUF'), (e) => e.name],
  [def('proc.pname', 'CHARBUF'), (e) => e.pname],
  [def('proc.pid', 'INT64'), (e) => e.pid],
  [def('proc.ppid', 'INT64'), (e) => e.ppid],
  [def('proc.cmdline', 'CHARBUF'), (e) => e.cmdline],
  [def('proc.args', 'CHARBUF', { isList: true }), (e) => e.args],
  [def('proc.aname', 'CHARBUF', { arg: 'index' }), (e, a) => (a?.index === undefined ? e.name : e.ancestors?.[a.index - 1])],
  [def('proc.env', 'CHARBUF', { arg: 'key' }), (e, a) => (a === undefined ? (e.env === undefined ? undefined : Object.entries(e.env).map(([k, v]) => `${k}=${v}`).join(' ')) : e.env?.[a.raw])],
  [def('fd.name', 'CHARBUF'), (e) => e.fdname],
  [def('fd.directory', 'CHARBUF'), (e) => (e.fdname === undefined ? undefined : e.fdname.slice(0, e.fdname.lastIndexOf('/')) || '/')],
  [def('fd.sip', 'IPADDR'), (e) => e.sip],
  [def('fd.cip', 'IPADDR'), (e) => e.cip],
  [def('fd.ip', 'IPADDR', { filterOnly: true }), (e) => endpoints(e.cip, e.sip)],
  [def('fd.snet', 'IPNET'), (e) => e.sip],
  [def('fd.net', 'IPNET', { filterOnly: true }), (e) => endpoints(e.cip, e.sip)],
  [def('fd.sport', 'PORT'), (e) => e.sport],
  [def('fd.port', 'PORT', { filterOnly: true }), (e) => endpoints(e.cport, e.sport)],
  [def('user.uid', 'UINT32'), (e) => e.uid],
  [def('ka.req.pod.volumes.hostpath', 'CHARBUF', { isList: true }), (e) => e.hostpaths],
  [def('ka.req.pod.containers.privileged', 'BOOL', { isList: true }), (e) => e.privileged],
  [def('evt.time', 'ABSTIME', { outputOnly: false }), (e) => e.rawtime],
  [def('internal.output_only', 'CHARBUF', { outputOnly: true }), () => 'x'],
];

class TestRegistry implements FieldRegistry<TestEvent> {
  readonly source = 'test';
  private readonly byName = new Map(FIELDS.map(([d, x]) => [d.name, { d, x }]));

  lookup(name: string): FieldDef | undefined {
    return this.byName.get(name)?.d;
  }

  all(): readonly FieldDef[] {
    return FIELDS.map(([d]) => d);
  }

  bind(name: string, arg: FieldArg | undefined): BoundField<TestEvent> | undefined {
    // evt.arg.NAME is evt.arg with key NAME.
    if (name.startsWith('evt.arg.') && arg === undefined) {
      const key = name.slice('evt.arg.'.length);
      return this.bind('evt.arg', { key, raw: key });
    }
    const f = this.byName.get(name);
    if (f === undefined) return undefined;
    const { d, x } = f;
    if (arg !== undefined && d.arg === 'none') throw new FieldBindError(`field '${name}' takes no argument`);
    if (arg !== undefined && d.arg === 'index' && arg.index === undefined) {
      throw new FieldBindError(`field '${name}' needs a numeric argument, not '${arg.raw}'`);
    }
    const text = arg === undefined ? name : `${name}[${arg.raw}]`;
    return {
      def: d,
      ...(arg === undefined ? {} : { arg }),
      text,
      extract(e: TestEvent): FieldValue | undefined {
        extractions.set(text, (extractions.get(text) ?? 0) + 1);
        return x(e, arg);
      },
    };
  }
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
  fields: new TestRegistry(),
  eventTypeCount: EVENT_TYPE_COUNT,
  eventTypeCodes: (name) => EVENT_CODES[name],
  hasEventTypes: true,
};

/** The same fields, as a source without event types (like a plugin source). */
export const pluginLikeSource: EventSourceDefinition<TestEvent> = {
  name: 'plugin',
  fields: new TestRegistry(),
  eventTypeCount: 1,
  eventTypeCodes: () => undefined,
  hasEventTypes: false,
};

export function codesOf(...names: string[]): number[] {
  return names.flatMap((n) => EVENT_CODES[n] ?? []).sort((a, b) => a - b);
}
