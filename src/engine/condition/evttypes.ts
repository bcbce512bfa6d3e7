// Event-type sets of conditions, for dispatch by event type (libsinsp filter/ppm_codes semantics).
import type { Ast } from './ast.js';
import type { EventSourceDefinition } from '../source.js';

/** Codes of the event types a condition can match; 'all' when it does not restrict them. */
export function conditionEventTypes<E>(ast: Ast, source: EventSourceDefinition<E>): ReadonlySet<number> | 'all' {
  void ast; void source;
  throw new Error('not implemented yet');
}
