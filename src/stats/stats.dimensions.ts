import { defineEnum } from '../core/enums';
import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';

/**
 * What `statistics` groups by. A child is placed by where it lives (residence county and
 * township), the county that works its case. `sql` gives the group's value from the base row `b`
 * (or `sg`, the special groups a child is in); a child without a value is in `UNKNOWN` (`NONE`
 * for a reason or special group it does not have). `reads` as for measures.
 */
export const StatDimension = defineEnum('StatDimension', '统计维度 Dimensions to group by', {
  CITY: '设区市（居住地）city of residence',
  COUNTY: '县（市、区）（居住地）county of residence',
  TOWNSHIP: '乡镇（街道）township of residence',
  STAGE: '学段 stage',
  GRADE: '年级 grade',
  GENDER: '性别 gender',
  DROPOUT_REASON: '未结辍学个案的原因（无则 NONE）reason of the open dropout case (NONE without one)',
  SPECIAL_GROUP: '特殊群体（一名儿童可属多个群体，各群体行相加不等于合计）special group (a child may be in several: rows do not add up to the total)',
  SCHOOL: '学校（学籍所在学校，无则 UNKNOWN；用于学校年终考核）school (UNKNOWN without one; for schools\' year-end assessment)',
  KEY_REGION: '是否重点监测地区（督导维护的名单，按居住县；KEY 或 OTHER）key region or not, by county of residence (KEY or OTHER; the supervisors\' list)',
  MONTH: '月份（事件所在月，YYYY-MM；仅用于期间指标）month of the event, YYYY-MM (period measures only)',
  CASE_REASON: '期间内立案或结案个案的原因（仅用于期间指标）reason of the case opened or closed in the period (period measures only)',
  CLOSURE: '结案方式（已返校、已安置…；非结案事件为 NONE；仅用于期间指标）how the case was closed (NONE for other events; period measures only)',
});
export type StatDimension = keyof typeof StatDimension.labels;

/** The special groups a child is in, `NONE` when none: one row per group (stats.query.ts). */
export const SPECIAL_GROUPS_SQL = `unnest(COALESCE(NULLIF(array_remove(ARRAY[${Object.entries(SPECIAL_GROUP_FLAGS)
  .map(([group, flag]) => `CASE WHEN b.${flag.column} THEN '${group}' END`)
  .join(', ')}], NULL), '{}'), ARRAY['NONE']))`;

const civilReads = ['Child.civilAffairs', ...Object.values(SPECIAL_GROUP_FLAGS).map((f) => `CivilAffairsRecord.${f.field}`)];

/** `event`: a value of the event row `ev`, so only with period measures (stats.measures.ts). */
export const DIMENSIONS: Readonly<Record<StatDimension, { readonly reads: readonly string[]; readonly sql: string; readonly event?: true }>> = {
  CITY: { reads: ['Child.residenceRegion'], sql: `substr(b.county, 1, 4) || '00'` },
  COUNTY: { reads: ['Child.residenceRegion'], sql: 'b.county' },
  TOWNSHIP: { reads: ['Child.township'], sql: `COALESCE(b.township, 'UNKNOWN')` },
  STAGE: { reads: ['Child.education', 'EducationRecord.stage'], sql: `COALESCE(b.stage, 'UNKNOWN')` },
  GRADE: { reads: ['Child.education', 'EducationRecord.grade'], sql: `COALESCE(b.grade::text, 'UNKNOWN')` },
  GENDER: { reads: ['Child.gender'], sql: `COALESCE(b.gender, 'UNKNOWN')` },
  DROPOUT_REASON: { reads: ['Child.dropoutCases', 'DropoutCase.reason'], sql: `COALESCE(b.open_reason, 'NONE')` },
  SPECIAL_GROUP: { reads: civilReads, sql: 'sg.grp' },
  SCHOOL: { reads: ['Child.education', 'EducationRecord.schoolName'], sql: `COALESCE(b.school_name, 'UNKNOWN')` },
  KEY_REGION: { reads: ['Child.residenceRegion'], sql: `CASE WHEN b.key_region THEN 'KEY' ELSE 'OTHER' END` },
  MONTH: { reads: [], sql: `to_char(ev.on_date, 'YYYY-MM')`, event: true },
  CASE_REASON: { reads: ['Child.dropoutCases', 'DropoutCase.reason'], sql: `COALESCE(ev.reason, 'NONE')`, event: true },
  CLOSURE: { reads: ['Child.dropoutCases', 'DropoutCase.status'], sql: `CASE WHEN ev.kind = 'CLOSED' THEN ev.status ELSE 'NONE' END`, event: true },
};
