// Compiles an expanded condition AST into a fast predicate over events of one source.
import type { Ast, Position } from './ast.js';
import type { EventSourceDefinition } from '../source.js';

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

/** Throws ConditionCompileError (see its `code`/`unknownFilter`) for fields, operators, values. */
export function compileCondition<E>(ast: Ast, source: EventSourceDefinition<E>, opts: CompileOptions = {}): CompiledCondition<E> {
  void ast; void source; void opts;
  throw new Error('not implemented yet');
}
