// `--list [SOURCE]`: the fields of every event source, laid out as Falco 0.44 prints them, in text
// (default; `-v` adds the types), markdown or JSON (`--format`), or only the names (`-N`).
//
// As in Falco, a class shared by several sources (the generic evt.* fields, the json plugin) is
// printed once, with every source that has it; fields that are hidden, deprecated or output-only
// are left out, as are classes marked hidden.
import type { FieldClassInfo, FieldDef, FieldRegistry, FieldType } from './types.js';

export type ListFormat = 'text' | 'markdown' | 'json';

export interface ListOptions {
  /** Only this source (`--list syscall`); all sources when absent or empty. */
  readonly source?: string;
  /** `-v`: the text format adds each field's type. */
  readonly verbose?: boolean;
  /** `-N`: only the field names. */
  readonly namesOnly?: boolean;
  readonly format?: ListFormat;
}

/** An unknown source given to `--list`; the message is Falco's. */
export class FieldListError extends Error {}

/** Column where descriptions start, and total width the text layout wraps at. */
const RIGHT_BLOCK_START = 30;
const WIDTH = 120;

/** libsinsp's spelling of types in listings (types no field has print as `<NA>` there). */
export function typeListName(type: FieldType): string {
  switch (type) {
    case 'DYN':
      return 'DYNAMIC';
    case 'IPV6ADDR':
    case 'IPV6NET':
    case 'FD32':
    case 'PID32':
      return '<NA>';
    default:
      return type;
  }
}

/** The flags libsinsp shows in parentheses before a description, in its (sorted) order. */
export function fieldTags(def: FieldDef): string[] {
  const tags: string[] = [];
  if (def.filterOnly) tags.push('FILTER_ONLY');
  if (def.hidden) tags.push('EPF_TABLE_ONLY');
  if (def.deprecated) tags.push('EPF_DEPRECATED');
  if (def.noRhs) tags.push('EPF_NO_RHS');
  if (def.noTransformer) tags.push('EPF_NO_TRANSFORMER');
  if (def.arg) {
    tags.push(def.arg.required ? 'ARG_REQUIRED' : 'ARG_ALLOWED');
    if (def.arg.index) tags.push('ARG_INDEX');
    if (def.arg.key) tags.push('ARG_KEY');
  }
  if (def.isList) tags.push('EPF_IS_LIST');
  return tags.sort();
}

function listed(def: FieldDef): boolean {
  return !def.hidden && !def.deprecated && !def.outputOnly;
}

/**
 * The fields a class lists, or undefined when libsinsp prints nothing for the class: when every
 * field it offers (output-only ones are never offered) is deprecated, a class with no field included.
 */
function shownFields(cls: FieldClassInfo): FieldDef[] | undefined {
  const offered = cls.fields.filter((f) => !f.outputOnly);
  const deprecated = offered.filter((f) => !f.hidden && f.deprecated).length;
  if (deprecated === offered.length) return undefined;
  return offered.filter(listed);
}

function className(cls: FieldClassInfo): string {
  return cls.plugin ? `${cls.name} (plugin)` : cls.name;
}

interface ListedClass {
  readonly cls: FieldClassInfo;
  readonly sources: readonly string[];
}

/** Classes to print, each once, with the sources that have it (Falco keys them by name + short description). */
function collectClasses(registries: readonly FieldRegistry<unknown>[], only: string | undefined): ListedClass[] {
  const key = (c: FieldClassInfo): string => `${className(c)}\u0000${c.shortDesc ?? ''}`;
  const sourcesOf = new Map<string, Set<string>>();
  const order: FieldClassInfo[] = [];
  for (const reg of registries) {
    if (only && reg.source !== only) continue;
    for (const cls of reg.classes()) {
      if (cls.hidden) continue;
      const k = key(cls);
      let set = sourcesOf.get(k);
      if (set === undefined) {
        set = new Set();
        sourcesOf.set(k, set);
        order.push(cls);
      }
      set.add(reg.source);
    }
  }
  // std::set ordering of the source names.
  return order.map((cls) => ({ cls, sources: [...sourcesOf.get(key(cls))!].sort() }));
}

/** Renders `--list` output (ends with a newline when not empty). */
export function renderFieldList(registries: readonly FieldRegistry<unknown>[], options: ListOptions = {}): string {
  const only = options.source || undefined;
  if (only !== undefined && !registries.some((r) => r.source === only)) {
    throw new FieldListError('Value for --list must be a valid source type');
  }
  const classes = collectClasses(registries, only);
  const format = options.format ?? 'text';
  if (options.namesOnly) {
    const names = classes.flatMap(({ cls }) => cls.fields.filter(listed).map((f) => f.name));
    if (format === 'json') return names.length ? JSON.stringify({ fieldnames: names }, null, 2) + '\n' : '';
    return names.map((n) => n + '\n').join('');
  }
  switch (format) {
    case 'text':
      return classes.map(({ cls, sources }) => classAsText(cls, sources, options.verbose ?? false) + '\n').join('');
    case 'markdown':
      return classes.map(({ cls, sources }) => classAsMarkdown(cls, sources) + '\n').join('');
    case 'json': {
      const objects = classes.map(({ cls, sources }) => classAsJson(cls, sources)).filter((o) => o !== undefined);
      return objects.length ? JSON.stringify({ fieldclasses: objects }, null, 2) + '\n' : '';
    }
  }
}

/** Words after `used` columns, wrapped at WIDTH with continuation lines indented to the right block. */
function wrap(text: string): string {
  let out = '';
  let len = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const wordLen = word.length + 1;
    if (len + wordLen <= WIDTH - RIGHT_BLOCK_START) {
      len += wordLen;
    } else {
      out += '\n' + ' '.repeat(RIGHT_BLOCK_START);
      len = wordLen;
    }
    out += word + ' ';
  }
  return out;
}

const label = (text: string): string => text.padEnd(RIGHT_BLOCK_START);

function classAsText(cls: FieldClassInfo, sources: readonly string[], verbose: boolean): string {
  const shown = shownFields(cls);
  if (shown === undefined) return '';
  let out = '-------------------------------\n';
  out += label('Field Class:') + className(cls) + (cls.shortDesc ? ` (${cls.shortDesc})` : '') + '\n';
  if (cls.desc) out += label('Description:') + wrap(cls.desc) + '\n';
  if (sources.length) out += label('Event Sources:') + sources.map((s) => s + ' ').join('') + '\n';
  out += '\n';
  for (const f of shown) {
    out += f.name.length > RIGHT_BLOCK_START ? f.name + '\n' + ' '.repeat(RIGHT_BLOCK_START) : label(f.name);
    const tags = fieldTags(f);
    let desc = tags.length ? `(${tags.join(',')}) ${f.desc}` : f.desc;
    if (verbose) desc = `(Type: ${typeListName(f.type)}) ${desc}`;
    out += wrap(desc) + '\n';
  }
  return out;
}

function classAsMarkdown(cls: FieldClassInfo, sources: readonly string[]): string {
  const shown = shownFields(cls);
  if (shown === undefined) return '';
  let out = `## Field Class: ${className(cls)}\n\n`;
  if (cls.desc) out += cls.desc + '\n\n';
  if (sources.length) out += 'Event Sources: ' + sources.map((s) => s + ' ').join('') + '\n\n';
  out += 'Name | Type | Description\n:----|:-----|:-----------\n';
  for (const f of shown) {
    const type = f.isList ? `LIST(${typeListName(f.type)})` : typeListName(f.type);
    out += `\`${f.name}\` | ${type} | ${f.desc}\n`;
  }
  return out;
}

/** One class as Falco's JSON listing has it: keys in sorted order, as Falco's JSON library writes them. */
function classAsJson(cls: FieldClassInfo, sources: readonly string[]): object | undefined {
  const shown = shownFields(cls);
  if (shown === undefined) return undefined;
  return {
    ...(cls.desc ? { desc: cls.desc } : {}),
    ...(sources.length ? { event_sources: sources } : {}),
    fields: shown.map((f) => ({
      argument: f.arg
        ? { required: f.arg.required, type: [...(f.arg.index ? ['INDEX'] : []), ...(f.arg.key ? ['KEY'] : [])] }
        : null,
      desc: f.desc,
      is_list: f.isList ?? false,
      name: f.name,
      type: typeListName(f.type),
    })),
    name: className(cls),
  };
}
