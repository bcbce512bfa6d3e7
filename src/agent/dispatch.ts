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
import { log } from '../util/log.js';
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

/** Reason under which events whose evaluation failed are counted. */
export const EVALUATION_ERROR = 'rule_evaluation_error';
const MAX_LOGGED_ERRORS = 20;

export class SourceDispatch<E> {
  private current: DispatchRules;
  /** The rules the last event matched (valid until the next event). */
  private readonly matched: CompiledRule[] = [];
  private readonly loggedErrors = new Map<string, number>();

  constructor(
    readonly source: string,
    rules: DispatchRules,
    /** Exact event time (ns since the epoch), read only for matches. */
    private readonly timeOf: (evt: E) => bigint,
    /** Hands an alert to the outputs (never waits). */
    private readonly push: (alert: Alert) => void,
    /** Where events that could not be evaluated are counted. */
    private readonly errors: { countDrop(reason: string): void },
  ) {
    this.current = rules;
  }

  get rules(): DispatchRules {
    return this.current;
  }

  /** The rules the last processed event matched, when process() returned more than 0. */
  get lastMatches(): readonly CompiledRule[] {
    return this.matched;
  }

  /** Swaps in new rules (hot reload); takes effect from the next event. */
  replace(rules: DispatchRules): void {
    this.current = rules;
  }

  /**
   * Evaluates one event of type `code`; returns the number of rules that matched. A failure inside
   * evaluation (a Peregrine bug, never the user's) costs this event only: it is counted (metrics:
   * events dropped, reason rule_evaluation_error) and logged, and the run goes on.
   */
  process(code: number, evt: E): number {
    try {
      return this.evaluate(code, evt);
    } catch (err) {
      this.failed(code, err);
      return 0;
    }
  }

  private failed(code: number, err: unknown): void {
    this.errors.countDrop(EVALUATION_ERROR);
    const message = err instanceof Error ? err.message : String(err);
    const seen = this.loggedErrors.get(message) ?? 0;
    this.loggedErrors.set(message, seen + 1);
    // Each distinct failure is logged once, with its stack for the bug report; then only counted.
    if (seen === 0 && this.loggedErrors.size <= MAX_LOGGED_ERRORS) {
      log.error(`Internal error while evaluating the ${this.source} rules on an event of type ${code} (the event is skipped, ` +
        `counted as ${EVALUATION_ERROR}): ${message}`);
      if (err instanceof Error && err.stack) log.debug(err.stack);
    }
  }

  private evaluate(code: number, evt: E): number {
    const r = this.current;
    const rules = r.rules;
    if (rules === undefined) return 0;
    if (!r.matchAll) {
      const rule = rules.firstMatch(code, evt);
      if (rule === undefined) return 0;
      this.matched.length = 0;
      this.matched.push(rule);
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
