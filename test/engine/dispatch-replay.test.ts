// The ruleset's dispatch on real events: every corpus capture replayed through state, every event
// Falco gives to rules evaluated by the ruleset's per-code groups (rules compiled together, with
// the checks of evt.type decided for the code), and the result compared with evaluating each of
// the code's rules on its own. Rules: the three upstream syscall files, the legacy ruleset of the
// regression tests, and every regression rules file that loads on its own (these fire on the
// corpus captures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { listCaptures } from '../oracle/compare.js';
import { createSyscallSource } from '../../src/fields/syscall/extractors/index.js';
import { RulesLoader, type AnySource, type CompiledRule } from '../../src/engine/loader/index.js';
import { Ruleset, type SourceRuleset } from '../../src/engine/ruleset.js';
import { ScapReplaySource } from '../../src/sources/scap-replay.js';
import { Delivery } from '../../src/state/syscall-event.js';
import { configureLog } from '../../src/util/log.js';

/** The rules of `files` (corpus paths), or undefined when they do not load. */
function load(files: readonly string[]): SourceRuleset | undefined {
  const source = createSyscallSource() as AnySource;
  const loader = new RulesLoader({ sources: [source] });
  for (const f of files) {
    const file = corpusPath(...f.split('/'));
    if (!loader.loadContent(file, readFileSync(file, 'utf8')).successful) return undefined;
  }
  return loader.compiled === undefined ? undefined : new Ruleset(loader.compiled, [source]).forSource('syscall');
}

test('dispatch: grouped evaluation of each event type equals every rule evaluated on its own, on every capture', async (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  configureLog({ level: 'error' });
  const sets = new Map<string, SourceRuleset>();
  const add = (name: string, files: string[]): void => {
    const rules = load(files);
    if (rules !== undefined) sets.set(name, rules);
  };
  add('upstream', ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => `upstream-rules/${f}`));
  for (const dir of ['rules', 'rules/exceptions']) {
    for (const f of readdirSync(corpusPath(...dir.split('/'))).filter((n) => n.endsWith('.yaml')).sort()) add(`${dir}/${f}`, [`${dir}/${f}`]);
  }
  assert.ok(sets.has('upstream') && sets.has('rules/falco_rules_legacy_v1.0.1.yaml'), 'upstream and legacy rules load');
  assert.ok(sets.size > 40, `rule sets that load: ${sets.size}`);

  let evaluated = 0;
  const matches = new Map<string, number>();
  const found: CompiledRule[] = [];
  for (const capture of listCaptures(corpus)) {
    const replay = await ScapReplaySource.open(corpusPath('captures', `${capture}.scap`));
    await replay.forEach((e) => {
      if (e.delivery !== Delivery.Rules) return;
      const code = e.evt.type;
      evaluated++;
      for (const [name, rules] of sets) {
        const expected = rules.rulesFor(code).filter((r) => r.compiled.evaluate(e));
        found.length = 0;
        rules.allMatches(code, e, found);
        const where = `${name} on ${capture} event ${e.num} (${e.evt.info.name}${e.evt.info.dir})`;
        assert.deepEqual(found.map((r) => r.name), expected.map((r) => r.name), `${where}: all matches`);
        assert.equal(rules.firstMatch(code, e)?.name, expected[0]?.name, `${where}: first match`);
        matches.set(name, (matches.get(name) ?? 0) + expected.length);
      }
    });
  }
  const total = [...matches.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${sets.size} rule sets, ${evaluated} events, ${total} matches`);
  assert.ok(evaluated > 10000, `events evaluated: ${evaluated}`);
  assert.ok(total > 100, `matches: ${total}`);
});
