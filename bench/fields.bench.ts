// Field layer costs on the per-event and per-alert paths:
// - calling `extract` through a registry-bound field, against calling the same extractor closure
//   directly (the registry must add nothing to the hot path);
// - rendering a typical alert's output fields to text and JSON values, against String()/identity.
import type { BenchReport, BenchRow } from './run.js';
import { createSyscallSourceDefinition } from '../src/sources/syscall/definition.js';
import { renderJson, renderText } from '../src/fields/render.js';
import type { BoundField } from '../src/fields/types.js';

interface FakeEvent {
  pid: number;
  comm: string;
}

const CALLS = 20_000_000;

/** Calls per second of `fn` over a rotating set of events (the sum keeps the work observable). */
function callsPerSecond(fn: (e: FakeEvent) => unknown, events: FakeEvent[]): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const v = fn(events[i & 1023]!);
    if (v === 7) sink++;
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return CALLS / (ns / 1e9);
}

export async function run(): Promise<BenchReport> {
  const events: FakeEvent[] = Array.from({ length: 1024 }, (_, i) => ({ pid: i, comm: `proc${i}` }));
  const reg = createSyscallSourceDefinition<FakeEvent>().fields;
  const pidOf = (e: FakeEvent): number => e.pid;
  reg.implement('proc.pid', () => ({ extract: pidOf }));
  const shared = { extract: pidOf };
  reg.implement('proc.vpid', () => shared);
  const adopted: BoundField<FakeEvent> = reg.bind('proc.pid', undefined)!;
  reg.bind('proc.vpid', undefined); // first binding adopts the shared object
  const wrapped: BoundField<FakeEvent> = reg.bind('proc.vpid', undefined)!; // second one is wrapped

  // Warm up all three call shapes before measuring.
  callsPerSecond(pidOf, events);
  callsPerSecond((e) => adopted.extract(e), events);
  callsPerSecond((e) => wrapped.extract(e), events);
  const direct = callsPerSecond(pidOf, events);
  const viaBound = callsPerSecond((e) => adopted.extract(e), events);
  const viaWrapper = callsPerSecond((e) => wrapped.extract(e), events);

  // A typical alert: names, pids, ports, IPs, times, a list.
  const fields = ['proc.name', 'proc.pid', 'fd.sport', 'fd.sip', 'evt.rawtime', 'proc.fdusage', 'fd.types', 'evt.failed'].map(
    (n) => reg.lookup(n)!,
  );
  const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const values = ['nginx', 4321, 443, v6, 1522704422999999999n, 0.25, ['file', 'ipv4', 'unix'], false] as const;
  const ALERTS = 200_000;
  const renderAll = (): number => {
    let len = 0;
    for (let a = 0; a < ALERTS; a++) {
      for (let i = 0; i < fields.length; i++) {
        len += renderText(fields[i]!, values[i]).length;
        renderJson(fields[i]!, values[i]);
      }
    }
    return len;
  };
  const baseline = (): number => {
    let len = 0;
    for (let a = 0; a < ALERTS; a++) for (let i = 0; i < fields.length; i++) len += String(values[i]).length;
    return len;
  };
  renderAll();
  baseline();
  let t = process.hrtime.bigint();
  renderAll();
  const renderNs = Number(process.hrtime.bigint() - t);
  t = process.hrtime.bigint();
  baseline();
  const baselineNs = Number(process.hrtime.bigint() - t);

  const rows: BenchRow[] = [
    { name: 'extract: direct closure call (baseline)', figures: { calls_per_s: direct } },
    { name: 'extract: registry-bound field', figures: { calls_per_s: viaBound } },
    { name: 'extract: bound field wrapping a shared extractor', figures: { calls_per_s: viaWrapper } },
    { name: 'String() of 8 alert values (baseline)', figures: { alerts_per_s: ALERTS / (baselineNs / 1e9) } },
    { name: 'render 8 alert fields to text + JSON', figures: { alerts_per_s: ALERTS / (renderNs / 1e9) } },
  ];
  return {
    title: 'fields: bound extract calls and output rendering',
    rows,
    ratios: [
      `registry-bound/direct extract calls = ${(viaBound / direct).toFixed(2)}x`,
      `wrapped/direct extract calls = ${(viaWrapper / direct).toFixed(2)}x`,
      `render/String() alerts = ${(baselineNs / renderNs).toFixed(2)}x`,
    ],
    notes: [`${CALLS} extract calls per row; ${ALERTS} alerts of 8 fields`],
  };
}
