// The `rules:` setting: enable or disable rules by name glob or by tag, applied in order after all
// rules files are loaded, so the last matching selection decides. The engine calls
// `selectedEnabled` for each rule with the enabled state the rules files gave it.
import type { RuleSelection } from './types.js';

/** `*` matches any run of characters (possibly empty); everything else matches itself. */
export function ruleNameGlob(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

export interface SelectableRule {
  readonly name: string;
  readonly tags: readonly string[];
}

/**
 * Whether a selection applies to a rule. An item naming both a rule and a tag acts as two
 * selections (Falco applies the name, then the tag), so either one matching is enough.
 */
export function selectionMatches(selection: RuleSelection, rule: SelectableRule): boolean {
  if (selection.rule !== undefined && ruleNameGlob(selection.rule).test(rule.name)) return true;
  return selection.tag !== undefined && rule.tags.includes(selection.tag);
}

/** The rule's enabled state after applying `selections` in order to its state from the files. */
export function selectedEnabled(selections: readonly RuleSelection[], rule: SelectableRule, enabledInFiles: boolean): boolean {
  let enabled = enabledInFiles;
  for (const selection of selections) {
    if (selectionMatches(selection, rule)) enabled = selection.action === 'enable';
  }
  return enabled;
}
