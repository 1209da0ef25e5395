import type { Reader } from '../core/context';
import { regions } from '../regions/region.registry';
import type { DiscrepancyRow } from './discrepancy.service';
import type { DiscrepancyType, ReconciliationRuleType, ReconciliationRunType } from './discrepancy.type';
import type { ReconciliationRunEntity } from './reconciliation-run.entity';
import { RULE_BY_CODE, type ReconciliationRule } from './reconciliation.rules';
import { seesEveryRule, visibleRules } from './reconciliation.visibility';

export function ruleType(rule: ReconciliationRule): ReconciliationRuleType {
  return { ...rule, compares: [...rule.compares], ownerDept: rule.owner.dept, ownerRole: rule.owner.role };
}

/** A discrepancy as the reader sees it: each fact only if it may read that field (it may read them all, or it would not see the row). */
export function discrepancyView(row: DiscrepancyRow, reader: Reader, today: string): Omit<DiscrepancyType, 'history'> {
  const level = (f: string) => reader.access.level(f);
  return {
    ...row,
    rule: ruleType(RULE_BY_CODE.get(row.rule)!),
    county: regions.get(row.county)!,
    facts: Object.entries(row.facts).filter(([f]) => level(f) === 'R' || level(f) === 'W').map(([field, value]) => ({ field, value: value === null ? null : JSON.stringify(value) })),
    overdue: (row.status === 'OPEN' || row.status === 'IN_PROGRESS') && row.deadline < today,
    fixedBy: row.fixedByChain && row.fixedBySeq ? { chain: row.fixedByChain, seq: row.fixedBySeq } : null,
  };
}

/** A run as the reader sees it: counts of the rules and counties it may see; totals and hash only to readers of every rule. */
export function runView(run: ReconciliationRunEntity, reader: Reader): ReconciliationRunType {
  const rules = new Set(visibleRules(reader.access));
  const counties = reader.counties === null ? null : new Set(reader.counties);
  const all = seesEveryRule(reader.access) && (counties === null || regions.countyCodesWithin(run.region).every((c) => counties.has(c)));
  const counts = Object.entries(run.counts).flatMap(([rule, byCounty]) => Object.entries(byCounty).map(([county, count]) => ({ rule, county, count })))
    .filter((c) => rules.has(c.rule) && (counties === null || counties.has(c.county)) && !reader.township);
  return {
    id: run.id, period: run.period, region: run.region, ranAt: run.ranAt, counts,
    opened: all ? run.opened : null, resolved: all ? run.resolved : null, contentHash: all ? run.contentHash : null,
    chainHeads: Object.entries(run.chainHeads).map(([chain, head]) => ({ chain, seq: head.seq })),
  };
}
