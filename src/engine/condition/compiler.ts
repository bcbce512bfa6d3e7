// Compiles an expanded condition into a predicate over events of one source.
//
// Compilation binds every field through the source's registry, checks operators against value
// types, and converts right-hand literals once (values.ts), with libsinsp's error texts; then it
// builds the predicate. Two strategies share the same checks:
// - `codegen` (default): one generated JavaScript function per condition (new Function), with
//   the boolean structure written out, common string/number comparisons inlined, and each field
//   used more than once extracted at most once per evaluation. Each rule gets its own function,
//   hence its own type feedback: V8 keeps every call site monomorphic.
// - `closures`: the same checks composed as nested closures (the baseline the benchmark compares
//   with; shared closure code makes V8's call sites megamorphic across rules).
// Either way a field is extracted only when evaluation reaches it, and `and`/`or` short-circuit.
// No allocation happens per evaluation on the common path.
import type { BoundField, FieldArg, ScalarValue } from '../../fields/types.js';
import { FieldBindError } from '../../fields/types.js';
import type { EventSourceDefinition } from '../source.js';
import {
  astDepth,
  astToString,
  ConditionCompileError,
  type AnyNode,
  type Ast,
  type BinaryCheckNode,
  type CompileErrorCode,
  type FieldNode,
  type OperandNode,
  type Position,
  type TransformerArgNode,
  type UnaryCheckNode,
  type ValueNode,
} from './ast.js';
import {
  asValues,
  constantsTest,
  dynamicTest,
  membershipTest,
  modifiedTest,
  valuesEqual,
  type Constant,
  type Op,
  type ScalarTest,
} from './checks.js';
import { buildClosures, buildEvaluator, buildGroup, type ConditionGroup } from './codegen.js';
import { conditionEventTypes } from './evttypes.js';
import { operatorTypeError, typeClass, type TypeClass } from './operators.js';
import { parseOperandPrefix } from './parser.js';
import { regexMatcher, RegexSyntaxError } from './regex.js';
import {
  concatTransform,
  getoptTransform,
  joinTransform,
  scalarText,
  singleTransform,
  syntheticDef,
  TransformerError,
  type MultiTransform,
  type TransformerArgument,
} from './transformers.js';
import { parseHex, parseLiteral, ValueError } from './values.js';
import { foldPlan, PLANS, type InlineForm, type KnownValues, type Leaf, type LeafTest, type Operand, type Plan } from './plan.js';

export type { Operand } from './plan.js';
export type { ConditionGroup } from './codegen.js';

export interface ConditionWarning {
  readonly message: string;
  readonly pos: Position;
  readonly macro?: string;
}

export interface CompiledCondition<E> {
  /** True when the event matches. Fields are extracted lazily, `and`/`or` short-circuit. */
  evaluate(evt: E): boolean;
  /** Event-type codes the condition can match (Falco's evttype resolution), or 'all'. */
  readonly eventTypes: ReadonlySet<number> | 'all';
  /** Fields the condition reads, as written (`proc.aname[2]`), in order of first use. */
  readonly fields: readonly string[];
  /** Compiler warnings (LOAD_COMPILE_CONDITION in Falco): regex/value misuse hints. */
  readonly warnings: readonly ConditionWarning[];
}

export interface CompileOptions {
  /** Evaluation strategy: generated JavaScript (default) or composed closures. */
  readonly strategy?: 'codegen' | 'closures';
}

const FIELD_LIKE = /^[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+(\[.*\])?$/;

const TRANSFORMERS_WITH_PAREN = ['val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'];

/** Operand properties of literals and computed values (libsinsp's INTERNAL checks). */
const INTERNAL_STRING = {
  type: 'CHARBUF',
  isList: false,
  fieldName: 'INTERNAL',
  evtTypeBase: false,
  noRhs: false,
  noTransformer: false,
  renderDef: syntheticDef('CHARBUF'),
} as const;

/**
 * The identity of a check: its tree without positions, macro marks and quoting (which do not
 * change what it computes). Unlike astToString, distinct checks never share a key.
 */
function checkKey(node: UnaryCheckNode | BinaryCheckNode): string {
  return JSON.stringify(node, (k, v: unknown) => (k === 'pos' || k === 'operatorPos' || k === 'macro' || k === 'quoted' || k === 'list' ? undefined : v));
}

function fieldArg(raw: string): FieldArg {
  return /^[0-9]+$/.test(raw) ? { index: Number(raw), raw } : { key: raw, raw };
}

class Compiler<E> {
  readonly fieldTexts: string[] = [];
  readonly warnings: ConditionWarning[] = [];
  private readonly seenFields = new Set<string>();
  private readonly boundCache = new Map<string, BoundField<E>>();

  constructor(private readonly source: EventSourceDefinition<E>) {}

  private fail(message: string, node: { pos: Position; macro?: string }, code: CompileErrorCode = 'invalid'): never {
    throw new ConditionCompileError(message, node.pos, node.macro, code);
  }

  plan(node: Ast): Plan<E> {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, children: node.children.map((c) => this.plan(c)) };
      case 'not':
        return { kind: 'not', child: this.plan(node.child) };
      case 'identifier':
        return this.fail(`filter error: unexpected identifier '${node.name}'`, node);
      case 'unary':
        return { kind: 'leaf', leaf: this.existsLeaf(node) };
      case 'binary':
        return { kind: 'leaf', leaf: this.binaryLeaf(node) };
    }
  }

  // ---- operands ----

  bindField(node: FieldNode): BoundField<E> {
    const key = node.arg === undefined ? node.name : `${node.name}[${node.arg}]`;
    let bound = this.boundCache.get(key);
    if (bound === undefined) {
      try {
        bound = this.source.fields.bind(node.name, node.arg === undefined ? undefined : fieldArg(node.arg));
      } catch (e) {
        if (e instanceof FieldBindError) this.fail(e.message, node);
        throw e;
      }
      if (bound === undefined) this.fail(`filter_check called with nonexistent field ${key}`, node, 'unknown-field');
      this.boundCache.set(key, bound);
    }
    const text = astToString(node);
    if (!this.seenFields.has(text)) {
      this.seenFields.add(text);
      this.fieldTexts.push(text);
    }
    return bound;
  }

  /** `forOutput`: an output-format token, where output-only fields (evt.outputtime) are allowed. */
  operand(node: OperandNode | ValueNode | TransformerArgNode, forOutput = false): Operand<E> {
    switch (node.kind) {
      case 'field': {
        const bound = this.bindField(node);
        if (bound.def.outputOnly && !forOutput) this.fail(`field '${astToString(node)}' can only be used in outputs`, node);
        return {
          type: bound.def.type,
          isList: bound.def.isList === true,
          fieldName: bound.def.name,
          bound,
          evtTypeBase: node.name === 'evt.type' && node.arg === undefined,
          noRhs: bound.def.noRhs === true,
          noTransformer: bound.def.noTransformer === true,
          renderDef: bound.def,
          get: (evt) => bound.extract(evt),
        };
      }
      case 'value': {
        const value = node.value;
        return { ...INTERNAL_STRING, literal: value, get: () => value };
      }
      case 'transformer-list': {
        // libsinsp's list_check: every item's values, numbers turned into their text.
        const items = node.items.map((i) => this.operand(i));
        return {
          ...INTERNAL_STRING,
          isList: true,
          renderDef: syntheticDef('CHARBUF', true),
          get(evt) {
            const out: ScalarValue[] = [];
            for (const item of items) {
              const v = item.get(evt);
              if (v === undefined) return undefined;
              for (const x of asValues(v)) out.push(scalarText(x, item.renderDef));
            }
            return out;
          },
        };
      }
      case 'transformer':
        return this.transformerOperand(node);
    }
  }

  private transformerOperand(node: Extract<OperandNode, { kind: 'transformer' }>): Operand<E> {
    const name = node.name;
    try {
      if (name === 'val') {
        if (node.arg !== undefined) this.fail("filter error: transformer 'val' does not support field arguments", node);
        return this.operand(node.args[0]!);
      }
      if (name === 'join' || name === 'concat' || name === 'getopt') {
        const args: TransformerArgument<E>[] = node.args.map((a) => this.operand(a));
        const t: MultiTransform<E> =
          name === 'join' ? joinTransform(args, node.arg) : name === 'concat' ? concatTransform(args, node.arg) : getoptTransform(args, node.arg);
        return {
          ...INTERNAL_STRING,
          ...t.shape,
          renderDef: syntheticDef(t.shape.type, t.shape.isList),
          get: (evt) => t.get(evt),
        };
      }
      if (node.args.length !== 1) this.fail(`filter error: transformer '${name}' takes exactly one argument`, node);
      if (node.arg !== undefined) this.fail(`filter error: transformer '${name}' does not support field arguments`, node);
      const inner = this.operand(node.args[0]!);
      if (inner.noTransformer) this.fail(`field '${inner.fieldName}' does not support transformers`, node);
      const t = singleTransform(name, inner, inner.fieldName);
      const renderDef = t.shape.type === inner.type && t.shape.isList === inner.isList ? inner.renderDef : syntheticDef(t.shape.type);
      return {
        ...t.shape,
        fieldName: inner.fieldName,
        evtTypeBase: inner.evtTypeBase,
        noRhs: inner.noRhs,
        noTransformer: inner.noTransformer,
        renderDef,
        get(evt) {
          const v = inner.get(evt);
          return v === undefined ? undefined : t.apply(v);
        },
      };
    } catch (e) {
      if (e instanceof TransformerError) this.fail(e.message, node);
      throw e;
    }
  }

  // ---- checks ----

  private existsLeaf(node: UnaryCheckNode): Leaf<E> {
    const operand = this.operand(node.left);
    // An empty array from a single-valued field (no endpoint) is no value.
    const test: LeafTest<E> = operand.isList ? () => true : (v) => !(Array.isArray(v) && v.length === 0);
    return { key: checkKey(node), operand, test };
  }

  private binaryLeaf(node: BinaryCheckNode): Leaf<E> {
    const lhs = this.operand(node.left);
    const op: Op = node.operator === '==' ? '=' : node.operator;
    const typeError = operatorTypeError(node.operator, node.modifier, lhs.type, lhs.isList);
    if (typeError !== undefined) this.fail(`filter error: ${typeError}`, { pos: node.operatorPos, macro: node.macro });
    const cls = typeClass(lhs.type);
    const right = node.right;
    if (right.kind === 'field' || right.kind === 'transformer') return this.fieldComparisonLeaf(node, op, cls, lhs);

    const takesList = node.modifier !== undefined || op === 'in' || op === 'intersects' || op === 'pmatch';
    const items: readonly ValueNode[] = right.kind === 'list' ? right.items : [right];
    if (!takesList && items.length !== 1) {
      this.fail(`filter error: operator '${op}' compares with a single value`, right);
    }
    const constants = items.map((v) => this.constant(v, op, lhs));

    if (lhs.isList) {
      // Only in/intersects reach here (operatorTypeError): every / some item in the set.
      const member = membershipTest(cls, constants);
      const every = op === 'in';
      return {
        key: checkKey(node),
        operand: lhs,
        test: (v) => {
          const values = asValues(v);
          for (let i = 0; i < values.length; i++) {
            if (member(values[i]!) !== every) return !every;
          }
          return every;
        },
      };
    }
    const scalar: ScalarTest = node.modifier !== undefined
      ? modifiedTest(op, node.modifier, cls, constants)
      : constantsTest(op, cls, constants);
    const inline = node.modifier === undefined ? inlineForm(op, cls, constants) : undefined;
    const key = checkKey(node);
    return inline === undefined
      ? { key, operand: lhs, test: multiValueTest(op, scalar) }
      : { key, operand: lhs, test: multiValueTest(op, scalar), inline };
  }

  /** `lhs op val(field)` or `lhs op transformer(...)`. */
  private fieldComparisonLeaf(node: BinaryCheckNode, op: Op, cls: TypeClass, lhs: Operand<E>): Leaf<E> {
    const at = { pos: node.operatorPos, macro: node.macro };
    if (op === 'pmatch' || op === 'regex') {
      this.fail(`operator '${op.toUpperCase()}' doesn't support right-hand side fields`, at);
    }
    if (cls === 'net') this.fail("field type 'IPNET' doesn't support right-hand side fields", at);
    const rhs = this.operand(node.right as OperandNode);
    if (lhs.noRhs) this.fail(`field '${lhs.fieldName}' doesn't support right-hand side fields`, at);
    if (rhs.noRhs) this.fail(`field '${rhs.fieldName}' can't be used as a right-hand side field`, node.right);
    if (lhs.type !== rhs.type || lhs.isList !== rhs.isList) {
      const t = (o: Operand<E>): string => `${o.type}${o.isList ? ' (list)' : ''}`;
      this.fail(
        `field '${lhs.fieldName}' has type '${t(lhs)}' while the right-hand side field '${rhs.fieldName}' has incompatible type '${t(rhs)}'`,
        node.right,
      );
    }
    if (op === 'in' || op === 'intersects') {
      const every = lhs.isList && op === 'in';
      const some = !lhs.isList || op === 'intersects';
      return {
        key: checkKey(node),
        operand: lhs,
        readsEvent: true,
        test: (v, evt) => {
          const r = rhs.get(evt);
          if (r === undefined) return false;
          const rs = asValues(r);
          const values = asValues(v);
          if (!lhs.isList && values.length === 0) return false;
          for (let i = 0; i < values.length; i++) {
            let found = false;
            for (let j = 0; j < rs.length; j++) {
              if (valuesEqual(cls, values[i]!, rs[j]!)) {
                found = true;
                break;
              }
            }
            if (found && some) return true;
            if (!found && every) return false;
          }
          return every;
        },
      };
    }
    const dyn = dynamicTest(op, cls);
    return {
      key: checkKey(node),
      operand: lhs,
      readsEvent: true,
      test: (v, evt) => {
        const r = rhs.get(evt);
        if (r === undefined) return false;
        // A list on the right compares with its first value (libsinsp's filter_value_p()).
        const r0 = Array.isArray(r) ? (r[0] as ScalarValue | undefined) : (r as ScalarValue);
        if (r0 === undefined) return false;
        if (!Array.isArray(v)) return dyn(v as ScalarValue, r0);
        if (v.length === 0) return false;
        for (const x of v as readonly ScalarValue[]) {
          const ok = dyn(x, r0);
          if (op === '!=' ? !ok : ok) return op !== '!=';
        }
        return op === '!=';
      },
    };
  }

  /** A right-hand literal converted for `op` on `lhs`, with libsinsp's checks and warnings. */
  private constant(v: ValueNode, op: Op, lhs: Operand<E>): Constant {
    this.valueWarnings(v, op);
    let constant: Constant;
    let asText = v.value;
    try {
      if (op === 'bcontains' || op === 'bstartswith') {
        const bytes = parseHex(v.value);
        if (bytes === undefined) this.fail('filter error: bcontains and bstartswith operator support hex strings only', v);
        constant = bytes;
        asText = new TextDecoder().decode(bytes);
      } else if (op === 'regex') {
        regexMatcher(v.value);
        constant = v.value;
      } else {
        constant = parseLiteral(v.value, lhs.type);
      }
    } catch (e) {
      if (e instanceof ValueError) this.fail(e.message, v);
      if (e instanceof RegexSyntaxError) this.fail(`invalid regex pattern: ${e.message}`, v);
      throw e;
    }
    // libsinsp checks evt.type values against the event table (sinsp_filtercheck_event).
    if (lhs.evtTypeBase && this.source.hasEventTypes && this.source.eventTypeCodes(asText) === undefined) {
      this.fail(`unknown event type ${asText}`, v, 'unknown-event-type');
    }
    return constant;
  }

  /** libsinsp's compiler hints (sinsp_filter_compiler::check_value_and_add_warnings). */
  private valueWarnings(v: ValueNode, op: Op): void {
    const value = v.value;
    const add = (message: string): void => {
      this.warnings.push(v.macro === undefined ? { message, pos: v.pos } : { message, pos: v.pos, macro: v.macro });
    };
    if (op === 'regex' && regexLooksPlain(value)) {
      add(`regex check with '${value}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'`);
    }
    const compact = value.replace(/[ \t\n\v\f\r]/g, '');
    if (this.isFieldText(compact)) add(`'${value}' may be a valid field misused as a const string value`);
    for (const t of TRANSFORMERS_WITH_PAREN) {
      if (compact.length >= t.length + 2 && compact.startsWith(`${t}(`) && compact.endsWith(')')) {
        add(`'${value}' may be a valid field transformer misused as a const string value`);
      }
    }
  }

  private isFieldText(text: string): boolean {
    // Only texts shaped like a field name can be one (cheap test before parsing).
    if (!FIELD_LIKE.test(text)) return false;
    try {
      const { node, length } = parseOperandPrefix(text);
      if (length !== text.length || node.kind !== 'field') return false;
      return this.source.fields.bind(node.name, node.arg === undefined ? undefined : fieldArg(node.arg)) !== undefined;
    } catch {
      return false;
    }
  }
}

/**
 * libsinsp's heuristic: a regex whose only special characters are a leading `^`, a trailing `$`
 * and `.*`/`.+`/`.?` at either end could be a plain string operator.
 */
function regexLooksPlain(v: string): boolean {
  const special = '.+*?^$()[]{}|\\';
  const len = v.length;
  for (let i = 0; i < len; i++) {
    if ((i === 0 && v[i] === '^') || (i === len - 1 && v[i] === '$')) continue;
    if (((i === 0 && len > 1) || i === len - 2) && v[i] === '.' && '+*?'.includes(v[i + 1]!)) {
      i++;
      continue;
    }
    if (special.includes(v[i]!)) return false;
  }
  return true;
}

/**
 * The test on a possibly multi-valued result of a single-valued field (fd.ip, fd.port, fd.net
 * yield one value per endpoint, as libsinsp's compare_ip/compare_port/compare_net): `!=` holds
 * when every value differs, other operators when some value satisfies them.
 */
function multiValueTest<E>(op: Op, scalar: ScalarTest): LeafTest<E> {
  if (op === '!=') {
    return (v) => {
      if (!Array.isArray(v)) return scalar(v as ScalarValue);
      if (v.length === 0) return false;
      for (const x of v as readonly ScalarValue[]) if (!scalar(x)) return false;
      return true;
    };
  }
  return (v) => {
    if (!Array.isArray(v)) return scalar(v as ScalarValue);
    for (const x of v as readonly ScalarValue[]) if (scalar(x)) return true;
    return false;
  };
}

/** A constant as a JavaScript literal (strings, finite numbers, booleans), for generated code. */
function literal(c: Constant): string | undefined {
  if (typeof c === 'string') return JSON.stringify(c);
  if (typeof c === 'boolean') return String(c);
  if (typeof c === 'number' && Number.isFinite(c)) return Object.is(c, -0) ? '-0' : String(c);
  return undefined;
}

/** Lists up to this size compare one by one (faster than hashing for short lists). */
const SMALL_LIST = 4;

/**
 * The common comparisons generated code writes out directly, with their constants as literals
 * (long lists become a Set passed in as `k`).
 */
function inlineForm(op: Op, cls: TypeClass, constants: readonly Constant[]): InlineForm | undefined {
  const guard = cls === 'string' ? 'string' : cls === 'number' ? 'number' : cls === 'bool' ? 'boolean' : undefined;
  if (guard === undefined) return undefined;
  const lits = constants.map(literal);
  if (lits.some((l) => l === undefined)) return undefined;
  const c = lits[0]!;
  const form = (code: string): InlineForm => ({ guard, expr: () => code, constant: undefined });
  switch (op) {
    case '=':
      return form(`v === ${c}`);
    case '!=':
      return form(`v !== ${c}`);
    case 'in':
    case 'intersects':
      if (lits.length === 0) return form('false');
      if (lits.length <= SMALL_LIST) return form(`(${lits.map((l) => `v === ${l}`).join(' || ')})`);
      return { guard, expr: (k) => `${k}.has(v)`, constant: new Set(constants) };
    default:
      break;
  }
  if (cls === 'string') {
    switch (op) {
      case 'contains':
        return form(`v.includes(${c})`);
      case 'startswith':
        return form(`v.startsWith(${c})`);
      case 'endswith':
        return form(`v.endsWith(${c})`);
      default:
        return undefined;
    }
  }
  if (cls === 'number' && (op === '<' || op === '<=' || op === '>' || op === '>=')) return form(`v ${op} ${c}`);
  return undefined;
}

/**
 * Compiles an expanded condition for `source`. Throws ConditionCompileError (its `code` says
 * whether skip-if-unknown-filter applies) for unknown fields and event types, operators a type
 * does not support, literals that do not convert, bad transformer use, and unexpanded macros.
 */
export function compileCondition<E>(
  ast: Ast,
  source: EventSourceDefinition<E>,
  opts: CompileOptions = {},
): CompiledCondition<E> {
  // Evaluation recurses along the tree: bound its depth so that no event can overflow the stack.
  const depth = astDepth(ast);
  if (depth > MAX_CONDITION_DEPTH) {
    throw new ConditionCompileError(
      `condition is nested too deeply (${depth} levels after macro expansion, at most ${MAX_CONDITION_DEPTH})`,
      ast.pos,
      ast.macro,
    );
  }
  const compiler = new Compiler(source);
  const plan = compiler.plan(ast);
  const eventTypes = conditionEventTypes(ast, source);
  let evaluate: (evt: E) => boolean;
  if (opts.strategy === 'closures') {
    evaluate = buildClosures(plan);
  } else {
    try {
      evaluate = buildEvaluator(plan);
    } catch (e) {
      // A source V8 refuses (too large or deep to parse): the closures do the same work.
      if (!(e instanceof RangeError || e instanceof SyntaxError)) throw e;
      evaluate = buildClosures(plan);
    }
  }
  const compiled: CompiledCondition<E> = { evaluate, eventTypes, fields: compiler.fieldTexts, warnings: compiler.warnings };
  PLANS.set(compiled, { plan: plan as Plan<unknown>, source });
  return compiled;
}

export interface GroupOptions {
  /**
   * Field values every event given to the group has (`evt.type` when the group serves one event
   * type): checks of these fields are decided at compile time, conditions that cannot match are
   * left out.
   */
  readonly known?: KnownValues;
}

/**
 * Evaluates several compiled conditions (of one source) together, in the order given: the rules
 * of one event type. Fields several of them read are extracted once per event, and checks they
 * share are evaluated once (libsinsp caches the same way across the filters of an event).
 * Build once per rule list (again when the list changes), call `first` or `all` per event.
 */
export function compileConditionGroup<E>(conditions: readonly CompiledCondition<E>[], opts: GroupOptions = {}): ConditionGroup<E> {
  const plans: (Plan<E> | boolean)[] = [];
  let source: unknown;
  for (const c of conditions) {
    const entry = PLANS.get(c);
    if (entry === undefined) throw new TypeError('compileConditionGroup: not a condition compiled by compileCondition');
    if (source !== undefined && entry.source !== source) {
      throw new TypeError('compileConditionGroup: conditions of different sources');
    }
    source = entry.source;
    const plan = entry.plan as Plan<E>;
    plans.push(opts.known === undefined ? plan : foldPlan(plan, opts.known));
  }
  try {
    return buildGroup(plans);
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof SyntaxError)) throw e;
    const evaluators = conditions.map((c) => c.evaluate);
    return {
      first: (evt) => evaluators.findIndex((f) => f(evt)),
      all(evt, out) {
        let n = 0;
        evaluators.forEach((f, i) => {
          if (f(evt)) {
            out.push(i);
            n++;
          }
        });
        return n;
      },
    };
  }
}

/** Deepest condition tree compileCondition accepts (upstream rules stay below 40). */
export const MAX_CONDITION_DEPTH = 1000;

/**
 * A compiled field or transformer on its own (output formats). Throws ConditionCompileError like
 * compileCondition.
 */
export function compileOperand<E>(node: OperandNode, source: EventSourceDefinition<E>): Operand<E> {
  return new Compiler(source).operand(node, true);
}

/** Whether a node is a field or transformer (for callers holding AnyNode). */
export function isOperandNode(n: AnyNode): n is OperandNode {
  return n.kind === 'field' || n.kind === 'transformer';
}
