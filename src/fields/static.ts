// Falco's `static_fields` setting: user-defined constant fields, `static.NAME`, available in every
// source (libsinsp's "static" class). Their values never depend on the event, so this module
// implements them completely.
import { declareClass } from './declare.js';
import type { FieldClassDecl, Registry } from './registry.js';

const PREFIX = 'static.';

/** The "static" class for the given `static_fields` (names without the `static.` prefix). */
export function staticFieldsClass(values: Readonly<Record<string, string>>): FieldClassDecl {
  return declareClass(
    { name: 'static', desc: 'Constant fields defined by the static_fields setting.' },
    // libsinsp gives them no description, and suggests them as output fields.
    Object.keys(values)
      .sort()
      .map((name) => ({ name: PREFIX + name, type: 'CHARBUF', addOutput: true, desc: '' })),
  );
}

/** Attaches the constant extractors of a static class declared with staticFieldsClass. */
export function implementStaticFields<E>(registry: Registry<E>, values: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(values)) {
    registry.implement(PREFIX + name, () => ({ extract: () => value }));
  }
}
