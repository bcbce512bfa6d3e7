// Macro and list expansion on the condition AST.
import type { Ast } from './ast.js';

export interface ExpandContext {
  /** Macro name → its parsed condition (already expanded or not: both work). */
  readonly macros: ReadonlyMap<string, Ast>;
  /** List name → its items (nested lists already flattened by the loader). */
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

export interface ExpandResult {
  readonly ast: Ast;
  readonly usedMacros: Set<string>;
  readonly usedLists: Set<string>;
}

/** Replaces macro references and list names; throws ConditionExpandError. */
export function expandCondition(ast: Ast, ctx: ExpandContext): ExpandResult {
  void ast; void ctx;
  throw new Error('not implemented yet');
}
