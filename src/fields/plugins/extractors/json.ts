// Extractors of the json plugin's fields (json.value[/pointer], json.obj, json.rawtime and their
// jevt.* aliases) for events with a JSON payload, with the plugin's semantics:
// - json.value[P]: P is a JSON pointer (RFC 6901: `/` separates keys, `~1` stands for `/` and `~0`
//   for `~`); a leading `/` is optional, array elements are selected by index, an empty pointer
//   gives the whole payload. A string value is given as is, anything else as compact JSON; no
//   value when a key is missing.
// - json.obj: the payload indented with two spaces (Go's json.Indent layout).
// - json.rawtime: the event timestamp in nanoseconds, as a decimal string.
import type { FieldExtractor, Registry } from '../../registry.js';
import type { FieldArg } from '../../types.js';
import { jsonText, lookup } from './json-access.js';
import type { JsonPayloadEvent } from './plugin-event.js';

/** The keys of a json.value pointer argument. */
export function pointerKeys(pointer: string): string[] {
  const path = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  // `~1` is decoded before `~0`, so that `~01` stays the literal key `~1`.
  return path.split('/').map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function valueExtractor(arg: FieldArg | undefined): FieldExtractor<JsonPayloadEvent> {
  const pointer = arg?.key ?? arg?.raw ?? '';
  if (pointer === '') return { extract: (e) => e.payloadText() };
  const keys = pointerKeys(pointer);
  return {
    extract(e) {
      const found = lookup(e.payload, keys);
      return found === undefined ? undefined : jsonText(found);
    },
  };
}

const objExtractor = (): FieldExtractor<JsonPayloadEvent> => ({ extract: (e) => JSON.stringify(e.payload, null, 2) });
const rawtimeExtractor = (): FieldExtractor<JsonPayloadEvent> => ({ extract: (e) => e.ts.toString() });

/** Attaches the json plugin's extractors to a registry of JSON-payload events. */
export function implementJsonFields<E extends JsonPayloadEvent>(registry: Registry<E>): void {
  for (const prefix of ['json', 'jevt']) {
    registry.implement(`${prefix}.value`, (_def, arg) => valueExtractor(arg) as FieldExtractor<E>);
    registry.implement(`${prefix}.obj`, objExtractor as () => FieldExtractor<E>);
    registry.implement(`${prefix}.rawtime`, rawtimeExtractor as () => FieldExtractor<E>);
  }
}
