// The syntax tree of Falco's condition language, as the parser builds it and the macro/list expander
// rewrites it. Node kinds follow libsinsp's filter AST (and, or, not, identifier, unary and binary
// checks, fields, transformers, values, lists, transformer lists) so that semantics defined on
// libsinsp's tree (event-type sets, output field names) carry over one to one.
//
// Nodes are immutable plain objects; expansion builds new nodes and shares untouched subtrees.

/** A place in a condition (or output format) text: 0-based offset, 1-based line and column. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

interface NodeBase {
  /** Where the node starts, relative to the text it was parsed from. */
  readonly pos: Position;
  /**
   * Name of the macro whose condition text `pos` refers to, for nodes that macro expansion copied
   * into another condition; undefined for nodes of the condition itself.
   */
  readonly macro?: string;
}

export interface AndNode extends NodeBase {
  readonly kind: 'and';
  readonly children: readonly Ast[];
}

export interface OrNode extends NodeBase {
  readonly kind: 'or';
  readonly children: readonly Ast[];
}

export interface NotNode extends NodeBase {
  readonly kind: 'not';
  readonly child: Ast;
}

/** A bare word where a check is expected: a macro reference (resolved by expandCondition). */
export interface IdentifierNode extends NodeBase {
  readonly kind: 'identifier';
  readonly name: string;
}

/** `field exists`. */
export interface UnaryCheckNode extends NodeBase {
  readonly kind: 'unary';
  readonly operator: 'exists';
  readonly left: OperandNode;
}

export type BinaryOperator =
  | '=' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'contains' | 'icontains' | 'bcontains' | 'startswith' | 'bstartswith' | 'endswith'
  | 'glob' | 'iglob' | 'regex'
  | 'in' | 'intersects' | 'pmatch';

/** List modifiers of string operators (libs 0.25): `startswith anyof (a, b)`. */
export type OperatorModifier = 'oneof' | 'anyof' | 'allof';

/** `left op right`, e.g. `proc.name in (a, b)` or `fd.name startswith oneof (/a, /b)`. */
export interface BinaryCheckNode extends NodeBase {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly modifier?: OperatorModifier;
  /** Where the operator starts. */
  readonly operatorPos: Position;
  readonly left: OperandNode;
  /**
   * A literal (`value`), a literal list (`list`), or a field/transformer to compare with: `val(f)`
   * is a transformer named `val`, other transformers compare their result.
   */
  readonly right: ValueNode | ListNode | OperandNode;
}

/** A field reference: `proc.name`, `proc.aname[2]`, `proc.env[HOME]`, `evt.arg.flags`. */
export interface FieldNode extends NodeBase {
  readonly kind: 'field';
  /** The dotted name as written (`evt.arg.flags` stays whole: the field registry splits it). */
  readonly name: string;
  /** Text between the brackets, unquoted and unescaped; undefined without brackets. */
  readonly arg?: string;
}

/** Transformer names as libsinsp spells them; `val` is the identity used to compare two fields. */
export type TransformerName =
  | 'val' | 'tolower' | 'toupper' | 'b64' | 'basename' | 'len' | 'join' | 'concat' | 'getopt';

/** `tolower(proc.name)`, `concat(proc.name, "-x")`, `getopt(proc.args, "t:")[t]`, `val(fd.name)`. */
export interface TransformerNode extends NodeBase {
  readonly kind: 'transformer';
  readonly name: TransformerName;
  readonly args: readonly TransformerArgNode[];
  /** Field-style argument after the closing parenthesis (`getopt(...)[t]`). */
  readonly arg?: string;
}

/** A literal: a bare word, a quoted string (unescaped) or a number, always kept as text. */
export interface ValueNode extends NodeBase {
  readonly kind: 'value';
  readonly value: string;
  /** True when written in quotes: quoted words are never list names. */
  readonly quoted: boolean;
  /** The list this value was substituted from by expandCondition (never substituted again). */
  readonly list?: string;
}

/** A literal list `(a, "b c", 3)`. */
export interface ListNode extends NodeBase {
  readonly kind: 'list';
  readonly items: readonly ValueNode[];
}

/** A list given to a transformer: `join(",", (proc.name, "x"))`. */
export interface TransformerListNode extends NodeBase {
  readonly kind: 'transformer-list';
  readonly items: readonly (FieldNode | TransformerNode | ValueNode)[];
}

/** What can be on the left of a check (and on the right, to compare two values). */
export type OperandNode = FieldNode | TransformerNode;
export type TransformerArgNode = FieldNode | TransformerNode | ValueNode | TransformerListNode;

/** A boolean expression: what `parseCondition` returns. */
export type Ast = AndNode | OrNode | NotNode | IdentifierNode | UnaryCheckNode | BinaryCheckNode;

export type AnyNode = Ast | FieldNode | TransformerNode | ValueNode | ListNode | TransformerListNode;

/** Errors of the condition language carry where they happened. */
export class ConditionError extends Error {
  constructor(
    message: string,
    readonly pos: Position,
    /** Macro whose text `pos` refers to (see NodeBase.macro). */
    readonly macro?: string,
  ) {
    super(message);
  }

  /** `message (line L, column C)`, plus the macro when the position is inside one. */
  describe(): string {
    const where = `line ${this.pos.line}, column ${this.pos.column}`;
    return this.macro === undefined
      ? `${this.message} (${where})`
      : `${this.message} (in macro '${this.macro}', ${where})`;
  }
}

/** The text is not a well-formed condition; messages are libsinsp's parser messages. */
export class ConditionSyntaxError extends ConditionError {
  override readonly name = 'ConditionSyntaxError';
}

/**
 * Macro or list expansion failed. Falco reports these as LOAD_ERR_VALIDATE (not a compile error):
 * `Undefined macro 'x' used in filter.`, `reference loop in macro 'x'`.
 */
export class ConditionExpandError extends ConditionError {
  override readonly name = 'ConditionExpandError';
  constructor(
    message: string,
    pos: Position,
    macro: string | undefined,
    readonly code: 'undefined-macro' | 'macro-loop' | 'list' | 'too-deep',
  ) {
    super(message, pos, macro);
  }
}

/**
 * Why a condition cannot be compiled. `unknown-field` and `unknown-event-type` are the errors that
 * Falco's `skip-if-unknown-filter: true` turns into a LOAD_UNKNOWN_FILTER warning (rule skipped).
 */
export type CompileErrorCode = 'unknown-field' | 'unknown-event-type' | 'invalid';

export class ConditionCompileError extends ConditionError {
  override readonly name = 'ConditionCompileError';
  constructor(
    message: string,
    pos: Position,
    macro: string | undefined,
    readonly code: CompileErrorCode = 'invalid',
  ) {
    super(message, pos, macro);
  }

  /** True for the errors `skip-if-unknown-filter` skips (unknown field or event type). */
  get unknownFilter(): boolean {
    return this.code !== 'invalid';
  }
}

export const START_POSITION: Position = Object.freeze({ offset: 0, line: 1, column: 1 });

/** Nesting depth of a tree (a single check is 1), computed without recursion. */
export function astDepth(root: AnyNode): number {
  let max = 0;
  const stack: [AnyNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    switch (node.kind) {
      case 'and':
      case 'or':
        for (const c of node.children) stack.push([c, depth + 1]);
        break;
      case 'not':
        stack.push([node.child, depth + 1]);
        break;
      case 'unary':
        stack.push([node.left, depth + 1]);
        break;
      case 'binary':
        stack.push([node.left, depth + 1], [node.right, depth + 1]);
        break;
      case 'transformer':
        for (const a of node.args) stack.push([a, depth + 1]);
        break;
      case 'list':
      case 'transformer-list':
        for (const i of node.items) stack.push([i, depth + 1]);
        break;
      default:
        break;
    }
  }
  return max;
}

/** Calls `visit` on `node` and every node below it, parents first. */
export function walkAst(node: AnyNode, visit: (node: AnyNode) => void): void {
  visit(node);
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) walkAst(c, visit);
      break;
    case 'not':
      walkAst(node.child, visit);
      break;
    case 'unary':
      walkAst(node.left, visit);
      break;
    case 'binary':
      walkAst(node.left, visit);
      walkAst(node.right, visit);
      break;
    case 'transformer':
      for (const a of node.args) walkAst(a, visit);
      break;
    case 'list':
    case 'transformer-list':
      for (const i of node.items) walkAst(i, visit);
      break;
    case 'identifier':
    case 'field':
    case 'value':
      break;
  }
}

// ---- Text form (libsinsp's ast::as_string) ----
// Output fields are keyed by this text (`proc.aname[2]`, `tolower(proc.name)`), so it follows
// libsinsp's spelling: values quoted only when they contain blanks or quotes, transformer
// arguments separated by a bare comma.

/** Quotes a value the way libsinsp's escape_str does: only when needed. */
export function quoteValue(value: string): string {
  let needsQuotes = false;
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '\b': needsQuotes = true; out += '\\b'; break;
      case '\f': needsQuotes = true; out += '\\f'; break;
      case '\n': needsQuotes = true; out += '\\n'; break;
      case '\r': needsQuotes = true; out += '\\r'; break;
      case '\t': needsQuotes = true; out += '\\t'; break;
      case ' ': case '=': case '\'': needsQuotes = true; out += ch; break;
      case '\\': needsQuotes = true; out += '\\\\'; break;
      case '"': needsQuotes = true; out += '\\"'; break;
      default: out += ch;
    }
  }
  return needsQuotes ? `"${out}"` : out;
}

function argText(arg: string | undefined): string {
  if (arg === undefined) return '';
  return arg === '' ? '[""]' : `[${quoteValue(arg)}]`;
}

/** The canonical text of a node, as libsinsp prints it (used as output_fields keys). */
export function astToString(node: AnyNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.children.map(astToString).join(` ${node.kind} `)})`;
    case 'not':
      return `not ${astToString(node.child)}`;
    case 'identifier':
      return node.name;
    case 'value':
      return quoteValue(node.value);
    case 'list':
      return `(${node.items.map((i) => quoteValue(i.value)).join(', ')})`;
    case 'transformer-list':
      return `(${node.items.map(astToString).join(',')})`;
    case 'unary':
      return `${astToString(node.left)} ${node.operator}`;
    case 'binary': {
      const op = node.modifier === undefined ? node.operator : `${node.operator} ${node.modifier}`;
      return `${astToString(node.left)} ${op} ${astToString(node.right)}`;
    }
    case 'field':
      return node.name + argText(node.arg);
    case 'transformer':
      return `${node.name}(${node.args.map(astToString).join(',')})${argText(node.arg)}`;
  }
}
