// Small helpers for declaring field classes: fields are written without their class name, and the
// argument shapes shared by many fields have one name each.
import type { FieldClassDecl } from './registry.js';
import type { FieldArgSpec, FieldDef } from './types.js';

/** A field as written in a class declaration (the class fills in `className`). */
export type FieldSpec = Omit<FieldDef, 'className'>;

export function declareClass(info: Omit<FieldClassDecl, 'fields'>, fields: readonly FieldSpec[]): FieldClassDecl {
  return { ...info, fields: fields.map((f) => Object.freeze({ ...f, className: info.name })) };
}

/** proc.aname[N] and friends: optional ancestor level. */
export const ANCESTOR_ARG: FieldArgSpec = { syntax: 'ancestor', required: false };

/** Plugin field argument `[KEY]`, required. */
export const REQUIRED_KEY_ARG: FieldArgSpec = { syntax: 'bracket', required: true, key: true };
/** Plugin field argument `[N]`, optional. */
export const OPTIONAL_INDEX_ARG: FieldArgSpec = { syntax: 'bracket', required: false, index: true };
/** Plugin field argument `[N]` or `[KEY]`, required. */
export const REQUIRED_INDEX_OR_KEY_ARG: FieldArgSpec = { syntax: 'bracket', required: true, index: true, key: true };
