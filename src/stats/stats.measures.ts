import { defineEnum } from '../core/enums';
import { SPECIAL_GROUP_FLAGS, type SpecialGroup } from '../departments/civil-affairs/civil-affairs.enums';

/**
 * What `statistics` counts. Every measure counts children (one child counts once per cell), so
 * that cells and margins add up and disclosure control works on one unit. `reads` are the matrix
 * fields a measure counts by: a reader whose role may not read one of them (at the aggregate level)
 * may not ask for it, so no measure reveals what the matrix hides (PSB asking for serious illness).
 * `sql` is a predicate on the statistics' base row `b` (stats.query.ts).
 */
export const StatMeasure = defineEnum('StatMeasure', '统计指标（均按儿童人数计）Measures, each a number of children', {
  CHILDREN: '适龄儿童 children',
  IN_SCHOOL: '在校（含随班就读、特教学校）in school (incl. mainstream inclusion, special school)',
  NOT_IN_SCHOOL: '不在校（辍学、休学、缓学、送教上门、外地就读或无学籍记录）not in school (dropped out, suspended, deferred, home teaching, elsewhere, or no school record)',
  OPEN_DROPOUT_CASES: '有未结辍学个案 with an open dropout case',
  OVERDUE_CASES: '有逾期未结个案 with an open case past its deadline',
  LEFT_BEHIND: '留守儿童 left-behind',
  DE_FACTO_UNSUPPORTED: '事实无人抚养 de-facto unsupported',
  MIGRANT: '流动人口子女 children of migrants',
  PARENT_IMPRISONED: '服刑人员未成年子女 children of prisoners',
  ORPHAN: '孤儿 orphans',
  SUBSISTENCE_ALLOWANCE: '低保家庭 subsistence allowance',
  REGISTERED_POOR: '建档立卡 poverty-registered family',
  MONITORED_HOUSEHOLD: '防止返贫监测对象 monitored household',
  DISABILITY: '持残疾证 with a disability record',
  SERIOUS_ILLNESS: '重病 serious illness',
});
export type StatMeasure = keyof typeof StatMeasure.labels;

/** Statuses counted as in school: the same list the dropout workflow accepts for a return. */
export const IN_SCHOOL_STATUSES = ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL'];
const inSchool = `b.status IN (${IN_SCHOOL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

const civil = (group: SpecialGroup) => ({ reads: ['Child.civilAffairs', `CivilAffairsRecord.${SPECIAL_GROUP_FLAGS[group].field}`], sql: `b.${SPECIAL_GROUP_FLAGS[group].column} IS TRUE` });

export const MEASURES: Readonly<Record<StatMeasure, { readonly reads: readonly string[]; readonly sql: string }>> = {
  CHILDREN: { reads: ['Child.id'], sql: 'TRUE' },
  IN_SCHOOL: { reads: ['Child.education', 'EducationRecord.status'], sql: inSchool },
  NOT_IN_SCHOOL: { reads: ['Child.education', 'EducationRecord.status'], sql: `NOT (${inSchool} IS TRUE)` },
  OPEN_DROPOUT_CASES: { reads: ['Child.dropoutCases', 'DropoutCase.status'], sql: 'b.open_reason IS NOT NULL' },
  OVERDUE_CASES: { reads: ['Child.dropoutCases', 'DropoutCase.status', 'DropoutCase.deadline'], sql: 'b.overdue' },
  LEFT_BEHIND: civil('LEFT_BEHIND'),
  DE_FACTO_UNSUPPORTED: civil('DE_FACTO_UNSUPPORTED'),
  MIGRANT: civil('MIGRANT'),
  PARENT_IMPRISONED: civil('PARENT_IMPRISONED'),
  ORPHAN: civil('ORPHAN'),
  SUBSISTENCE_ALLOWANCE: civil('SUBSISTENCE_ALLOWANCE'),
  REGISTERED_POOR: { reads: ['Child.poverty', 'PovertyRecord.registeredPoor'], sql: 'b.registered_poor IS TRUE' },
  MONITORED_HOUSEHOLD: { reads: ['Child.poverty', 'PovertyRecord.monitoredHousehold'], sql: 'b.monitored_household IS TRUE' },
  DISABILITY: { reads: ['Child.disability', 'DisabilityRecord.disabilityType'], sql: 'b.disabled' },
  SERIOUS_ILLNESS: { reads: ['Child.health', 'HealthRecord.seriousIllness'], sql: 'b.serious_illness IS TRUE' },
};
