// Parser for Falco's condition language (libsinsp filter grammar).
import type { Ast } from './ast.js';

export interface ParseOptions {
  /** Maximum nesting depth (parentheses, `not`, transformers); default 1000 as Falco sets it. */
  maxDepth?: number;
}

/** Parses a condition; throws ConditionSyntaxError with the position of the problem. */
export function parseCondition(text: string, opts: ParseOptions = {}): Ast {
  void text; void opts;
  throw new Error('not implemented yet');
}
