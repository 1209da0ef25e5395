import { scopeCondition } from '../children/child.loader';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';
import { OPEN_DROPOUT_STATUSES } from '../ledger/dropout-case.enums';
import { mayFilterByRegion } from '../permissions/access';
import { regions } from '../regions/region.registry';
import { DIMENSIONS, SPECIAL_GROUPS_SQL, type StatDimension } from './stats.dimensions';
import type { StatisticsFilter } from './stats.input';
import { MEASURES, type StatMeasure } from './stats.measures';

/** Counting is reading: a measure, dimension or filter that counts by a field the reader's role may not read is refused. */
function requireCountable(reader: Reader, reads: readonly string[], what: string): void {
  const hidden = reads.find((field) => !reader.access.canCount(field));
  if (hidden) throw new ForbiddenError(`您的部门与角色无权统计 ${what}（需读取 ${hidden}）(your department and role may not count ${what}: it reads ${hidden})`);
}

/** The residence condition of a region filter: a city or county code, or a 9-digit township code. */
function regionCondition(reader: Reader, region: string, param: (v: unknown) => string): string {
  const township = /^\d{9}$/.test(region);
  const county = township ? region.slice(0, 6) : region;
  if (!(township ? regions.isCounty(county) : regions.get(region))) throw BadUserInputError.one('filter.region', `未知的区划代码 ${region} (unknown region code)`);
  if (!mayFilterByRegion(reader.identity, county)) throw new ForbiddenError(`区划 ${region} 不在您的辖区 ${reader.identity.region} 内 (region outside your own)`);
  return township ? `b.township = ${param(region)}` : `b.county = ANY(${param(regions.countyCodesWithin(region))})`;
}

/**
 * One statement for the whole answer: the children in the reader's scope (the same condition as
 * the children list), each with the values the measures and dimensions need, filtered, then
 * counted per cell and per total by GROUPING SETS. Rows: `d0`, `d1` (dimension values), `g0`,
 * `g1` (1 where the row is a total over that dimension), `m0`… (each measure's count), `population`
 * (the children in the group, whatever the measures).
 */
export function statisticsQuery(reader: Reader, measures: readonly StatMeasure[], groupBy: readonly StatDimension[], filter: StatisticsFilter | null | undefined, today: string): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (v: unknown) => `$${values.push(v)}`;
  measures.forEach((m) => requireCountable(reader, MEASURES[m].reads, `指标 measure ${m}`));
  groupBy.forEach((d) => requireCountable(reader, DIMENSIONS[d].reads, `维度 dimension ${d}`));
  const scope = scopeCondition(reader, values);
  const where: string[] = [];
  const f = filter ?? {};
  const on = (dimension: StatDimension, name: string, list: readonly unknown[] | null | undefined, column: string) => {
    if (!list?.length) return;
    requireCountable(reader, DIMENSIONS[dimension].reads, `筛选 filter ${name}`);
    where.push(`${column} = ANY(${param(list)})`);
  };
  if (f.region) {
    requireCountable(reader, DIMENSIONS[/^\d{9}$/.test(f.region) ? 'TOWNSHIP' : 'COUNTY'].reads, '筛选 filter region');
    where.push(regionCondition(reader, f.region, param));
  }
  const badGrade = (f.grade ?? []).findIndex((g) => !Number.isInteger(g) || g < 1 || g > 9);
  if (badGrade >= 0) throw BadUserInputError.one(`filter.grade[${badGrade}]`, '年级应为 1 到 9 (a grade is 1 to 9)');
  on('STAGE', 'stage', f.stage, 'b.stage');
  on('GRADE', 'grade', f.grade, 'b.grade');
  on('GENDER', 'gender', f.gender, 'b.gender');
  on('DROPOUT_REASON', 'dropoutReason', f.dropoutReason, 'b.open_reason');
  if (f.specialGroup?.length) {
    requireCountable(reader, DIMENSIONS.SPECIAL_GROUP.reads, '筛选 filter specialGroup');
    where.push(`(${f.specialGroup.map((g) => `b.${SPECIAL_GROUP_FLAGS[g].column} IS TRUE`).join(' OR ')})`);
  }
  const civil = Object.values(SPECIAL_GROUP_FLAGS).map((flag) => `ca.${flag.column}`).join(', ');
  const base = `SELECT c.id, c.residence_region AS county, c.township, c.gender, e.status, e.stage, e.grade,
      oc.reason AS open_reason, COALESCE(oc.overdue, FALSE) AS overdue, ${civil},
      pv.registered_poor, pv.monitored_household, (dr.child_id IS NOT NULL) AS disabled, h.serious_illness
    FROM hub.child c
    LEFT JOIN edu.education_record e ON e.child_id = c.id
    LEFT JOIN LATERAL (SELECT (array_agg(d.reason ORDER BY d.opened_on DESC, d.id))[1] AS reason, bool_or(d.deadline < ${param(today)}::date) AS overdue
      FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status = ANY(${param(OPEN_DROPOUT_STATUSES)})) oc ON TRUE
    LEFT JOIN civil.civil_affairs_record ca ON ca.child_id = c.id
    LEFT JOIN poverty.poverty_record pv ON pv.child_id = c.id
    LEFT JOIN dpf.disability_record dr ON dr.child_id = c.id
    LEFT JOIN health.health_record h ON h.child_id = c.id
    WHERE ${scope}`;
  const groups = groupBy.includes('SPECIAL_GROUP') ? ` CROSS JOIN LATERAL ${SPECIAL_GROUPS_SQL} AS sg(grp)` : '';
  const dims = groupBy.map((d, i) => `${DIMENSIONS[d].sql} AS d${i}`);
  const rows = `SELECT b.id${dims.map((d) => `, ${d}`).join('')}, ${measures.map((m, i) => `(${MEASURES[m].sql}) AS w${i}`).join(', ')}
    FROM b${groups}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const names = groupBy.map((_, i) => `x.d${i}`);
  const sets = groupBy.length === 2 ? `(${names[0]}, ${names[1]}), (${names[0]}), (${names[1]}), ()` : groupBy.length === 1 ? `(${names[0]}), ()` : '()';
  const select = [
    ...groupBy.flatMap((_, i) => [`x.d${i} AS d${i}`, `GROUPING(x.d${i}) AS g${i}`]),
    ...measures.map((_, i) => `count(DISTINCT x.id) FILTER (WHERE x.w${i})::int AS m${i}`),
    'count(DISTINCT x.id)::int AS population',
  ];
  const text = `WITH b AS (${base}) SELECT ${select.join(', ')} FROM (${rows}) x GROUP BY GROUPING SETS (${sets})`;
  return { text, values };
}
