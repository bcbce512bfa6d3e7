// Public API of Falco's condition language: parse → expand (macros, lists) → compile, plus
// event-type sets for dispatch. See each module for the semantics and their libsinsp references.
export * from './ast.js';
export { parseCondition, type ParseOptions } from './parser.js';
export { expandCondition, listItemsText, type ExpandContext, type ExpandResult } from './expand.js';
export {
  compileCondition,
  type CompiledCondition,
  type CompileOptions,
  type ConditionWarning,
} from './compiler.js';
export { conditionEventTypes, matchesTooManyEventTypes } from './evttypes.js';
export {
  OPERATORS,
  LIST_OPERATORS,
  MODIFIERS,
  MODIFIABLE_OPERATORS,
  parseOperator,
  isListOperator,
  type ParsedOperator,
} from './operators.js';
