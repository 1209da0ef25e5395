import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../core/clock';
import type { Reader } from '../core/context';
import { BadUserInputError, ConflictError, ForbiddenError } from '../core/errors';
import { type Actor, runWrite } from '../core/unit-of-work';
import type { Sql } from '../db/sql';
import { keyRegionCodes } from '../key-regions/key-region.service';
import { regions } from '../regions/region.registry';
import { OPEN_DROPOUT_STATUSES } from './dropout-case.enums';
import { isoWeekRange } from './iso-week';
import { type CaseloadGrouping, type CaseloadRow, type CountyHistory, caseload, countyProgressHistory } from './supervision-history';
import { WeeklyReportEntity } from './weekly-report.entity';

export interface WeeklyCounts {
  byStatus: Record<string, number>;
  openByReason: Record<string, number>;
  visits: number;
  returns: number;
  newCases: number;
  pastDeadline: number;
  juniorSecondaryOpen: number;
}

export interface CountyProgress {
  region: string;
  keyRegion: boolean;
  report: { isoWeek: string; counts: WeeklyCounts; remarks: string | null; submittedAt: Date; submittedBy: string } | null;
  openCases: number;
  pastDeadline: number;
  returned: number;
  juniorSecondaryOpen: number;
}

/** Weekly county reports and the supervisors' overview of progress toward the July deadline. */
export class WeeklyReportService {
  constructor(private readonly orm: MikroORM, private readonly sql: Sql, private readonly clock: Clock) {}

  /** The week's figures, counted from the ledger for the children registered (户籍) in the county. */
  async compute(county: string, isoWeek: string): Promise<WeeklyCounts> {
    const range = isoWeekRange(isoWeek);
    if (!range) throw BadUserInputError.one('isoWeek', '应为存在的ISO周，如 2026-W42 (an ISO week such as 2026-W42)');
    const open = OPEN_DROPOUT_STATUSES as readonly string[];
    const [row] = await this.sql.query<Record<string, any>>(
      `SELECT
         (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT d.status, count(*)::int AS n FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id WHERE c.hukou_region = $1 GROUP BY 1) s) AS "byStatus",
         (SELECT coalesce(jsonb_object_agg(reason, n), '{}') FROM (SELECT d.reason, count(*)::int AS n FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id WHERE c.hukou_region = $1 AND d.status = ANY($4) GROUP BY 1) s) AS "openByReason",
         (SELECT count(*)::int FROM edu.persuasion_visit v JOIN hub.child c ON c.id = v.child_id WHERE c.hukou_region = $1 AND v.visited_on BETWEEN $2 AND $3) AS visits,
         (SELECT count(*)::int FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id WHERE c.hukou_region = $1 AND d.status = 'RETURNED' AND d.closed_on BETWEEN $2 AND $3) AS returns,
         (SELECT count(*)::int FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id WHERE c.hukou_region = $1 AND d.opened_on BETWEEN $2 AND $3) AS "newCases",
         (SELECT count(*)::int FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id WHERE c.hukou_region = $1 AND d.status = ANY($4) AND d.deadline < $5) AS "pastDeadline",
         (SELECT count(*)::int FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id JOIN edu.education_record e ON e.child_id = d.child_id
            WHERE c.hukou_region = $1 AND d.status = ANY($4) AND e.stage = 'JUNIOR_SECONDARY') AS "juniorSecondaryOpen"`,
      [county, range.monday, range.sunday, open, this.clock.today()],
    );
    return row as WeeklyCounts;
  }

  /** 每周报送: a county's education clerk or liaison submits its week once, with remarks. */
  async submit(actor: Actor, isoWeek: string, remarks: string | null): Promise<string> {
    const { identity } = actor;
    if (identity.dept !== 'EDU' || !identity.roles.some((r) => r === 'clerk' || r === 'liaison')) {
      throw new ForbiddenError('周报由县级教育部门录入员或联络员报送 (county education clerks or liaisons submit the weekly report)');
    }
    if (!regions.isCounty(identity.region)) throw new ForbiddenError('周报按县（市、区）报送 (weekly reports are submitted by counties)');
    const range = isoWeekRange(isoWeek);
    if (!range) throw BadUserInputError.one('isoWeek', '应为存在的ISO周，如 2026-W42 (an ISO week such as 2026-W42)');
    if (range.monday > this.clock.today()) throw BadUserInputError.one('isoWeek', '不能报送尚未开始的周 (that week has not begun)');
    if (remarks && remarks.length > 500) throw BadUserInputError.one('remarks', '最多500字 (at most 500 characters)');
    const counts = await this.compute(identity.region, isoWeek);
    const id = randomUUID();
    await runWrite(this.orm, actor, 'submitWeeklyReport', null, { isoWeek, remarks }, async (em) => {
      const existing = await em.findOne(WeeklyReportEntity, { region: identity.region, isoWeek });
      if (existing) throw new ConflictError(`${identity.region} 的 ${isoWeek} 周报已于 ${existing.submittedAt.toISOString()} 报送 (already submitted)`);
      em.create(WeeklyReportEntity, { id, region: identity.region, isoWeek, counts: counts as never, remarks, submittedAt: new Date(), submittedBy: identity.sub } as unknown as WeeklyReportEntity);
      return [];
    });
    return id;
  }

  /** Every county in the reader's region: whether it reported the week, and where it stands against the July deadline. */
  async overview(reader: Reader, isoWeek: string): Promise<CountyProgress[]> {
    if (!isoWeekRange(isoWeek)) throw BadUserInputError.one('isoWeek', '应为存在的ISO周，如 2026-W42 (an ISO week such as 2026-W42)');
    const counties = regions.countyCodesWithin(reader.identity.region);
    const open = OPEN_DROPOUT_STATUSES as readonly string[];
    const progress = await this.sql.query<Record<string, any>>(
      `SELECT c.hukou_region AS region,
         count(*) FILTER (WHERE d.status = ANY($2))::int AS "openCases",
         count(*) FILTER (WHERE d.status = ANY($2) AND d.deadline < $3)::int AS "pastDeadline",
         count(*) FILTER (WHERE d.status = 'RETURNED')::int AS returned,
         count(*) FILTER (WHERE d.status = ANY($2) AND e.stage = 'JUNIOR_SECONDARY')::int AS "juniorSecondaryOpen"
       FROM edu.dropout_case d JOIN hub.child c ON c.id = d.child_id LEFT JOIN edu.education_record e ON e.child_id = d.child_id
       WHERE c.hukou_region = ANY($1) GROUP BY 1`,
      [counties, open, this.clock.today()],
    );
    const reports = await this.sql.query<Record<string, any>>(
      `SELECT region, iso_week AS "isoWeek", counts, remarks, submitted_at AS "submittedAt", submitted_by AS "submittedBy" FROM edu.weekly_report WHERE iso_week = $1 AND region = ANY($2)`,
      [isoWeek, counties],
    );
    // Key regions (四(二)): the list supervisors keep (src/key-regions/).
    const keys = new Set(await keyRegionCodes(this.sql));
    const byRegion = new Map(progress.map((p) => [p.region, p]));
    const reported = new Map(reports.map((r) => [r.region, r]));
    return counties.map((region) => {
      const p = byRegion.get(region);
      const r = reported.get(region);
      return {
        region, keyRegion: keys.has(region), report: r ? { isoWeek: r.isoWeek, counts: r.counts, remarks: r.remarks, submittedAt: r.submittedAt, submittedBy: r.submittedBy } : null,
        openCases: p?.openCases ?? 0, pastDeadline: p?.pastDeadline ?? 0, returned: p?.returned ?? 0, juniorSecondaryOpen: p?.juniorSecondaryOpen ?? 0,
      };
    });
  }

  /** The weekly series of every county in the reader's region, `from` to `to` (src/ledger/supervision-history.ts). */
  history(reader: Reader, from: string, to: string): Promise<CountyHistory[]> {
    return countyProgressHistory(this.sql, reader, from, to, this.clock.today());
  }

  /** Open, overdue and returned cases per responsible unit or person (src/ledger/supervision-history.ts). */
  caseload(reader: Reader, groupBy: CaseloadGrouping): Promise<CaseloadRow[]> {
    return caseload(this.sql, reader, groupBy, this.clock.today(), this.clock.schoolYearStart());
  }
}
