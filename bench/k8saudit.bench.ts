// Throughput of the k8s_audit source, against a baseline measured in the same run: JSON.parse of
// the same lines already in memory (the least any reader of JSON audit logs must do).
//   - file read: the source reading a JSON Lines file (I/O, splitting, parsing, numbering);
//   - file read + rules: the same, every event evaluated against upstream k8s_audit_rules.yaml
//     (rule_matching first) and each alert's output formatted;
//   - webhook: EventList bodies of 250 events POSTed over keep-alive HTTP while the events are
//     consumed.
// Events are the corpus audit events, repeated with distinct auditIDs.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { RulesLoader } from '../src/engine/loader/index.js';
import { Ruleset } from '../src/engine/ruleset.js';
import { createK8sAuditSourceDefinition } from '../src/sources/k8s-audit/definition.js';
import { K8sAuditSource } from '../src/sources/k8s-audit/source.js';
import { createSyscallSourceDefinition } from '../src/sources/syscall/definition.js';
import { configureLog } from '../src/util/log.js';
import { CORPUS_DIR } from '../test/helpers/corpus.js';
import type { BenchReport } from './run.js';

const EVENTS = 60000;
const BATCH = 250;

function corpusLines(): string[] {
  const dir = path.join(CORPUS_DIR, 'k8s-audit');
  const lines: string[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (/"kind":\s*"Event"/.test(line)) lines.push(line);
    }
  }
  return lines;
}

/** `count` event lines cycling through the corpus events, each with its own auditID. */
function makeLines(templates: readonly string[], count: number): string[] {
  const parsed = templates.map((t) => JSON.parse(t) as Record<string, unknown>);
  return Array.from({ length: count }, (_, i) => JSON.stringify({ ...parsed[i % parsed.length], auditID: `bench-${i}` }));
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function drain(source: K8sAuditSource, each?: (evt: unknown) => void): Promise<number> {
  let n = 0;
  for await (const evt of source) {
    each?.(evt);
    n++;
  }
  return n;
}

export async function run(): Promise<BenchReport> {
  const rulesFile = path.join(CORPUS_DIR, 'upstream-rules', 'k8s_audit_rules.yaml');
  if (!existsSync(rulesFile)) {
    return { title: 'k8s_audit source', rows: [], notes: [`corpus not found at ${CORPUS_DIR}; set PEREGRINE_CORPUS`] };
  }
  configureLog({ level: 'error' });
  const lines = makeLines(corpusLines(), EVENTS);
  const text = lines.join('\n') + '\n';
  const dir = mkdtempSync(path.join(tmpdir(), 'peregrine-k8saudit-bench-'));
  const file = path.join(dir, 'audit.log');
  writeFileSync(file, text);
  try {
    // Baseline: parsing the lines, in memory (best of 3).
    let baseline = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      let kinds = 0;
      for (const line of text.split('\n')) if (line !== '' && (JSON.parse(line) as { kind?: string }).kind === 'Event') kinds++;
      if (kinds !== EVENTS) throw new Error('baseline miscounted');
      baseline = Math.min(baseline, seconds(t0));
    }

    // The source reading the file (best of 3).
    let read = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      const n = await drain(await K8sAuditSource.open({ openParams: file }));
      if (n !== EVENTS) throw new Error(`read ${n} events`);
      read = Math.min(read, seconds(t0));
    }

    // With the upstream k8s rules.
    const k8sAudit = createK8sAuditSourceDefinition();
    const sources = [createSyscallSourceDefinition<unknown>(), k8sAudit];
    const loader = new RulesLoader({ sources });
    const result = loader.loadContent(rulesFile, readFileSync(rulesFile, 'utf8'));
    if (!result.successful || !loader.compiled) throw new Error(`rules did not load: ${result.errors.map((e) => e.message).join('; ')}`);
    const rules = new Ruleset(loader.compiled, sources).forSource('k8s_audit')!;
    rules.prepare();
    let alerts = 0;
    let withRules = Infinity;
    for (let r = 0; r < 3; r++) {
      alerts = 0;
      const t0 = process.hrtime.bigint();
      await drain(await K8sAuditSource.open({ openParams: file, definition: k8sAudit }), (evt) => {
        const rule = rules.firstMatch(0, evt);
        if (rule !== undefined) {
          rule.outputFormat.text(evt);
          alerts++;
        }
      });
      withRules = Math.min(withRules, seconds(t0));
    }

    // Webhook: one sender, keep-alive, bodies of BATCH events.
    const bodies: string[] = [];
    for (let i = 0; i < EVENTS; i += BATCH) bodies.push(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${lines.slice(i, i + BATCH).join(',')}]}`);
    const source = await K8sAuditSource.open({ openParams: 'http://127.0.0.1:0/k8s-audit' });
    const dispatcher = new Agent({ connections: 1 });
    const t0 = process.hrtime.bigint();
    const consumed = (async () => {
      let n = 0;
      while (n < EVENTS) {
        const r = await source.next();
        if (r.done) break;
        n++;
      }
      return n;
    })();
    for (const body of bodies) {
      const res = await request(source.webhookUrl!, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
    }
    const received = await consumed;
    const webhook = seconds(t0);
    await source.stop();
    await dispatcher.close();
    if (received !== EVENTS) throw new Error(`webhook delivered ${received} events`);

    const rate = (s: number) => EVENTS / s;
    const mib = Buffer.byteLength(text) / (1 << 20);
    return {
      title: `k8s_audit source (${EVENTS} corpus events, ${(mib / EVENTS * 1024 * 1024).toFixed(0)} bytes each on average)`,
      rows: [
        { name: 'baseline: JSON.parse of the lines in memory', figures: { events_per_s: rate(baseline), mib_per_s: mib / baseline } },
        { name: 'file read (K8sAuditSource, JSON lines)', figures: { events_per_s: rate(read), mib_per_s: mib / read } },
        { name: 'file read + upstream k8s_audit_rules (first)', figures: { events_per_s: rate(withRules), alerts } },
        { name: `webhook, EventList of ${BATCH}, 1 connection`, figures: { events_per_s: rate(webhook), requests: bodies.length } },
      ],
      ratios: [
        `file read / JSON.parse baseline = ${(baseline / read).toFixed(2)}x the baseline's rate`,
        `file read + rules / JSON.parse baseline = ${(baseline / withRules).toFixed(2)}x`,
        `webhook / JSON.parse baseline = ${(baseline / webhook).toFixed(2)}x`,
      ],
    };
  } finally {
    configureLog({ level: 'info' });
    rmSync(dir, { recursive: true, force: true });
  }
}
