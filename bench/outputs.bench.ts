// Alert delivery costs: what the engine pays per alert (push), formatting per alert (Falco-exact JSON
// against plain JSON.stringify of the same object), and end-to-end delivery to a file against a
// plain write of the same lines. Figures are ratios against baselines measured in this run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Priority } from '../src/engine/priority.js';
import type { Alert } from '../src/outputs/alert.js';
import { AlertFormatter } from '../src/outputs/format.js';
import { createOutputs } from '../src/outputs/index.js';
import type { BenchReport } from './run.js';

function alert(i: number): Alert {
  return {
    time: 1470327477881785348n + BigInt(i),
    rule: 'Read sensitive file untrusted',
    priority: Priority.Warning,
    source: 'syscall',
    tags: ['maturity_stable', 'host', 'container', 'filesystem', 'mitre_credential_access', 'T1555'],
    output: `Sensitive file opened for reading by non-trusted program | file=/etc/shadow gparent=systemd ggparent=<NA> evt_type=openat user=root user_uid=0 user_loginuid=-1 process=cat proc_exepath=/usr/bin/cat parent=bash command=cat /etc/shadow #${i} terminal=34816`,
    outputFields: {
      'fd.name': '/etc/shadow', 'proc.aname[2]': 'systemd', 'proc.aname[3]': null, 'evt.type': 'openat', 'user.name': 'root',
      'user.uid': 0, 'user.loginuid': -1, 'proc.name': 'cat', 'proc.exepath': '/usr/bin/cat', 'proc.pname': 'bash',
      'proc.cmdline': `cat /etc/shadow #${i}`, 'proc.tty': 34816, 'evt.rawtime': 1470327477881785348n + BigInt(i),
    },
  };
}

/** Runs `fn` n times and returns operations per second. */
function rate(n: number, fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(): Promise<BenchReport> {
  const N = 200_000;
  const alerts = Array.from({ length: N }, (_, i) => alert(i));
  const formatter = new AlertFormatter({ hostname: 'bench-host', json: true });
  const text = new AlertFormatter({ hostname: 'bench-host' });

  // Warm up both formatters so the JIT has settled.
  rate(20_000, (i) => formatter.format(alerts[i]!));
  rate(20_000, (i) => JSON.stringify(alerts[i]!, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  const jsonRate = rate(N, (i) => formatter.format(alerts[i]!));
  const baselineJsonRate = rate(N, (i) => JSON.stringify(alerts[i]!, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  const textRate = rate(N, (i) => text.format(alerts[i]!));

  const dir = mkdtempSync(path.join(tmpdir(), 'peregrine-bench-'));
  try {
    // Push cost: a bounded queue that is never drained during the loop (the worker runs after it).
    const sink: Alert[] = [];
    const baselinePushRate = rate(N, (i) => sink.push(alerts[i]!));
    const outputs = createOutputs({ file_output: { enabled: true, keep_alive: true, filename: path.join(dir, 'alerts.json') }, json_output: true }, { hostname: 'bench-host' });
    const pushRate = rate(N, (i) => outputs.push(alerts[i]!));

    // End to end: from push to bytes in the file.
    const start = process.hrtime.bigint();
    await outputs.close(60_000);
    const deliveryRate = N / (Number(process.hrtime.bigint() - start) / 1e9);
    const lines = alerts.map((a) => formatter.format(a) + '\n');
    const writeStart = process.hrtime.bigint();
    writeFileSync(path.join(dir, 'baseline.json'), lines.join(''));
    const baselineWriteRate = N / (Number(process.hrtime.bigint() - writeStart) / 1e9);
    const formatAndWriteRate = 1 / (1 / jsonRate + 1 / baselineWriteRate);

    return {
      title: 'outputs: alert push, formatting, file delivery',
      rows: [
        { name: `push into the outputs queue x${N}`, figures: { alerts_per_s: pushRate, baseline_array_push_per_s: baselinePushRate } },
        { name: `format JSON (Falco-exact) x${N}`, figures: { alerts_per_s: jsonRate, baseline_json_stringify_per_s: baselineJsonRate } },
        { name: `format text x${N}`, figures: { alerts_per_s: textRate } },
        { name: `deliver JSON to file_output (keep_alive) x${N}`, figures: { alerts_per_s: deliveryRate, baseline_format_plus_one_write_per_s: formatAndWriteRate } },
      ],
      ratios: [
        `push / array push = ${(pushRate / baselinePushRate).toFixed(2)}x`,
        `Falco-exact JSON / JSON.stringify = ${(jsonRate / baselineJsonRate).toFixed(2)}x`,
        `file delivery / (format + single write) = ${(deliveryRate / formatAndWriteRate).toFixed(2)}x`,
      ],
      notes: [`file output delivered ${outputs.stats.outputs.file!.delivered} of ${N} alerts`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
