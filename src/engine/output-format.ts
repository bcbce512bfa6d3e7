// Output format strings (`output:` of rules, `-p`): literal text and %field tokens.
import type { JsonFieldValue } from '../fields/types.js';
import type { EventSourceDefinition } from './source.js';

export interface CompiledOutputFormat<E> {
  /** The formatted text; missing values print as `<NA>` (Falco always formats this way). */
  text(evt: E): string;
  /** sysdig `-p` semantics: undefined when a value is missing and the format has no leading `*`. */
  textIfComplete(evt: E): string | undefined;
  /** output_fields of JSON alerts: field as written → value (null when missing). */
  fields(evt: E): Record<string, JsonFieldValue>;
  /** Keys of `fields`, in format order. */
  readonly fieldNames: readonly string[];
}

/** Throws OutputFormatError naming the offset of the problem. */
export function compileOutputFormat<E>(format: string, source: EventSourceDefinition<E>): CompiledOutputFormat<E> {
  void format; void source;
  throw new Error('not implemented yet');
}
