// Weak typing, as Falco's YAML reader has it: a scalar is converted to the type the schema expects
// when its text allows, so `-o json_output=true`, `listen_port: "8765"`, `enabled: yes` and
// `rules_files: /etc/x.yaml` (one path for a list) all mean what the user meant. Values that cannot
// be converted are left alone for validation to report. An empty value (`webserver:` with nothing
// after it) means "not set" for scalars and an empty map or list for collections, as in Falco.
import { type ConfigMap, type ConfigValue, isConfigMap } from './document.js';
import type { JsonSchema } from './schema.js';

// yaml-cpp's boolean spellings: lower case, Capitalized or UPPER CASE.
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const INTEGER_TEXT = /^\s*[-+]?[0-9]+\s*$/;
const HEX_TEXT = /^\s*0x[0-9a-fA-F]+\s*$/;
const NUMBER_TEXT = /^\s*[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\s*$/;

function coerceScalar(value: ConfigValue, schema: JsonSchema): ConfigValue {
  switch (schema.type) {
    case 'boolean':
      if (typeof value === 'string') {
        if (TRUE_WORDS.has(value.trim())) return true;
        if (FALSE_WORDS.has(value.trim())) return false;
      }
      return value;
    case 'integer':
      if (typeof value === 'string') {
        if (INTEGER_TEXT.test(value)) return Number(value);
        if (HEX_TEXT.test(value)) return parseInt(value.trim().slice(2), 16);
      }
      return value;
    case 'number':
      return typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : value;
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    default:
      return value;
  }
}

/** Converts the values of `container[key]` (and below) in place; deletes unset scalars. */
function coerceSlot(container: ConfigMap | ConfigValue[], key: string | number, schema: JsonSchema): void {
  const holder = container as Record<string | number, ConfigValue>;
  let value = holder[key]!;
  if (value === null) {
    if (schema.type === 'object') holder[key] = {};
    else if (schema.type === 'array') holder[key] = [];
    else if (schema.anyOf?.some((s) => s.type === 'null')) return;
    else if (!Array.isArray(container)) delete holder[key];
    return;
  }
  if (schema.type === 'array') {
    if (typeof value !== 'object') {
      value = [value];
      holder[key] = value;
    }
    if (Array.isArray(value) && schema.items) {
      for (let i = 0; i < value.length; i++) coerceSlot(value, i, schema.items);
    }
    return;
  }
  if (schema.type === 'object') {
    if (isConfigMap(value)) coerceMap(value, schema);
    return;
  }
  if (schema.anyOf) {
    // Coerce into the first alternative the value's shape already fits (maps and lists only).
    const fitting = schema.anyOf.find((s) => (s.type === 'object' && isConfigMap(value)) || (s.type === 'array' && Array.isArray(value)));
    if (fitting) coerceSlot(container, key, fitting);
    return;
  }
  holder[key] = coerceScalar(value, schema);
}

/** Converts a map's values in place to the types `schema` gives its properties. */
export function coerceMap(map: ConfigMap, schema: JsonSchema): void {
  for (const key of Object.keys(map)) {
    const property = schema.properties?.[key] ??
      (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (property) coerceSlot(map, key, property);
  }
}
