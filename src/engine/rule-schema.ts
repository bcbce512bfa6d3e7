// The JSON schema of rules files (printed by `--rule-schema`) and the check of a rules content
// against it. The check is advisory, as in Falco: its outcome is reported as the content's
// "schema validation" status (`ok`, or `failed for <path>: <why>`) and never stops loading; the
// loader's own checks decide what is an error.
//
// YAML scalars are text until a key is decoded, so the check uses weak types: a scalar that
// reads as a boolean or an integer satisfies those types.
import { Ajv, type ValidateFunction } from 'ajv';
import { PRIORITY_NAMES } from './priority.js';
import type { YNode } from './loader/yaml.js';

/** A case-insensitive pattern for the priority names Falco accepts (plus `info`). */
function priorityPattern(): string {
  const names = [...PRIORITY_NAMES, 'Info'];
  const anyCase = (word: string): string =>
    [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
  return `^(${names.map(anyCase).join('|')})$`;
}

const overrideOperation = { type: 'string', enum: ['append', 'replace'] };

/** The schema: an array of items, each a list, macro, rule or version requirement. */
export const RULES_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://peregrine.dev/schemas/rules-file.json',
  title: 'Falco rules file',
  description: 'A rules file: a YAML sequence of lists, macros, rules and version requirements.',
  type: 'array',
  items: { $ref: '#/definitions/Item' },
  definitions: {
    Item: {
      description: 'One item. Which key is present (rule, macro, list, required_*) decides its kind.',
      type: 'object',
      additionalProperties: false,
      properties: {
        required_engine_version: {
          description: 'Lowest rules engine version able to load this file: "x.y.z", or an integer N meaning "0.N.0".',
          type: ['string', 'integer'],
        },
        required_plugin_versions: {
          description: 'Plugins (or built-in equivalents) this file needs, with accepted alternatives.',
          type: 'array',
          items: { $ref: '#/definitions/PluginRequirement' },
        },
        list: { description: 'Name of a list.', type: 'string' },
        items: {
          description: 'Values of a list; an item naming an earlier list includes its values.',
          type: 'array',
          items: { type: ['string', 'integer'] },
        },
        macro: { description: 'Name of a macro.', type: 'string' },
        rule: { description: 'Name of a rule.', type: 'string' },
        condition: { description: 'Condition (macro or rule), in the filter language.', type: 'string' },
        desc: { description: 'What the rule detects.', type: 'string' },
        output: { description: 'Alert text, with %field references.', type: 'string' },
        priority: { description: 'Severity of the alerts (any letter case).', type: 'string', pattern: priorityPattern() },
        source: { description: 'Event source of the rule (default syscall).', type: 'string' },
        enabled: { description: 'Whether the rule is enabled (default true).', type: 'boolean' },
        tags: { description: 'Tags of the rule, for selection and in alerts.', type: 'array', items: { type: 'string' } },
        exceptions: {
          description: 'Exceptions: conditions that stop the rule from matching.',
          type: 'array',
          items: { $ref: '#/definitions/Exception' },
        },
        append: { description: "Deprecated: append to the item of that name (use 'override').", type: 'boolean' },
        override: { $ref: '#/definitions/Override' },
        capture: { description: 'Start a capture when the rule matches.', type: 'boolean' },
        capture_duration: { description: 'Length of that capture in milliseconds.', type: 'integer' },
        warn_evttypes: { description: 'Warn when the condition does not restrict event types (default true).', type: 'boolean' },
        'skip-if-unknown-filter': {
          description: 'Skip the rule (with a warning) instead of failing when it uses unknown fields or event types.',
          type: 'boolean',
        },
      },
    },
    PluginRequirement: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version'],
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        alternatives: { type: 'array', items: { $ref: '#/definitions/PluginAlternative' } },
      },
    },
    PluginAlternative: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version'],
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
    Exception: {
      description: 'fields (one or a list), comps (operators, default = or in), values (tuples, lists or list names).',
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string' }, fields: {}, comps: {}, values: {} },
    },
    Override: {
      description: "Per key: 'append' to or 'replace' the earlier definition's value.",
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(
        ['items', 'condition', 'output', 'desc', 'priority', 'enabled', 'exceptions', 'capture', 'capture_duration', 'tags',
          'warn_evttypes', 'skip-if-unknown-filter'].map((k) => [k, overrideOperation]),
      ),
    },
  },
} as const;

/** The schema as `--rule-schema` prints it. */
export function ruleSchemaText(): string {
  return JSON.stringify(RULES_FILE_SCHEMA, null, 2);
}

let validator: ValidateFunction | undefined;

function compiledValidator(): ValidateFunction {
  // coerceTypes gives the weak typing of YAML scalars (all scalars are given as strings).
  validator ??= new Ajv({ coerceTypes: true, strict: false, allErrors: false }).compile(RULES_FILE_SCHEMA);
  return validator;
}

function toPlain(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar': return node.value;
    case 'null': return null;
    case 'seq': return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const p of node.pairs) {
        const key = p.key.kind === 'scalar' ? p.key.value : '';
        if (!(key in out)) out[key] = toPlain(p.value);
      }
      return out;
    }
  }
}

/** Validates one YAML document: `ok` or the `failed for <path>: <why>` lines. */
export function validateAgainstSchema(doc: YNode): string[] {
  const validate = compiledValidator();
  if (validate(toPlain(doc))) return ['ok'];
  return (validate.errors ?? []).map((e) => `failed for ${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}
