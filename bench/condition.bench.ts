// Condition language costs:
// - compile time of every upstream condition (parse, expand lists and macros, compile), against
//   parsing the same rules files' YAML (baseline of the same run);
// - evaluation throughput of representative rules on synthetic events, generated code and
//   closures, against a hand-written JavaScript predicate for the same rule (baseline);
// - a whole ruleset (the three upstream syscall rules files) dispatched by event type.
// Fields are the real syscall field declarations with one generic extractor (a property read of
// the synthetic event), used the same way by the baselines, so the figures isolate the engine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  compileCondition,
  compileConditionGroup,
  expandCondition,
  parseCondition,
  type Ast,
  type CompiledCondition,
} from '../src/engine/condition/index.js';
import type { EventSourceDefinition } from '../src/engine/source.js';
import type { FieldValue } from '../src/fields/types.js';
import { createSyscallSourceDefinition } from '../src/sources/syscall/definition.js';
import { corpusAvailable, corpusPath } from '../test/helpers/corpus.js';
import type { BenchReport, BenchRow } from './run.js';

/** A synthetic event: its event-type code and field values in slots (see slotOf). */
interface SynthEvent {
  readonly code: number;
  readonly values: readonly (FieldValue | undefined)[];
}

/** Slot of each field (as written) in SynthEvent.values: one array index per field. */
const SLOTS = new Map<string, number>();
function slotOf(field: string): number {
  let s = SLOTS.get(field);
  if (s === undefined) {
    s = SLOTS.size;
    SLOTS.set(field, s);
  }
  return s;
}

function syntheticSource(): EventSourceDefinition<SynthEvent> {
  const source = createSyscallSourceDefinition<SynthEvent>();
  for (const def of source.fields.all()) {
    source.fields.implement(def.name, (d, arg) => {
      const slot = slotOf(arg === undefined ? d.name : `${d.name}[${arg.raw}]`);
      return { extract: (e: SynthEvent) => e.values[slot] };
    });
  }
  return source;
}

/** The value of a field of a synthetic event, as the baselines read it. */
function fieldReader(field: string): (e: SynthEvent) => FieldValue | undefined {
  const slot = slotOf(field);
  return (e) => e.values[slot];
}

interface Item {
  list?: string;
  items?: unknown[];
  macro?: string;
  rule?: string;
  condition?: string;
}

interface Loaded {
  rules: Map<string, Ast>;
  macros: Map<string, Ast>;
  lists: Map<string, string[]>;
}

function loadRules(files: readonly string[]): Loaded {
  const loaded: Loaded = { rules: new Map(), macros: new Map(), lists: new Map() };
  for (const file of files) {
    for (const it of parseYaml(readFileSync(file, 'utf8')) as Item[]) {
      if (it.list !== undefined) loaded.lists.set(it.list, (it.items ?? []).map(String).flatMap((i) => loaded.lists.get(i) ?? [i]));
      else if (it.macro !== undefined) loaded.macros.set(it.macro, parseCondition(it.condition!));
      else if (it.rule !== undefined && it.condition !== undefined) loaded.rules.set(it.rule, parseCondition(it.condition));
    }
  }
  return loaded;
}

function timeMs(f: () => void, repeat: number): number {
  f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) f();
  return (performance.now() - t0) / repeat;
}

/** Events per second of `predicate` over `events`, after a warm-up. */
function throughput(predicate: (e: SynthEvent) => boolean, events: readonly SynthEvent[], budgetMs = 400): { perSec: number; matches: number } {
  let matches = 0;
  for (let r = 0; r < 2000; r++) for (const e of events) if (predicate(e)) matches++;
  let n = 0;
  matches = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let r = 0; r < 200; r++) {
      for (let i = 0; i < events.length; i++) if (predicate(events[i]!)) matches++;
    }
    n += 200 * events.length;
    elapsed = performance.now() - t0;
  }
  return { perSec: (n / elapsed) * 1000, matches };
}

const SENSITIVE_LISTS = {
  sensitive_file_names: ['/etc/shadow', '/etc/sudoers', '/etc/pam.conf', '/etc/security/pwquality.conf'],
  allowed_readers: ['sshd', 'sudo', 'login', 'systemd-logind', 'passwd', 'chage', 'unix_chkpwd', 'cron', 'polkitd'],
  shell_binaries: ['ash', 'bash', 'csh', 'ksh', 'sh', 'tcsh', 'zsh', 'dash'],
};

/** Representative rules (upstream shapes) and hand-written predicates doing the same. */
function representativeRules(): { name: string; condition: string; lists: Record<string, string[]>; baseline: (e: SynthEvent) => boolean }[] {
  const sensitive = new Set(SENSITIVE_LISTS.sensitive_file_names);
  const allowed = new Set(SENSITIVE_LISTS.allowed_readers);
  const shells = new Set(SENSITIVE_LISTS.shell_binaries);
  const str = (v: FieldValue | undefined): v is string => typeof v === 'string';
  const [type, openRead, typechar, fdName, fdDir, procName, pname, dir, cmdline] = [
    'evt.type', 'evt.is_open_read', 'fd.typechar', 'fd.name', 'fd.directory', 'proc.name', 'proc.pname', 'evt.dir', 'proc.cmdline',
  ].map(fieldReader) as ((e: SynthEvent) => FieldValue | undefined)[];
  return [
    {
      name: 'sensitive file read (open + lists)',
      condition:
        'evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.typechar = f and ' +
        '(fd.name in (sensitive_file_names) or fd.directory in (/etc/sudoers.d, /etc/pam.d)) and ' +
        'not proc.name in (allowed_readers) and not proc.pname in (allowed_readers)',
      lists: SENSITIVE_LISTS,
      baseline: (e) => {
                const t = type!(e);
        if (!(t === 'open' || t === 'openat' || t === 'openat2')) return false;
        if (openRead!(e) !== true || typechar!(e) !== 'f') return false;
        const n = fdName!(e);
        const d = fdDir!(e);
        if (!((str(n) && sensitive.has(n)) || (str(d) && (d === '/etc/sudoers.d' || d === '/etc/pam.d')))) return false;
        const p = procName!(e);
        if (p === undefined || allowed.has(p as string)) return false;
        const pp = pname!(e);
        return pp !== undefined && !allowed.has(pp as string);
      },
    },
    {
      name: 'shell spawned by a non-shell (execve)',
      condition:
        'evt.type in (execve, execveat) and evt.dir = < and proc.name in (shell_binaries) and ' +
        'not proc.pname in (shell_binaries) and proc.cmdline contains " -c "',
      lists: SENSITIVE_LISTS,
      baseline: (e) => {
                const t = type!(e);
        if (!(t === 'execve' || t === 'execveat') || dir!(e) !== '<') return false;
        const p = procName!(e);
        if (!str(p) || !shells.has(p)) return false;
        const pp = pname!(e);
        if (pp === undefined || shells.has(pp as string)) return false;
        const c = cmdline!(e);
        return str(c) && c.includes(' -c ');
      },
    },
    {
      name: 'ssh keys (glob, startswith, icontains)',
      condition:
        'evt.type in (open, openat) and (fd.name glob "/home/*/.ssh/*" or fd.name startswith /root/.ssh/ ' +
        'or proc.cmdline icontains "id_rsa")',
      lists: {},
      baseline: (e) => {
                const t = type!(e);
        if (!(t === 'open' || t === 'openat')) return false;
        const n = fdName!(e);
        if (str(n) && ((n.startsWith('/home/') && /^\/home\/.*\/\.ssh\//s.test(n)) || n.startsWith('/root/.ssh/'))) return true;
        const c = cmdline!(e);
        return str(c) && c.toLowerCase().includes('id_rsa');
      },
    },
  ];
}

function syntheticEvents(source: EventSourceDefinition<SynthEvent>): SynthEvent[] {
  const code = (type: string): number => {
    const codes = source.eventTypeCodes(type) ?? [0];
    return codes[codes.length - 1]!;
  };
  const base = { 'evt.dir': '<', 'proc.pname': 'bash', 'user.name': 'root', 'user.uid': 0, 'proc.tty': 0, 'container.id': 'host' };
  const ev = (type: string, f: Record<string, FieldValue>): SynthEvent => {
    const values: (FieldValue | undefined)[] = [];
    for (const [k, v] of Object.entries({ ...base, 'evt.type': type, ...f })) values[slotOf(k)] = v;
    // Every slot exists (undefined = no value), so reads stay in bounds.
    for (let i = 0; i < 512; i++) if (!(i in values)) values[i] = undefined;
    return { code: code(type), values };
  };
  const open = (name: string, proc: string, read = true): SynthEvent =>
    ev('openat', {
      'fd.name': name,
      'fd.directory': name.slice(0, name.lastIndexOf('/')) || '/',
      'fd.filename': name.slice(name.lastIndexOf('/') + 1),
      'fd.typechar': 'f',
      'evt.is_open_read': read,
      'evt.is_open_write': !read,
      'proc.name': proc,
      'proc.exe': proc,
      'proc.cmdline': `${proc} ${name}`,
    });
  return [
    open('/etc/shadow', 'cat'),
    open('/etc/shadow', 'sshd'),
    open('/usr/lib/x86_64-linux-gnu/libc.so.6', 'ls'),
    open('/proc/self/status', 'ps'),
    open('/home/alice/.ssh/id_rsa', 'scp'),
    open('/tmp/build/out.o', 'cc1', false),
    open('/var/log/syslog', 'rsyslogd', false),
    ev('execve', { 'proc.name': 'bash', 'proc.pname': 'python3', 'proc.cmdline': 'bash -c id', 'proc.exe': '/bin/bash', 'proc.args': '-c id' }),
    ev('execve', { 'proc.name': 'ls', 'proc.cmdline': 'ls -l', 'proc.exe': '/bin/ls' }),
    ev('connect', { 'proc.name': 'curl', 'fd.sip': 0x5db8d822, 'fd.sport': 443, 'fd.l4proto': 'tcp', 'fd.typechar': '4' }),
    ev('close', { 'proc.name': 'nginx', 'fd.name': '/var/log/nginx/access.log' }),
    ev('read', { 'proc.name': 'nginx' }),
  ];
}

export async function run(): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const ratios: string[] = [];
  const notes: string[] = [];
  const source = syntheticSource();
  const events = syntheticEvents(source);

  // ---- representative rules against hand-written predicates ----
  for (const r of representativeRules()) {
    const ctx = { macros: new Map<string, Ast>(), lists: new Map(Object.entries(r.lists)) };
    const ast = expandCondition(parseCondition(r.condition), ctx).ast;
    const gen = compileCondition(ast, source, { strategy: 'codegen' });
    const clo = compileCondition(ast, source, { strategy: 'closures' });
    for (const e of events) {
      if (gen.evaluate(e) !== r.baseline(e) || clo.evaluate(e) !== r.baseline(e)) {
        throw new Error(`benchmark rule '${r.name}' disagrees with its baseline on event ${events.indexOf(e)}`);
      }
    }
    const base = throughput(r.baseline, events);
    const g = throughput((e) => gen.evaluate(e), events);
    const c = throughput((e) => clo.evaluate(e), events);
    rows.push({
      name: r.name,
      figures: { handwritten_evals_per_s: base.perSec, codegen_evals_per_s: g.perSec, closures_evals_per_s: c.perSec },
    });
    ratios.push(`${r.name}: codegen/handwritten = ${(g.perSec / base.perSec).toFixed(2)}x, closures/handwritten = ${(c.perSec / base.perSec).toFixed(2)}x`);
  }

  if (!corpusAvailable()) {
    notes.push('reference corpus not found: upstream compile and ruleset figures skipped (set PEREGRINE_CORPUS)');
    return { title: 'condition language', rows, ratios, notes };
  }

  // ---- compile time of every upstream condition ----
  const files = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => corpusPath('upstream-rules', f));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const yamlMs = timeMs(() => texts.forEach((t) => parseYaml(t)), 5);
  const conditions = texts.flatMap((t) => (parseYaml(t) as Item[]).flatMap((i) => (i.condition === undefined ? [] : [i.condition])));
  const parseMs = timeMs(() => conditions.forEach((c) => parseCondition(c)), 5);
  const loaded = loadRules(files);
  const compiled = new Map<string, CompiledCondition<SynthEvent>>();
  const compileMs = timeMs(() => {
    for (const [name, ast] of loaded.rules) {
      compiled.set(name, compileCondition(expandCondition(ast, loaded).ast, source));
    }
  }, 5);
  rows.push({
    name: `upstream syscall rules (${loaded.rules.size} rules, ${conditions.length} conditions)`,
    figures: { yaml_parse_ms: yamlMs, condition_parse_ms: parseMs, expand_and_compile_ms: compileMs, per_rule_ms: compileMs / loaded.rules.size },
  });
  ratios.push(`parse+expand+compile / YAML parse of the same files = ${((parseMs + compileMs) / yamlMs).toFixed(2)}x`);

  // ---- the whole ruleset, dispatched by event type ----
  const buildTable = (rules: CompiledCondition<SynthEvent>[]): ((e: SynthEvent) => boolean)[][] => {
    const table: ((e: SynthEvent) => boolean)[][] = Array.from({ length: source.eventTypeCount }, () => []);
    for (const c of rules) {
      for (let code = 0; code < source.eventTypeCount; code++) {
        if (c.eventTypes === 'all' || c.eventTypes.has(code)) table[code]!.push(c.evaluate);
      }
    }
    return table;
  };
  const genTable = buildTable([...compiled.values()]);
  const cloTable = buildTable(
    [...loaded.rules.values()].map((ast) => compileCondition(expandCondition(ast, loaded).ast, source, { strategy: 'closures' })),
  );
  const dispatch = (table: ((e: SynthEvent) => boolean)[][]) => (e: SynthEvent): boolean => {
    const rules = table[e.code]!;
    let any = false;
    for (let i = 0; i < rules.length; i++) if (rules[i]!(e)) any = true;
    return any;
  };
  const perEvent = events.reduce((n, e) => n + genTable[e.code]!.length, 0) / events.length;
  // The same rules of each event type as one group (shared fields and checks).
  const byCode: CompiledCondition<SynthEvent>[][] = Array.from({ length: source.eventTypeCount }, () => []);
  for (const c of compiled.values()) {
    for (let code = 0; code < source.eventTypeCount; code++) {
      if (c.eventTypes === 'all' || c.eventTypes.has(code)) byCode[code]!.push(c);
    }
  }
  const groupByCode = new Map<number, ReturnType<typeof compileConditionGroup<SynthEvent>>>();
  for (const e of events) {
    if (!groupByCode.has(e.code)) groupByCode.set(e.code, compileConditionGroup(byCode[e.code]!));
  }
  const groups = Array.from({ length: source.eventTypeCount }, (_, code) => groupByCode.get(code));
  const out: number[] = [];
  const grouped = (e: SynthEvent): boolean => {
    out.length = 0;
    return groups[e.code]!.all(e, out) > 0;
  };
  for (const e of events) {
    const expected = genTable[e.code]!.filter((f) => f(e)).length;
    out.length = 0;
    if (groups[e.code]!.all(e, out) !== expected) throw new Error('grouped evaluation disagrees with single conditions');
  }
  const g = throughput(dispatch(genTable), events, 800);
  const c = throughput(dispatch(cloTable), events, 800);
  const gr = throughput(grouped, events, 800);
  rows.push({
    name: 'all upstream syscall rules, by event type',
    figures: {
      rules_per_event: perEvent,
      codegen_events_per_s: g.perSec,
      closures_events_per_s: c.perSec,
      grouped_events_per_s: gr.perSec,
    },
  });
  ratios.push(`ruleset: codegen/closures events/s = ${(g.perSec / c.perSec).toFixed(2)}x`);
  ratios.push(`ruleset: grouped/codegen events/s = ${(gr.perSec / g.perSec).toFixed(2)}x`);
  notes.push('fields are the real syscall declarations with a generic extractor reading the synthetic event; the baselines read the same objects');
  return { title: 'condition language', rows, ratios, notes };
}

// Allow `node dist/bench/condition.bench.js` alone.
if (process.argv[1] !== undefined && path.basename(process.argv[1]) === 'condition.bench.js') {
  void run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
