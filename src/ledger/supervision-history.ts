import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Sql } from '../db/sql';
import { keyRegionCodes } from '../key-regions/key-region.service';
import { regions } from '../regions/region.registry';
import { OPEN_DROPOUT_STATUSES } from './dropout-case.enums';
import { isoWeekOf, isoWeekRange } from './iso-week';

const DAY = 86_400_000;
/** Statuses in which a case is on the ledger but not open: deferred or suspended on the panel's opinion (二(四)). */
const PAUSED_DROPOUT_STATUSES: readonly string[] = ['DEFERRED', 'SUSPENDED'];
const WEEK_FORMAT = '应为存在的ISO周，如 2026-W42 (an ISO week such as 2026-W42)';
export const MAX_HISTORY_WEEKS = 26;

export type ReportTimeliness = 'ON_TIME' | 'LATE' | 'MISSING';

/**
 * A weekly report is on time when submitted by the end of the Monday after its week (Tuesday 00:00
 * China Standard Time), late after that, missing without one: the rule `weeklyReporting` uses too.
 */
export function reportTimeliness(isoWeek: string, submittedAt: Date | null): ReportTimeliness {
  if (!submittedAt) return 'MISSING';
  const due = Date.parse(`${isoWeekRange(isoWeek)!.sunday}T00:00:00+08:00`) + 2 * DAY;
  return submittedAt.getTime() < due ? 'ON_TIME' : 'LATE';
}

export interface CountyWeek {
  isoWeek: string;
  report: ReportTimeliness;
  submittedAt: Date | null;
  openCases: number;
  overdue: number;
  returns: number;
  cityRank: number;
  provinceRank: number;
}

export interface CountyHistory {
  region: string;
  keyRegion: boolean;
  cityCounties: number;
  provinceCounties: number;
  weeks: CountyWeek[];
}

/** The ISO weeks from `from` to `to`, both ended, at most 26; refusals name the argument. */
export function historyWeeks(from: string, to: string, today: string): Array<{ isoWeek: string; monday: string; sunday: string }> {
  const first = isoWeekRange(from);
  if (!first) throw BadUserInputError.one('from', WEEK_FORMAT);
  const last = isoWeekRange(to);
  if (!last) throw BadUserInputError.one('to', WEEK_FORMAT);
  if (first.monday > last.monday) throw BadUserInputError.one('from', '起始周不能晚于结束周 (from must not come after to)');
  if (last.sunday >= today) throw BadUserInputError.one('to', '只能查询已结束的周 (only weeks that have ended: this week and later have not)');
  const weeks: Array<{ isoWeek: string; monday: string; sunday: string }> = [];
  for (let monday = Date.parse(`${first.monday}T00:00:00Z`); monday <= Date.parse(`${last.monday}T00:00:00Z`); monday += 7 * DAY) {
    const isoWeek = isoWeekOf(new Date(monday).toISOString().slice(0, 10));
    weeks.push({ isoWeek, ...isoWeekRange(isoWeek)! });
    if (weeks.length > MAX_HISTORY_WEEKS) throw BadUserInputError.one('to', `最多${MAX_HISTORY_WEEKS}周 (at most ${MAX_HISTORY_WEEKS} weeks from \`from\`)`);
  }
  return weeks;
}

/**
 * 督导历史: each county of the reader's region, week by week: its weekly report (on time, late,
 * missing), and its ledger as of the week's Sunday, counted as `countyProgress` counts on its day
 * (by hukou county; overdue = open with a deadline before that Sunday; returns = returned within
 * the week). Ranks are among every county of the county's city and of the province, by open cases,
 * most first (1 = most open cases), ties sharing a rank. One statement for every county and week;
 * the reports and the cases' status changes are joined in it.
 *
 * Open on a Sunday: opened by then, not closed (returned, placed, closed as not a dropout) by then
 * by its closing date, and:
 * - for a case whose creation is in the change log (written through the API), in the status the log
 *   gives it at the end of that Sunday (China Standard Time): the `after` of its last status entry
 *   before Monday 00:00, or, before its first entry (a case recorded later with an earlier opening
 *   date), the status it was recorded in; so a case deferred or suspended (缓学、休学) that week is
 *   not open, whatever its status today;
 * - for a case loaded around the log (the seed), by its dates alone: open from its opening to its
 *   closing date whatever its status, since nothing tells when it was deferred or resumed.
 * A closing date still decides for a logged case: a return recorded later with an earlier date
 * (`closedOn`) closes the case from that date, as the ledger says.
 */
export async function countyProgressHistory(sql: Sql, reader: Reader, from: string, to: string, today: string): Promise<CountyHistory[]> {
  const weeks = historyWeeks(from, to, today);
  const mine = regions.countyCodesWithin(reader.identity.region);
  const all = regions.counties().map((c) => c.code);
  const cityOf = (county: string) => regions.get(county)!.parentCode ?? '';
  const rows = await sql.query<Record<string, any>>(
    `WITH w AS (SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $10::timestamptz[]) AS w(iso_week, monday, sunday, ends)),
          k AS (SELECT * FROM unnest($4::text[], $5::text[]) AS k(county, city)),
          d AS (SELECT d.id, d.child_id, d.status, d.opened_on, d.closed_on, d.deadline, c.hukou_region AS county
                  FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id
                 WHERE c.hukou_region = ANY($4) AND d.opened_on <= $6::date),
          -- Each case's status entries (its creation and every transition), by the child's entries' index. A case moved to
          -- another child by a duplicate merge keeps its entries under the merged child's id: it is counted by the date rule.
          s AS (SELECT d.id, l.operation, l.at, l.seq, l.changes->'status'->>'after' AS status
                  FROM d JOIN hub.change_log l ON l.child_id = d.child_id AND l.entity = 'DropoutCase' AND l.entity_id = d.id::text
                 WHERE l.changes ? 'status'),
          -- For a case created in the log: each status and the span it held, [since, until); the first from ever.
          -- (Window functions only: a semi-join of s to itself is planned as a nested loop, s being a CTE.)
          iv AS (SELECT x.id, x.status, x.since, x.until
                   FROM (SELECT s.id, s.status, bool_or(s.operation = 'CREATE') OVER (PARTITION BY s.id) AS created,
                           CASE WHEN row_number() OVER (PARTITION BY s.id ORDER BY s.at, s.seq) = 1 THEN '-infinity'::timestamptz ELSE s.at END AS since,
                           coalesce(lead(s.at) OVER (PARTITION BY s.id ORDER BY s.at, s.seq), 'infinity'::timestamptz) AS until
                         FROM s) x
                  WHERE x.created),
          o AS (SELECT w.iso_week, w.monday, w.sunday, d.*,
                  d.opened_on <= w.sunday AND CASE WHEN iv.id IS NULL THEN d.status = ANY($7) OR d.closed_on IS NULL OR d.closed_on > w.sunday
                    ELSE (d.closed_on IS NULL OR d.closed_on > w.sunday) AND iv.status <> ALL($9) END AS open
                FROM w JOIN d ON TRUE LEFT JOIN iv ON iv.id = d.id AND iv.since < w.ends AND iv.until >= w.ends),
          f AS (SELECT w.iso_week, k.county, k.city,
                  count(o.id) FILTER (WHERE o.open)::int AS open_cases,
                  count(o.id) FILTER (WHERE o.open AND o.deadline < w.sunday)::int AS overdue,
                  count(o.id) FILTER (WHERE o.status = 'RETURNED' AND o.closed_on BETWEEN w.monday AND w.sunday)::int AS returns
                FROM w CROSS JOIN k LEFT JOIN o ON o.county = k.county AND o.iso_week = w.iso_week
               GROUP BY 1, 2, 3),
          r AS (SELECT f.*,
                  rank() OVER (PARTITION BY f.iso_week, f.city ORDER BY f.open_cases DESC)::int AS city_rank,
                  rank() OVER (PARTITION BY f.iso_week ORDER BY f.open_cases DESC)::int AS province_rank
                FROM f)
     SELECT r.county, r.iso_week AS "isoWeek", r.open_cases AS "openCases", r.overdue, r.returns, r.city_rank AS "cityRank",
            r.province_rank AS "provinceRank", wr.submitted_at AS "submittedAt"
       FROM r LEFT JOIN edu.weekly_report wr ON wr.region = r.county AND wr.iso_week = r.iso_week
      WHERE r.county = ANY($8)`,
    [weeks.map((w) => w.isoWeek), weeks.map((w) => w.monday), weeks.map((w) => w.sunday), all, all.map(cityOf),
      weeks[weeks.length - 1].sunday, OPEN_DROPOUT_STATUSES as readonly string[], mine, PAUSED_DROPOUT_STATUSES,
      weeks.map((w) => new Date(Date.parse(`${w.sunday}T00:00:00+08:00`) + DAY).toISOString())],
  );
  const byKey = new Map(rows.map((r) => [`${r.county} ${r.isoWeek}`, r]));
  const keys = new Set(await keyRegionCodes(sql));
  return mine.map((region) => ({
    region,
    keyRegion: keys.has(region),
    cityCounties: all.filter((c) => cityOf(c) === cityOf(region)).length,
    provinceCounties: all.length,
    weeks: weeks.map(({ isoWeek }) => {
      const r = byKey.get(`${region} ${isoWeek}`)!;
      const submittedAt = r.submittedAt ? new Date(r.submittedAt) : null;
      return { isoWeek, report: reportTimeliness(isoWeek, submittedAt), submittedAt, openCases: r.openCases, overdue: r.overdue, returns: r.returns,
        cityRank: r.cityRank, provinceRank: r.provinceRank };
    }),
  }));
}

export type CaseloadGrouping = 'RESPONSIBLE_UNIT' | 'RESPONSIBLE_PERSON';

export interface CaseloadRow {
  region: string;
  responsibleUnit: string | null;
  responsiblePerson: string | null;
  openCases: number;
  overdue: number;
  returnedThisSchoolYear: number;
}

/** The dropout-case fields a caseload reads, by grouping: the reader must read each (the matrix decides). */
const CASE_FIGURES = ['Child.hukouRegion', 'Child.dropoutCases', 'DropoutCase.status', 'DropoutCase.deadline', 'DropoutCase.closedOn', 'DropoutCase.responsibleUnit'];
export const CASELOAD_READS: Readonly<Record<CaseloadGrouping, readonly string[]>> = {
  RESPONSIBLE_UNIT: CASE_FIGURES,
  RESPONSIBLE_PERSON: [...CASE_FIGURES, 'DropoutCase.responsiblePerson'],
};

/**
 * 落实到每一个管理人员: open, overdue and returned-this-school-year cases per responsible unit, or per
 * person within a unit (names repeat across schools: 班主任), in each county of the reader's region.
 * For supervisors and education; a reader who may not read a field the grouping reads is refused.
 * Rows with nothing open and nothing returned this school year are left out; the most overdue first,
 * then the most open, then by county, unit and person in code-point order (the same on every database).
 */
export async function caseload(sql: Sql, reader: Reader, groupBy: CaseloadGrouping, today: string, schoolYearStart: string): Promise<CaseloadRow[]> {
  const { identity, access } = reader;
  if (identity.dept !== 'EDU' && !identity.roles.includes('supervisor')) {
    throw new ForbiddenError('责任人工作量仅供督导与教育部门查询 (caseloads are for supervisors and education)');
  }
  const denied = CASELOAD_READS[groupBy].find((f) => !access.canRead(f));
  if (denied) throw new ForbiddenError(`您的部门与角色无权读取 ${denied}，不能按 ${groupBy} 汇总 (you may not read ${denied}, so not group by ${groupBy})`);
  const byPerson = groupBy === 'RESPONSIBLE_PERSON';
  const person = byPerson ? 'd.responsible_person COLLATE "C"' : 'NULL::text';
  return sql.query<CaseloadRow>(
    `SELECT c.hukou_region AS region, d.responsible_unit AS "responsibleUnit", ${person} AS "responsiblePerson",
            count(*) FILTER (WHERE d.status = ANY($2))::int AS "openCases",
            count(*) FILTER (WHERE d.status = ANY($2) AND d.deadline < $3)::int AS overdue,
            count(*) FILTER (WHERE d.status = 'RETURNED' AND d.closed_on >= $4)::int AS "returnedThisSchoolYear"
       FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id
      WHERE c.hukou_region = ANY($1)
      GROUP BY 1, 2, 3
     HAVING count(*) FILTER (WHERE d.status = ANY($2) OR (d.status = 'RETURNED' AND d.closed_on >= $4)) > 0
      ORDER BY 5 DESC, 4 DESC, 1, d.responsible_unit COLLATE "C" NULLS LAST, 3 NULLS LAST`,
    [regions.countyCodesWithin(identity.region), OPEN_DROPOUT_STATUSES as readonly string[], today, schoolYearStart],
  );
}
