import type { Reader } from '../core/context';
import { BadUserInputError } from '../core/errors';
import type { Sql } from '../db/sql';
import { keyRegionCodes } from '../key-regions/key-region.service';
import { isoWeekOf, isoWeekRange } from '../ledger/iso-week';
import { reportTimeliness } from '../ledger/supervision-history';
import { regions } from '../regions/region.registry';
import type { CountyReportingType } from './reporting.type';

const DAY = 86_400_000;

/**
 * Weekly reporting (每周核查报送) of every county in the reader's region over the last `weeks`
 * weeks that have ended: on time when submitted by the end of the Monday after the week (China
 * Standard Time), late after that, missing without a report. It says when counties reported,
 * nothing of a child, so every reader may see it (the reports' figures stay behind countyProgress).
 */
export async function weeklyReporting(sql: Sql, reader: Reader, today: string, weeks: number): Promise<CountyReportingType[]> {
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 26) throw BadUserInputError.one('weeks', '应为 1 到 26 (1 to 26 weeks)');
  const counties = regions.countyCodesWithin(reader.identity.region.slice(0, 6));
  const list: string[] = [];
  for (let monday = Date.parse(isoWeekRange(isoWeekOf(today))!.monday) - 7 * DAY; list.length < weeks; monday -= 7 * DAY) list.push(isoWeekOf(new Date(monday).toISOString().slice(0, 10)));
  const reports = await sql.query<{ region: string; iso_week: string; submitted_at: Date }>(
    'SELECT region, iso_week, submitted_at FROM edu.weekly_report WHERE iso_week = ANY($1) AND region = ANY($2)', [list, counties]);
  const byKey = new Map(reports.map((r) => [`${r.region} ${r.iso_week}`, new Date(r.submitted_at)]));
  const keys = new Set(await keyRegionCodes(sql));
  return counties.map((county) => {
    const statuses = list.map((isoWeek) => {
      const submittedAt = byKey.get(`${county} ${isoWeek}`) ?? null;
      const status = reportTimeliness(isoWeek, submittedAt);
      return { isoWeek, status, submittedAt };
    });
    const count = (s: string) => statuses.filter((w) => w.status === s).length;
    return { region: regions.get(county)! as CountyReportingType['region'], keyRegion: keys.has(county), onTime: count('ON_TIME'), late: count('LATE'), missing: count('MISSING'), weeks: statuses };
  });
}
