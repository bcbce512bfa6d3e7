// Replays a corpus capture through Peregrine (reader + state + syscall extractors) and compares
// every value with the two references: Falco 0.44.1's output fields (oracle-falco/*.jsonl, the
// primary reference, JSON) and sysdig 0.29.3's dump (oracle/*.tsv, every event, text).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { boundJson, boundText } from '../../src/fields/render.js';
import type { BoundField, JsonFieldValue } from '../../src/fields/types.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import { ScapReplaySource, type ReplayStats } from '../../src/sources/scap-replay.js';
import { Delivery, type SyscallEvent } from '../../src/state/syscall-event.js';

/** Capture names relative to captures/ without `.scap` (`libs_e2e/curl_google`), sorted. */
export function listCaptures(corpus: string): string[] {
  const root = path.join(corpus, 'captures');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.scap')) out.push(path.relative(root, full).slice(0, -'.scap'.length));
    }
  };
  walk(root);
  return out.sort();
}

// ---------------------------------------------------------------------------- references

/**
 * JSON.parse keeping integers beyond 2^53 exact (Falco prints evt.time and 64-bit values as
 * plain numbers): such numbers become bigint.
 */
export function parseJsonExact(line: string): Record<string, unknown> {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') {
      // copy the string with its escapes untouched
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out += line.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(line.slice(i))!;
      const num = m[0];
      out += m[1] === undefined && m[2] === undefined && num.replace('-', '').length > 15 ? `"\\u0000big:${num}"` : num;
      i += num.length;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith('\u0000big:') ? BigInt(v.slice(5)) : v,
  ) as Record<string, unknown>;
}

/** Falco's lines by evt.num, and the field names (as written, e.g. `proc.aname[2]`) in file order. */
export function readFalcoOracle(file: string): { byNum: Map<number, Record<string, unknown>>; fields: string[] } {
  const byNum = new Map<number, Record<string, unknown>>();
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const obj = parseJsonExact(line);
    byNum.set(Number(obj['evt.num']), obj);
    for (const k of Object.keys(obj)) {
      if (!seen.has(k)) {
        seen.add(k);
        fields.push(k);
      }
    }
  }
  return { byNum, fields };
}

/** sysdig's dump: columns and rows by evt.num (the event's position in the capture). */
export function readSysdigOracle(file: string): { columns: string[]; byNum: Map<number, string[]> } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const columns = lines[0]!.split('\x1f');
  const byNum = new Map<number, string[]>();
  const unescape = (s: string): string => s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const values = line.split('\x1f').map(unescape);
    byNum.set(Number(values[0]), values);
  }
  return { columns, byNum };
}

/** A canonical text for a JSON value: numbers and bigints by value, strings quoted. */
export function canonicalJson(v: unknown): string {
  if (typeof v === 'bigint' || typeof v === 'number') return `#${String(v)}`;
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  return JSON.stringify(v ?? null);
}

// ---------------------------------------------------------------------------- differences file

export type DeliveryName = 'rules' | 'state-only' | 'dropped';

/** One documented reason why Peregrine differs from sysdig 0.29.3 on events Falco does not cover. */
export interface SysdigDifferenceRule {
  /** Columns the rule covers. */
  fields: string[];
  /** Delivery of the events (what Falco does with them). */
  delivery: DeliveryName[];
  /** Peregrine's evt.type and direction (libs 0.25 names: generic enter events are `syscall>`). */
  types?: string[];
  /** Capture names; all when absent. */
  captures?: string[];
  /** `none`: the event has no thread in Peregrine (nor in libsinsp 0.25); `placeholder`: its
   *  thread is one libsinsp creates for an unknown tid (pid -1, cwd `./`). */
  thread?: 'none' | 'placeholder';
  /** Exact number of differences the rule covers in the corpus (kept honest by the test). */
  count: number;
  reason: string;
}

export interface CountDifference {
  capture: string;
  /** Peregrine's event-type name with direction, or sysdig's. */
  peregrine?: string;
  sysdig?: string;
  /** Events under that name in each. */
  peregrineCount: number;
  sysdigCount: number;
  reason: string;
}

export interface DifferencesFile {
  /** Differences from Falco's own values (expected empty). */
  falco: { capture: string; field: string; evtNum: number; reason: string }[];
  /** Why sysdig 0.29.3 disagrees with Falco 0.44.1 on values Peregrine matches Falco on, by column. */
  sysdigDisagreesWithFalco: Record<string, string>;
  /** Differences from sysdig on values only sysdig has (events Falco does not deliver). */
  sysdigOnly: SysdigDifferenceRule[];
  /** Event counts per type that differ from sysdig's .counts.json. */
  counts: CountDifference[];
}

// ---------------------------------------------------------------------------- comparison

export interface FieldTally {
  compared: number;
  equal: number;
  /** Differences explained: sysdig disagreeing with Falco (Falco matched), or a listed rule. */
  explained: number;
}

export interface Mismatch {
  capture: string;
  field: string;
  evtNum: number;
  type: string;
  got: string;
  want: string;
}

export interface CaptureResult {
  capture: string;
  stats: ReplayStats;
  /** Falco lines with no delivered Peregrine event, and delivered events with no Falco line. */
  falcoMissing: number[];
  falcoExtra: number[];
  /** sysdig rows with no Peregrine event, and Peregrine events with no row (other than the
   *  container events sysdig consumes). */
  sysdigMissing: number[];
  sysdigExtra: { num: number; type: string }[];
  falcoMismatches: Mismatch[];
  /** sysdig-only differences no rule explains. */
  sysdigUnexplained: Mismatch[];
  /** Peregrine's per-type counts (name + direction, container events included). */
  byType: Map<string, number>;
}

export class OracleComparison {
  readonly falcoTally = new Map<string, FieldTally>();
  readonly sysdigTally = new Map<string, FieldTally>();
  /** Per rule index: differences it covered. */
  readonly ruleHits: number[];
  /** sysdig-vs-Falco disagreements per column (Peregrine equal to Falco). */
  readonly disagreements = new Map<string, number>();
  private readonly source = createSyscallSource();
  private readonly bindCache = new Map<string, BoundField<SyscallEvent>>();

  constructor(readonly corpus: string, readonly differences: DifferencesFile) {
    this.ruleHits = differences.sysdigOnly.map(() => 0);
  }

  private bind(text: string): BoundField<SyscallEvent> {
    let b = this.bindCache.get(text);
    if (b === undefined) {
      b = this.source.fields.bindText(text);
      if (b === undefined) throw new Error(`oracle field ${text} is not a Peregrine field`);
      this.bindCache.set(text, b);
    }
    return b;
  }

  private tally(map: Map<string, FieldTally>, field: string): FieldTally {
    let t = map.get(field);
    if (t === undefined) map.set(field, (t = { compared: 0, equal: 0, explained: 0 }));
    return t;
  }

  async run(capture: string): Promise<CaptureResult> {
    const falco = readFalcoOracle(path.join(this.corpus, 'oracle-falco', `${capture}.jsonl`));
    const sysdig = readSysdigOracle(path.join(this.corpus, 'oracle', `${capture}.tsv`));
    const falcoFields = falco.fields.map((f) => ({ name: f, bound: this.bind(f) }));
    const falcoFieldSet = new Set(falco.fields);
    const sysdigFields = sysdig.columns.map((c) => ({
      name: c,
      bound: c === 'sysdig.default_visible' ? undefined : this.bind(c),
    }));
    const typeField = this.bind('evt.type');
    const dirField = this.bind('evt.dir');

    const result: CaptureResult = {
      capture, stats: undefined as unknown as ReplayStats, falcoMissing: [], falcoExtra: [], sysdigMissing: [],
      sysdigExtra: [], falcoMismatches: [], sysdigUnexplained: [], byType: new Map(),
    };
    const falcoSeen = new Set<number>();
    const sysdigSeen = new Set<number>();
    const rules = this.differences.sysdigOnly;

    const replay = await ScapReplaySource.open(path.join(this.corpus, 'captures', `${capture}.scap`));
    result.stats = await replay.forEach((e) => {
      const type = boundText(typeField, e);
      const typeDir = type + boundText(dirField, e);

      // Falco: every field of the line with this evt.num, as JSON.
      const line = e.delivery === Delivery.Rules ? falco.byNum.get(e.num) : undefined;
      if (e.delivery === Delivery.Rules) {
        if (line === undefined) result.falcoExtra.push(e.num);
        else falcoSeen.add(e.num);
      }
      const falcoOk = new Set<string>();
      if (line !== undefined) {
        for (const { name, bound } of falcoFields) {
          const t = this.tally(this.falcoTally, name);
          t.compared++;
          const got = canonicalJson(boundJson(bound, e) as JsonFieldValue);
          const want = canonicalJson(line[name]);
          if (got === want) {
            t.equal++;
            falcoOk.add(name);
          } else if (this.falcoListed(capture, name, e.num)) {
            t.explained++;
          } else {
            result.falcoMismatches.push({ capture, field: name, evtNum: e.num, type: typeDir, got, want });
          }
        }
      }

      // sysdig: every column of the row at this position, as text.
      const row = sysdig.byNum.get(e.fileNum);
      if (row === undefined) {
        result.sysdigExtra.push({ num: e.fileNum, type });
        return;
      }
      sysdigSeen.add(e.fileNum);
      const delivery: DeliveryName = e.delivery === Delivery.Rules ? 'rules' : e.delivery === Delivery.StateOnly ? 'state-only' : 'dropped';
      for (let i = 0; i < sysdigFields.length; i++) {
        const { name, bound } = sysdigFields[i]!;
        const t = this.tally(this.sysdigTally, name);
        t.compared++;
        let got: string;
        if (bound === undefined) got = type === 'procinfo' ? '0' : '1'; // sysdig hides only procinfo by default
        else got = boundText(bound, e);
        // sysdig -v ends a non-empty argument list with a blank
        if (name === 'evt.args' && got !== '') got += ' ';
        const want = row[i]!;
        if (got === want) {
          t.equal++;
          continue;
        }
        if (line !== undefined && falcoOk.has(name)) {
          // The references disagree and Peregrine has Falco's value.
          t.explained++;
          this.disagreements.set(name, (this.disagreements.get(name) ?? 0) + 1);
          continue;
        }
        if (line !== undefined && falcoFieldSet.has(name)) continue; // a Falco mismatch, reported above
        const r = rules.findIndex((rule) => ruleMatches(rule, capture, name, delivery, typeDir, e));
        if (r >= 0) {
          t.explained++;
          this.ruleHits[r]!++;
        } else {
          result.sysdigUnexplained.push({ capture, field: name, evtNum: e.fileNum, type: typeDir, got, want });
        }
      }
    });
    await replay.close();
    for (const n of falco.byNum.keys()) if (!falcoSeen.has(n)) result.falcoMissing.push(n);
    for (const n of sysdig.byNum.keys()) if (!sysdigSeen.has(n)) result.sysdigMissing.push(n);
    result.byType = result.stats.stream.byType;
    return result;
  }

  private falcoListed(capture: string, field: string, evtNum: number): boolean {
    return this.differences.falco.some((d) => d.capture === capture && d.field === field && d.evtNum === evtNum);
  }
}

function ruleMatches(
  rule: SysdigDifferenceRule,
  capture: string,
  field: string,
  delivery: DeliveryName,
  typeDir: string,
  e: SyscallEvent,
): boolean {
  if (!rule.fields.includes(field) || !rule.delivery.includes(delivery)) return false;
  if (rule.types !== undefined && !rule.types.includes(typeDir)) return false;
  if (rule.captures !== undefined && !rule.captures.includes(capture)) return false;
  if (rule.thread === 'none' && e.thread !== undefined) return false;
  if (rule.thread === 'placeholder' && (e.thread === undefined || e.thread.pid !== -1)) return false;
  return true;
}

/** Formats per-field tallies as a table: field, compared, equal, explained, match %. */
export function tallyTable(title: string, tallies: Map<string, FieldTally>): string {
  const rows = [...tallies].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(title.length, ...rows.map(([f]) => f.length));
  const lines = [`${title.padEnd(width)}  compared     equal  explained  match`];
  let compared = 0;
  let equal = 0;
  let explained = 0;
  for (const [field, t] of rows) {
    compared += t.compared;
    equal += t.equal;
    explained += t.explained;
    lines.push(`${field.padEnd(width)}  ${fmt(t.compared, 8)}  ${fmt(t.equal, 8)}  ${fmt(t.explained, 9)}  ${pct(t.equal, t.compared)}`);
  }
  lines.push(`${'(all)'.padEnd(width)}  ${fmt(compared, 8)}  ${fmt(equal, 8)}  ${fmt(explained, 9)}  ${pct(equal, compared)}`);
  return lines.join('\n');
}

const fmt = (n: number, w: number): string => String(n).padStart(w);
const pct = (a: number, b: number): string => (b === 0 ? '     -' : `${((100 * a) / b).toFixed(2).padStart(6)}%`);
