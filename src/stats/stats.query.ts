import { scopeCondition } from '../children/child.loader';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';
import { OPEN_DROPOUT_STATUSES } from '../ledger/dropout-case.enums';
import { mayFilterByRegion } from '../permissions/access';
import { regions } from '../regions/region.registry';
import { RULES } from '../reconciliation/reconciliation.rules';
import { asOfTableSql, STAT_TABLES, type AsOfTable } from './stats.as-of';
import { cubeView, grainFor } from './stats.cube';
import { statSections } from './stats.sections';
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
 * Where the answer is counted from: the tables (as of a time, rebuilt from the log), or a table the
 * hub keeps of them (stats.cube.ts): `cube` for today, `month` for a month end it has kept. A kept
 * table is used only when the question can be answered from it; `kept` says whether it was.
 */
export type StatSource = 'tables' | 'cube' | 'month';

export interface StatisticsStatement {
  readonly text: string;
  readonly values: unknown[];
  /** Its rows may be kept by the chains' heads (stats.cache.ts). */
  readonly cacheable: boolean;
  /** Counted from the table the hub keeps rather than from the tables. */
  readonly kept: boolean;
}

/** When the answer stands: today, or an earlier time (ISO 8601), rebuilt from the change log. */
export interface StatTime {
  readonly today: string;
  readonly asOf: string | null;
  /** The key regions (today's list: it is configuration, not history). */
  readonly keyRegions?: readonly string[];
}

const DAY = 86_400_000;

/** The period of period measures: `filter.period`, checked. */
function periodOf(filter: StatisticsFilter, today: string): { from: string; to: string } {
  const p = filter.period;
  if (!p) throw BadUserInputError.one('filter.period', '期间指标需要起止日期 (period measures need filter.period { from to })');
  const valid = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
  if (!valid(p.from)) throw BadUserInputError.one('filter.period.from', '应为日期 YYYY-MM-DD (a date YYYY-MM-DD)');
  if (!valid(p.to)) throw BadUserInputError.one('filter.period.to', '应为日期 YYYY-MM-DD (a date YYYY-MM-DD)');
  if (p.to < p.from) throw BadUserInputError.one('filter.period.to', '结束日期早于开始日期 (ends before it begins)');
  if (Date.parse(p.to) - Date.parse(p.from) > 3 * 366 * DAY) throw BadUserInputError.one('filter.period', '期间最长三年 (at most three years)');
  if (p.from > today) throw BadUserInputError.one('filter.period.from', '期间尚未开始 (the period has not begun)');
  return { from: p.from, to: p.to };
}

/**
 * One statement for the whole answer: the children in the reader's scope (the same condition as
 * the children list), each with the values the measures and dimensions need, filtered, then
 * counted per cell and per total by GROUPING SETS. Rows: `d0`, `d1` (dimension values), `g0`,
 * `g1` (1 where the row is a total over that dimension), `m0`… (each measure's count, or sum),
 * `population` (the children in the group, whatever the measures).
 *
 * With `asOf`, every table is read as it stood then (stats.as-of.ts), the region scope and the
 * placement of children included: a county's figures of a past month are its children of then.
 * Period measures join the events of the period (`ev`: cases opened, cases closed, home-teaching
 * visits), one row per event; grouped by an event dimension (MONTH, CASE_REASON, CLOSURE) only
 * the children with an event in the period are in the table.
 */
export function statisticsQuery(
  reader: Reader, measures: readonly StatMeasure[], groupBy: readonly StatDimension[], filter: StatisticsFilter | null | undefined, time: StatTime, source: StatSource = 'tables',
): StatisticsStatement {
  const values: unknown[] = [];
  const param = (v: unknown) => `$${values.push(v)}`;
  measures.forEach((m) => requireCountable(reader, MEASURES[m].reads, `指标 measure ${m}`));
  groupBy.forEach((d) => requireCountable(reader, DIMENSIONS[d].reads, `维度 dimension ${d}`));
  if (time.asOf) {
    const refused = measures.find((m) => MEASURES[m].asOf === false);
    if (refused) throw BadUserInputError.one('asOf', `指标 ${refused} 不能按历史日期重建 (measure ${refused} cannot be rebuilt as of a date)`);
  }
  const f = filter ?? {};
  const periodMeasures = measures.filter((m) => MEASURES[m].period);
  const eventDims = groupBy.filter((d) => DIMENSIONS[d].event);
  if (eventDims.length) {
    const other = measures.find((m) => !MEASURES[m].period);
    if (other) throw BadUserInputError.one('groupBy', `维度 ${eventDims[0]} 只用于期间指标，${other} 不是 (${eventDims[0]} groups period measures only; ${other} is not one)`);
  }
  // The day the answer stands on, in China Standard Time (overdue, running arrangements).
  const asOfDay = time.asOf ? new Date(Date.parse(time.asOf) + 8 * 3_600_000).toISOString().slice(0, 10) : null;
  const day = asOfDay && asOfDay < time.today ? asOfDay : time.today;
  const period = periodMeasures.length ? periodOf(f, day) : null;
  const at = time.asOf ? `${param(time.asOf)}::timestamptz` : null;
  const src = (t: AsOfTable) => (at ? asOfTableSql(t, at) : t.table);

  const where: string[] = [];
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
  const badSchool = (f.school ?? []).findIndex((s) => s.length === 0 || s.length > 100);
  if (badSchool >= 0) throw BadUserInputError.one(`filter.school[${badSchool}]`, '学校名称应为 1 到 100 字 (a school name is 1 to 100 characters)');
  on('STAGE', 'stage', f.stage, 'b.stage');
  on('GRADE', 'grade', f.grade, 'b.grade');
  on('GENDER', 'gender', f.gender, 'b.gender');
  on('DROPOUT_REASON', 'dropoutReason', f.dropoutReason, 'b.open_reason');
  on('SCHOOL', 'school', f.school, 'b.school_name');
  if (f.keyRegion !== null && f.keyRegion !== undefined) {
    requireCountable(reader, DIMENSIONS.KEY_REGION.reads, '筛选 filter keyRegion');
    where.push(f.keyRegion ? 'b.key_region' : 'NOT b.key_region');
  }
  if (f.specialGroup?.length) {
    requireCountable(reader, DIMENSIONS.SPECIAL_GROUP.reads, '筛选 filter specialGroup');
    where.push(`(${f.specialGroup.map((g) => `b.${SPECIAL_GROUP_FLAGS[g].column} IS TRUE`).join(' OR ')})`);
  }

  const joins = new Set(measures.flatMap((m) => MEASURES[m].joins ?? []));
  // Parameters bound only where the statement uses them (PostgreSQL cannot type an unused one).
  const once = (make: () => string) => { let made: string | undefined; return () => (made ??= make()); };
  const open = once(() => param(OPEN_DROPOUT_STATUSES));
  const dayParam = once(() => `${param(day)}::date`);
  const extra: string[] = [];
  const extraJoins: string[] = [];
  if (joins.has('homeTeaching')) {
    extra.push('COALESCE(ht.running, FALSE) AS home_teaching');
    extraJoins.push(`LEFT JOIN (SELECT t.child_id, bool_or(t.started_on <= ${dayParam()} AND (t.ended_on IS NULL OR t.ended_on >= ${dayParam()})) AS running
      FROM ${src(STAT_TABLES.homeTeaching)} t GROUP BY t.child_id) ht ON ht.child_id = c.id`);
  }
  if (joins.has('notices')) {
    extra.push(`COALESCE(nt.statuses, '{}') AS notices`);
    extraJoins.push(`LEFT JOIN (SELECT n.child_id, array_agg(DISTINCT n.status::text) AS statuses FROM ${src(STAT_TABLES.enrollmentNotice)} n GROUP BY n.child_id) nt ON nt.child_id = c.id`);
  }
  if (joins.has('discrepancies')) {
    // Only the rules whose every compared field the reader may count (as their list shows them).
    const rules = RULES.filter((r) => r.fields.every((field) => reader.access.canCount(field))).map((r) => r.code);
    extra.push('COALESCE(dq.open, FALSE) AS discrepancy_open', 'COALESCE(dq.resolved, FALSE) AS discrepancy_resolved');
    extraJoins.push(`LEFT JOIN (SELECT q.child_id, bool_or(q.status IN ('OPEN', 'IN_PROGRESS')) AS open, bool_or(q.status IN ('RESOLVED', 'EXPLAINED')) AS resolved
      FROM hub.discrepancy q WHERE q.rule = ANY(${param(rules)}) GROUP BY q.child_id) dq ON dq.child_id = c.id`);
  }
  let events = '';
  if (period) {
    const from = `${param(period.from)}::date`;
    const to = `${param(period.to)}::date`;
    events = `, ev AS (
      SELECT d.child_id, 'OPENED' AS kind, d.opened_on AS on_date, d.reason, d.status, NULL::numeric AS hours FROM ${src(STAT_TABLES.dropoutCase)} d WHERE d.opened_on BETWEEN ${from} AND ${to}
      UNION ALL SELECT d.child_id, 'CLOSED', d.closed_on, d.reason, d.status, NULL FROM ${src(STAT_TABLES.dropoutCase)} d
        WHERE d.closed_on BETWEEN ${from} AND ${to} AND NOT (d.status = ANY(${open()}))
      UNION ALL SELECT v.child_id, 'VISIT', v.visited_on, NULL, NULL, v.hours FROM ${src(STAT_TABLES.homeTeachingVisit)} v WHERE v.visited_on BETWEEN ${from} AND ${to})`;
  }
  const groups = groupBy.includes('SPECIAL_GROUP') ? ` CROSS JOIN LATERAL ${SPECIAL_GROUPS_SQL} AS sg(grp)` : '';
  const eventJoin = period ? ` ${eventDims.length ? 'JOIN' : 'LEFT JOIN'} ev ON ev.child_id = b.id` : '';
  const dims = groupBy.map((d, i) => `${DIMENSIONS[d].sql} AS d${i}`);
  // Each row names its child (`b.id`), or over a kept table the children it counts (`b.n`).
  const rowsOf = (unit: 'id' | 'n') => `SELECT b.${unit}${dims.map((d) => `, ${d}`).join('')}, ${measures.map((m, i) => `(${MEASURES[m].sql}) AS w${i}`).join(', ')}${period ? ', ev.hours' : ''}
    FROM b${groups}${eventJoin}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const rows = rowsOf('id');
  // Only the sections the measures, dimensions and filters read. PostgreSQL drops an unused left
  // join of today's tables by itself, but not of a table rebuilt as of a time (its rows are
  // filtered by the log), and each costs a join of every child: at 2,000,000 children and 200,000
  // entries, an as-of answer took 27.3 s with four unused sections, 18.9 s without them (README "Benchmarks").
  const used = new Set([...rows.matchAll(/\bb\.(\w+)/g)].map((m) => m[1]));
  // Without special groups or events a child is one row, and counting rows counts children: a
  // hashed aggregate instead of sorting 2,000,000 rows for each DISTINCT (stats.cache.ts, README).
  const perChild = !groupBy.includes('SPECIAL_GROUP') && !period;
  // A table kept by the hub (stats.cube.ts) when every value the answer reads is one of its
  // columns and a child is one row of it; else the tables themselves.
  const scoped = reader.township !== null || reader.counties !== null;
  const grain = source !== 'tables' && perChild && extra.length === 0 ? grainFor(used, scoped) : null;
  const kept = grain !== null;
  const children = (filter = '') => (kept ? `COALESCE(sum(x.n)${filter}, 0)` : `${perChild ? 'count(*)' : 'count(DISTINCT x.id)'}${filter}`);
  let base: string;
  if (kept) {
    base = cubeView(grain, source === 'month' ? { month: at! } : {}, scoped ? scopeCondition(reader, values, 'm') : 'TRUE', dayParam(), param(time.keyRegions ?? []));
  } else {
    const scope = scopeCondition(reader, values);
    const sections = statSections(src, open, dayParam, used);
    base = `SELECT c.id, c.residence_region AS county, c.township, c.gender${sections.select.map((column) => `, ${column}`).join('')},
      c.residence_region = ANY(${param(time.keyRegions ?? [])}) AS key_region${extra.map((x) => `, ${x}`).join('')}
    FROM ${src(STAT_TABLES.child)} c
    ${[...sections.joins, ...extraJoins].join('\n    ')}
    WHERE ${scope}`;
  }
  const names = groupBy.map((_, i) => `x.d${i}`);
  const sets = groupBy.length === 2 ? `(${names[0]}, ${names[1]}), (${names[0]}), (${names[1]}), ()` : groupBy.length === 1 ? `(${names[0]}), ()` : '()';
  const select = [
    ...groupBy.flatMap((_, i) => [`x.d${i} AS d${i}`, `GROUPING(x.d${i}) AS g${i}`]),
    ...measures.map((m, i) => (MEASURES[m].sum
      ? `COALESCE(sum(x.${MEASURES[m].sum}) FILTER (WHERE x.w${i}), 0)::float8 AS m${i}`
      : `${children(` FILTER (WHERE x.w${i})`)}::int AS m${i}`)),
    `${children()}::int AS population`,
  ];
  // The kept table holds rows of no child (their children moved away): a group of none is left
  // out, as the tables themselves would never form it; the grand total always stands.
  const having = kept && groupBy.length ? ` HAVING sum(x.n) > 0 OR GROUPING(${names.join(', ')}) = ${2 ** groupBy.length - 1}` : '';
  const text = `WITH b AS (${base})${events} SELECT ${select.join(', ')} FROM (${kept ? rowsOf('n') : rows}) x GROUP BY GROUPING SETS (${sets})${having}`;
  // Kept only over the tables the as-of rebuild covers (stats.as-of.ts), whose every change is logged.
  return { text, values, cacheable: !joins.has('discrepancies'), kept };
}
