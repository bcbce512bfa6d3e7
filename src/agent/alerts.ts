// From a rule match to the Alert the outputs deliver, as Falco's falco_outputs::handle_event builds
// it: the rule's output rendered for the event (missing values `<NA>`), and for JSON alerts the
// values of the fields the output names plus the configured extra fields (append_output
// extra_fields: formatted text, or a bare field's typed value). Everything is extracted now,
// while the event is current; formatting into a line happens later in the outputs queue.
//
// Also the rule statistics Falco prints at exit (`Events detected`, by severity, by rule), counted
// in a typed array indexed by rule id so the hot path only increments.
import type { CompiledRule } from '../engine/loader/index.js';
import { priorityName, PRIORITY_NAMES } from '../engine/priority.js';
import type { JsonFieldValue } from '../fields/types.js';
import type { Alert, AlertFieldValue } from '../outputs/alert.js';

const NO_FIELDS: Readonly<Record<string, AlertFieldValue>> = Object.freeze({});

/** Builds alerts for rule matches of one source. */
export class AlertFactory {
  /**
   * @param withFields whether alerts carry output_fields (only JSON outputs with
   *   json_include_output_fields_property show them: text alerts skip the extraction).
   */
  constructor(private readonly source: string, private readonly withFields: boolean) {}

  /** The alert of `rule` matching `evt` at `time` (ns since the epoch). */
  build(rule: CompiledRule, evt: unknown, time: bigint): Alert {
    return {
      time,
      rule: rule.name,
      priority: rule.priority,
      source: this.source,
      tags: rule.tags,
      output: rule.outputFormat.text(evt),
      outputFields: this.withFields ? outputFields(rule, evt) : NO_FIELDS,
    };
  }
}

/** output_fields of a rule's alert: the output's fields, then the extra fields (which win on a clash). */
export function outputFields(rule: CompiledRule, evt: unknown): Record<string, AlertFieldValue> {
  const fields: Record<string, AlertFieldValue> = rule.outputFormat.fields(evt);
  for (const [key, extra] of rule.extraOutputFields) {
    if (extra.raw) {
      // A bare field keeps its typed JSON value.
      const values = extra.compiled.fields(evt);
      let value: JsonFieldValue = null;
      for (const k in values) {
        value = values[k]!;
        break;
      }
      fields[key] = value;
    } else {
      fields[key] = extra.compiled.text(evt);
    }
  }
  return fields;
}

/** Matches per rule (indexed by CompiledRule.id) and the summary Falco prints at exit. */
export class RuleStats {
  /** Matches by rule id. Shared with the metrics (falco.rules.*). */
  readonly matches: Float64Array;
  total = 0;

  constructor(readonly rules: readonly CompiledRule[], matches?: Float64Array) {
    this.matches = matches ?? new Float64Array(rules.length);
  }

  count(rule: CompiledRule): void {
    this.matches[rule.id]++;
    this.total++;
  }

  /** Falco's exit summary (stdout): total, counts by severity (most severe first), by rule in load order. */
  format(): string {
    const byPriority = new Array<number>(PRIORITY_NAMES.length).fill(0);
    let out = `Events detected: ${this.total}\nRule counts by severity:\n`;
    this.rules.forEach((r, i) => {
      byPriority[r.priority] += this.matches[i]!;
    });
    byPriority.forEach((n, p) => {
      // Falco's short priority names, upper-cased: INFO for Informational.
      if (n > 0) out += `   ${p === 6 ? 'INFO' : priorityName(p).toUpperCase()}: ${n}\n`;
    });
    out += 'Triggered rules by rule name:\n';
    this.rules.forEach((r, i) => {
      const n = this.matches[i]!;
      if (n > 0) out += `   ${r.name}: ${n}\n`;
    });
    return out;
  }
}
