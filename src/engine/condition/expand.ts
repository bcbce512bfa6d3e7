// Macro and list expansion on the condition AST.
//
// Macros (Falco's filter_macro_resolver): an identifier where a check is expected is replaced by
// the macro's condition, itself expanded; a macro reached again while expanding itself is a
// loop. Errors use Falco's texts: `Undefined macro 'x' used in filter.`, `reference loop in macro
// 'x'` (Falco reports them as LOAD_ERR_VALIDATE). As in Falco, when a condition has several
// problems, a loop is reported before an undefined macro.
//
// Lists: Falco substitutes list names in the condition *text* before parsing (resolve_list in
// rule_loader_compiler.cpp): a list name delimited by blanks, `(`, `)`, `,`, `=` or the ends of
// the text becomes its items joined by ", " (items with a space and no leading quote are wrapped
// in double quotes), which the parser then reads as values. Here the same happens on the tree,
// where it is unambiguous: an unquoted value equal to a list name, as an item of a literal list,
// after a list operator (`in`, `intersects`, `pmatch`, or an operator with a modifier), or as the
// single value of another operator. The items are joined and read back exactly as Falco does, so
// `"quoted"` items lose their quotes, an item with a space stays one value, and an empty list
// leaves no item. A list name inside a longer word (`file_my_list`) or in quotes is not replaced.
// Unlike Falco, a list used as a single value (`proc.name = my_list`) must have exactly one item
// (Falco produces a condition that fails to parse), and `in my_list` without parentheses takes
// all the items (Falco only manages one).
import type { AnyNode, Ast, BinaryCheckNode, ListNode, Position, ValueNode } from './ast.js';
import { ConditionExpandError, ConditionSyntaxError } from './ast.js';
import { LIST_OPERATORS } from './operators.js';
import { parseListItems } from './parser.js';

export interface ExpandContext {
  /** Macro name → its parsed condition (expanded already or not: both work). */
  readonly macros: ReadonlyMap<string, Ast>;
  /** List name → its items (nested list references already replaced by the loader). */
  readonly lists: ReadonlyMap<string, readonly string[]>;
  /**
   * When expanding a macro's own condition: that macro's name, so that a reference back to it
   * is reported as a loop.
   */
  readonly selfMacro?: string;
}

export interface ExpandResult {
  readonly ast: Ast;
  /** Macros that were substituted, at any depth. */
  readonly usedMacros: Set<string>;
  /** Lists whose names were substituted, at any depth. */
  readonly usedLists: Set<string>;
}

/** List items read back as values, per items array (the loader passes the same array each time). */
const itemValueCache = new WeakMap<readonly string[], readonly { value: string; quoted: boolean }[]>();

/** Falco's rendering of list items into condition text (quote_item + ", " join). */
export function listItemsText(items: readonly string[]): string {
  return items
    .map((item) => (item.includes(' ') && item[0] !== '"' && item[0] !== "'" ? `"${item}"` : item))
    .join(', ');
}

interface Problem {
  readonly loop: boolean;
  readonly message: string;
  readonly pos: Position;
  readonly macro: string | undefined;
}

class Expander {
  readonly usedMacros = new Set<string>();
  readonly usedLists = new Set<string>();
  readonly problems: Problem[] = [];
  private readonly path: string[] = [];

  constructor(private readonly ctx: ExpandContext) {
    if (ctx.selfMacro !== undefined) this.path.push(ctx.selfMacro);
  }

  expand(node: Ast): Ast {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const children = node.children.map((c) => this.expand(c));
        return children.every((c, i) => c === node.children[i]) ? node : { ...node, children };
      }
      case 'not': {
        const child = this.expand(node.child);
        return child === node.child ? node : { ...node, child };
      }
      case 'identifier':
        return this.expandMacro(node.name, node.pos, node.macro) ?? node;
      case 'unary':
        return node;
      case 'binary':
        return this.expandLists(node);
    }
  }

  private expandMacro(name: string, pos: Position, inMacro: string | undefined): Ast | undefined {
    const body = this.ctx.macros.get(name);
    if (body === undefined) {
      this.problems.push({ loop: false, message: `Undefined macro '${name}' used in filter.`, pos, macro: inMacro });
      return undefined;
    }
    if (this.path.includes(name)) {
      this.problems.push({ loop: true, message: `reference loop in macro '${name}'`, pos, macro: inMacro });
      return undefined;
    }
    this.path.push(name);
    const expanded = this.expand(stampMacro(body, name));
    this.path.pop();
    this.usedMacros.add(name);
    return expanded;
  }

  private expandLists(node: BinaryCheckNode): BinaryCheckNode {
    const right = node.right;
    const takesList = node.modifier !== undefined || LIST_OPERATORS.includes(node.operator);
    if (right.kind === 'list') {
      if (!right.items.some((i) => this.isListName(i))) return node;
      const items: ValueNode[] = [];
      for (const item of right.items) {
        if (this.isListName(item)) items.push(...this.listValues(item));
        else items.push(item);
      }
      const list: ListNode = { ...right, items };
      return { ...node, right: list };
    }
    if (right.kind === 'value' && this.isListName(right)) {
      const values = this.listValues(right);
      if (takesList) {
        const list: ListNode = right.macro === undefined
          ? { kind: 'list', pos: right.pos, items: values }
          : { kind: 'list', pos: right.pos, items: values, macro: right.macro };
        return { ...node, right: list };
      }
      if (values.length !== 1) {
        throw new ConditionExpandError(
          `list '${right.value}' has ${values.length} items but '${node.operator}' compares with a single value`,
          right.pos,
          right.macro,
          'list',
        );
      }
      return { ...node, right: values[0]! };
    }
    return node;
  }

  private isListName(v: ValueNode): boolean {
    return !v.quoted && v.list === undefined && this.ctx.lists.has(v.value);
  }

  /** The values a list name stands for, positioned where the name was written. */
  private listValues(at: ValueNode): ValueNode[] {
    const name = at.value;
    const items = this.ctx.lists.get(name)!;
    let values = itemValueCache.get(items);
    if (values === undefined) {
      try {
        values = parseListItems(listItemsText(items)).map((v) => ({ value: v.value, quoted: v.quoted }));
      } catch (e) {
        if (!(e instanceof ConditionSyntaxError)) throw e;
        throw new ConditionExpandError(
          `items of list '${name}' do not form a list of values: ${e.message}`,
          at.pos,
          at.macro,
          'list',
        );
      }
      itemValueCache.set(items, values);
    }
    this.usedLists.add(name);
    return values.map((v) => {
      const node: ValueNode = { kind: 'value', pos: at.pos, value: v.value, quoted: v.quoted, list: name };
      return at.macro === undefined ? node : { ...node, macro: at.macro };
    });
  }
}

/** A copy of a macro's tree whose nodes say they come from that macro (unless already stamped). */
function stampMacro<T extends AnyNode>(node: T, macro: string): T {
  const stamped = (n: AnyNode): AnyNode => {
    const base = n.macro === undefined ? { ...n, macro } : { ...n };
    switch (base.kind) {
      case 'and':
      case 'or':
        return { ...base, children: base.children.map((c) => stamped(c) as Ast) };
      case 'not':
        return { ...base, child: stamped(base.child) as Ast };
      case 'unary':
        return { ...base, left: stamped(base.left) as typeof base.left };
      case 'binary':
        return { ...base, left: stamped(base.left) as typeof base.left, right: stamped(base.right) as typeof base.right };
      case 'transformer':
        return { ...base, args: base.args.map((a) => stamped(a) as typeof a) };
      case 'list':
        return { ...base, items: base.items.map((i) => stamped(i) as ValueNode) };
      case 'transformer-list':
        return { ...base, items: base.items.map((i) => stamped(i) as typeof i) };
      default:
        return base;
    }
  };
  return stamped(node) as T;
}

/**
 * Replaces macro references by their conditions and list names by their items (see the top of
 * this file). Throws ConditionExpandError.
 */
export function expandCondition(ast: Ast, ctx: ExpandContext): ExpandResult {
  const expander = new Expander(ctx);
  let result: Ast;
  try {
    result = expander.expand(ast);
  } catch (e) {
    // Macros nested thousands deep: report it instead of overflowing the stack.
    if (e instanceof RangeError) {
      throw new ConditionExpandError('macros are nested too deeply to expand', ast.pos, ast.macro, 'too-deep');
    }
    throw e;
  }
  const problem = expander.problems.find((p) => p.loop) ?? expander.problems[0];
  if (problem !== undefined) {
    throw new ConditionExpandError(
      problem.message,
      problem.pos,
      problem.macro,
      problem.loop ? 'macro-loop' : 'undefined-macro',
    );
  }
  return { ast: result, usedMacros: expander.usedMacros, usedLists: expander.usedLists };
}
