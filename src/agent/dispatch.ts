// The rules side of one event source: for each event, the enabled rules of its event type are
// evaluated (grouped evaluation in the Ruleset), and each match becomes an alert for the outputs
// and a count in the statistics. `rule_matching: first` stops at the first match in load order;
// `all` reports every matching rule, as Falco does.
//
// The fields the event loop reads here are swapped by hot reload between two events, so a reload
// never loses or half-evaluates an event.
import type { CompiledRule } from '../engine/loader/index.js';
import type { SourceRuleset } from '../engine/ruleset.js';
import type { Alert } from '../outputs/alert.js';
import type { AlertFactory, RuleStats } from './alerts.js';

/** What a dispatch needs from the agent; replaced as a whole on reload. */
export interface DispatchRules {
  /** The enabled rules of this source; undefined when no rule was loaded for it. */
  readonly rules: SourceRuleset | undefined;
  readonly matchAll: boolean;
  readonly alerts: AlertFactory;
  /** Match counts (shared with the metrics' rule counters). */
  readonly stats: RuleStats;
}

export class SourceDispatch<E> {
  private current: DispatchRules;
  private readonly matched: CompiledRule[] = [];

  constructor(
    readonly source: string,
    rules: DispatchRules,
    /** Exact event time (ns since the epoch), read only for matches. */
    private readonly timeOf: (evt: E) => bigint,
    /** Hands an alert to the outputs (never waits). */
    private readonly push: (alert: Alert) => void,
  ) {
    this.current = rules;
  }

  get rules(): DispatchRules {
    return this.current;
  }

  /** Swaps in new rules (hot reload); takes effect from the next event. */
  replace(rules: DispatchRules): void {
    this.current = rules;
  }

  /** Evaluates one event of type `code`; returns the number of rules that matched. */
  process(code: number, evt: E): number {
    const r = this.current;
    const rules = r.rules;
    if (rules === undefined) return 0;
    if (!r.matchAll) {
      const rule = rules.firstMatch(code, evt);
      if (rule === undefined) return 0;
      this.emit(r, rule, evt);
      return 1;
    }
    const matched = this.matched;
    matched.length = 0;
    const n = rules.allMatches(code, evt, matched);
    for (let i = 0; i < n; i++) this.emit(r, matched[i]!, evt);
    return n;
  }

  private emit(r: DispatchRules, rule: CompiledRule, evt: E): void {
    r.stats.count(rule);
    this.push(r.alerts.build(rule, evt, this.timeOf(evt)));
  }
}
