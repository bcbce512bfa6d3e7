// End-to-end replay throughput of the agent: `peregrine -r RULES -o engine.kind=replay ...` as a
// user runs it (reader, state, rules, alerts through the outputs queue to stdout), on large
// captures made with bench/make-capture.ts from libs_e2e/curl_google (curl resolving and fetching
// a page), in the old event layouts as recorded (enter and exit events, through scap's converter)
// and in the current layouts a current driver writes; with (a) no rules, (b) the upstream
// falco_rules.yaml, (c) all three upstream syscall rules files. Against `sysdig -r FILE
// "evt.num=0"` on the same files in the same run, and with Falco 0.44.1's figures on this machine
// printed for context.
//
// Each measurement is a fresh process; the time of the same command on an empty capture (start-up,
// configuration, rules loading) is subtracted, so events/s is the replay itself (JIT warm-up
// included: a larger capture amortizes it). Rows alternate and the median of AGENT_BENCH_RUNS
// (default 3) runs is reported. AGENT_BENCH_EVENTS sets the size (default 10,000,000 events).
//
// Profile one configuration:
//   node --cpu-prof bin/peregrine.js -r upstream-rules/falco_rules.yaml -o engine.kind=replay \
//     -o engine.replay.capture_file=bench/out/agent-current-10000000.scap -o syslog_output.enabled=false > /dev/null
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport, BenchRow } from './run.js';
import { makeCapture } from './make-capture.js';
import { corpusAvailable, corpusPath } from '../test/helpers/corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const PEREGRINE = path.join(repoRoot, 'bin', 'peregrine.js');

type RulesChoice = 'none' | 'stable' | 'all';
const RULES: Record<RulesChoice, { label: string; files: () => string[] }> = {
  none: { label: 'no rules', files: () => [noRulesFile()] },
  stable: { label: 'falco_rules.yaml', files: () => [corpusPath('upstream-rules/falco_rules.yaml')] },
  all: {
    label: 'all 3 upstream files',
    files: () => ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => corpusPath('upstream-rules', f)),
  },
};

/** Falco 0.44.1 replaying captures on this machine, events/s (the figures the team measured). */
const FALCO_EPS: Partial<Record<RulesChoice, number>> = { stable: 2.38e6, all: 1.38e6 };

/** A rules file with nothing to evaluate (Falco needs at least one rules file). */
function noRulesFile(): string {
  const file = path.join(outDir, 'no-rules.yaml');
  if (!existsSync(file)) writeFileSync(file, '- required_engine_version: 0.0.0\n');
  return file;
}

function elapsed(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.slice(-500)}`));
      else resolve(seconds);
    });
  });
}

function peregrineArgs(rules: RulesChoice, capture: string): string[] {
  return [
    PEREGRINE, ...RULES[rules].files().flatMap((f) => ['-r', f]),
    '-o', 'engine.kind=replay', '-o', `engine.replay.capture_file=${capture}`,
    '-o', 'syslog_output.enabled=false', '-o', 'log_syslog=false', '-o', 'watch_config_files=false',
  ];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const CAPTURES = [
  { label: 'current format', key: 'current', convert: true },
  { label: 'old format', key: 'old', convert: false },
] as const;

export async function run(): Promise<BenchReport> {
  if (!corpusAvailable()) return { title: 'agent replay', rows: [], notes: ['reference corpus not found: skipped'] };
  const events = Number(process.env.AGENT_BENCH_EVENTS ?? 10_000_000);
  const runs = Number(process.env.AGENT_BENCH_RUNS ?? 3);
  mkdirSync(outDir, { recursive: true });
  const empty = corpusPath('captures/empty.scap');
  const choices: RulesChoice[] = ['none', 'stable', 'all'];
  const rows: BenchRow[] = [];
  const ratios: string[] = [];
  let sizes = '';

  for (const cap of CAPTURES) {
    const capture = path.join(outDir, `agent-${cap.key}-${events}.scap`);
    if (!existsSync(capture)) await makeCapture({ from: 'libs_e2e/curl_google', events, out: capture, convert: cap.convert });
    sizes += `${sizes ? ', ' : ''}${cap.label} ${(statSync(capture).size / 2 ** 20).toFixed(0)} MiB`;
    const times: Record<string, number[]> = {};
    const add = (key: string, seconds: number): void => {
      (times[key] ??= []).push(seconds);
    };
    for (let i = 0; i < runs; i++) {
      add('sysdig', await elapsed('sysdig', ['-r', capture, 'evt.num=0']));
      add('sysdig-empty', await elapsed('sysdig', ['-r', empty, 'evt.num=0']));
      for (const c of choices) {
        add(c, await elapsed(process.execPath, peregrineArgs(c, capture)));
        add(`${c}-empty`, await elapsed(process.execPath, peregrineArgs(c, empty)));
      }
    }
    const eps = (key: string): number => events / Math.max(1e-6, median(times[key]!) - median(times[`${key}-empty`]!));
    const sysdigEps = eps('sysdig');
    rows.push({
      name: `sysdig -r FILE "evt.num=0", ${cap.label}`,
      figures: { events_per_s: sysdigEps, seconds: median(times.sysdig!), startup_s: median(times['sysdig-empty']!) },
    });
    for (const c of choices) {
      const e = eps(c);
      rows.push({
        name: `peregrine, ${cap.label}, ${RULES[c].label}`,
        figures: { events_per_s: e, seconds: median(times[c]!), startup_s: median(times[`${c}-empty`]!) },
      });
      ratios.push(`${cap.label}, ${RULES[c].label}: peregrine / sysdig events/s = ${(e / sysdigEps).toFixed(2)}x`);
      const falco = FALCO_EPS[c];
      if (falco !== undefined) {
        ratios.push(`${cap.label}, ${RULES[c].label}: peregrine / Falco 0.44.1 (${(falco / 1e6).toFixed(2)}M events/s) = ${(e / falco).toFixed(2)}x`);
      }
    }
  }
  return {
    title: `agent: end-to-end replay of ${events} events (${sizes}; libs_e2e/curl_google repeated), median of ${runs}`,
    rows,
    ratios,
    notes: [
      'events/s = events / (time of the run − time of the same command on an empty capture): start-up and rules loading excluded',
      'Falco 0.44.1 on this machine: 2.38M events/s with falco_rules.yaml, 1.38M with all three upstream files (context, not measured here)',
    ],
  };
}
