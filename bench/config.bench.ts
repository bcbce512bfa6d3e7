// Configuration loading cost (every start and every hot reload pays it): loading the documented
// default configuration through the full pipeline (YAML with positions, env expansion, merge,
// schema validation, typing) against parsing the same text with `yaml` alone, in the same run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { BenchReport } from './run.js';
import { loadConfig } from '../src/cli/config/load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONFIG = path.resolve(here, '..', '..', 'config', 'peregrine.yaml');

function timePerCall(fn: () => unknown, minMs = 500): number {
  for (let i = 0; i < 20; i++) fn(); // warm up (and compile the schema once)
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 10; i++) fn();
    calls += 10;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return elapsed / calls;
}

export async function run(): Promise<BenchReport> {
  const text = readFileSync(CONFIG, 'utf8');
  const yamlOnly = timePerCall(() => parse(text));
  const full = timePerCall(() => loadConfig({ configFile: CONFIG, overrides: ['config_files=', 'json_output=true'] }));
  return {
    title: 'configuration loading (config/peregrine.yaml)',
    rows: [
      { name: 'yaml.parse of the text (baseline)', figures: { ms_per_load: yamlOnly } },
      { name: 'loadConfig: parse, expand, merge, validate, type', figures: { ms_per_load: full } },
    ],
    ratios: [`loadConfig / yaml.parse time = ${(full / yamlOnly).toFixed(2)}x`],
  };
}
