// The oracle test: every corpus capture replayed through Peregrine's reader, state and syscall
// extractors; every field of Falco 0.44.1's output (oracle-falco/, matched by evt.num) and every
// column of sysdig 0.29.3's dump (oracle/, matched by position in the capture) must equal
// Peregrine's value, or the difference must be listed with its reason in
// docs/oracle-differences.json. Event counts per type are checked against sysdig's .counts.json.
// Prints a match-rate table per field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusOrSkip, REPO_ROOT } from '../helpers/corpus.js';
import {
  listCaptures,
  OracleComparison,
  tallyTable,
  type CaptureResult,
  type DifferencesFile,
  type Mismatch,
} from './compare.js';

const DIFFERENCES_FILE = path.join(REPO_ROOT, 'docs', 'oracle-differences.json');

interface SysdigCounts {
  events: number;
  default_visible_events: number;
  first_evt_num: number;
  last_evt_num: number;
  by_evt_type: Record<string, { total: number; enter: number; exit: number; default_visible: number }>;
}

function describe(m: Mismatch): string {
  return `${m.capture} #${m.evtNum} ${m.type} ${m.field}: peregrine ${m.got.slice(0, 200)} | reference ${m.want.slice(0, 200)}`;
}

test('oracle: Falco 0.44.1 and sysdig 0.29.3 values for every event of every capture', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const differences = JSON.parse(readFileSync(DIFFERENCES_FILE, 'utf8')) as DifferencesFile;
  const cmp = new OracleComparison(corpus, differences);
  const captures = listCaptures(corpus);
  assert.ok(captures.length >= 15, `captures found under ${corpus}: ${captures.length}`);
  const countsHits = differences.counts.map(() => 0);

  for (const capture of captures) {
    await t.test(capture, async () => {
      const r: CaptureResult = await cmp.run(capture);
      assert.equal(r.stats.reader.malformedEvents + r.stats.reader.unknownEventTypes, 0, 'events the reader skipped');
      assert.equal(r.stats.stream.converter.unconvertible, 0, 'events the converter could not convert');

      // Falco: the same events reach rules, with the same values.
      assert.deepEqual(r.falcoExtra, [], 'events Peregrine gives to rules that Falco does not');
      assert.deepEqual(r.falcoMissing, [], 'events Falco gives to rules that Peregrine does not');
      assert.deepEqual(r.falcoMismatches.map(describe), [], 'values different from Falco (not listed)');

      // sysdig: every event has its row; sysdig only hides the container events it consumes.
      assert.deepEqual(r.sysdigMissing, [], 'sysdig rows without a Peregrine event');
      for (const extra of r.sysdigExtra) assert.equal(extra.type, 'container', `event ${extra.num} absent from sysdig's dump`);
      assert.deepEqual(r.sysdigUnexplained.slice(0, 50).map(describe), [], 'values different from sysdig (not listed)');

      // Counts per type against sysdig's, with the listed naming differences.
      const want = JSON.parse(readFileSync(path.join(corpus, 'oracle', `${capture}.counts.json`), 'utf8')) as SysdigCounts;
      const mine = new Map<string, { enter: number; exit: number }>();
      for (const [key, n] of r.byType) {
        const name = key.slice(0, -1);
        const c = mine.get(name) ?? { enter: 0, exit: 0 };
        if (key.endsWith('>')) c.enter += n;
        else c.exit += n;
        mine.set(name, c);
      }
      const total = [...r.byType.values()].reduce((a, b) => a + b, 0);
      assert.equal(total, r.stats.reader.events, 'every event counted once');
      assert.equal(r.stats.reader.events, want.last_evt_num, 'events in the capture');
      let visible = 0;
      for (const name of new Set([...mine.keys(), ...Object.keys(want.by_evt_type)])) {
        const got = mine.get(name) ?? { enter: 0, exit: 0 };
        const ref = want.by_evt_type[name] ?? { total: 0, enter: 0, exit: 0, default_visible: 0 };
        if (name !== 'procinfo') visible += ref.default_visible;
        if (got.enter === ref.enter && got.exit === ref.exit) continue;
        const listed = differences.counts.findIndex(
          (d) =>
            d.capture === capture &&
            (d.peregrine === name || d.sysdig === name) &&
            (d.peregrine === name ? got.enter + got.exit === d.peregrineCount : true) &&
            (d.sysdig === name ? ref.total === d.sysdigCount : true),
        );
        assert.ok(listed >= 0, `${capture}: count of ${name}: peregrine ${got.enter}>/${got.exit}< sysdig ${ref.enter}>/${ref.exit}<`);
        countsHits[listed]!++;
      }
      assert.equal(visible, want.default_visible_events, 'events sysdig shows without -D (all but procinfo)');
    });
  }

  t.diagnostic('\n' + tallyTable('oracle-falco field', cmp.falcoTally));
  t.diagnostic('\n' + tallyTable('oracle (sysdig) column', cmp.sysdigTally));

  await t.test('differences file: every entry is needed and its count exact', () => {
    const stale = differences.sysdigOnly
      .map((rule, i) => ({ rule, hits: cmp.ruleHits[i]! }))
      .filter(({ rule, hits }) => hits !== rule.count)
      .map(({ rule, hits }) => `${rule.fields.join(',')} [${rule.types?.join(',') ?? '*'}]: listed ${rule.count}, found ${hits}`);
    assert.deepEqual(stale, [], 'sysdig-only rules whose count changed');
    const unusedCounts = differences.counts.filter((_d, i) => countsHits[i] === 0).map((d) => `${d.capture} ${d.peregrine ?? d.sysdig}`);
    assert.deepEqual(unusedCounts, [], 'count differences no longer found');
    const unexplained = [...cmp.disagreements.keys()].filter((f) => differences.sysdigDisagreesWithFalco[f] === undefined);
    assert.deepEqual(unexplained, [], 'columns where sysdig disagrees with Falco without a stated reason');
    const staleReasons = Object.keys(differences.sysdigDisagreesWithFalco).filter((f) => !cmp.disagreements.has(f));
    assert.deepEqual(staleReasons, [], 'reasons for disagreements no longer found');
  });
});
