// Load results of rules files: the error and warning codes Falco defines, the chain of locations
// ("context") each finding refers to, and the two renderings users and tools rely on:
// Falco's human text (with the offending source line and a caret) and Falco's JSON object
// (`-V ... -o json_output=true`).
//
// Compatibility notes (deliberate):
// - JSON positions are Falco's: YAML marks are 0-based (line, column, offset in bytes); positions
//   inside a condition are Falco's sum of the condition's YAML mark and the parser's 1-based
//   position. Keys are emitted in sorted order, as Falco's JSON library does.
// - The human text prints 1-based `file:line:column` for YAML positions (what editors expect),
//   and the position relative to the condition text for condition expressions. The snippet
//   under a condition location shows the real error column inside the condition.

/** Errors (a file with one is not loaded). Values are Falco's codes. */
export type LoadErrorCode =
  | 'LOAD_ERR_FILE_READ'
  | 'LOAD_ERR_YAML_PARSE'
  | 'LOAD_ERR_YAML_VALIDATE'
  | 'LOAD_ERR_COMPILE_CONDITION'
  | 'LOAD_ERR_COMPILE_OUTPUT'
  | 'LOAD_ERR_VALIDATE'
  | 'LOAD_ERR_EXTENSION';

/** Warnings (the file still loads). Values are Falco's codes. */
export type LoadWarningCode =
  | 'LOAD_UNKNOWN_SOURCE'
  | 'LOAD_UNSAFE_NA_CHECK'
  | 'LOAD_NO_EVTTYPE'
  | 'LOAD_UNKNOWN_FILTER'
  | 'LOAD_UNUSED_MACRO'
  | 'LOAD_UNUSED_LIST'
  | 'LOAD_UNKNOWN_ITEM'
  | 'LOAD_DEPRECATED_ITEM'
  | 'LOAD_WARNING_EXTENSION'
  | 'LOAD_APPEND_NO_VALUES'
  | 'LOAD_EXCEPTION_NAME_NOT_UNIQUE'
  | 'LOAD_INVALID_MACRO_NAME'
  | 'LOAD_INVALID_LIST_NAME'
  | 'LOAD_COMPILE_CONDITION'
  | 'LOAD_UNKNOWN_KEY';

/**
 * Short title of each error code (Falco prints it in text results, and, because of how Falco
 * looks up descriptions of errors, also as the `codedesc` of errors in JSON results).
 */
export const ERROR_TITLES: Readonly<Record<LoadErrorCode, string>> = {
  LOAD_ERR_FILE_READ: 'File read error',
  LOAD_ERR_YAML_PARSE: 'YAML parse error',
  LOAD_ERR_YAML_VALIDATE: 'Error validating internal structure of YAML file',
  LOAD_ERR_COMPILE_CONDITION: 'Error compiling condition',
  LOAD_ERR_COMPILE_OUTPUT: 'Error compiling output',
  LOAD_ERR_VALIDATE: 'Error validating rule/macro/list/exception objects',
  LOAD_ERR_EXTENSION: 'Error in extension item',
};

/** Title (text results) and description (`codedesc` in JSON results) of each warning code. */
export const WARNING_INFO: Readonly<Record<LoadWarningCode, { title: string; desc: string }>> = {
  LOAD_UNKNOWN_SOURCE: {
    title: 'Unknown event source',
    desc: 'A rule has a unknown event source. This can occur when reading rules content without having a corresponding plugin loaded, etc. The rule will be silently ignored.',
  },
  LOAD_UNSAFE_NA_CHECK: {
    title: 'Unsafe <NA> comparison in condition',
    desc: "Comparing a field value with <NA> is unsafe and can lead to unpredictable behavior of the rule condition. If you need to check for the existence of a field, consider using the 'exists' operator instead.",
  },
  LOAD_NO_EVTTYPE: {
    title: 'Condition has no event-type restriction',
    desc: 'A rule condition matches too many evt.type values. This has a significant performance penalty. Make the condition more specific by adding an evt.type field or further restricting the number of evt.type values in the condition.',
  },
  LOAD_UNKNOWN_FILTER: {
    title: 'Unknown field or event-type in condition or output',
    desc: 'A rule condition or output refers to a field or evt.type that does not exist. This is normally an error, but if a rule has a skip-if-unknown-filter property, the error is downgraded to a warning.',
  },
  LOAD_UNUSED_MACRO: {
    title: 'Unused macro',
    desc: 'A macro is defined in the rules content but is not used by any other macro or rule.',
  },
  LOAD_UNUSED_LIST: {
    title: 'Unused list',
    desc: 'A list is defined in the rules content but is not used by any other list, macro, or rule.',
  },
  LOAD_UNKNOWN_ITEM: {
    title: 'Unknown rules file item',
    desc: 'An unknown top-level object is in the rules content. It will be ignored.',
  },
  LOAD_DEPRECATED_ITEM: {
    title: 'Used deprecated item',
    desc: 'A deprecated item is employed by lists, macros, or rules.',
  },
  LOAD_WARNING_EXTENSION: { title: 'Warning in extension item', desc: 'An extension item has a warning' },
  LOAD_APPEND_NO_VALUES: {
    title: 'Overriding/appending with no values',
    desc: 'A rule exception is overriding/appending with no values',
  },
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: {
    title: 'Multiple exceptions defined with the same name',
    desc: 'A rule is defining multiple exceptions with the same name',
  },
  LOAD_INVALID_MACRO_NAME: { title: 'Invalid macro name', desc: 'A macro is defined with an invalid name' },
  LOAD_INVALID_LIST_NAME: { title: 'Invalid list name', desc: 'A list is defined with an invalid name' },
  LOAD_COMPILE_CONDITION: {
    title: 'Warning in rule condition',
    desc: 'A rule condition or output have been parsed with a warning',
  },
  LOAD_UNKNOWN_KEY: {
    title: 'Unknown key in item definition',
    desc: 'An item in the rules content contains an unrecognized key. The key will be ignored. This may indicate a typo or a property placed on the wrong item type.',
  },
};

/** Fields Falco 0.44 flags as deprecated (LOAD_DEPRECATED_ITEM), with why. */
export const DEPRECATED_FIELDS: ReadonlyMap<string, string> = (() => {
  const latency = 'field is not available due to the drop of enter events.';
  return new Map([
    ['evt.dir', "due to the drop of enter events, 'evt.dir = <' always evaluates to true, and 'evt.dir = >' always evaluates to false. The rule expression can be simplified by removing the condition on 'evt.dir'"],
    ['evt.latency', latency],
    ['evt.latency.s', latency],
    ['evt.latency.ns', latency],
    ['evt.latency.human', latency],
    ['evt.wait_latency', latency],
  ]);
})();

/** What a location points at, spelled as Falco spells it in results. */
export type ItemType =
  | 'value for'
  | 'exceptions'
  | 'exception'
  | 'exception values'
  | 'exception value'
  | 'rules content'
  | 'rules content item'
  | 'required_engine_version'
  | 'required plugin versions'
  | 'required plugin versions entry'
  | 'required plugin versions alternative'
  | 'list'
  | 'list item'
  | 'macro'
  | 'macro condition'
  | 'rule'
  | 'rule condition'
  | 'condition expression'
  | 'rule output'
  | 'rule output expression'
  | 'rule priority'
  | 'overrides'
  | 'extension item';

/** A position as Falco reports it (see the compatibility notes at the top). */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export interface Location {
  /** File name, or for condition expressions a short quoted prefix of the condition. */
  readonly name: string;
  readonly itemType: ItemType;
  readonly itemName: string;
  readonly position: Position;
}

/** Where a condition-expression location points for rendering: the text and the real offset. */
interface ConditionSnippet {
  readonly text: string;
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A position inside a condition string as the condition parser reports it (1-based line/col). */
export interface ConditionPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

const ZERO: Position = { offset: 0, line: 0, column: 0 };

/**
 * The chain of locations a finding refers to, from the whole file down to the item (and possibly
 * a value or a position inside a condition). Immutable; children copy the chain.
 */
export class LoadContext {
  private constructor(
    readonly locations: readonly Location[],
    private readonly condition?: ConditionSnippet,
  ) {}

  /** The root context of a rules content (the whole document). */
  static root(contentName: string): LoadContext {
    return new LoadContext([{ name: contentName, itemType: 'rules content', itemName: '', position: ZERO }]);
  }

  /** Name of the rules content (file) this context belongs to. */
  get contentName(): string {
    return this.locations[0]!.name;
  }

  /** The innermost location. */
  get last(): Location {
    return this.locations[this.locations.length - 1]!;
  }

  /** A child location at a YAML position of the same content. */
  child(itemType: ItemType, itemName: string, position: Position): LoadContext {
    return new LoadContext([...this.locations, { name: this.contentName, itemType, itemName, position }]);
  }

  /**
   * A child location inside a condition (or output) string. `base` is the condition text the
   * parser saw; `pos` is the parser's position. Falco names the location after the first
   * characters of the condition and adds the parser position to the parent's YAML mark.
   */
  inCondition(text: string, pos: ConditionPosition): LoadContext {
    const shortName = ('"' + (text.length > 20 ? text.slice(0, 17) + '..."' : text + '"')).replace(/[\n\r]/g, ' ');
    const parent = this.last.position;
    const position: Position = {
      offset: parent.offset + pos.offset,
      line: parent.line + pos.line,
      column: parent.column + pos.column,
    };
    return new LoadContext(
      [...this.locations, { name: shortName, itemType: 'condition expression', itemName: '', position }],
      { text, offset: pos.offset, line: pos.line, column: pos.column },
    );
  }

  /** The locations as Falco's JSON (`context.locations`). */
  locationsJson(): JsonLocation[] {
    return this.locations.map((loc) => ({
      item_name: loc.itemName,
      item_type: loc.itemType,
      position: { column: loc.position.column, line: loc.position.line, name: loc.name, offset: loc.position.offset },
    }));
  }

  /** The location chain as human text, one line per location. */
  describe(): string {
    let out = '';
    this.locations.forEach((loc, i) => {
      out += i === 0 ? 'In ' : '    ';
      out += loc.itemType;
      if (loc.itemName !== '') out += ` '${loc.itemName}'`;
      if (loc.itemType === 'condition expression' && this.condition && i === this.locations.length - 1) {
        out += `: (${loc.name}:${this.condition.line}:${this.condition.column})\n`;
      } else {
        out += `: (${loc.name}:${loc.position.line + 1}:${loc.position.column + 1})\n`;
      }
    });
    return out;
  }

  /**
   * The source line around the innermost location with a caret under its column. `contents`
   * maps content names to their text; condition locations use the condition text.
   */
  snippet(contents: ReadonlyMap<string, string>, width = 160): string {
    const last = this.last;
    let text: string | undefined;
    let offset: number;
    if (this.condition) {
      text = this.condition.text;
      offset = this.condition.offset;
    } else {
      text = contents.get(last.name);
      if (text === undefined) return `<No context for file + ${last.name}>\n`;
      offset = utf8OffsetToIndex(text, last.position.offset);
    }
    return caretSnippet(text, offset, width);
  }
}

/** The source line containing `offset` (at most width/2 characters either side) and a caret line. */
export function caretSnippet(text: string, offset: number, width = 160): string {
  if (text.length === 0) return '<No context available>\n';
  const half = Math.floor(width / 2);
  // A mark may point past the end of the content (a dangling `key:` at the end of the file) or at
  // a line break: step back to the last character of a line.
  let pos = offset;
  while (pos > 0 && (pos >= text.length || text[pos] === '\n')) pos--;
  let from = pos;
  while (from > 0 && text[from] !== '\n' && pos - from < half) from--;
  let to = pos;
  while (to < text.length - 1 && text[to] !== '\n' && to - pos < half) to++;
  if (text[from] === '\n') from++;
  if (text[to] === '\n') to--;
  let line = text.slice(from, to + 1);
  if (line.length === 0) return '<No context available>\n';
  if (pos - from >= half) line = '...' + line.slice(3);
  if (to - pos >= half) line = line.slice(0, line.length - 3) + '...';
  let out = line + '\n';
  if (pos - from <= line.length) out += ' '.repeat(pos - from) + '^\n';
  return out;
}

/** Converts a UTF-8 byte offset (as positions are reported) back to a string index. */
function utf8OffsetToIndex(text: string, byteOffset: number): number {
  // Fast path: ASCII up to the offset.
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i++; }
    else bytes += 3;
  }
  return text.length;
}

export interface JsonLocation {
  item_name: string;
  item_type: string;
  position: { column: number; line: number; name: string; offset: number };
}

export interface JsonFinding {
  code: string;
  codedesc: string;
  context: { locations: JsonLocation[]; snippet: string };
  deprecated_field?: string;
  message: string;
}

export interface JsonLoadResult {
  errors: JsonFinding[];
  name: string;
  schema_valid?: boolean;
  schema_warnings?: string[];
  successful: boolean;
  warnings: JsonFinding[];
}

export interface LoadError {
  readonly code: LoadErrorCode;
  readonly message: string;
  readonly context: LoadContext;
}

export interface LoadWarning {
  readonly code: LoadWarningCode;
  readonly message: string;
  readonly context: LoadContext;
  /** For LOAD_DEPRECATED_ITEM about a deprecated field: the field. */
  readonly deprecatedField?: string;
}

/** Thrown inside the loader to stop loading a content at the first error, as Falco does. */
export class RuleLoadError extends Error {
  constructor(readonly code: LoadErrorCode, message: string, readonly context: LoadContext) {
    super(message);
    this.name = 'RuleLoadError';
  }
}

/** Schema validation outcome of a content: `ok`, or one `failed for ...` line per problem. */
export const SCHEMA_OK = 'ok';

/** The result of loading one rules content (file). */
export class LoadResult {
  readonly errors: LoadError[] = [];
  readonly warnings: LoadWarning[] = [];
  /** Schema validation status lines; empty when no document was validated. */
  schemaStatus: string[] = [];

  constructor(readonly name: string) {}

  get successful(): boolean {
    return this.errors.length === 0;
  }

  get hasWarnings(): boolean {
    return this.warnings.length > 0;
  }

  addError(code: LoadErrorCode, message: string, context: LoadContext): void {
    this.errors.push({ code, message, context });
  }

  addWarning(code: LoadWarningCode, message: string, context: LoadContext, deprecatedField?: string): void {
    this.warnings.push(deprecatedField === undefined ? { code, message, context } : { code, message, context, deprecatedField });
  }

  /** `ok`, `none` (nothing validated) or the first failure line. */
  get schemaValidation(): string {
    return this.schemaStatus[0] ?? 'none';
  }

  /** One-line-per-part summary: `file: Ok`, `file: Ok, with warnings`, `file: Invalid` + codes. */
  summary(): string {
    let out = this.header();
    if (this.schemaStatus.length > 0 && this.schemaValidation !== SCHEMA_OK) {
      out += `\n ${this.schemaStatus.length} schema warnings: [${this.schemaStatus.join(' ')}]`;
    }
    if (this.errors.length > 0) {
      out += `\n ${this.errors.length} errors: [${this.errors.map((e) => `${e.code} (${ERROR_TITLES[e.code]})`).join(' ')}]`;
    }
    if (this.warnings.length > 0) {
      out += `\n ${this.warnings.length} warnings: [${this.warnings.map((w) => `${w.code} (${warningTitle(w)})`).join(' ')}]`;
    }
    return out;
  }

  /** Full human text: every error and warning with its locations, source snippet and message. */
  toText(contents: ReadonlyMap<string, string>): string {
    let out = this.header();
    if (this.schemaStatus.length > 0 && this.schemaValidation !== SCHEMA_OK) {
      out += `\n${this.schemaStatus.length} Schema warnings:\n`;
      for (const s of this.schemaStatus) out += `------\n${s}\n`;
      out += '------\n';
    }
    if (this.errors.length > 0) {
      out += `\n${this.errors.length} Errors:\n`;
      for (const e of this.errors) {
        out += e.context.describe() + '------\n' + e.context.snippet(contents) + '------\n';
        out += `${e.code} (${ERROR_TITLES[e.code]}): ${e.message}\n`;
      }
    }
    if (this.warnings.length > 0) {
      out += `\n${this.warnings.length} Warnings:\n`;
      for (const w of this.warnings) {
        out += w.context.describe() + '------\n' + w.context.snippet(contents) + '------\n';
        out += `${w.code} (${warningTitle(w)}): ${w.message}\n`;
      }
    }
    return out;
  }

  /** Falco's JSON object for this content (one element of `falco_load_results`). */
  toJson(contents: ReadonlyMap<string, string>): JsonLoadResult {
    const finding = (code: string, codedesc: string, message: string, ctx: LoadContext): JsonFinding => ({
      code,
      codedesc,
      context: { locations: ctx.locationsJson(), snippet: ctx.snippet(contents) },
      message,
    });
    const result: JsonLoadResult = {
      errors: this.errors.map((e) => finding(e.code, ERROR_TITLES[e.code], e.message, e.context)),
      name: this.name,
      successful: this.successful,
      warnings: this.warnings.map((w) => {
        const f = finding(w.code, WARNING_INFO[w.code].desc, w.message, w.context);
        if (w.deprecatedField !== undefined) {
          // keep Falco's (sorted) key order: deprecated_field sorts between context and message
          return { code: f.code, codedesc: f.codedesc, context: f.context, deprecated_field: w.deprecatedField, message: f.message };
        }
        return f;
      }),
    };
    if (this.schemaStatus.length > 0) {
      const valid = this.schemaValidation === SCHEMA_OK;
      return {
        errors: result.errors,
        name: result.name,
        schema_valid: valid,
        schema_warnings: valid ? [] : [...this.schemaStatus],
        successful: result.successful,
        warnings: result.warnings,
      };
    }
    return result;
  }

  private header(): string {
    let out = this.name !== '' ? `${this.name}: ` : '';
    if (this.successful) out += this.warnings.length > 0 ? 'Ok, with warnings' : 'Ok';
    else out += 'Invalid';
    return out;
  }
}

function warningTitle(w: LoadWarning): string {
  const title = WARNING_INFO[w.code].title;
  return w.deprecatedField !== undefined ? `${title}: field '${w.deprecatedField}'` : title;
}

/** `{"falco_load_results":[...]}` exactly as Falco prints it (one line, sorted keys). */
export function loadResultsJson(results: readonly LoadResult[], contents: ReadonlyMap<string, string>): string {
  return JSON.stringify({ falco_load_results: results.map((r) => r.toJson(contents)) });
}
