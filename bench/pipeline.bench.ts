// The replay pipeline end to end, without outputs: reader → converter → state → ruleset dispatch
// and evaluation → every match's alert built (output text and output_fields, as the agent hands
// alerts to the outputs queue). Against `sysdig -r FILE "evt.num=0"` on the same file, in the same
// run, and with Falco 0.44.1's own replay figures on this machine printed for context.
//
// Captures (bench/make-capture.ts, cached in bench/out/), both from libs_e2e/curl_google (curl
// resolving and fetching a page: memory, file, network, clock syscalls): as recorded, in old event
// layouts (enter and exit events, ~80% of them through the converter: 35% withheld enter events,
// 45% rewritten), and in the current layouts a current driver records (exit events carrying every
// parameter, as Falco's converter delivers them). The corpus's captures in V2 blocks are no
// substitute: libs_e2e/single_ipv6_conn, psp/privileged and ping_sendto are >95% procinfo events,
// psp/run_as_user_0_container still has old-layout enter events. Rules: none, the upstream stable rules
// (falco_rules.yaml), and all three upstream syscall files. Each measurement runs in its own
// process (its peak RSS is its own); rows alternate so that noise affects all alike; the median
// of several runs is reported.
//
//   PIPELINE_BENCH_EVENTS  events per capture (default 2,000,000)
//   PIPELINE_BENCH_RUNS    runs per row (default 5)
//   PIPELINE_BENCH_MATCH   `first` (Falco's default rule_matching) or `all`
//   PIPELINE_BENCH_COMPARE the dist/ directory of another build (say, before a change): its
//                          Peregrine rows run interleaved with this build's, labelled "compared"
//
// One configuration alone, for profiling:
//   node [--cpu-prof] dist/bench/pipeline.bench.js --worker FILE none|stable|all [first|all]
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport, BenchRow } from './run.js';
import { makeCapture, resolveCapture } from './make-capture.js';
import { ScapReplaySource } from '../src/sources/scap-replay.js';
import { createSyscallSource } from '../src/fields/syscall/extractors/index.js';
import { Delivery, type SyscallEvent } from '../src/state/syscall-event.js';
import { RulesLoader, type CompiledRule } from '../src/engine/loader/index.js';
import { Ruleset } from '../src/engine/ruleset.js';
import type { Alert, AlertFieldValue } from '../src/outputs/alert.js';
import type { AnySource } from '../src/engine/loader/index.js';
import { corpusPath } from '../test/helpers/corpus.js';
import { measureProcess, type ProcessMeasure } from './measure-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');

const CAPTURES = [
  { label: 'old format', source: 'libs_e2e/curl_google', convert: false },
  { label: 'current format', source: 'libs_e2e/curl_google', convert: true },
] as const;

type RulesChoice = 'none' | 'stable' | 'all';
const RULES: Record<RulesChoice, { label: string; files: string[] }> = {
  none: { label: 'no rules', files: [] },
  stable: { label: 'falco_rules.yaml', files: ['falco_rules.yaml'] },
  all: { label: 'all 3 upstream files', files: ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'] },
};

/** Falco 0.44.1 replaying captures on this machine (events/s; the brief's figures). */
const FALCO_EPS: Record<RulesChoice, number | undefined> = { none: undefined, stable: 2.38e6, all: 1.38e6 };

interface WorkerReport {
  events: number;
  forRules: number;
  loopSeconds: number;
  /** CPU time of the replay loop (all threads of the process: GC helpers included). */
  loopCpuSeconds: number;
  loadSeconds: number;
  peakRssMiB: number;
  rules: number;
  matches: number;
  outputChars: number;
}

interface Measured extends WorkerReport {
  /** Whole-process wall time, startup and rule loading included. */
  seconds: number;
}

/** Runs a command, sampling its peak RSS (VmHWM) from /proc while it runs. */
function measure(cmd: string, args: string[]): Promise<ProcessMeasure> {
  return measureProcess(cmd, args, 'inherit');
}

async function peregrine(file: string, rules: RulesChoice, match: string, dist?: string): Promise<Measured> {
  const script = dist === undefined ? fileURLToPath(import.meta.url) : path.join(dist, 'bench', 'pipeline.bench.js');
  const r = await measure(process.execPath, [script, '--worker', file, rules, match]);
  const w = JSON.parse(r.stdout) as WorkerReport;
  return { ...w, seconds: r.seconds, peakRssMiB: Math.max(r.peakRssMiB, w.peakRssMiB) };
}

/**
 * sysdig's own startup: the least time it took on a tiny capture, probed once per round (never in
 * parallel), subtracted from its runs to estimate its replay time alone.
 */
const sysdigStartupProbes: number[] = [];

async function probeSysdigStartup(): Promise<void> {
  sysdigStartupProbes.push((await measure('sysdig', ['-r', resolveCapture('cat_write'), 'evt.num=0'])).seconds);
}

async function sysdig(file: string, events: number): Promise<Measured> {
  const r = await measure('sysdig', ['-r', file, 'evt.num=0']);
  return {
    // loopSeconds is set once every startup probe is in (see run()).
    events, forRules: events, loopSeconds: r.seconds, loopCpuSeconds: 0, loadSeconds: 0,
    peakRssMiB: r.peakRssMiB, rules: 0, matches: 0, outputChars: 0, seconds: r.seconds,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function ensureCapture(source: string, convert: boolean, events: number): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `pipeline-${source.replace(/\//g, '_')}${convert ? '-current' : ''}-${events}.scap`);
  const from = resolveCapture(source);
  if (!existsSync(file) || statSync(file).mtimeMs < statSync(from).mtimeMs) {
    await makeCapture({ from: source, events, out: file, gzip: false, convert });
  }
  return file;
}

export async function run(): Promise<BenchReport> {
  const events = Number(process.env.PIPELINE_BENCH_EVENTS ?? 2_000_000);
  const runs = Number(process.env.PIPELINE_BENCH_RUNS ?? 5);
  const match = process.env.PIPELINE_BENCH_MATCH === 'all' ? 'all' : 'first';
  const files: string[] = [];
  for (const c of CAPTURES) files.push(await ensureCapture(c.source, c.convert, events));

  // Every row, runs interleaved: row k of run i, then row k+1...
  const compare = process.env.PIPELINE_BENCH_COMPARE;
  interface Row { name: string; capture: number; rules?: RulesChoice; dist?: string; results: Measured[] }
  const rows: Row[] = [];
  CAPTURES.forEach((c, i) => {
    rows.push({ name: `${c.label}: sysdig -r FILE evt.num=0 (baseline)`, capture: i, results: [] });
    for (const rules of ['none', 'stable', 'all'] as const) {
      rows.push({ name: `${c.label}: peregrine, ${RULES[rules].label}`, capture: i, rules, results: [] });
      if (compare !== undefined) {
        rows.push({ name: `${c.label}: compared build, ${RULES[rules].label}`, capture: i, rules, dist: compare, results: [] });
      }
    }
  });
  for (let r = 0; r < runs; r++) {
    await probeSysdigStartup();
    for (const row of rows) {
      const file = files[row.capture]!;
      row.results.push(row.rules === undefined ? await sysdig(file, events) : await peregrine(file, row.rules, match, row.dist));
    }
  }
  const sysdigStartup = Math.min(...sysdigStartupProbes);
  for (const row of rows) {
    if (row.rules === undefined) for (const m of row.results) m.loopSeconds = Math.max(1e-6, m.seconds - sysdigStartup);
  }

  const benchRows: BenchRow[] = [];
  const ratios: string[] = [];
  const loopRate = (m: Measured): number => m.events / m.loopSeconds;
  for (const row of rows) {
    const res = row.results;
    const last = res[res.length - 1]!;
    if (row.rules !== undefined && res.some((m) => m.events !== events)) throw new Error(`${row.name}: replayed a different number of events`);
    const figures: Record<string, number> = {
      events_per_s: median(res.map(loopRate)),
      // The least disturbed run (other work on the machine only ever slows a run down).
      best_events_per_s: Math.max(...res.map(loopRate)),
      wall_events_per_s: median(res.map((m) => m.events / m.seconds)),
      peak_rss_mib: median(res.map((m) => m.peakRssMiB)),
    };
    if (row.rules !== undefined) {
      figures.rules = last.rules;
      figures.load_s = median(res.map((m) => m.loadSeconds));
      figures.matches = last.matches;
      figures.for_rules = last.forRules;
    }
    benchRows.push({ name: row.name, figures });
  }
  for (let i = 0; i < CAPTURES.length; i++) {
    const base = benchRows.find((r) => r.name.startsWith(CAPTURES[i]!.label) && r.name.includes('sysdig'))!;
    const sd = base.figures.events_per_s as number;
    const sdBest = base.figures.best_events_per_s as number;
    for (const rules of ['none', 'stable', 'all'] as const) {
      const r = benchRows.find((x) => x.name === `${CAPTURES[i]!.label}: peregrine, ${RULES[rules].label}`)!;
      const eps = r.figures.events_per_s as number;
      const best = r.figures.best_events_per_s as number;
      const falco = FALCO_EPS[rules];
      const other = benchRows.find((x) => x.name === `${CAPTURES[i]!.label}: compared build, ${RULES[rules].label}`);
      if (other !== undefined) {
        ratios.push(
          `${CAPTURES[i]!.label}, ${RULES[rules].label}: this build/compared build = ${(eps / (other.figures.events_per_s as number)).toFixed(2)}x` +
          ` (best runs ${(best / (other.figures.best_events_per_s as number)).toFixed(2)}x)`,
        );
      }
      ratios.push(
        `${CAPTURES[i]!.label}, ${RULES[rules].label}: peregrine/sysdig = ${(eps / sd).toFixed(2)}x (best runs ${(best / sdBest).toFixed(2)}x)` +
        (falco === undefined ? '' : `, peregrine/Falco 0.44.1 (${(falco / 1e6).toFixed(2)}M) = ${(eps / falco).toFixed(2)}x (best run ${(best / falco).toFixed(2)}x)`) +
        `, peak RSS peregrine/sysdig = ${((r.figures.peak_rss_mib as number) / (base.figures.peak_rss_mib as number)).toFixed(2)}x`,
      );
    }
  }
  return {
    title: `replay pipeline (read, convert, state, rules, alerts): ${events} events per capture, median of ${runs} runs, rule_matching ${match}`,
    rows: benchRows,
    ratios,
    notes: [
      'events_per_s: replay loop only, median (Peregrine timed in its process after loading rules; sysdig minus its startup, ' +
        `${(sysdigStartup * 1000).toFixed(0)} ms on a tiny capture); best_events_per_s: the fastest run; ` +
        'wall_events_per_s: whole process, startup and rule loading included',
      'Falco 0.44.1 on this machine (loop rate, from the brief): 2.38M events/s with falco_rules.yaml, 1.38M with all three files',
      'sysdig 0.29.3 parses and keeps thread/fd state, no rules; Falco numbers events after conversion, rates here count input events',
      'captures: libs_e2e/curl_google repeated by bench/make-capture.ts, as recorded (old format) and in current layouts (--convert)',
    ],
  };
}

// ---- worker --------------------------------------------------------------------------------------

/** Loads upstream rules files as the agent does (every file in order, stopping at errors). */
function loadRuleset(choice: RulesChoice, source: AnySource): Ruleset {
  const loader = new RulesLoader({ sources: [source] });
  for (const f of RULES[choice].files) {
    const file = corpusPath('upstream-rules', f);
    const result = loader.loadContent(file, readFileSync(file, 'utf8'));
    if (!result.successful) throw new Error(`${file}: ${result.toText(loader.contents)}`);
  }
  const compiled = loader.compiled ?? { lists: [], macros: [], rules: [] };
  const ruleset = new Ruleset(compiled, [source]);
  ruleset.forSource(source.name)?.prepare();
  return ruleset;
}

/** The alert the agent hands to the outputs for a match: output text and fields rendered now. */
function alertFor(rule: CompiledRule, e: SyscallEvent): Alert {
  const fields: Record<string, AlertFieldValue> = rule.outputFormat.fields(e);
  for (const [key, extra] of rule.extraOutputFields) fields[key] = extra.compiled.text(e);
  return {
    time: e.evt.tsBig, rule: rule.name, priority: rule.priority, source: rule.source, tags: rule.tags,
    output: rule.outputFormat.text(e), outputFields: fields,
  };
}

async function worker(file: string, choice: RulesChoice, match: string): Promise<void> {
  const t0 = performance.now();
  const source = createSyscallSource();
  const ruleset = loadRuleset(choice, source as AnySource);
  const rules = ruleset.forSource('syscall');
  const loadSeconds = (performance.now() - t0) / 1000;
  let matches = 0;
  let outputChars = 0;
  const found: CompiledRule[] = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  // As the agent replays: withheld enter events (never given to rules) are not delivered.
  const replay = await ScapReplaySource.open(file, { skipWithheld: true });
  // Paced iteration, as the agent's event loop drives a replay.
  const stats = await replay.forEachPaced((e) => {
    if (e.delivery !== Delivery.Rules || rules === undefined) return true;
    const code = e.evt.type;
    if (match === 'first') {
      const rule = rules.firstMatch(code, e);
      if (rule === undefined) return true;
      matches++;
      outputChars += alertFor(rule, e).output.length;
    } else {
      found.length = 0;
      const n = rules.allMatches(code, e, found);
      for (let i = 0; i < n; i++) {
        matches++;
        outputChars += alertFor(found[i]!, e).output.length;
      }
    }
    return true;
  }, () => undefined);
  const loopSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const report: WorkerReport = {
    events: stats.reader.events, forRules: stats.stream.forRules, loopSeconds, loopCpuSeconds: (cpu.user + cpu.system) / 1e6, loadSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024, rules: rules?.enabledRules().length ?? 0, matches, outputChars,
  };
  process.stdout.write(JSON.stringify(report));
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3]!, process.argv[4] as RulesChoice, process.argv[5] ?? 'first');
}
