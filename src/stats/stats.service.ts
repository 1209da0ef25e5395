import type { Clock } from '../core/clock';
import type { Reader } from '../core/context';
import { BadUserInputError } from '../core/errors';
import type { Sql } from '../db/sql';
import { type Entry, protect } from './disclosure';
import type { StatDimension } from './stats.dimensions';
import type { StatisticsFilter } from './stats.input';
import type { StatMeasure } from './stats.measures';
import { statisticsQuery } from './stats.query';
import type { StatCellType, StatisticsType } from './stats.type';

/** Disclosure control's settings (src/config.ts). */
export interface StatisticsSettings {
  /** Counts from 1 to threshold-1 are suppressed; shown values are rounded to multiples of it. */
  readonly threshold: number;
  /** Fixes each cell's rounding; known only to the server. */
  readonly secret: string;
  /** The largest table (cells and totals) disclosure control protects in one answer. */
  readonly maxCells: number;
}

/** Aggregates for analysts and supervisors: one statement per answer, disclosure control for readers without row access. */
export class StatisticsService {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly settings: StatisticsSettings,
  ) {}

  async table(reader: Reader, measures: readonly StatMeasure[], groupBy: readonly StatDimension[], filter: StatisticsFilter | null | undefined): Promise<StatisticsType> {
    if (measures.length === 0) throw BadUserInputError.one('measures', '至少一个指标 (ask for at least one measure)');
    if (new Set(measures).size !== measures.length) throw BadUserInputError.one('measures', '指标重复 (a measure is named twice)');
    if (groupBy.length > 2) throw BadUserInputError.one('groupBy', '最多两个维度 (at most two dimensions)');
    if (new Set(groupBy).size !== groupBy.length) throw BadUserInputError.one('groupBy', '维度重复 (a dimension is named twice)');
    const query = statisticsQuery(reader, measures, groupBy, filter, this.clock.today());
    const rows = await this.sql.query<Record<string, string | number | null>>(query.text, query.values);
    // Cells first, then totals, each in key order, so that the same question gets the same answer.
    const entries = rows.map((row) => ({
      key: groupBy.map((_, i) => (Number(row[`g${i}`]) === 1 ? null : String(row[`d${i}`]))),
      counts: measures.map((_, i) => Number(row[`m${i}`])),
      population: Number(row.population),
    })).sort((a, b) => keyOrder(a.key, b.key));
    const exact = reader.access.readsRows;
    // Complementary suppression solves the table's equations: on 3,000 cells and totals it takes
    // about half a second of the one CPU the hub answers on; more is refused, not queued.
    const max = this.settings.maxCells;
    if (!exact && entries.length > max) throw BadUserInputError.one('groupBy', `表格超过 ${max} 格，请用筛选缩小 (more than ${max} cells and totals: narrow it with a filter)`);
    // A group of fewer children than the threshold is withheld whole, its zeros too (a 0 beside a
    // withheld count of children says what none of them is); it is not listed, unless it is the
    // grand total, whose key says nothing.
    const small = entries.map((e) => !exact && e.population > 0 && e.population < this.settings.threshold);
    const shown = measures.map((m, i) => {
      const table: Entry[] = entries.map((e) => ({ key: e.key, value: e.counts[i], cell: canonicalCell(groupBy, e.key) }));
      return exact ? table.map((e) => ({ value: e.value, suppressed: false })) : protect(table, m, this.settings, small);
    });
    const cells: StatCellType[] = entries.map((e, j) => ({
      key: e.key,
      total: e.key.includes(null) || e.key.length === 0,
      values: measures.map((measure, i) => ({ measure, ...shown[i][j] })),
    }));
    const listed = cells.filter((c, j) => !small[j] || c.key.every((k) => k === null));
    return {
      measures: [...measures],
      groupBy: [...groupBy],
      cells: listed.filter((c) => !c.total),
      totals: listed.filter((c) => c.total),
      disclosure: exact ? 'EXACT' : 'SUPPRESSED_ROUNDED',
      threshold: exact ? null : this.settings.threshold,
      roundingBase: exact ? null : this.settings.threshold,
    };
  }
}

/** A cell named by its dimension values alone, whatever else the table groups by and in whatever order: `COUNTY=350102&STAGE=PRIMARY`. */
function canonicalCell(groupBy: readonly StatDimension[], key: ReadonlyArray<string | null>): string {
  return groupBy.flatMap((d, i) => (key[i] === null ? [] : [`${d}=${key[i]}`])).sort().join('&');
}

function keyOrder(a: ReadonlyArray<string | null>, b: ReadonlyArray<string | null>): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return 1;
    if (b[i] === null) return -1;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}
