// The field registry of one event source: classes of declared fields, name resolution exactly as
// libsinsp resolves a field name plus argument, and the extractors attached to fields.
//
// Resolution mirrors libsinsp's filter-check list because rules depend on its corner cases:
// the field as written (`name[arg]`) is offered to each class in order; inside a class the
// longest declared name that is a prefix of the text wins, then that field's argument syntax
// parses the rest; the first class that recognises a prefix decides, and if what it parsed is
// shorter than the text, the name is unknown (`proc.names`, `proc.aname[x]`).
import {
  FieldBindError,
  type BoundField,
  type FieldArg,
  type FieldClassInfo,
  type FieldDef,
  type FieldRegistry,
  type FieldType,
  type FieldValue,
  type JsonFieldValue,
  type PrintFormat,
} from './types.js';

/** What an extractor provides for one bound field; see BoundField. */
export interface FieldExtractor<E> {
  extract(evt: E): FieldValue | undefined;
  toText?(evt: E): string | undefined;
  toJson?(evt: E): JsonFieldValue | undefined;
}

/**
 * Builds the extractor of a field for one argument. Called at rule load time, once per use of the
 * field; may throw FieldBindError for an argument the extractor cannot serve. The returned object
 * becomes the BoundField (the registry adds def, arg, text and hasExtractor to it), so return a
 * fresh object per call; methods may use `this`.
 */
export type ExtractorFactory<E> = (def: FieldDef, arg: FieldArg | undefined) => FieldExtractor<E>;

/** An event parameter as the event table describes it (for evt.arg.NAME and evt.rawarg.NAME). */
export interface EventParamInfo {
  readonly name: string;
  readonly type: FieldType;
  /** How the parameter's raw value prints (e.g. flags in hex), when not plain decimal. */
  readonly printFormat?: PrintFormat;
}

/**
 * What the syscall field syntax needs to know about the event table: parameter names (the
 * longest parameter name that starts the text, across all events, as libsinsp looks it up) and
 * event names (for evt.type.is.NAME).
 */
export interface EventCatalog {
  longestParamPrefix(text: string): EventParamInfo | undefined;
  isEventName(name: string): boolean;
}

/** A field class as declared: its fields plus an optional hook rejecting names up front. */
export interface FieldClassDecl extends FieldClassInfo {
  /** Called with the field text before matching; a returned message is thrown as FieldBindError
   *  (libsinsp's process class rejects names starting with `arg`). */
  readonly reject?: (text: string) => string | undefined;
}

export interface RegistryOptions {
  /** Event table lookups for the evt.arg / evt.rawarg / evt.type.is syntaxes. */
  readonly events?: EventCatalog;
}

/** A resolved field: its declaration (typed for evt.rawarg), its parsed argument, the text. */
export interface ResolvedField {
  readonly def: FieldDef;
  readonly arg?: FieldArg;
  readonly text: string;
}

/** libsinsp's number parsing (sscanf "%d" then nothing else): optional blanks and sign, digits. */
const INTEGER_TEXT = /^\s*[+-]?\d+$/;

function parseInt32(text: string): number {
  if (!INTEGER_TEXT.test(text)) throw new FieldBindError(`${text} is not a valid number`);
  return Number(text) | 0;
}

/** What a class parsed of a text: the field it matched and how many characters it consumed. */
type ClassMatch = { readonly parsedLength: number; readonly def: FieldDef; readonly arg?: FieldArg };

export class Registry<E> implements FieldRegistry<E> {
  readonly source: string;
  private readonly classList: FieldClassDecl[] = [];
  private readonly byName = new Map<string, FieldDef>();
  private readonly factories = new Map<string, ExtractorFactory<E>>();
  private readonly events: EventCatalog | undefined;
  /** Per class, its fields sorted by decreasing name length (longest prefix first). */
  private readonly longestFirst = new Map<FieldClassDecl, FieldDef[]>();
  /** evt.rawarg takes its type from the parameter: one derived declaration per parameter type. */
  private readonly typedDefs = new Map<string, FieldDef>();
  /** Extractor objects already turned into bound fields. */
  private readonly adopted = new WeakSet<object>();

  constructor(source: string, classes: readonly FieldClassDecl[], options: RegistryOptions = {}) {
    this.source = source;
    this.events = options.events;
    for (const cls of classes) this.addClass(cls);
  }

  /**
   * Appends a class (plugin fields, Falco's `static_fields`). As Falco does, a field that another
   * class already declares is refused (with Falco's message for plugins).
   */
  addClass(cls: FieldClassDecl): void {
    for (const def of cls.fields) {
      if (!this.byName.has(def.name)) continue;
      throw new Error(
        cls.plugin
          ? `Plugin '${cls.name}' supports extraction of field '${def.name}' that is overlapping for source '${this.source}'`
          : `field '${def.name}' of class '${cls.name}' is already declared for source '${this.source}'`,
      );
    }
    for (const def of cls.fields) this.byName.set(def.name, def);
    this.classList.push(cls);
    this.longestFirst.set(cls, [...cls.fields].sort((a, b) => b.name.length - a.name.length));
  }

  lookup(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  all(): readonly FieldDef[] {
    return this.classList.flatMap((c) => c.fields);
  }

  classes(): readonly FieldClassInfo[] {
    return this.classList;
  }

  /** Attaches the extractor of a declared field. */
  implement(name: string, factory: ExtractorFactory<E>): void {
    if (!this.byName.has(name)) throw new Error(`cannot implement undeclared field '${name}' of source '${this.source}'`);
    this.factories.set(name, factory);
  }

  isImplemented(name: string): boolean {
    return this.factories.has(name);
  }

  /** Declared fields that have no extractor yet. */
  unimplemented(): readonly FieldDef[] {
    return this.all().filter((d) => !this.factories.has(d.name));
  }

  bind(name: string, arg: FieldArg | undefined): BoundField<E> | undefined {
    const resolved = this.resolve(name, arg);
    return resolved === undefined ? undefined : this.bindResolved(resolved);
  }

  private bindResolved(resolved: ResolvedField): BoundField<E> {
    const factory = this.factories.get(resolved.def.name);
    if (factory === undefined) {
      return { ...resolved, hasExtractor: false, extract: () => undefined };
    }
    return this.boundFrom(factory(resolved.def, resolved.arg), resolved);
  }

  /**
   * Makes the extractor object itself the bound field, so that `extract` is called directly with
   * the extractor as `this` (no wrapper on the per-event path). An object a factory hands out
   * twice is wrapped instead, since each binding needs its own def/arg/text.
   */
  private boundFrom(ex: FieldExtractor<E>, resolved: ResolvedField): BoundField<E> {
    if (!this.adopted.has(ex) && Object.isExtensible(ex)) {
      this.adopted.add(ex);
      return Object.assign(ex, { def: resolved.def, arg: resolved.arg, text: resolved.text, hasExtractor: true });
    }
    return {
      ...resolved,
      hasExtractor: true,
      extract: ex.extract.bind(ex),
      ...(ex.toText ? { toText: ex.toText.bind(ex) } : {}),
      ...(ex.toJson ? { toJson: ex.toJson.bind(ex) } : {}),
    };
  }

  /**
   * Validates a field name plus argument without binding an extractor: undefined when unknown,
   * FieldBindError for a known field with a bad argument.
   */
  resolve(name: string, arg: FieldArg | undefined): ResolvedField | undefined {
    return this.resolveText(arg === undefined ? name : `${name}[${arg.raw}]`);
  }

  /**
   * Resolves a field as written, argument included (`proc.aname[2]`, `evt.arg.fd`): what Falco
   * does with the names in exception `fields` and in output format tokens.
   */
  resolveText(text: string): ResolvedField | undefined {
    for (const cls of this.classList) {
      const rejection = cls.reject?.(text);
      if (rejection !== undefined) throw new FieldBindError(rejection);
      const match = this.matchInClass(cls, text);
      if (match === undefined) continue;
      if (match.parsedLength !== text.length) return undefined;
      return { def: match.def, ...(match.arg ? { arg: match.arg } : {}), text };
    }
    return undefined;
  }

  /** bind() for a field as written, argument included; see resolveText. */
  bindText(text: string): BoundField<E> | undefined {
    const resolved = this.resolveText(text);
    return resolved === undefined ? undefined : this.bindResolved(resolved);
  }

  private matchInClass(cls: FieldClassDecl, text: string): ClassMatch | undefined {
    const def = this.longestFirst.get(cls)!.find((d) => text.startsWith(d.name));
    if (def === undefined) return undefined;
    return this.parseArgument(def, text);
  }

  /** Parses what follows the declared name, by the field's argument syntax. */
  private parseArgument(def: FieldDef, text: string): ClassMatch | undefined {
    const nameLength = def.name.length;
    const rest = text.slice(nameLength);
    const spec = def.arg;
    if (spec === undefined) return { parsedLength: nameLength, def };
    switch (spec.syntax) {
      case 'bracket':
        return this.parseBracket(def, text);
      case 'ancestor': {
        // A malformed argument is not an error in libsinsp: the bare name is parsed and the rest
        // left over, so the whole text is an unknown field.
        const close = text.indexOf(']');
        if (!rest.startsWith('[') || close < 0) return { parsedLength: nameLength, def };
        const numText = text.slice(nameLength + 1, close);
        if (!INTEGER_TEXT.test(numText)) return { parsedLength: nameLength, def };
        return { parsedLength: close + 1, def, arg: { index: Number(numText) | 0, raw: numText } };
      }
      case 'env': {
        const close = text.indexOf(']', nameLength);
        if (!rest.startsWith('[') || close < 0) return { parsedLength: nameLength, def };
        const raw = text.slice(nameLength + 1, close);
        const arg: FieldArg = raw !== '' && /^\d+$/.test(raw) ? { index: Number(raw) | 0, raw } : { key: raw, raw };
        return { parsedLength: close + 1, def, arg };
      }
      case 'fd-types': {
        const close = text.indexOf(']');
        if (!rest.startsWith('[') || close < 0) return { parsedLength: nameLength, def };
        const numText = text.slice(nameLength + 1, close);
        if (!INTEGER_TEXT.test(numText)) throw new FieldBindError(`${numText} is not a valid number`);
        return { parsedLength: close + 1, def, arg: { index: Number(numText), raw: numText } };
      }
      case 'evt-arg':
      case 'evt-rawarg': {
        if (rest.startsWith('[')) {
          if (spec.syntax === 'evt-rawarg') throw new FieldBindError('evt.arg fields must be expressed explicitly');
          const close = text.indexOf(']');
          const numText = text.slice(nameLength + 1, close < 0 ? text.length : close);
          const index = parseInt32(numText);
          return { parsedLength: (close < 0 ? text.length : close) + 1, def, arg: { index, raw: numText } };
        }
        if (rest.startsWith('.')) {
          const wanted = rest.slice(1);
          const param = this.paramPrefix(wanted);
          if (param === undefined) throw new FieldBindError(`unknown event argument ${wanted}`);
          const typed = spec.syntax === 'evt-rawarg' ? this.typedDef(def, param) : def;
          return { parsedLength: nameLength + 1 + param.name.length, def: typed, arg: { key: param.name, raw: param.name } };
        }
        throw new FieldBindError(`filter syntax error: ${text}`);
      }
      case 'evt-around': {
        if (rest.startsWith('[')) {
          const close = text.indexOf(']');
          const numText = text.slice(nameLength + 1, close < 0 ? text.length : close);
          if (!INTEGER_TEXT.test(numText)) throw new FieldBindError(`${numText} is not a valid number`);
          // The timestamp exceeds 2^53: it stays exact in `raw` (parse it with BigInt).
          return { parsedLength: (close < 0 ? text.length : close) + 1, def, arg: { raw: numText.trim() } };
        }
        if (rest.startsWith('.')) throw new FieldBindError('wrong syntax for evt.around');
        throw new FieldBindError(`filter syntax error: ${text}`);
      }
      case 'evt-type-is': {
        if (!rest.startsWith('.')) throw new FieldBindError(`filter syntax error: ${text}`);
        const wanted = rest.slice(1);
        if (INTEGER_TEXT.test(wanted) && !wanted.trimStart().startsWith('-')) {
          return { parsedLength: text.length, def, arg: { index: Number(wanted), raw: wanted } };
        }
        if (this.events === undefined || this.events.isEventName(wanted)) {
          return { parsedLength: text.length, def, arg: { key: wanted, raw: wanted } };
        }
        return { parsedLength: 0, def };
      }
      case 'evt-abspath': {
        if (rest.startsWith('.src') || rest.startsWith('.dst')) {
          const which = rest.slice(1, 4);
          return { parsedLength: nameLength + 4, def, arg: { key: which, raw: which } };
        }
        return { parsedLength: nameLength, def };
      }
      case 'cgroup': {
        if (!rest.startsWith('.')) throw new FieldBindError(`filter syntax error: ${text}`);
        const subsystem = /^[A-Za-z_]*/.exec(rest.slice(1))![0];
        return { parsedLength: nameLength + 1 + subsystem.length, def, arg: { key: subsystem, raw: subsystem } };
      }
    }
  }

  /** Plugin-style `[arg]` checks and messages (libsinsp's plugin filter check). */
  private parseBracket(def: FieldDef, text: string): ClassMatch | undefined {
    const spec = def.arg!;
    const nameLength = def.name.length;
    const open = text.indexOf('[');
    if (open < 0) {
      if (spec.required) throw new FieldBindError(`filter '${text}': ${def.name} requires an argument but none provided`);
      return { parsedLength: nameLength, def };
    }
    // The bracket must follow the name itself, else this class does not know the name.
    if (open !== nameLength) return undefined;
    if (open + 1 >= text.length) {
      throw new FieldBindError(`filter '${text}': ${def.name} terminates with incomplete argument brackets`);
    }
    const close = text.indexOf(']', open + 1);
    if (close < 0) throw new FieldBindError(`filter '${text}': ${def.name} has unbalanced argument brackets`);
    const raw = text.slice(open + 1, close);
    let index: number | undefined;
    if (spec.index) {
      const problem = indexProblem(raw);
      if (problem === undefined) index = Number(raw);
      else if (!spec.key) throw new FieldBindError(`filter ${text} ${def.name}${problem}${raw}`);
    }
    const arg: FieldArg = { raw, ...(index !== undefined ? { index } : {}), ...(spec.key ? { key: raw } : {}) };
    return { parsedLength: close + 1, def, arg };
  }

  private paramPrefix(text: string): EventParamInfo | undefined {
    if (this.events !== undefined) return this.events.longestParamPrefix(text);
    // Without an event table any identifier is taken as a parameter name, of unknown type.
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text)?.[0];
    return name === undefined ? undefined : { name, type: 'CHARBUF' };
  }

  /** The declaration of evt.rawarg typed as one parameter (type and print format). */
  private typedDef(def: FieldDef, param: EventParamInfo): FieldDef {
    const key = `${def.name}:${param.type}:${param.printFormat ?? ''}`;
    let typed = this.typedDefs.get(key);
    if (typed === undefined) {
      typed = Object.freeze({ ...def, type: param.type, ...(param.printFormat ? { printFormat: param.printFormat } : {}) });
      this.typedDefs.set(key, typed);
    }
    return typed;
  }
}

/** Why a bracket argument is not an index (libsinsp's plugin index rules), or undefined. */
function indexProblem(raw: string): string | undefined {
  if (!/^\d*$/.test(raw)) return ' has an invalid index argument not composed only by digits: ';
  if (raw.length === 0 || (raw.length > 1 && raw.startsWith('0'))) {
    return ' has an invalid index argument starting with 0: ';
  }
  if (BigInt(raw) > 0xffffffffffffffffn) return ' has an invalid index argument not representable on 64 bit: ';
  return undefined;
}
