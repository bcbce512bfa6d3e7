// The contract between the rules engine and the event sources: what a field is, what its values
// look like in JavaScript, and how the engine asks a source for a field's value.
//
// The engine (src/engine) never knows how a value is computed; a source's field registry binds
// a field name (plus optional argument) to a BoundField whose extract() is called lazily, only
// when evaluation of a condition or an output reaches it.

/**
 * Field and parameter types, spelled as libsinsp spells them (they appear in `--list` output).
 *
 * JavaScript representation of a value of each type (see FieldValue):
 * - INT8..INT64, UINT8..UINT64, ERRNO, FD, FD32, PID, PID32, UID, GID, PORT, L4PROTO, SOCKFAMILY,
 *   MODE, FLAGS8/16/32, ENUMFLAGS8/16/32, SYSCALLID, SIGTYPE, SIGSET, DOUBLE: `number` (64-bit
 *   values above 2^53 lose precision; none of the fields rules use reach that).
 * - ABSTIME (ns since epoch), RELTIME (ns): `bigint`, exact.
 * - BOOL: `boolean`.
 * - CHARBUF, FSPATH, FSRELPATH: `string`.
 * - BYTEBUF, and the raw-only parameter types SOCKADDR, SOCKTUPLE, FDLIST, CHARBUFARRAY,
 *   CHARBUF_PAIR_ARRAY: `Uint8Array` (the parameter's bytes as the event carries them).
 * - IPV4ADDR, IPV6ADDR, IPADDR: `IpAddr`. IPV4NET, IPV6NET, IPNET: `IpNet`.
 * - DYN: only in the declaration of `evt.rawarg`; binding it gives the named parameter's type.
 * - A field with `isList` yields a `readonly` array of its element type.
 */
export type FieldType =
  | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'DOUBLE' | 'BOOL'
  | 'CHARBUF' | 'BYTEBUF' | 'FSPATH' | 'FSRELPATH'
  | 'ERRNO' | 'FD' | 'FD32' | 'PID' | 'PID32' | 'UID' | 'GID' | 'PORT' | 'L4PROTO' | 'SOCKFAMILY'
  | 'MODE' | 'FLAGS8' | 'FLAGS16' | 'FLAGS32' | 'ENUMFLAGS8' | 'ENUMFLAGS16' | 'ENUMFLAGS32'
  | 'SYSCALLID' | 'SIGTYPE' | 'SIGSET'
  | 'ABSTIME' | 'RELTIME'
  | 'IPV4ADDR' | 'IPV6ADDR' | 'IPADDR' | 'IPV4NET' | 'IPV6NET' | 'IPNET'
  | 'SOCKADDR' | 'SOCKTUPLE' | 'FDLIST' | 'CHARBUFARRAY' | 'CHARBUF_PAIR_ARRAY'
  | 'DYN';

/** An IP address: IPv4 as an unsigned 32-bit number (127.0.0.1 is 0x7f000001), IPv6 as 16 bytes. */
export type IpAddr = number | Uint8Array;

/** An IP network (CIDR): address plus prefix length in bits. */
export interface IpNet {
  readonly addr: IpAddr;
  readonly prefix: number;
}

/** A scalar field value; see FieldType for which representation goes with which type. */
export type ScalarValue = string | number | bigint | boolean | Uint8Array | IpNet;

/** What an extractor yields: a scalar, or for list fields an array. `undefined` = no value (<NA>). */
export type FieldValue = ScalarValue | readonly ScalarValue[];

/**
 * How a numeric value is printed (libsinsp's print formats that change the text): `HEX` prints
 * upper-case hexadecimal without prefix (fd.dev), `PADDED_DEC` pads with zeros to 9 digits
 * (the nanosecond parts such as evt.rawtime.ns). Absent means plain decimal.
 */
export type PrintFormat = 'HEX' | 'PADDED_DEC' | 'OCT';

/**
 * How a field's argument is written and parsed; each value is one of libsinsp's parsing rules.
 * The argument the engine passes to `bind` is the text between brackets (`proc.aname[2]`); the
 * dotted forms (`evt.arg.name`, `evt.type.is.open`, `thread.cgroup.cpu`) arrive as part of the
 * field name.
 */
export type FieldArgSyntax =
  /** `[arg]`, checked against `required`/`index`/`key` as libsinsp checks plugin fields. */
  | 'bracket'
  /** optional `[N]` with N a 32-bit integer (proc.aname[2], proc.args[1]); any other text makes
   *  the whole name unknown, as in libsinsp. */
  | 'ancestor'
  /** optional `[NAME]`, or `[N]` when all digits (proc.env[HOME], proc.aenv[2]). */
  | 'env'
  /** optional `[N]`, a 64-bit integer; anything else is an error (fd.types[1]). */
  | 'fd-types'
  /** `.NAME` (an event parameter name) or `[N]` (a parameter index): evt.arg. */
  | 'evt-arg'
  /** `.NAME` only, typed as the named parameter: evt.rawarg. */
  | 'evt-rawarg'
  /** `[T]`, T an absolute time in ns: evt.around. */
  | 'evt-around'
  /** `.EVENT` (an event name or number): evt.type.is. */
  | 'evt-type-is'
  /** nothing, `.src` or `.dst`: evt.abspath. */
  | 'evt-abspath'
  /** `.SUBSYSTEM` (letters and `_`): thread.cgroup. */
  | 'cgroup';

/** A field's argument: how it is written, and the libsinsp flags `--list` shows for it. */
export interface FieldArgSpec {
  readonly syntax: FieldArgSyntax;
  /** EPF_ARG_REQUIRED; otherwise the argument is optional (EPF_ARG_ALLOWED). */
  readonly required: boolean;
  /** EPF_ARG_INDEX: a numeric argument is accepted. */
  readonly index?: boolean;
  /** EPF_ARG_KEY: a string argument is accepted. */
  readonly key?: boolean;
}

/** Declaration of one field: drives validation, `--list` and binding to an extractor. */
export interface FieldDef {
  /** Full name, e.g. `proc.name`, `evt.arg` (arguments are given separately). */
  readonly name: string;
  /** Field class, e.g. `evt`, `process`, `fd`, `k8saudit` (the `--list` group). */
  readonly className: string;
  readonly type: FieldType;
  readonly isList?: boolean;
  /** Absent for fields that take no argument. */
  readonly arg?: FieldArgSpec;
  readonly desc: string;
  readonly printFormat?: PrintFormat;
  /** Never listed (libsinsp EPF_TABLE_ONLY: internal or table-only fields); still accepted. */
  readonly hidden?: boolean;
  /** Deprecated (EPF_DEPRECATED): accepted in rules, not listed by `--list`. */
  readonly deprecated?: boolean;
  /** Usable only in outputs (libsinsp EPF_PRINT_ONLY); never listed. */
  readonly outputOnly?: boolean;
  /** Usable only in conditions (libsinsp EPF_FILTER_ONLY), not in outputs. */
  readonly filterOnly?: boolean;
  /** Cannot be compared with another field, nor be the right-hand side of one (EPF_NO_RHS). */
  readonly noRhs?: boolean;
  /** Cannot be wrapped in a transformer such as tolower() (EPF_NO_TRANSFORMER). */
  readonly noTransformer?: boolean;
  /** Suggested as an extra output field (plugins' `addOutput`, libsinsp EPF_FORMAT_SUGGESTED):
   *  Falco appends these to rule outputs when `append_output.suggested_output` is on. */
  readonly addOutput?: boolean;
}

/** A group of fields as `--list` shows it (libsinsp's filter_check_info). */
export interface FieldClassInfo {
  /** `evt`, `process`, ...; for plugin classes the plugin name (`container`). */
  readonly name: string;
  /** Plugin classes are listed as `<name> (plugin)`. */
  readonly plugin?: boolean;
  /** A few words shown after the name (`evt (All event types)`). */
  readonly shortDesc?: string;
  readonly desc?: string;
  /** Not listed at all (libsinsp FL_HIDDEN); its fields still resolve. */
  readonly hidden?: boolean;
  readonly fields: readonly FieldDef[];
}

/** A field argument as written in the rule: `[2]` gives index 2, `[HOME]` or `.name` a key. */
export interface FieldArg {
  readonly index?: number;
  readonly key?: string;
  /** The argument's text exactly as written between the brackets (or after the dot). */
  readonly raw: string;
}

/** JSON-ready value for `output_fields` of JSON alerts; bigint for exact 64-bit numbers. */
export type JsonFieldValue = string | number | bigint | boolean | null | readonly JsonFieldValue[];

/**
 * A field bound to its argument, ready to extract from events of type E.
 * `extract` is the value conditions compare; `text` and `json` render it for outputs and default
 * to rendering `extract`'s value by type (src/fields/render.ts) when a field does not define them.
 */
export interface BoundField<E> {
  readonly def: FieldDef;
  readonly arg?: FieldArg;
  /** The field as written, e.g. `proc.aname[2]` (used as the key of output_fields). */
  readonly text: string;
  /** False until an extractor is implemented for the field: `extract` then always yields
   *  undefined. Lets tests assert that every declared field is implemented. */
  readonly hasExtractor: boolean;
  extract(evt: E): FieldValue | undefined;
  /** Rendering for text outputs (`%field`); undefined → `<NA>`. */
  toText?(evt: E): string | undefined;
  /** Rendering for JSON output_fields; undefined → null. */
  toJson?(evt: E): JsonFieldValue | undefined;
}

/** Why a field could not be bound; the engine turns it into a load error with the rule's position. */
export class FieldBindError extends Error {}

/** Falco's message for a field name no class of the source knows (`bind` returned undefined). */
export function unknownFieldMessage(text: string): string {
  return `filter_check called with nonexistent field ${text}`;
}

/**
 * The fields of one event source. `bind` returns undefined for an unknown field name (the engine
 * then reports it as Falco does, `filter_check called with nonexistent field NAME`, or skips the
 * rule under `skip-if-unknown-filter`), and throws FieldBindError for a known field with a bad
 * argument. As in libsinsp, some malformed arguments make the name unknown rather than an error
 * (`proc.aname[x]`).
 */
export interface FieldRegistry<E> {
  readonly source: string;
  /** The declaration of a field by its declared name (`evt.arg`, not `evt.arg.fd`). */
  lookup(name: string): FieldDef | undefined;
  bind(name: string, arg: FieldArg | undefined): BoundField<E> | undefined;
  /** bind() for the field as written, argument included (`proc.aname[2]`): exception `fields`
   *  and output tokens are checked this way in Falco. */
  bindText(text: string): BoundField<E> | undefined;
  /** Every field, grouped by class in declaration order (for `--list`). */
  all(): readonly FieldDef[];
  /** The field classes in resolution and `--list` order. */
  classes(): readonly FieldClassInfo[];
}
