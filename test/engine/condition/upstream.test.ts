// The upstream rules files through the whole condition pipeline (parse, expand lists and macros,
// compile) against the real field registries: every rule condition must compile, as it does in
// Falco 0.44.1 (which loads these files without errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  compileCondition,
  expandCondition,
  matchesTooManyEventTypes,
  parseCondition,
  type Ast,
} from '../../../src/engine/condition/index.js';
import type { EventSourceDefinition } from '../../../src/engine/source.js';
import { createK8sAuditFieldRegistry } from '../../../src/fields/plugins/index.js';
import { createSyscallSourceDefinition } from '../../../src/sources/syscall/definition.js';
import { corpusOrSkip, corpusPath } from '../../helpers/corpus.js';

interface Item {
  list?: string;
  items?: string[];
  macro?: string;
  rule?: string;
  condition?: string;
  enabled?: boolean;
}

export interface LoadedRules {
  readonly rules: Map<string, Ast>;
  readonly macros: Map<string, Ast>;
  readonly lists: Map<string, string[]>;
}

/**
 * Lists, macros and rules of rules files without append/override (the upstream files have none):
 * later definitions replace earlier ones; list items naming an earlier list are replaced by its
 * items, as Falco does.
 */
export function loadPlainRulesFiles(files: readonly string[]): LoadedRules {
  const lists = new Map<string, string[]>();
  const macros = new Map<string, Ast>();
  const rules = new Map<string, Ast>();
  for (const file of files) {
    for (const it of parseYaml(readFileSync(file, 'utf8')) as Item[]) {
      if (it.list !== undefined) lists.set(it.list, (it.items ?? []).map(String).flatMap((i) => lists.get(i) ?? [i]));
      else if (it.macro !== undefined) macros.set(it.macro, parseCondition(it.condition!));
      else if (it.rule !== undefined && it.condition !== undefined) rules.set(it.rule, parseCondition(it.condition));
    }
  }
  return { rules, macros, lists };
}

function compileAll<E>(loaded: LoadedRules, source: EventSourceDefinition<E>): { count: number; tooMany: string[] } {
  let count = 0;
  const tooMany: string[] = [];
  for (const [name, ast] of loaded.rules) {
    try {
      const { ast: expanded } = expandCondition(ast, loaded);
      const compiled = compileCondition(expanded, source);
      if (matchesTooManyEventTypes(compiled.eventTypes, source)) tooMany.push(name);
      count++;
    } catch (e) {
      assert.fail(`rule '${name}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { count, tooMany };
}

test('every rule of the three syscall rules files compiles against the syscall fields', (t) => {
  if (corpusOrSkip(t) === undefined) return;
  const source = createSyscallSourceDefinition<unknown>();
  const loaded = loadPlainRulesFiles(
    ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => corpusPath('upstream-rules', f)),
  );
  const { count, tooMany } = compileAll(loaded, source);
  assert.ok(count >= 90, `${count} rules`);
  // Upstream rules are written for dispatch: all but a few restrict event types.
  assert.ok(tooMany.length <= 5, `rules matching too many event types: ${tooMany.join(', ')}`);
});

test('every rule of k8s_audit_rules.yaml compiles against the k8saudit plugin fields', (t) => {
  if (corpusOrSkip(t) === undefined) return;
  const source: EventSourceDefinition<unknown> = {
    name: 'k8s_audit',
    fields: createK8sAuditFieldRegistry<unknown>(),
    eventTypeCount: 1,
    eventTypeCodes: () => undefined,
    hasEventTypes: false,
  };
  const loaded = loadPlainRulesFiles([corpusPath('upstream-rules', 'k8s_audit_rules.yaml')]);
  const { count } = compileAll(loaded, source);
  assert.ok(count >= 40, `${count} rules`);
});
