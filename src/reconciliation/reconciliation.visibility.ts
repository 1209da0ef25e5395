import type { Access } from '../permissions/access';
import { RULES, type ReconciliationRule } from './reconciliation.rules';

/** A reader sees a rule's discrepancies only if it reads rows and may read, unmasked, every field the rule compares. */
export function seesRule(access: Access, rule: ReconciliationRule): boolean {
  return access.readsRows && access.canRead('Child.discrepancies') && rule.fields.every((f) => access.level(f) === 'R' || access.level(f) === 'W');
}

/** The codes of the rules a reader sees. */
export function visibleRules(access: Access): string[] {
  return RULES.filter((r) => seesRule(access, r)).map((r) => r.code);
}

/** Whether a reader may be told of every rule's discrepancies (their log entries, a run's counts over all rules). */
export function seesEveryRule(access: Access): boolean {
  return RULES.every((r) => seesRule(access, r));
}
