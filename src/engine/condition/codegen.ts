// Evaluation strategies for compiled plans.
//
// Generated code (the default): one JavaScript function per condition, or per group of
// conditions, created with `new Function`. The boolean structure is written out, common
// comparisons are inlined with their constants as literals, and values that several checks need
// are computed once per evaluation: a field read by several checks is extracted once, and in a
// group a check shared by several conditions (say `evt.type in (open, openat, openat2)` of every
// open rule) is evaluated once. Those caches live in the generated closure and are valid for one
// epoch, a counter bumped at each evaluation, so that nothing is reset or allocated per event.
// Large subtrees become helper functions: V8 optimizes small functions, not huge ones.
//
// Closures: the same leaves composed as nested closures; the baseline the benchmark compares
// with, and the fallback if V8 refuses a generated source.
import type { BoundField, FieldValue } from '../../fields/types.js';
import { fieldKey, type Leaf, type LeafTest, type Plan } from './plan.js';

function leafCount<E>(p: Plan<E>): number {
  switch (p.kind) {
    case 'leaf':
      return 1;
    case 'not':
      return leafCount(p.child);
    default:
      return p.children.reduce((n, c) => n + leafCount(c), 0);
  }
}

export function buildClosures<E>(p: Plan<E>): (evt: E) => boolean {
  switch (p.kind) {
    case 'leaf': {
      const { operand, test } = p.leaf;
      const bound = operand.bound;
      if (bound !== undefined) {
        return (evt) => {
          const v = bound.extract(evt);
          return v !== undefined && test(v, evt);
        };
      }
      return (evt) => {
        const v = operand.get(evt);
        return v !== undefined && test(v, evt);
      };
    }
    case 'not': {
      const c = buildClosures(p.child);
      return (evt) => !c(evt);
    }
    case 'and':
    case 'or': {
      const cs = p.children.map((c) => buildClosures(c));
      const isAnd = p.kind === 'and';
      if (cs.length === 2) {
        const [a, b] = cs as [(e: E) => boolean, (e: E) => boolean];
        return isAnd ? (evt) => a(evt) && b(evt) : (evt) => a(evt) || b(evt);
      }
      return (evt) => {
        for (let i = 0; i < cs.length; i++) if (cs[i]!(evt) !== isAnd) return !isAnd;
        return isAnd;
      };
    }
  }
}

/** Subtrees with more leaves than this become helper functions. */
const HELPER_LEAVES = 24;

class CodeGenerator<E> {
  private readonly fields: BoundField<E>[] = [];
  private readonly fieldIds = new Map<string, number>();
  private readonly fieldUses: number[] = [];
  private readonly leafIds = new Map<string, number>();
  private readonly leafUses: number[] = [];
  private readonly getters: ((evt: E) => FieldValue | undefined)[] = [];
  private readonly tests: LeafTest<E>[] = [];
  private readonly constants: unknown[] = [];
  private readonly functions: string[] = [];

  /** Plans decided in advance (see foldPlan) are `true` or `false`. */
  constructor(private readonly plans: readonly (Plan<E> | boolean)[]) {
    for (const p of plans) if (typeof p !== 'boolean') this.countUses(p);
  }

  private countUses(p: Plan<E>): void {
    if (p.kind === 'not') return this.countUses(p.child);
    if (p.kind !== 'leaf') {
      for (const c of p.children) this.countUses(c);
      return;
    }
    let leafId = this.leafIds.get(p.leaf.key);
    if (leafId === undefined) {
      leafId = this.leafUses.length;
      this.leafIds.set(p.leaf.key, leafId);
      this.leafUses.push(0);
    }
    // A cached check extracts its field once, whatever the number of its copies.
    if (this.leafUses[leafId]!++ > 0) return;
    const b = p.leaf.operand.bound;
    if (b === undefined) return;
    const key = fieldKey(b);
    let id = this.fieldIds.get(key);
    if (id === undefined) {
      id = this.fields.length;
      this.fields.push(b);
      this.fieldIds.set(key, id);
      this.fieldUses.push(0);
    }
    this.fieldUses[id]!++;
  }

  /** A helper function in the generated scope; returns its name. */
  private addFunction(body: string): string {
    const name = `h${this.functions.length}`;
    this.functions.push(`function ${name}(e) {\n  let v;\n  return ${body};\n}`);
    return name;
  }

  private expr(p: Plan<E>, isRoot: boolean): string {
    if (!isRoot && p.kind !== 'leaf' && leafCount(p) > HELPER_LEAVES) return `${this.addFunction(this.expr(p, true))}(e)`;
    switch (p.kind) {
      case 'and':
        return `(${p.children.map((c) => this.expr(c, false)).join(' && ')})`;
      case 'or':
        return `(${p.children.map((c) => this.expr(c, false)).join(' || ')})`;
      case 'not':
        return `!${this.expr(p.child, false)}`;
      case 'leaf':
        return this.leafExpr(p.leaf);
    }
  }

  private leafExpr(leaf: Leaf<E>): string {
    const leafId = this.leafIds.get(leaf.key)!;
    const check = this.checkExpr(leaf);
    if (this.leafUses[leafId]! < 2) return check;
    return `(l${leafId}e === ep ? l${leafId}v : (l${leafId}e = ep, l${leafId}v = ${check}))`;
  }

  private checkExpr(leaf: Leaf<E>): string {
    let get: string;
    const b = leaf.operand.bound;
    if (b !== undefined) {
      const id = this.fieldIds.get(fieldKey(b))!;
      get = this.fieldUses[id]! > 1
        ? `(c${id}e === ep ? c${id}v : (c${id}e = ep, c${id}v = f${id}.extract(e)))`
        : `f${id}.extract(e)`;
    } else {
      get = `g${this.getters.length}(e)`;
      const operand = leaf.operand;
      this.getters.push((evt) => operand.get(evt));
    }
    const t = `t${this.tests.length}`;
    this.tests.push(leaf.test);
    let test = `${t}(v, e)`;
    if (leaf.inline !== undefined) {
      let k = '';
      if (leaf.inline.constant !== undefined) {
        k = `k${this.constants.length}`;
        this.constants.push(leaf.inline.constant);
      }
      test = `(typeof v === '${leaf.inline.guard}' ? ${leaf.inline.expr(k)} : ${test})`;
    }
    return `((v = ${get}) !== undefined && ${test})`;
  }

  /** Creates the scope: constants, caches, helpers, then `tail` (which returns the result). */
  private instantiate<R>(tail: string): R {
    const lines: string[] = ["'use strict';", 'let ep = 0;'];
    this.fields.forEach((_, i) => lines.push(`const f${i} = F[${i}];`));
    this.getters.forEach((_, i) => lines.push(`const g${i} = G[${i}];`));
    this.tests.forEach((_, i) => lines.push(`const t${i} = T[${i}];`));
    this.constants.forEach((_, i) => lines.push(`const k${i} = K[${i}];`));
    this.fieldUses.forEach((n, i) => {
      if (n > 1) lines.push(`let c${i}e = 0, c${i}v;`);
    });
    this.leafUses.forEach((n, i) => {
      if (n > 1) lines.push(`let l${i}e = 0, l${i}v = false;`);
    });
    lines.push(...this.functions, tail);
    const factory = new Function('F', 'G', 'T', 'K', lines.join('\n')) as (...args: unknown[]) => R;
    return factory(this.fields, this.getters, this.tests, this.constants);
  }

  buildEvaluator(): (evt: E) => boolean {
    const plan = this.plans[0]!;
    if (typeof plan === 'boolean') return plan ? () => true : () => false;
    const main = this.expr(plan, true);
    const cached = this.fieldUses.some((n) => n > 1) || this.leafUses.some((n) => n > 1);
    return this.instantiate(`return function evaluate(e) {\n  ${cached ? 'ep++;' : ''}\n  let v;\n  return ${main};\n};`);
  }

  buildGroup(): ConditionGroup<E> {
    // A condition decided in advance costs nothing: `false` ones are left out, `true` ones match.
    const tests = this.plans.map((p) => (typeof p === 'boolean' ? p : `${this.addFunction(this.expr(p, true))}(e)`));
    const first: string[] = [];
    const all: string[] = [];
    tests.forEach((t, i) => {
      if (t === false) return;
      first.push(t === true ? `  return ${i};` : `  if (${t}) return ${i};`);
      all.push(t === true ? `  out.push(${i}); n++;` : `  if (${t}) { out.push(${i}); n++; }`);
    });
    const firstEnd = first.findIndex((line) => line.startsWith('  return'));
    if (firstEnd >= 0) first.length = firstEnd + 1;
    else first.push('  return -1;');
    return this.instantiate(
      `return {\n first(e) {\n  ep++;\n${first.join('\n')}\n },\n all(e, out) {\n  ep++;\n  let n = 0;\n${all.join('\n')}\n  return n;\n }\n};`,
    );
  }
}

/** Conditions evaluated together on each event, sharing field values and common checks. */
export interface ConditionGroup<E> {
  /** Index of the first condition that matches `evt`, or -1 (Falco's `rule_matching: first`). */
  first(evt: E): number;
  /** Appends the indexes of all matching conditions to `out`, in order; returns how many. */
  all(evt: E, out: number[]): number;
}

export function buildEvaluator<E>(plan: Plan<E>): (evt: E) => boolean {
  return new CodeGenerator([plan]).buildEvaluator();
}

export function buildGroup<E>(plans: readonly (Plan<E> | boolean)[]): ConditionGroup<E> {
  return new CodeGenerator(plans).buildGroup();
}
