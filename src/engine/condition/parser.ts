// Parser for Falco's condition language: a recursive-descent reading of libsinsp's filter grammar
// (userspace/libsinsp/filter/parser.h in falcosecurity/libs 0.25), accepting exactly what Falco
// accepts and failing with libsinsp's messages, at the position where libsinsp stops.
//
//   Expr        ::= AndExpr ('or' (' ' AndExpr | '(' Expr ')'))*
//   AndExpr     ::= NotExpr ('and' (' ' NotExpr | '(' Expr ')'))*
//   NotExpr     ::= ('not' blank)* ('not(' Expr ')' | Check)       (each `not` toggles)
//   Check       ::= '(' Expr ')' | Operand Condition | Identifier
//   Operand     ::= Field | Transformer
//   Condition   ::= 'exists'
//                 | NumOp (Number | Transformer | 'val(' Field ')')
//                 | StrOp (Value | Transformer | 'val(' Field ')')
//                 | StrOp Modifier ('(' Values ')' | Identifier)
//                 | ListOp ('(' Values ')' | Transformer | 'val(' Field ')' | Identifier)
//   Transformer ::= Name '(' Arg (',' Arg)* ')' ('[' FieldArg ']')?
//   Arg         ::= Number | Quoted | '(' ListArgs ')' | Transformer | Field
//
// Differences from libsinsp, on purpose: the depth guard works (libsinsp's guard objects are
// temporaries that never hold a level, so deep nesting there ends in a stack overflow), and list
// items keep their own positions.
import type {
  Ast,
  BinaryCheckNode,
  BinaryOperator,
  FieldNode,
  ListNode,
  OperandNode,
  OperatorModifier,
  Position,
  TransformerArgNode,
  TransformerListNode,
  TransformerName,
  TransformerNode,
  ValueNode,
} from './ast.js';
import { ConditionSyntaxError } from './ast.js';
import { Cursor } from './lexer.js';
import { LIST_OPERATORS, MODIFIERS, OPERATORS } from './operators.js';

export interface ParseOptions {
  /** Maximum recursion depth of the parser; 1000 as Falco sets it for rule conditions. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 1000;

const NUM_OPS = ['<=', '<', '>=', '>'];
// libsinsp order; word operators need a blank after them.
const STR_OPS = [
  '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith',
  'endswith', 'regex',
];
const WORD_OPS_NEEDING_BLANK = new Set([
  'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex',
  'oneof', 'anyof', 'allof',
]);
const needsBlank = (op: string): boolean => WORD_OPS_NEEDING_BLANK.has(op);

/** Transformers usable as operands, with their opening parenthesis (libsinsp order). */
const TRANSFORMERS = ['tolower(', 'toupper(', 'b64(', 'basename(', 'len(', 'join(', 'concat(', 'getopt('];
/** The transformer list as libsinsp names it in messages (with `val`). */
const TRANSFORMER_NAMES_TEXT = "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";
const OPERATORS_TEXT = OPERATORS.map((o) => `'${o}'`).join(', ');

class Parser {
  private depth = 0;

  constructor(
    readonly cur: Cursor,
    private readonly maxDepth: number,
  ) {}

  /** Counts one level of recursion; libsinsp's limit and message. */
  private enter(): void {
    if (++this.depth >= this.maxDepth) {
      this.cur.fail(`exceeded max depth limit of ${this.maxDepth}`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private guarded<T>(f: () => T): T {
    this.enter();
    try {
      return f();
    } finally {
      this.leave();
    }
  }

  parseOr(): Ast {
    return this.guarded(() => {
      const cur = this.cur;
      const pos = cur.position();
      cur.blank();
      const children: Ast[] = [this.parseAnd()];
      cur.blank();
      while (cur.literal('or')) {
        if (cur.blank()) {
          children.push(this.parseAnd());
        } else if (cur.literal('(')) {
          children.push(this.parseEmbeddedRemainder());
        } else {
          cur.fail("expected blank or '(' after 'or'");
        }
        cur.blank();
      }
      return children.length > 1 ? { kind: 'or', pos, children } : children[0]!;
    });
  }

  private parseAnd(): Ast {
    return this.guarded(() => {
      const cur = this.cur;
      const pos = cur.position();
      cur.blank();
      const children: Ast[] = [this.parseNot()];
      cur.blank();
      while (cur.literal('and')) {
        if (cur.blank()) {
          children.push(this.parseNot());
        } else if (cur.literal('(')) {
          children.push(this.parseEmbeddedRemainder());
        } else {
          cur.fail("expected blank or '(' after 'and'");
        }
        cur.blank();
      }
      return children.length > 1 ? { kind: 'and', pos, children } : children[0]!;
    });
  }

  private parseNot(): Ast {
    return this.guarded(() => {
      const cur = this.cur;
      const pos = cur.position();
      let negate = false;
      cur.blank();
      while (cur.notKeyword()) negate = !negate;
      let child: Ast;
      if (cur.literal('not(')) {
        negate = !negate;
        child = this.parseEmbeddedRemainder();
      } else {
        child = this.parseCheck();
      }
      return negate ? { kind: 'not', pos, child } : child;
    });
  }

  /** The rest of `( Expr )` after the opening parenthesis. */
  private parseEmbeddedRemainder(): Ast {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const child = this.parseOr();
      cur.blank();
      if (!cur.literal(')')) cur.fail("expected a ')' token");
      return child;
    });
  }

  private parseCheck(): Ast {
    return this.guarded(() => {
      const cur = this.cur;
      const pos = cur.position();
      cur.blank();
      if (cur.literal('(')) return this.parseEmbeddedRemainder();
      if (cur.fieldName()) {
        const left = this.parseFieldRemainder(cur.lastToken, pos);
        return this.parseConditionTail(left, pos);
      }
      if (cur.oneOf(TRANSFORMERS)) {
        cur.blank();
        const left = this.parseTransformerRemainder(transformerName(cur.lastToken), pos);
        return this.parseConditionTail(left, pos);
      }
      if (cur.identifier()) return { kind: 'identifier', pos, name: cur.lastToken };
      return cur.fail("expected a '(' token, a field check, or an identifier");
    });
  }

  /** A field or transformer alone (output formats): `proc.name`, `tolower(proc.name)`. */
  parseOperand(): OperandNode {
    return this.guarded(() => {
      const cur = this.cur;
      const pos = cur.position();
      if (cur.fieldName()) return this.parseFieldRemainder(cur.lastToken, pos);
      if (cur.oneOf(TRANSFORMERS)) {
        cur.blank();
        return this.parseTransformerRemainder(transformerName(cur.lastToken), pos);
      }
      // libsinsp's message, unbalanced quote included.
      return cur.fail(`unexpected token after '${cur.lastToken}`);
    });
  }

  private parseFieldRemainder(name: string, pos: Position): FieldNode {
    return this.guarded(() => {
      const arg = this.parseOptionalFieldArg();
      return arg === undefined ? { kind: 'field', pos, name } : { kind: 'field', pos, name, arg };
    });
  }

  private parseOptionalFieldArg(): string | undefined {
    const cur = this.cur;
    if (!cur.literal('[')) return undefined;
    if (!cur.quoted() && !cur.fieldArgBare()) {
      cur.fail('expected a valid field argument: a quoted string or a bare string');
    }
    const arg = cur.lastToken;
    if (!cur.literal(']')) cur.fail("expected a ']' token");
    return arg;
  }

  /** `Arg (, Arg)* ) [arg]?` after `name(`. */
  private parseTransformerRemainder(name: TransformerName, pos: Position): TransformerNode {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const args: TransformerArgNode[] = [];
      do {
        args.push(this.parseTransformerArg(cur.position()));
        cur.blank();
      } while (cur.literal(','));
      cur.blank();
      if (!cur.literal(')')) cur.fail("expected a ')' token closing the transformer");
      const arg = this.parseOptionalFieldArg();
      return arg === undefined ? { kind: 'transformer', pos, name, args } : { kind: 'transformer', pos, name, args, arg };
    });
  }

  private parseTransformerArg(pos: Position): TransformerArgNode {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      if (cur.hexNumber() || cur.number()) return this.value(pos, false);
      if (cur.quoted()) return this.value(pos, true);
      if (cur.literal('(')) return this.parseTransformerList(pos);
      if (cur.oneOf(TRANSFORMERS)) {
        return this.parseTransformerRemainder(transformerName(cur.lastToken), pos);
      }
      if (cur.fieldName()) return this.parseFieldRemainder(cur.lastToken, pos);
      return cur.fail(
        'expected field transformer argument: field, transformer, quoted string, number, or transformer list',
      );
    });
  }

  /** `(a, b, ...)` inside transformer arguments, after the opening parenthesis. */
  private parseTransformerList(pos: Position): TransformerListNode {
    const cur = this.cur;
    const items: (FieldNode | TransformerNode | ValueNode)[] = [];
    cur.blank();
    if (cur.literal(')')) return { kind: 'transformer-list', pos, items };
    items.push(this.parseTransformerListArg());
    cur.blank();
    while (cur.literal(',')) {
      cur.blank();
      items.push(this.parseTransformerListArg());
      cur.blank();
    }
    if (!cur.literal(')')) cur.fail("expected ')'");
    return { kind: 'transformer-list', pos, items };
  }

  private parseTransformerListArg(): FieldNode | TransformerNode | ValueNode {
    const cur = this.cur;
    const pos = cur.position();
    if (cur.fieldName()) return this.parseFieldRemainder(cur.lastToken, pos);
    if (cur.oneOf(TRANSFORMERS)) {
      cur.blank();
      return this.parseTransformerRemainder(transformerName(cur.lastToken), pos);
    }
    if (cur.quoted()) return this.value(pos, true);
    if (cur.hexNumber() || cur.number()) return this.value(pos, false);
    return cur.fail('expected transformer list argument: field, transformer, quoted string, or number');
  }

  /** The operator and right-hand side of a check whose operand is `left`. */
  private parseConditionTail(left: OperandNode, pos: Position): Ast {
    return this.guarded((): Ast => {
      const cur = this.cur;
      cur.blank();
      if (cur.operator(['exists'], needsBlank)) {
        return { kind: 'unary', pos, operator: 'exists', left };
      }
      cur.blank();
      const operatorPos = cur.position();
      let operator: BinaryOperator;
      let modifier: OperatorModifier | undefined;
      let right: BinaryCheckNode['right'];
      if (cur.operator(NUM_OPS, needsBlank)) {
        operator = cur.lastToken as BinaryOperator;
        right = this.parseNumValueOrTransformer();
      } else if (cur.operator(STR_OPS, needsBlank)) {
        operator = cur.lastToken as BinaryOperator;
        // Word operators consumed their blank already; symbols need one before a modifier.
        const hadBlank = /^[a-z]/.test(operator) || cur.blank();
        const saved = cur.save();
        if (
          hadBlank &&
          cur.operator(MODIFIERS, needsBlank) &&
          (cur.peek() === '(' || cur.identifierFollows()) &&
          !cur.boolKeywordFollows()
        ) {
          modifier = cur.lastToken as OperatorModifier;
          right = this.parseListValue();
        } else {
          cur.restore(saved);
          right = this.parseStrValueOrTransformer(false);
        }
      } else if (cur.operator(LIST_OPERATORS, needsBlank)) {
        operator = cur.lastToken as BinaryOperator;
        right = this.parseListValueOrTransformer();
      } else {
        return cur.fail(`expected a valid check operator: one of ${OPERATORS_TEXT}`);
      }
      return modifier === undefined
        ? { kind: 'binary', pos, operator, operatorPos, left, right }
        : { kind: 'binary', pos, operator, modifier, operatorPos, left, right };
    });
  }

  private parseNumValueOrTransformer(): ValueNode | OperandNode {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const pos = cur.position();
      const t = this.tryParseTransformerOrVal();
      if (t !== undefined) return t;
      if (cur.hexNumber() || cur.number()) return this.value(pos, false);
      return cur.fail(`expected a number value or a field with a valid transformer: ${TRANSFORMER_NAMES_TEXT}`);
    });
  }

  private parseStrValueOrTransformer(noTransformer: boolean): ValueNode | OperandNode {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const pos = cur.position();
      if (!noTransformer) {
        const t = this.tryParseTransformerOrVal();
        if (t !== undefined) return t;
      }
      if (cur.quoted()) return this.value(pos, true);
      if (cur.bareWord()) return this.value(pos, false);
      if (noTransformer) return cur.fail('expected a string value');
      return cur.fail(`expected a string value or a field with a valid transformer: ${TRANSFORMER_NAMES_TEXT}`);
    });
  }

  /** A literal list `( v, v, ... )`, or undefined when no `(` comes next. */
  tryParseListExpr(): ListNode | undefined {
    const cur = this.cur;
    const pos = cur.position();
    if (!cur.literal('(')) return undefined;
    const items: ValueNode[] = [];
    cur.blank();
    let first: ValueNode | undefined;
    try {
      first = this.parseStrValueOrTransformer(true) as ValueNode;
    } catch (e) {
      // As libsinsp: any failure reading the first item means "empty list" (then `)` must follow).
      if (!(e instanceof ConditionSyntaxError)) throw e;
    }
    if (first !== undefined) {
      items.push(first);
      cur.blank();
      while (cur.literal(',')) {
        items.push(this.parseStrValueOrTransformer(true) as ValueNode);
        cur.blank();
      }
    }
    if (!cur.literal(')')) cur.fail("expected a ')' token");
    return { kind: 'list', pos, items };
  }

  /** After a modifier: a list or a list name. */
  private parseListValue(): ListNode | ValueNode {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const pos = cur.position();
      const list = this.tryParseListExpr();
      if (list !== undefined) return list;
      if (cur.identifier()) return this.value(pos, false);
      return cur.fail('expected a list or an identifier');
    });
  }

  private parseListValueOrTransformer(): ListNode | ValueNode | OperandNode {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const pos = cur.position();
      const list = this.tryParseListExpr();
      if (list !== undefined) return list;
      const t = this.tryParseTransformerOrVal();
      if (t !== undefined) return t;
      if (cur.identifier()) return this.value(pos, false);
      return cur.fail(
        `expected a list, an identifier, or a field with a valid transformer: ${TRANSFORMER_NAMES_TEXT}`,
      );
    });
  }

  /** `val(field)` or a transformer on the right of an operator; undefined when neither follows. */
  private tryParseTransformerOrVal(): TransformerNode | undefined {
    return this.guarded(() => {
      const cur = this.cur;
      cur.blank();
      const pos = cur.position();
      if (cur.literal('val(')) {
        cur.blank();
        const fieldPos = cur.position();
        if (!cur.fieldName()) cur.fail("expected a field within 'val' transformer");
        const field = this.parseFieldRemainder(cur.lastToken, fieldPos);
        cur.blank();
        if (!cur.literal(')')) cur.fail("expected a ')' token closing the transformer");
        const arg = this.parseOptionalFieldArg();
        const node: TransformerNode = { kind: 'transformer', pos, name: 'val', args: [field] };
        return arg === undefined ? node : { ...node, arg };
      }
      if (cur.oneOf(TRANSFORMERS)) {
        cur.blank();
        return this.parseTransformerRemainder(transformerName(cur.lastToken), pos);
      }
      return undefined;
    });
  }

  private value(pos: Position, quoted: boolean): ValueNode {
    return { kind: 'value', pos, value: this.cur.lastToken, quoted };
  }
}

function transformerName(tokenWithParen: string): TransformerName {
  return tokenWithParen.slice(0, -1) as TransformerName;
}

/**
 * Parses a condition. Throws ConditionSyntaxError with libsinsp's message and the position where
 * reading stopped.
 */
export function parseCondition(text: string, opts: ParseOptions = {}): Ast {
  const cur = new Cursor(text);
  if (text.length === 0) cur.fail('filter input string is empty');
  const parser = new Parser(cur, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  const ast = parser.parseOr();
  if (!cur.atEnd) cur.fail(`unexpected token after '${cur.lastToken}', expecting 'or', 'and'`);
  return ast;
}

/**
 * Reads one field or transformer at the start of `text` (output format tokens) and returns it
 * with the number of characters it used; throws ConditionSyntaxError when none can be read.
 */
export function parseOperandPrefix(text: string, opts: ParseOptions = {}): { node: OperandNode; length: number } {
  const cur = new Cursor(text);
  const parser = new Parser(cur, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  const node = parser.parseOperand();
  return { node, length: cur.offset };
}

/**
 * Parses a whole text as one list body, `a, "b c", d` (used to substitute list items the way
 * Falco does: items are joined into condition text and read back as values).
 */
export function parseListItems(text: string): ValueNode[] {
  const cur = new Cursor(`(${text})`);
  const parser = new Parser(cur, DEFAULT_MAX_DEPTH);
  const list = parser.tryParseListExpr();
  if (list === undefined || !cur.atEnd) return cur.fail(`unexpected token after '${cur.lastToken}'`);
  return [...list.items];
}
