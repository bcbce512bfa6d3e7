// Public API of Falco's condition language (libsinsp 0.25 / Falco 0.44 semantics):
//
//   parseCondition(text)            text → Ast, or ConditionSyntaxError (libsinsp's messages,
//                                   line/column as libsinsp counts them)
//   expandCondition(ast, {macros, lists})
//                                   macro references and list names replaced; ConditionExpandError
//                                   (`Undefined macro 'x' used in filter.`, reference loops)
//   compileCondition(ast, source)   → { evaluate(evt), eventTypes, fields, warnings }, or
//                                   ConditionCompileError; `err.unknownFilter` says whether
//                                   skip-if-unknown-filter applies (unknown field / event type)
//   compileConditionGroup(conditions, {known})
//                                   the rules of one event type evaluated together (first / all
//                                   matches), sharing field values and common checks; checks of
//                                   fields known for the event type (evt.type) decided in advance
//   conditionEventTypes(ast, source), matchesTooManyEventTypes(types, source)
//                                   dispatch sets and Falco's LOAD_NO_EVTTYPE test
//   OPERATORS, parseOperator, isListOperator
//                                   operator spellings (for exception `comps`)
//
// Output formats (`%field` strings) are compiled by ../output-format.ts on the same parser and
// operand compiler. Where this implementation knowingly differs from libsinsp, the module that
// implements the behaviour says so at its top (parser: a depth guard that works; values: DOUBLE
// literals may have decimals; expand: list names resolved on the tree; checks: fd.net-style
// fields test every listed network).
export * from './ast.js';
export { parseCondition, type ParseOptions } from './parser.js';
export { expandCondition, listItemsText, type ExpandContext, type ExpandResult } from './expand.js';
export {
  compileCondition,
  compileConditionGroup,
  MAX_CONDITION_DEPTH,
  type ConditionGroup,
  type CompiledCondition,
  type CompileOptions,
  type GroupOptions,
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
