// What the compiler hands to the evaluation strategies: a condition as a tree of and/or/not over
// leaves, each leaf an operand (how to get the left-hand value) and a test of that value.
import type { BoundField, FieldDef, FieldType, FieldValue } from '../../fields/types.js';

/** A value source of a check: a field, a transformer over operands, or a literal. */
export interface Operand<E> {
  readonly type: FieldType;
  readonly isList: boolean;
  /** The field's own name in libsinsp's messages (`proc.aname`, no argument). */
  readonly fieldName: string;
  /** Set for a plain field: extracted directly (and cached) by generated code. */
  readonly bound?: BoundField<E>;
  /** Set for a literal transformer argument. */
  readonly literal?: string;
  /** True for `evt.type` itself or under single-value transformers: its literals are checked. */
  readonly evtTypeBase: boolean;
  /** The field cannot be compared with another field (libsinsp EPF_NO_RHS). */
  readonly noRhs: boolean;
  /** The field cannot be wrapped in single-value transformers (EPF_NO_TRANSFORMER). */
  readonly noTransformer: boolean;
  /** How values print when a transformer turns them into text (type, print format). */
  readonly renderDef: FieldDef;
  get(evt: E): FieldValue | undefined;
}

/** The test of a leaf on a present left-hand value (a missing value fails before it). */
export type LeafTest<E> = (v: FieldValue, evt: E) => boolean;

/** A comparison generated code can write out: `typeof v === guard ? <expr> : <generic test>`. */
export interface InlineForm {
  readonly guard: 'string' | 'number' | 'boolean';
  /** Expression over `v` and, when `constant` is set, the constant named `k`. */
  readonly expr: (k: string) => string;
  readonly constant: unknown;
}

export interface Leaf<E> {
  /**
   * Identity of the check: two leaves with the same key give the same result on any event
   * (generated code for a group of conditions evaluates each key once per event).
   */
  readonly key: string;
  readonly operand: Operand<E>;
  readonly test: LeafTest<E>;
  readonly inline?: InlineForm;
  /** The test reads the event too (a field on the right-hand side): it cannot be folded. */
  readonly readsEvent?: boolean;
}

export type Plan<E> =
  | { readonly kind: 'and' | 'or'; readonly children: readonly Plan<E>[] }
  | { readonly kind: 'not'; readonly child: Plan<E> }
  | { readonly kind: 'leaf'; readonly leaf: Leaf<E> };

/** The plan and source behind each compiled condition (for compileConditionGroup). */
export const PLANS = new WeakMap<object, { readonly plan: Plan<unknown>; readonly source: unknown }>();

/** Key of a bound field: same declaration and argument, same values. */
export function fieldKey<E>(b: BoundField<E>): string {
  return b.arg === undefined ? b.def.name : `${b.def.name}\u0000${b.arg.raw}`;
}

/**
 * Field values known in advance for every event a plan will see (`evt.type` of the event code a
 * group is compiled for), by field key (see fieldKey).
 */
export type KnownValues = ReadonlyMap<string, FieldValue>;

/**
 * The plan with every check of a known field decided: a simpler plan, or true/false when the
 * whole plan is decided. Checks that read another field of the event are left as they are.
 */
export function foldPlan<E>(p: Plan<E>, known: KnownValues): Plan<E> | boolean {
  switch (p.kind) {
    case 'leaf': {
      const { operand, test, readsEvent } = p.leaf;
      const b = operand.bound;
      if (b === undefined || readsEvent === true) return p;
      const key = fieldKey(b);
      if (!known.has(key)) return p;
      const v = known.get(key);
      // The test of a literal comparison does not look at the event.
      return v !== undefined && test(v, undefined as E);
    }
    case 'not': {
      const c = foldPlan(p.child, known);
      return typeof c === 'boolean' ? !c : c === p.child ? p : { kind: 'not', child: c };
    }
    case 'and':
    case 'or': {
      // A child equal to the operation's absorbing value decides it; its identity is dropped.
      const absorbing = p.kind === 'or';
      const children: Plan<E>[] = [];
      let changed = false;
      for (const child of p.children) {
        const c = foldPlan(child, known);
        if (c === absorbing) return absorbing;
        if (typeof c === 'boolean') {
          changed = true;
          continue;
        }
        if (c !== child) changed = true;
        children.push(c);
      }
      if (children.length === 0) return !absorbing;
      if (children.length === 1) return children[0]!;
      return changed ? { kind: p.kind, children } : p;
    }
  }
}
