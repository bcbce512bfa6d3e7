// Falco conformance runner: runs the cases of a cases file (the corpus's cases.json by default)
// through the real `peregrine` command and checks every expectation the corpus README defines.
//
//   node dist/test/conformance/runner.js [--cases FILE] [--root DIR] [--kind K1,K2] [--id SUBSTR]
//        [--known-failures FILE] [--corrections FILE] [--peregrine PATH] [--timeout SECONDS] [--verbose]
//
// Prints `PASS id`, `FAIL id: reason`, `SKIP id: reason`, `XFAIL id: reason` (a failure listed in
// known-failures.json) or `XPASS id` (listed but passing: the list must be updated; counts as a
// failure), then a final line `N passed, M failed, K skipped`. Exits 1 when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { CORPUS_DIR, REPO_ROOT } from '../helpers/corpus.js';

// ---- the cases file ---------------------------------------------------------------------------

export interface ConformanceCase {
  id: string;
  kind: string;
  rules?: string[];
  input?: string | null;
  options?: CaseOptions;
  expect?: CaseExpect;
  expect_provenance?: Record<string, string>;
  expect_source?: string;
  reason?: string;
}

export interface CaseOptions {
  json_output?: boolean;
  json_include_output_property?: boolean;
  json_include_tags_property?: boolean;
  time_format_iso_8601?: boolean;
  all_events?: boolean;
  min_priority?: string;
  disable_rules?: string[];
  disable_rules_match?: string;
  disable_tags?: string[];
  enable_tags?: string[];
  enable_sources?: string[];
  config?: Record<string, unknown>;
  config_file?: string;
  config_overrides?: Record<string, unknown>;
  env?: Record<string, string>;
  extra_args?: string[];
  run_duration_s?: number;
}

interface FindingExpectation {
  code: string;
  item_type: string;
  item_name?: string;
  message?: string;
  message_contains?: string;
}

export interface CaseExpect {
  exit_code?: number;
  exit_code_nonzero?: boolean;
  no_detections?: boolean;
  min_total?: number;
  total?: number;
  detections?: Record<string, number>;
  priorities_present?: string[];
  priorities_absent?: string[];
  stdout_contains?: string[];
  stderr_contains?: string[];
  stdout_not_contains?: string[];
  stderr_not_contains?: string[];
  stdout_contains_lines_of?: { file: string; in_order?: boolean };
  stdout_json_lines_equal?: string;
  output_file_equals?: { config_key: string; expected: string };
  error_contains?: FindingExpectation[];
  warning_contains?: FindingExpectation[];
  error_count?: number;
  warning_count?: number;
  files_successful?: string[];
}

// ---- options → command line (the one place this mapping lives) ----------------------------------

export interface Invocation {
  args: string[];
  env: Record<string, string>;
  /** The temporary file standing for ${OUTPUT_FILE}, if the case uses it. */
  outputFile?: string;
  /** Config values after overrides (for output_file_equals). */
  configValues: Map<string, string>;
}

const OUTPUT_FILE_PLACEHOLDER = '${OUTPUT_FILE}';

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Maps a case to `peregrine` arguments the way Falco's test harnesses invoked Falco:
 * - validate: `-V FILE` per rules file; other kinds: `-r FILE` per rules file;
 * - input: `-o engine.kind=replay -o engine.replay.capture_file=FILE` (captures); for k8saudit,
 *   the configuration Falco's harness used: plugins k8saudit (open_params: FILE) and json, both in
 *   load_plugins (Peregrine provides them natively); a configured plugin whose open_params point
 *   into Falco's build tree (BUILD_DIR/...) reads the case's input instead;
 * - json_output, json_include_*_property, time_format_iso_8601: `-o key=true|false`;
 * - all_events: `-o base_syscalls.all=true`; min_priority: `-o priority=P`;
 * - disable_rules: `-o rules[].disable.rule=P` (substring match → `*P*`);
 *   disable_tags: `-o rules[].disable.tag=T`; enable_tags: disable `*`, then enable each tag;
 * - enable_sources: `--enable-source=S`; run_duration_s: `-M N`;
 * - config: written to a temporary YAML file given with `-c`; config_overrides: `-o key=value`
 *   with ${OUTPUT_FILE} replaced by a temporary file; env: added to the environment, plus
 *   FALCO_HOSTNAME=test-falco-hostname as the old harness set for every case;
 * - extra_args: appended as given.
 */
export function buildInvocation(c: ConformanceCase, root: string, tmpDir: string): Invocation {
  const o = c.options ?? {};
  const args: string[] = [];
  const configValues = new Map<string, string>();
  const resolve = (p: string): string => path.resolve(root, p);
  const set = (key: string, value: unknown): void => {
    const text = scalarText(value);
    args.push('-o', `${key}=${text}`);
    configValues.set(key, text);
  };

  let config = o.config;
  if (c.kind === 'k8saudit' && c.input) {
    config = {
      plugins: [
        { name: 'k8saudit', library_path: 'libk8saudit.so', init_config: '', open_params: resolve(c.input) },
        { name: 'json', library_path: 'libjson.so', init_config: '' },
      ],
      load_plugins: ['k8saudit', 'json'],
      ...(config ?? {}),
    };
  }
  let pluginInput = false;
  if (config !== undefined && Array.isArray(config.plugins) && c.input) {
    const input = resolve(c.input);
    config = {
      ...config,
      plugins: (config.plugins as Record<string, unknown>[]).map((p) => {
        if (typeof p.open_params !== 'string' || !p.open_params.startsWith('BUILD_DIR/')) return p;
        pluginInput = true;
        return { ...p, open_params: input };
      }),
    };
  }
  if (config !== undefined) {
    const configPath = path.join(tmpDir, 'config.yaml');
    writeFileSync(configPath, toYaml(config));
    args.push('-c', configPath);
    for (const [k, v] of Object.entries(config)) if (typeof v !== 'object' || v === null) configValues.set(k, scalarText(v));
  }
  for (const file of c.rules ?? []) args.push(c.kind === 'validate' ? '-V' : '-r', resolve(file));
  if (c.input && c.kind !== 'k8saudit' && !pluginInput) {
    set('engine.kind', 'replay');
    set('engine.replay.capture_file', resolve(c.input));
  }
  for (const key of ['json_output', 'json_include_output_property', 'json_include_tags_property', 'time_format_iso_8601'] as const) {
    if (o[key] !== undefined) set(key, o[key]);
  }
  if (o.all_events) set('base_syscalls.all', true);
  if (o.min_priority !== undefined) set('priority', o.min_priority);
  for (const rule of o.disable_rules ?? []) {
    args.push('-o', `rules[].disable.rule=${o.disable_rules_match === 'substring' ? `*${rule}*` : rule}`);
  }
  for (const tag of o.disable_tags ?? []) args.push('-o', `rules[].disable.tag=${tag}`);
  if (o.enable_tags && o.enable_tags.length > 0) {
    args.push('-o', 'rules[].disable.rule=*');
    for (const tag of o.enable_tags) args.push('-o', `rules[].enable.tag=${tag}`);
  }
  for (const s of o.enable_sources ?? []) args.push(`--enable-source=${s}`);
  let outputFile: string | undefined;
  for (const [key, value] of Object.entries(o.config_overrides ?? {})) {
    let text = scalarText(value);
    if (text.includes(OUTPUT_FILE_PLACEHOLDER)) {
      outputFile ??= path.join(tmpDir, 'output.txt');
      text = text.split(OUTPUT_FILE_PLACEHOLDER).join(outputFile);
    }
    set(key, text);
  }
  if (o.run_duration_s !== undefined) args.push('-M', String(o.run_duration_s));
  args.push(...(o.extra_args ?? []));
  const env: Record<string, string> = { FALCO_HOSTNAME: 'test-falco-hostname', ...(o.env ?? {}) };
  return { args, env, outputFile, configValues };
}

// ---- running ------------------------------------------------------------------------------------

export interface RunOutput {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runPeregrine(bin: string, inv: Invocation, timeoutMs: number): Promise<RunOutput> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...inv.args], {
      env: { ...process.env, ...inv.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode, signal, timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

// ---- checking ---------------------------------------------------------------------------------

/** One detection (alert of a rule) as seen in the output. */
interface Detection {
  rule: string;
  priority: string;
}

const PRIORITY_ALIASES: Record<string, string> = { info: 'informational' };

function normalizePriority(p: string): string {
  const lower = p.toLowerCase();
  return PRIORITY_ALIASES[lower] ?? lower;
}

/** JSON alert lines of stdout (objects with `rule` and `priority`). */
function jsonDetections(stdout: string): Detection[] {
  const out: Detection[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      // Internal alerts ("Falco internal: syscall event drop") are not rule detections.
      if (typeof obj.rule === 'string' && typeof obj.priority === 'string' && !obj.rule.startsWith('Falco internal:')) {
        out.push({ rule: obj.rule, priority: obj.priority });
      }
    } catch {
      // not an alert
    }
  }
  return out;
}

interface DetectionSummary {
  total: number;
  byRule: Map<string, number>;
  byPriority: Map<string, number>;
}

/** The summary Falco prints on stdout at exit (`Events detected: N`, counts by severity and rule). */
function summaryDetections(stdout: string): DetectionSummary | undefined {
  const start = stdout.lastIndexOf('Events detected: ');
  if (start < 0) return undefined;
  const lines = stdout.slice(start).split('\n');
  const total = Number(lines[0]!.slice('Events detected: '.length));
  const byRule = new Map<string, number>();
  const byPriority = new Map<string, number>();
  let section: 'priority' | 'rule' | undefined;
  for (const line of lines.slice(1)) {
    if (line === 'Rule counts by severity:') section = 'priority';
    else if (line === 'Triggered rules by rule name:') section = 'rule';
    else if (line.startsWith('   ') && section) {
      const at = line.lastIndexOf(': ');
      const key = line.slice(3, at);
      const n = Number(line.slice(at + 2));
      (section === 'rule' ? byRule : byPriority).set(section === 'rule' ? key : normalizePriority(key), n);
    } else if (line.trim() !== '') {
      break;
    }
  }
  return { total, byRule, byPriority };
}

/** Detections from JSON alerts when the case uses JSON output, else from the exit summary. */
function detectionsOf(c: ConformanceCase, stdout: string): DetectionSummary | undefined {
  if (c.options?.json_output) {
    const list = jsonDetections(stdout);
    const byRule = new Map<string, number>();
    const byPriority = new Map<string, number>();
    for (const d of list) {
      byRule.set(d.rule, (byRule.get(d.rule) ?? 0) + 1);
      const p = normalizePriority(d.priority);
      byPriority.set(p, (byPriority.get(p) ?? 0) + 1);
    }
    return { total: list.length, byRule, byPriority };
  }
  return summaryDetections(stdout);
}

/** Converts a Python/Go regular expression to JavaScript (named groups, inline flags). */
function toJsRegExp(pattern: string, dotAll: boolean): RegExp {
  let flags = dotAll ? 's' : '';
  let source = pattern.replace(/\(\?P</g, '(?<');
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  return new RegExp(source, flags);
}

interface JsonFinding {
  code: string;
  message: string;
  context?: { locations?: { item_type: string; item_name: string }[] };
}

interface JsonLoadResult {
  name: string;
  successful: boolean;
  errors: JsonFinding[];
  warnings: JsonFinding[];
}

function findingMatches(f: JsonFinding, e: FindingExpectation): boolean {
  if (f.code !== e.code) return false;
  if (e.message !== undefined && f.message !== e.message) return false;
  if (e.message_contains !== undefined && !f.message.includes(e.message_contains)) return false;
  return (f.context?.locations ?? []).some((l) => l.item_type === e.item_type && (e.item_name === undefined || l.item_name === e.item_name));
}

function describeFinding(e: FindingExpectation): string {
  const msg = e.message !== undefined ? ` "${e.message}"` : e.message_contains !== undefined ? ` ~"${e.message_contains}"` : '';
  return `${e.code} on ${e.item_type}${e.item_name !== undefined ? ` '${e.item_name}'` : ''}${msg}`;
}

function validationResults(stdout: string): JsonLoadResult[] | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const obj = JSON.parse(line) as { falco_load_results?: JsonLoadResult[] };
      if (Array.isArray(obj.falco_load_results)) return obj.falco_load_results;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return jsonEqual(ka, kb) && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Every expectation the corpus README defines (all are checked below). */
const KNOWN_EXPECTATIONS = new Set([
  'exit_code', 'exit_code_nonzero', 'no_detections', 'min_total', 'total', 'detections', 'priorities_present',
  'priorities_absent', 'stdout_contains', 'stderr_contains', 'stdout_not_contains', 'stderr_not_contains',
  'stdout_contains_lines_of', 'stdout_json_lines_equal', 'output_file_equals', 'error_contains', 'warning_contains',
  'error_count', 'warning_count', 'files_successful',
]);

/** Every failed expectation of a case, as short reasons (empty: the case passes). */
export function checkExpectations(c: ConformanceCase, run: RunOutput, inv: Invocation, root: string): string[] {
  const e = c.expect ?? {};
  const failures: string[] = [];
  const fail = (m: string): void => {
    failures.push(m);
  };
  const provenance = c.expect_provenance ?? {};
  // Expressions from the old YAML suite were searched with Python's re.DOTALL; Go's were not.
  const fromOldYaml = (key: string): boolean => (provenance[key] ?? c.expect_source ?? 'falco_yaml') === 'falco_yaml';
  for (const key of Object.keys(e)) {
    if (!KNOWN_EXPECTATIONS.has(key)) fail(`unknown expectation '${key}' (the runner does not check it)`);
  }

  if (run.timedOut) fail('timed out');
  if (e.exit_code !== undefined && run.exitCode !== e.exit_code) fail(`exit code ${run.exitCode ?? run.signal} (expected ${e.exit_code})`);
  if (e.exit_code_nonzero && run.exitCode === 0) fail('exit code 0 (expected non-zero)');

  const needsDetections = e.no_detections !== undefined || e.min_total !== undefined || e.total !== undefined ||
    e.detections !== undefined || e.priorities_present !== undefined || e.priorities_absent !== undefined;
  if (needsDetections) {
    const d = detectionsOf(c, run.stdout);
    if (!d) {
      fail('no detection summary on stdout ("Events detected: N")');
    } else {
      if (e.no_detections && d.total !== 0) fail(`${d.total} detections (expected none)`);
      if (e.min_total !== undefined && d.total < e.min_total) fail(`${d.total} detections (expected at least ${e.min_total})`);
      if (e.total !== undefined && d.total !== e.total) fail(`${d.total} detections (expected ${e.total})`);
      for (const [rule, n] of Object.entries(e.detections ?? {})) {
        const got = d.byRule.get(rule) ?? 0;
        if (got !== n) fail(`rule "${rule}" fired ${got} times (expected ${n})`);
      }
      for (const p of e.priorities_present ?? []) if (!d.byPriority.get(normalizePriority(p))) fail(`no ${p} detection`);
      for (const p of e.priorities_absent ?? []) {
        const got = d.byPriority.get(normalizePriority(p)) ?? 0;
        if (got > 0) fail(`${got} ${p} detections (expected none)`);
      }
    }
  }

  const streams = { stdout: run.stdout, stderr: run.stderr };
  for (const stream of ['stdout', 'stderr'] as const) {
    for (const re of e[`${stream}_contains`] ?? []) {
      if (!toJsRegExp(re, fromOldYaml(`${stream}_contains`)).test(streams[stream])) fail(`${stream} does not match /${re}/`);
    }
    for (const re of e[`${stream}_not_contains`] ?? []) {
      if (toJsRegExp(re, false).test(streams[stream])) fail(`${stream} matches /${re}/`);
    }
  }

  if (e.stdout_contains_lines_of) {
    const expected = readFileSync(path.resolve(root, e.stdout_contains_lines_of.file), 'utf8').split('\n').filter((l) => l !== '');
    const lines = run.stdout.split('\n');
    let from = 0;
    for (const line of expected) {
      const at = lines.indexOf(line, e.stdout_contains_lines_of.in_order ? from : 0);
      if (at < 0) {
        fail(`stdout lacks line ${JSON.stringify(line)}`);
        break;
      }
      from = at + 1;
    }
  }

  if (e.stdout_json_lines_equal) {
    const expected = readFileSync(path.resolve(root, e.stdout_json_lines_equal), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const got = run.stdout.split('\n').filter((l) => l.startsWith('{'));
    if (got.length !== expected.length) fail(`${got.length} JSON lines on stdout (expected ${expected.length})`);
    for (let i = 0; i < Math.min(got.length, expected.length); i++) {
      let a: unknown;
      try {
        a = JSON.parse(got[i]!);
      } catch {
        fail(`stdout JSON line ${i + 1} does not parse`);
        break;
      }
      if (!jsonEqual(a, JSON.parse(expected[i]!))) {
        fail(`stdout JSON line ${i + 1} differs: ${got[i]}`);
        break;
      }
    }
  }

  if (e.output_file_equals) {
    const file = inv.configValues.get(e.output_file_equals.config_key);
    const expected = readFileSync(path.resolve(root, e.output_file_equals.expected), 'utf8');
    if (file === undefined) fail(`no value for ${e.output_file_equals.config_key}`);
    else if (!existsSync(file)) fail(`${file} was not written`);
    else if (readFileSync(file, 'utf8') !== expected) fail(`${e.output_file_equals.config_key} content differs from ${e.output_file_equals.expected}`);
  }

  const validation = e.error_contains || e.warning_contains || e.error_count !== undefined || e.warning_count !== undefined || e.files_successful;
  if (validation) {
    const results = validationResults(run.stdout);
    if (!results) {
      fail('no {"falco_load_results": ...} object on stdout');
    } else {
      const errors = results.flatMap((r) => r.errors);
      const warnings = results.flatMap((r) => r.warnings);
      for (const x of e.error_contains ?? []) if (!errors.some((f) => findingMatches(f, x))) fail(`no error ${describeFinding(x)}`);
      for (const x of e.warning_contains ?? []) if (!warnings.some((f) => findingMatches(f, x))) fail(`no warning ${describeFinding(x)}`);
      if (e.error_count !== undefined && errors.length !== e.error_count) fail(`${errors.length} errors (expected ${e.error_count})`);
      if (e.warning_count !== undefined && warnings.length !== e.warning_count) fail(`${warnings.length} warnings (expected ${e.warning_count})`);
      for (const base of e.files_successful ?? []) {
        const r = results.find((x) => path.basename(x.name) === base);
        if (!r) fail(`no load result for ${base}`);
        else if (!r.successful) fail(`${base} not loaded successfully`);
      }
    }
  }
  return failures;
}

// ---- selection and the main loop ----------------------------------------------------------------

export interface RunnerOptions {
  casesFile: string;
  root: string;
  kinds: string[];
  idFilter?: string;
  knownFailures: Record<string, string>;
  /**
   * Cases the repository corrects (see corrected-expectations.json), each with its `reason`: a
   * stale corpus expectation replaced by `expect`, or a case the corpus calls out-of-scope that
   * Peregrine can run (it provides the plugin natively), run as `kind`.
   */
  corrections: Record<string, { reason: string; expect?: CaseExpect; kind?: string }>;
  peregrine: string;
  timeoutMs: number;
  verbose: boolean;
  write: (line: string) => void;
  /** --cases was given (a missing file is then an error, not an absent corpus). */
  casesGiven?: boolean;
}

export interface RunnerTotals {
  passed: number;
  failed: number;
  skipped: number;
  xfailed: number;
}

/** Why a case is not run (or undefined to run it). */
function skipReason(c: ConformanceCase, opts: RunnerOptions): string | undefined {
  if (c.kind === 'out-of-scope' || c.kind === 'obsolete') return `${c.kind}: ${c.reason ?? ''}`.trim();
  if (c.kind === 'missing-input') {
    if (!c.input || !existsSync(path.resolve(opts.root, c.input))) return `missing-input: ${c.input ?? '(none)'} not present`;
    return opts.kinds.includes('detect') ? undefined : 'kind detect not selected';
  }
  if (!opts.kinds.includes(c.kind)) return `kind ${c.kind} not selected`;
  return undefined;
}

export async function runCases(opts: RunnerOptions): Promise<RunnerTotals> {
  const cases = JSON.parse(readFileSync(opts.casesFile, 'utf8')) as ConformanceCase[];
  const totals: RunnerTotals = { passed: 0, failed: 0, skipped: 0, xfailed: 0 };
  for (const original of cases) {
    if (opts.idFilter !== undefined && !original.id.includes(opts.idFilter)) continue;
    const correction = opts.corrections[original.id];
    const c: ConformanceCase = correction
      ? { ...original, expect: correction.expect ?? original.expect, kind: correction.kind ?? original.kind }
      : original;
    const skip = skipReason(c, opts);
    if (skip !== undefined) {
      totals.skipped++;
      opts.write(`SKIP ${c.id}: ${skip}`);
      continue;
    }
    const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'peregrine-conformance-'));
    let failures: string[];
    let run: RunOutput | undefined;
    try {
      const inv = buildInvocation(c, opts.root, tmpDir);
      run = await runPeregrine(opts.peregrine, inv, opts.timeoutMs);
      failures = checkExpectations(c, run, inv, opts.root);
    } catch (err) {
      failures = [`runner error: ${err instanceof Error ? err.message : String(err)}`];
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
    const known = opts.knownFailures[c.id];
    if (failures.length === 0) {
      if (known !== undefined) {
        totals.failed++;
        opts.write(`XPASS ${c.id}: listed in known-failures.json (${known}) but passes; remove it from the list`);
      } else {
        totals.passed++;
        const note = correction === undefined ? '' : correction.expect !== undefined
          ? ` (corrected expectation: ${correction.reason})` : ` (run although ${correction.reason})`;
        opts.write(`PASS ${c.id}${note}`);
      }
    } else if (known !== undefined) {
      totals.xfailed++;
      opts.write(`XFAIL ${c.id}: ${known}`);
    } else {
      totals.failed++;
      opts.write(`FAIL ${c.id}: ${failures.join('; ')}`);
      if (opts.verbose && run) {
        opts.write(`  stdout: ${run.stdout.slice(0, 2000).replace(/\n/g, '\n          ')}`);
        opts.write(`  stderr: ${run.stderr.slice(0, 2000).replace(/\n/g, '\n          ')}`);
      }
    }
  }
  return totals;
}

function parseArgs(argv: string[]): RunnerOptions {
  const opts: RunnerOptions = {
    casesFile: path.join(CORPUS_DIR, 'cases.json'),
    root: CORPUS_DIR,
    kinds: ['detect', 'k8saudit', 'validate', 'describe'],
    knownFailures: {},
    corrections: {},
    peregrine: path.join(REPO_ROOT, 'bin', 'peregrine.js'),
    timeoutMs: 120_000,
    verbose: false,
    write: (line) => console.log(line),
  };
  let rootGiven = false;
  let knownFile = path.join(REPO_ROOT, 'test', 'conformance', 'known-failures.json');
  let correctionsFile = path.join(REPO_ROOT, 'test', 'conformance', 'corrected-expectations.json');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--cases': opts.casesFile = path.resolve(next()); opts.casesGiven = true; break;
      case '--root': opts.root = path.resolve(next()); rootGiven = true; break;
      case '--kind': opts.kinds = next().split(',').map((k) => k.trim()).filter(Boolean); break;
      case '--id': opts.idFilter = next(); break;
      case '--known-failures': knownFile = path.resolve(next()); break;
      case '--corrections': correctionsFile = path.resolve(next()); break;
      case '--peregrine': opts.peregrine = path.resolve(next()); break;
      case '--timeout': opts.timeoutMs = Number(next()) * 1000; break;
      case '--verbose': case '-v': opts.verbose = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  // Paths in a cases file resolve against --root (default: the corpus, ../shared/corpus).
  if (!rootGiven) opts.root = CORPUS_DIR;
  if (existsSync(knownFile)) opts.knownFailures = JSON.parse(readFileSync(knownFile, 'utf8')) as Record<string, string>;
  if (existsSync(correctionsFile)) {
    opts.corrections = JSON.parse(readFileSync(correctionsFile, 'utf8')) as RunnerOptions['corrections'];
  }
  return opts;
}

async function main(): Promise<number> {
  let opts: RunnerOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`conformance runner: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  if (!existsSync(opts.casesFile)) {
    if (!opts.casesGiven) {
      // Machines without the reference corpus (CI) skip the suite rather than fail it.
      console.log(`SKIP conformance: reference corpus not found at ${CORPUS_DIR} (set PEREGRINE_CORPUS to run the cases)`);
      return 0;
    }
    console.error(`conformance runner: cases file ${opts.casesFile} not found`);
    return 2;
  }
  const t = await runCases(opts);
  if (t.xfailed > 0) console.log(`${t.xfailed} known failures (XFAIL, see test/conformance/known-failures.json)`);
  console.log(`${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  return t.failed > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
