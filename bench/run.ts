// `npm run bench`: runs every benchmark module (bench/*.bench.ts, compiled to dist/bench) in name
// order, or only those whose name contains one of the command-line arguments. Each module exports
// `run(): Promise<BenchReport>`; figures are reported as ratios against a baseline measured in the
// same run, never checked against fixed times.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  /** What was measured, e.g. "replay cat_write x2000 (parse + state)". */
  name: string;
  /** Measured figures with units in their names, e.g. { events_per_s: 2.1e6, peak_rss_mib: 80 }. */
  figures: Record<string, number | string>;
}

export interface BenchReport {
  title: string;
  rows: BenchRow[];
  /** Ratios against the baseline of the same run, e.g. "peregrine/sysdig events/s = 1.8x". */
  ratios?: string[];
  notes?: string[];
}

export type BenchModule = { run(): Promise<BenchReport> };

function printReport(r: BenchReport): void {
  console.log(`\n== ${r.title}`);
  for (const row of r.rows) {
    const figs = Object.entries(row.figures)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
      .join('  ');
    console.log(`  ${row.name.padEnd(48)} ${figs}`);
  }
  for (const ratio of r.ratios ?? []) console.log(`  ratio: ${ratio}`);
  for (const note of r.notes ?? []) console.log(`  note: ${note}`);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (modules.length === 0) {
  console.log('no benchmark modules matched');
}
for (const file of modules) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
  printReport(await mod.run());
}
