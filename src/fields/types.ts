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
 * - INT8..INT64, UINT8..UINT64, ERRNO, FD, PID, UID, GID, PORT, L4PROTO, SOCKFAMILY, MODE,
 *   FLAGS8/16/32, ENUMFLAGS8/16/32, SYSCALLID, SIGTYPE, DOUBLE: `number` (64-bit values above 2^53
 *   lose precision; none of the fields rules use reach that).
 * - ABSTIME (ns since epoch), RELTIME (ns): `bigint`, exact.
 * - BOOL: `boolean`.
 * - CHARBUF, FSPATH, FSRELPATH: `string`.
 * - BYTEBUF: `Uint8Array`.
 * - IPV4ADDR, IPV6ADDR, IPADDR: `IpAddr`. IPV4NET, IPV6NET, IPNET: `IpNet`.
 * - A field with `isList` yields a `readonly` array of its element type.
 */
export type FieldType =
  | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'DOUBLE' | 'BOOL'
  | 'CHARBUF' | 'BYTEBUF' | 'FSPATH' | 'FSRELPATH'
  | 'ERRNO' | 'FD' | 'PID' | 'UID' | 'GID' | 'PORT' | 'L4PROTO' | 'SOCKFAMILY' | 'MODE'
  | 'FLAGS8' | 'FLAGS16' | 'FLAGS32' | 'ENUMFLAGS8' | 'ENUMFLAGS16' | 'ENUMFLAGS32'
  | 'SYSCALLID' | 'SIGTYPE'
  | 'ABSTIME' | 'RELTIME'
  | 'IPV4ADDR' | 'IPV6ADDR' | 'IPADDR' | 'IPV4NET' | 'IPV6NET' | 'IPNET';

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

/** How a field takes an argument: `proc.aname[2]`, `proc.env[HOME]`, `evt.arg.name`, `evt.arg[0]`. */
export type FieldArgKind =
  | 'none'
  | 'index'          // optional numeric index: proc.aname or proc.aname[2]
  | 'index-required' // numeric index required: evt.arg[N] form
  | 'key'            // optional string key: proc.env or proc.env[HOME]
  | 'key-required'   // string key required: ka.req.pod.containers.image[N] style keys
  | 'index-or-key';  // evt.arg[N] and evt.arg.NAME

/** Declaration of one field: drives validation, `--list` and binding to an extractor. */
export interface FieldDef {
  /** Full name, e.g. `proc.name`, `evt.arg` (arguments are given separately). */
  readonly name: string;
  /** Field class, e.g. `evt`, `process`, `fd`, `k8saudit` (the `--list` group). */
  readonly className: string;
  readonly type: FieldType;
  readonly isList?: boolean;
  readonly arg: FieldArgKind;
  readonly desc: string;
  /** Hidden from `--list` (deprecated aliases, internal fields) but still accepted in rules. */
  readonly hidden?: boolean;
  /** Usable only in outputs (libsinsp EPF_FORMAT_ONLY), not in conditions. */
  readonly outputOnly?: boolean;
  /** Usable only in conditions (libsinsp EPF_FILTER_ONLY), not in outputs. */
  readonly filterOnly?: boolean;
  /** Shown with a leading `%` in `--list` as libsinsp does for fields whose values come from the
   *  event's parameters rather than state (purely informational). */
  readonly addOutput?: boolean;
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
  extract(evt: E): FieldValue | undefined;
  /** Rendering for text outputs (`%field`); undefined → `<NA>`. */
  toText?(evt: E): string | undefined;
  /** Rendering for JSON output_fields; undefined → null. */
  toJson?(evt: E): JsonFieldValue | undefined;
}

/** Why a field could not be bound; the engine turns it into a load error with the rule's position. */
export class FieldBindError extends Error {}

/**
 * The fields of one event source. `bind` returns undefined for an unknown field name (the engine
 * then reports it, or skips the rule under `skip-if-unknown-filter`), and throws FieldBindError
 * for a known field with a bad argument.
 */
export interface FieldRegistry<E> {
  readonly source: string;
  lookup(name: string): FieldDef | undefined;
  bind(name: string, arg: FieldArg | undefined): BoundField<E> | undefined;
  /** Every field, grouped by class in declaration order (for `--list`). */
  all(): readonly FieldDef[];
}
