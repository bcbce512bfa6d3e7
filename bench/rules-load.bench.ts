// Time to load and compile Falco's three upstream rules files together (falco_rules.yaml,
// falco-incubating_rules.yaml, falco-sandbox_rules.yaml, in that order), against a baseline
// measured in the same run: reading the same YAML into positioned nodes alone.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { builtinRulesEnvironment } from '../src/cli/commands/validate.js';
import { RulesLoader } from '../src/engine/loader/index.js';
import { parseYamlDocuments, SourceText } from '../src/engine/loader/yaml.js';
import { CORPUS_DIR } from '../test/helpers/corpus.js';
import type { BenchReport } from './run.js';

/** A handle on the garbage collector, for the heap figure (exposed at run time). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

const FILES = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'];
const RUNS = 7;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeRuns(fn: () => void): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

export async function run(): Promise<BenchReport> {
  const paths = FILES.map((f) => path.join(CORPUS_DIR, 'upstream-rules', f));
  if (!paths.every((p) => existsSync(p))) {
    return { title: 'rules load (upstream rules)', rows: [], notes: [`corpus not found at ${CORPUS_DIR}; set PEREGRINE_CORPUS`] };
  }
  const contents = paths.map((p) => ({ name: p, text: readFileSync(p, 'utf8') }));
  const env = builtinRulesEnvironment();
  const bytes = contents.reduce((n, c) => n + Buffer.byteLength(c.text), 0);

  const yamlMs = timeRuns(() => {
    for (const c of contents) parseYamlDocuments(new SourceText(c.text));
  });

  // Cold: the first load in this process (what a command-line run pays).
  const coldStart = process.hrtime.bigint();
  const cold = new RulesLoader({ sources: env.sources });
  for (const c of contents) cold.loadContent(c.name, c.text);
  const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

  let rules = 0;
  let warnings = 0;
  let errors = 0;
  const loadMs = timeRuns(() => {
    const loader = new RulesLoader({ sources: env.sources });
    warnings = 0;
    errors = 0;
    for (const c of contents) {
      const r = loader.loadContent(c.name, c.text);
      warnings += r.warnings.length;
      errors += r.errors.length;
    }
    rules = loader.compiled?.rules.length ?? 0;
  });

  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const kept = new RulesLoader({ sources: env.sources });
  for (const c of contents) kept.loadContent(c.name, c.text);
  collectGarbage();
  const heapAfter = process.memoryUsage().heapUsed;
  // the loader keeps the contents (for snippets) and every compiled rule
  if (kept.compiled === undefined) throw new Error('nothing compiled');

  return {
    title: 'rules load: falco + incubating + sandbox rules (load, compile, checks)',
    rows: [
      { name: 'baseline: YAML to positioned nodes only', figures: { ms: yamlMs, mb_per_s: bytes / 1e6 / (yamlMs / 1000) } },
      { name: 'full load and compile, first in the process', figures: { ms: coldMs } },
      { name: 'full load and compile of the three files', figures: { ms: loadMs, rules, warnings, errors } },
      { name: 'heap held by the loaded rules (approx.)', figures: { mib: (heapAfter - heapBefore) / 1048576 } },
    ],
    ratios: [`full load / YAML parse = ${(loadMs / yamlMs).toFixed(2)}x`],
    notes: [`median of ${RUNS} runs after one warm-up; ${(bytes / 1024).toFixed(0)} KiB of YAML; the loader compiles after each file, as Falco does`],
  };
}
