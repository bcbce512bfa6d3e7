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
