// What the rules engine (and Peregrine's internal monitors) hand to the outputs: one Alert per rule
// match or internal message, with everything already extracted so that formatting and delivery can
// happen later, off the event-processing path.
import { hostname as osHostname } from 'node:os';
import type { JsonFieldValue } from '../fields/types.js';
import { Priority } from '../engine/priority.js';
import { JsonFloat } from './json.js';

/** Source name Falco gives to its own messages (drops, metrics snapshots). */
export const INTERNAL_SOURCE = 'internal';

/** A value of an alert's output_fields: what fields render to, plus doubles for internal metrics. */
export type AlertFieldValue = JsonFieldValue | JsonFloat;

/**
 * A rule match. The outputs queue keeps the object until it is delivered: the caller hands it over
 * and must not change it (nor the objects it references) afterwards.
 */
export interface Alert {
  /** Event timestamp, nanoseconds since the epoch. */
  readonly time: bigint;
  readonly rule: string;
  readonly priority: Priority;
  /** Event source: `syscall`, `k8s_audit`, ..., or `internal`. */
  readonly source: string;
  /** The rule's tags (Falco prints them sorted and without duplicates). */
  readonly tags: readonly string[];
  /**
   * The rule's output rendered to text by the engine, without the `<time>: <Priority>` prefix
   * (Falco's `message`), including text appended through `append_output`.
   */
  readonly output: string;
  /**
   * Values of the fields the output names, keyed as written (`proc.aname[2]`), plus the extra
   * fields of `append_output` (keys as configured). JSON alerts carry them as `output_fields`; text
   * alerts show them only for internal messages, listed after the message as Falco does.
   */
  readonly outputFields: Readonly<Record<string, AlertFieldValue>>;
  /**
   * True for Falco's internal messages ("Falco internal: ..."): Falco formats these differently
   * (text: fields listed after the message; JSON: no tags, no message property).
   */
  readonly internal?: boolean;
}

// Wall clock at start-up minus the monotonic clock: adding hrtime gives ns-resolution wall time
// whose successive values never go backwards.
const WALL_CLOCK_ORIGIN_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Current time in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return WALL_CLOCK_ORIGIN_NS + process.hrtime.bigint();
}

/**
 * The host name alerts carry: `FALCO_HOSTNAME` when set (Falco's override, useful to give a
 * Kubernetes node name to a DaemonSet pod), else the system host name.
 */
export function resolveHostname(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FALCO_HOSTNAME;
  return override !== undefined ? override : osHostname();
}

/** Scalar values allowed in internal alerts: Falco rejects nested values there. */
export type InternalFieldValue = string | number | bigint | boolean | null | JsonFloat;

/**
 * An internal alert (Falco's `handle_msg`): a message not tied to an event, from source `internal`,
 * e.g. a metrics snapshot or an event-drop report.
 */
export function internalAlert(
  rule: string,
  message: string,
  priority: Priority,
  outputFields: Readonly<Record<string, InternalFieldValue>>,
  time: bigint = nowNs(),
): Alert {
  return { time, rule, priority, source: INTERNAL_SOURCE, tags: [], output: message, outputFields, internal: true };
}

/** Rule name of the event-drop report. */
export const SYSCALL_EVENT_DROP_RULE = 'Falco internal: syscall event drop';

/**
 * Kernel-side counter deltas over the last second, as the driver reports them (names as in libscap's
 * `scap_stats`). Missing counters count as 0.
 */
export interface SyscallDropDelta {
  n_evts: number;
  n_drops: number;
  n_drops_buffer?: number;
  n_drops_buffer_clone_fork_exit?: number;
  n_drops_buffer_execve_exit?: number;
  n_drops_buffer_connect_exit?: number;
  n_drops_buffer_open_exit?: number;
  n_drops_buffer_dir_file_exit?: number;
  n_drops_buffer_other_interest_exit?: number;
  n_drops_buffer_close_exit?: number;
  n_drops_buffer_proc_exit?: number;
  n_drops_scratch_map?: number;
  n_drops_pf?: number;
  n_drops_bug?: number;
}

/**
 * "Falco internal: syscall event drop" (the `alert` action of `syscall_event_drops`), with the
 * output_fields Falco fills: every count as a decimal string, `ebpf_enabled` as "1" or "0",
 * priority Debug.
 */
export function syscallEventDropAlert(delta: SyscallDropDelta, ebpfEnabled: boolean, time: bigint = nowNs()): Alert {
  const s = (n: number | undefined): string => String(n ?? 0);
  const message = `${SYSCALL_EVENT_DROP_RULE}. ${s(delta.n_drops)} system calls dropped in last second.`;
  return internalAlert(SYSCALL_EVENT_DROP_RULE, message, Priority.Debug, {
    n_evts: s(delta.n_evts),
    n_drops: s(delta.n_drops),
    n_drops_buffer_total: s(delta.n_drops_buffer),
    n_drops_buffer_clone_fork_exit: s(delta.n_drops_buffer_clone_fork_exit),
    n_drops_buffer_execve_exit: s(delta.n_drops_buffer_execve_exit),
    n_drops_buffer_connect_exit: s(delta.n_drops_buffer_connect_exit),
    n_drops_buffer_open_exit: s(delta.n_drops_buffer_open_exit),
    n_drops_buffer_dir_file_exit: s(delta.n_drops_buffer_dir_file_exit),
    n_drops_buffer_other_interest_exit: s(delta.n_drops_buffer_other_interest_exit),
    n_drops_buffer_close_exit: s(delta.n_drops_buffer_close_exit),
    n_drops_buffer_proc_exit: s(delta.n_drops_buffer_proc_exit),
    n_drops_scratch_map: s(delta.n_drops_scratch_map),
    n_drops_page_faults: s(delta.n_drops_pf),
    n_drops_bug: s(delta.n_drops_bug),
    ebpf_enabled: ebpfEnabled ? '1' : '0',
  }, time);
}

/** Rule name and message of the periodic metrics snapshot (`metrics.output_rule`). */
export const METRICS_SNAPSHOT_RULE = 'Falco internal: metrics snapshot';
export const METRICS_SNAPSHOT_MESSAGE = 'Falco metrics snapshot';

/** The `metrics.output_rule` alert carrying one snapshot's fields (priority Informational). */
export function metricsSnapshotAlert(outputFields: Readonly<Record<string, InternalFieldValue>>, time: bigint): Alert {
  return internalAlert(METRICS_SNAPSHOT_RULE, METRICS_SNAPSHOT_MESSAGE, Priority.Informational, outputFields, time);
}
