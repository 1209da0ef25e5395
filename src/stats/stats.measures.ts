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
  CASES_OPENED: '期间内新立辍学个案（需 filter.period）with a dropout case opened in the period (needs filter.period)',
  CASES_CLOSED: '期间内结案（需 filter.period；按 CLOSURE 分结案方式）with a case closed in the period (needs filter.period; CLOSURE gives how)',
  RETURNED: '劝返复学（个案以已返校结案）returned to school (a case closed as returned)',
  HOME_TEACHING: '送教上门安排进行中 with a home-teaching arrangement running',
  HOME_TEACHING_VISITED: '期间内有送教上门记录（需 filter.period）visited for home teaching in the period (needs filter.period)',
  HOME_TEACHING_HOURS: '期间内送教上门课时合计（课时数，不是人数；仅精确读者）home-teaching hours in the period (hours, not children; exact readers only)',
  ENROLLMENT_NOTICE_ISSUED: '已发放入学通知书 issued an enrollment notice',
  ENROLLMENT_NOTICE_ARRIVED: '持通知书已报到 arrived with an enrollment notice',
  ENROLLMENT_NOTICE_NOT_ARRIVED: '持通知书未报到 did not arrive with an enrollment notice',
  DISCREPANCIES_OPEN: '有未解决的比对问题（仅计您可读其全部比对字段的规则）with an open reconciliation discrepancy (rules whose fields you may count)',
  DISCREPANCIES_RESOLVED: '有已解决或已说明的比对问题 with a resolved or explained discrepancy',
});
export type StatMeasure = keyof typeof StatMeasure.labels;

/** Statuses counted as in school: the same list the dropout workflow accepts for a return. */
export const IN_SCHOOL_STATUSES = ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL'];
const inSchool = `b.status IN (${IN_SCHOOL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

const civil = (group: SpecialGroup) => ({ reads: ['Child.civilAffairs', `CivilAffairsRecord.${SPECIAL_GROUP_FLAGS[group].field}`], sql: `b.${SPECIAL_GROUP_FLAGS[group].column} IS TRUE` });

/**
 * A measure. `period`: counts events (`ev`, one row per case opened or closed, or visit, in the
 * filter's period: stats.query.ts) rather than a state of the child; `sum`: adds up a quantity of
 * the events instead of counting children, exact readers only (disclosure control protects
 * counts of children; a sum can be dominated by one child); `asOf: false`: not rebuilt from the
 * change log, refused with `asOf`; `joins`: the per-child facts it needs (stats.query.ts).
 */
export interface MeasureSpec {
  readonly reads: readonly string[];
  readonly sql: string;
  readonly period?: true;
  readonly sum?: string;
  readonly asOf?: false;
  readonly joins?: ReadonlyArray<'homeTeaching' | 'notices' | 'discrepancies'>;
}

const ledger = (...fields: string[]) => ['Child.dropoutCases', ...fields.map((f) => `DropoutCase.${f}`)];
const notice = (status: string | null): MeasureSpec => ({
  reads: ['Child.enrollmentNotices', 'EnrollmentNotice.status'], joins: ['notices'],
  sql: status ? `b.notices @> ARRAY['${status}']` : 'cardinality(b.notices) > 0',
});

export const MEASURES: Readonly<Record<StatMeasure, MeasureSpec>> = {
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
  CASES_OPENED: { reads: ledger('openedOn'), sql: `ev.kind = 'OPENED'`, period: true },
  CASES_CLOSED: { reads: ledger('status', 'closedOn'), sql: `ev.kind = 'CLOSED'`, period: true },
  RETURNED: { reads: ledger('status'), sql: 'b.returned' },
  HOME_TEACHING: { reads: ['Child.homeTeaching', 'HomeTeaching.startedOn', 'HomeTeaching.endedOn'], sql: 'b.home_teaching', joins: ['homeTeaching'] },
  HOME_TEACHING_VISITED: { reads: ['Child.homeTeaching', 'HomeTeachingVisit.visitedOn'], sql: `ev.kind = 'VISIT'`, period: true },
  HOME_TEACHING_HOURS: { reads: ['Child.homeTeaching', 'HomeTeachingVisit.visitedOn', 'HomeTeachingVisit.hours'], sql: `ev.kind = 'VISIT'`, period: true, sum: 'hours' },
  ENROLLMENT_NOTICE_ISSUED: notice(null),
  ENROLLMENT_NOTICE_ARRIVED: notice('ARRIVED'),
  ENROLLMENT_NOTICE_NOT_ARRIVED: notice('NOT_ARRIVED'),
  DISCREPANCIES_OPEN: { reads: ['Child.discrepancies', 'Discrepancy.status'], sql: 'b.discrepancy_open', asOf: false, joins: ['discrepancies'] },
  DISCREPANCIES_RESOLVED: { reads: ['Child.discrepancies', 'Discrepancy.status'], sql: 'b.discrepancy_resolved', asOf: false, joins: ['discrepancies'] },
};
