// Event-type sets of conditions, for dispatch by event type: the event types for which a
// condition can be true. Semantics of libsinsp's filter/ppm_codes.cpp (ppm_event_codes), which
// Falco uses to index rules:
// - `evt.type = X`, `evt.type in (X, Y)` (also `==`, and `syscall.type`) give the codes of those
//   names; `evt.type != X` all codes but X's; `evt.type exists` all codes;
// - checks on other fields (and `evt.type` with other operators or a modifier) are neutral: all
//   codes, and negation leaves them so;
// - `and` intersects, `or` unites; `not` is pushed down to the checks (De Morgan), where it
//   complements the set of an evt.type check.
// The visitor below mirrors libsinsp's state machine, quirks included (a literal transformer
// argument on the left of a negated check makes that check match no event type).
// Comparing evt.type with another field or a transformer of evt.type is an error, as there.
import { ConditionCompileError, type AnyNode, type Ast } from './ast.js';
import type { EventSourceDefinition } from '../source.js';

/**
 * A set of event-type codes 0..size-1 as a byte map. Sets are never modified once a visitor
 * step has produced them, except the accumulators of and/or, which are private copies.
 */
class CodeSet {
  constructor(readonly bits: Uint8Array) {}

  static empty(size: number): CodeSet {
    return new CodeSet(new Uint8Array(size));
  }

  static all(size: number): CodeSet {
    return new CodeSet(new Uint8Array(size).fill(1));
  }

  copy(): CodeSet {
    return new CodeSet(this.bits.slice());
  }

  intersectInPlace(o: CodeSet): void {
    const b = this.bits;
    const ob = o.bits;
    for (let i = 0; i < b.length; i++) b[i]! &= ob[i]!;
  }

  mergeInPlace(o: CodeSet): void {
    const b = this.bits;
    const ob = o.bits;
    for (let i = 0; i < b.length; i++) b[i]! |= ob[i]!;
  }

  complement(): CodeSet {
    return new CodeSet(this.bits.map((b) => b ^ 1));
  }

  get size(): number {
    let n = 0;
    for (const b of this.bits) n += b;
    return n;
  }
}

class EventTypeVisitor<E> {
  private lastIsEvtTypeField = false;
  private lastIsFieldOrTransformer = true;
  private insideNegation = false;
  private lastHasCodes = false;
  codes: CodeSet;
  /** Shared: neutral checks all produce this one (never modified). */
  private readonly allCodes: CodeSet;
  private readonly noCodes: CodeSet;

  constructor(private readonly source: EventSourceDefinition<E>) {
    this.allCodes = CodeSet.all(source.eventTypeCount);
    this.noCodes = CodeSet.empty(source.eventTypeCount);
    this.codes = this.noCodes;
  }

  private all(): CodeSet {
    return this.allCodes;
  }

  private namesToCodes(names: readonly string[]): CodeSet {
    const set = CodeSet.empty(this.source.eventTypeCount);
    for (const n of names) {
      for (const c of this.source.eventTypeCodes(n) ?? []) {
        if (c >= 0 && c < set.bits.length) set.bits[c] = 1;
      }
    }
    return set;
  }

  /** Complements the last codes, unless the last check was neutral. */
  private invert(): void {
    if (this.lastHasCodes) this.codes = this.codes.complement();
  }

  private tryInvert(): void {
    if (this.insideNegation) this.invert();
  }

  private conjunction(children: readonly Ast[]): void {
    const types = this.allCodes.copy();
    for (const c of children) {
      this.visit(c);
      types.intersectInPlace(this.codes);
    }
    this.codes = types;
    this.lastIsEvtTypeField = false;
  }

  private disjunction(children: readonly Ast[]): void {
    const types = this.noCodes.copy();
    for (const c of children) {
      this.visit(c);
      types.mergeInPlace(this.codes);
    }
    this.codes = types;
    this.lastIsEvtTypeField = false;
  }

  visit(node: AnyNode): void {
    switch (node.kind) {
      case 'and':
        if (this.insideNegation) this.disjunction(node.children);
        else this.conjunction(node.children);
        return;
      case 'or':
        if (this.insideNegation) this.conjunction(node.children);
        else this.disjunction(node.children);
        return;
      case 'not': {
        this.codes = this.noCodes;
        const saved = this.insideNegation;
        this.insideNegation = !saved;
        this.visit(node.child);
        this.insideNegation = saved;
        this.lastIsEvtTypeField = false;
        return;
      }
      case 'binary': {
        this.lastHasCodes = false;
        const op = node.operator;
        const evtTypeOperator = node.modifier === undefined && (op === '=' || op === '==' || op === '!=' || op === 'in');
        if (evtTypeOperator) {
          this.visit(node.left);
          if (this.lastIsEvtTypeField) {
            this.lastIsFieldOrTransformer = false;
            this.visit(node.right);
            if (this.lastIsFieldOrTransformer) {
              throw new ConditionCompileError(
                'right-hand field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search',
                node.pos,
                node.macro,
              );
            }
            // The value already applied a surrounding negation; inverting again covers both
            // `evt.type != x` and `not evt.type != x`.
            if (op === '!=') this.invert();
            this.lastIsEvtTypeField = false;
            return;
          }
        }
        this.codes = this.all();
        this.lastIsEvtTypeField = false;
        this.tryInvert();
        return;
      }
      case 'unary':
        this.visit(node.left);
        this.lastHasCodes = this.lastIsEvtTypeField && node.operator === 'exists';
        this.codes = this.all();
        this.lastIsEvtTypeField = false;
        this.tryInvert();
        return;
      case 'identifier':
        // An unexpanded macro: neutral.
        this.lastHasCodes = false;
        this.codes = this.all();
        this.lastIsEvtTypeField = false;
        this.tryInvert();
        return;
      case 'value':
        this.lastHasCodes = true;
        this.codes = this.namesToCodes([node.value]);
        this.lastIsEvtTypeField = false;
        this.tryInvert();
        return;
      case 'list':
        this.lastHasCodes = true;
        this.codes = this.namesToCodes(node.items.map((i) => i.value));
        this.lastIsEvtTypeField = false;
        this.tryInvert();
        return;
      case 'transformer-list':
        for (const c of node.items) this.visit(c);
        return;
      case 'field':
        this.lastHasCodes = false;
        this.lastIsFieldOrTransformer = true;
        this.lastIsEvtTypeField = (node.name === 'evt.type' || node.name === 'syscall.type') && node.arg === undefined;
        this.codes = this.all();
        this.tryInvert();
        return;
      case 'transformer':
        for (const c of node.args) {
          this.visit(c);
          if (this.lastIsEvtTypeField) {
            throw new ConditionCompileError(
              'event code search does not support `evt.type` checks with transformers',
              node.pos,
              node.macro,
            );
          }
        }
        this.lastIsFieldOrTransformer = true;
        return;
    }
  }
}

/**
 * The codes of the event types `ast` (expanded) can match, or 'all' when it does not restrict
 * them (and always 'all' for sources without event types). The set may be empty: a condition
 * like `not evt.type exists` matches no event type.
 */
export function conditionEventTypes<E>(ast: Ast, source: EventSourceDefinition<E>): ReadonlySet<number> | 'all' {
  if (!source.hasEventTypes) return 'all';
  const v = new EventTypeVisitor(source);
  v.visit(ast);
  if (v.codes.size === source.eventTypeCount) return 'all';
  const out = new Set<number>();
  v.codes.bits.forEach((b, i) => {
    if (b) out.add(i);
  });
  return out;
}

/**
 * Falco's LOAD_NO_EVTTYPE condition ("Rule matches too many evt.type values"): the set is empty
 * or has more than 100 codes. Only meaningful for sources with event types (syscall).
 */
export function matchesTooManyEventTypes<E>(eventTypes: ReadonlySet<number> | 'all', source: EventSourceDefinition<E>): boolean {
  if (!source.hasEventTypes) return false;
  const n = eventTypes === 'all' ? source.eventTypeCount : eventTypes.size;
  return n === 0 || n > 100;
}
