import type { Clock } from '../core/clock';
import type { Reader } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Sql } from '../db/sql';
import { keyRegionCodes } from '../key-regions/key-region.service';
import { type Entry, protect } from './disclosure';
import type { StatDimension } from './stats.dimensions';
import type { StatisticsFilter } from './stats.input';
import { MEASURES, type StatMeasure } from './stats.measures';
import { weeklyReporting } from './reporting';
import type { CountyReportingType } from './reporting.type';
import { CHAIN_HEADS_SQL, EPOCH_SQL, SETTLED_AFTER_MS, StatisticsCache } from './stats.cache';
import { keepMonth, refreshCube } from './stats.cube';
import { statisticsQuery, type StatisticsStatement, type StatTime } from './stats.query';
import type { StatCellType, StatisticsType, StatSeriesCellType, StatSeriesType } from './stats.type';

/** Disclosure control's settings (src/config.ts). */
export interface StatisticsSettings {
  /** Counts from 1 to threshold-1 are suppressed; shown values are rounded to multiples of it. */
  readonly threshold: number;
  /** Fixes each cell's rounding; known only to the server. */
  readonly secret: string;
  /** The largest table (cells and totals) disclosure control protects in one answer. */
  readonly maxCells: number;
  /** Statements whose rows are kept (stats.cache.ts); 0 keeps none. */
  readonly cacheEntries: number;
  /** Answer from the tables the hub keeps (stats.cube.ts) where a question allows; false counts the tables every time. */
  readonly keep: boolean;
}

/**
 * The statement's session: counting 2,000,000 children joins and hashes that many rows, which the
 * default 4 MB of work memory spills to disk in 32 batches; compiling it with LLVM cost a second
 * of the 5.8 s it took (EXPLAIN ANALYZE at 2,000,000 children, README "Benchmarks").
 */
const STATEMENT_SETTINGS = ['jit = off', "work_mem = '64MB'"];

/** Aggregates for analysts and supervisors: one statement per answer, disclosure control for readers without row access. */
export class StatisticsService {
  private readonly cache: StatisticsCache;

  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly settings: StatisticsSettings,
  ) {
    this.cache = new StatisticsCache(settings.cacheEntries);
  }

  /**
   * `asOf`: a date (YYYY-MM-DD: the end of that day, China Standard Time) or a time (ISO 8601 with
   * its offset); the figures as they stood then, rebuilt from the change log.
   */
  async table(reader: Reader, measures: readonly StatMeasure[], groupBy: readonly StatDimension[], filter: StatisticsFilter | null | undefined, asOf?: string | null): Promise<StatisticsType> {
    return this.answer(reader, measures, groupBy, filter, this.timeOf(asOf ?? null));
  }

  /** The table at each month end from `from` to `to` (YYYY-MM); the month not ended yet stands as today. */
  async series(reader: Reader, measure: StatMeasure, from: string, to: string, groupBy: readonly StatDimension[], filter: StatisticsFilter | null | undefined): Promise<StatSeriesType> {
    const month = /^(\d{4})-(0[1-9]|1[0-2])$/;
    if (!month.test(from)) throw BadUserInputError.one('from', '应为月份 YYYY-MM (a month YYYY-MM)');
    if (!month.test(to)) throw BadUserInputError.one('to', '应为月份 YYYY-MM (a month YYYY-MM)');
    const today = this.clock.today();
    if (to < from) throw BadUserInputError.one('to', '结束月份早于开始月份 (ends before it begins)');
    if (from > today.slice(0, 7)) throw BadUserInputError.one('from', '该月尚未开始 (that month has not begun)');
    const ends: string[] = [];
    for (let y = Number(from.slice(0, 4)), m = Number(from.slice(5)); `${y}-${String(m).padStart(2, '0')}` <= to; m === 12 ? (y++, m = 1) : m++) {
      const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      ends.push(end < today ? end : today);
      if (ends.length > 24) throw BadUserInputError.one('to', '最多24个月 (at most 24 months)');
      if (end >= today) break;
    }
    const tables: StatisticsType[] = [];
    for (const end of ends) tables.push(await this.answer(reader, [measure], groupBy, filter, { today, asOf: end === today ? null : endOfDay(end), label: end }));
    // A cell missing from a month had no children then, or (for analysts) too few to be listed:
    // 0 for exact readers, withheld for the others, who may not tell the two apart.
    const exact = reader.access.readsRows;
    const missing = { measure, value: exact ? 0 : null, suppressed: !exact };
    const merge = (pick: (t: StatisticsType) => StatCellType[]): StatSeriesCellType[] => {
      // Each month's cells by key, looked up once per key and month (a search per pair took
      // 0.3 s of CPU for twelve months of 339 cells).
      const months = tables.map((table) => new Map(pick(table).map((cell) => [JSON.stringify(cell.key), cell])));
      const keys = new Map<string, StatCellType>();
      for (const month of months) for (const [key, cell] of month) keys.set(key, cell);
      return [...keys].sort(([, a], [, b]) => keyOrder(a.key, b.key)).map(([key, cell]) => ({
        key: cell.key,
        total: cell.total,
        values: months.map((month) => month.get(key)?.values[0] ?? missing),
      }));
    };
    return { measure, groupBy: [...groupBy], asOf: ends, cells: merge((t) => t.cells), totals: merge((t) => t.totals), disclosure: tables[0].disclosure };
  }

  /** Each county's weekly reporting over the last `weeks` weeks (reporting.ts). */
  reporting(reader: Reader, weeks: number): Promise<CountyReportingType[]> {
    return weeklyReporting(this.sql, reader, this.clock.today(), weeks);
  }

  /** When a question is asked of: now, or a past day or time (never the future). */
  private timeOf(asOf: string | null): StatTime & { label: string | null } {
    const today = this.clock.today();
    if (asOf === null) return { today, asOf: null, label: null };
    const date = /^\d{4}-\d{2}-\d{2}$/.test(asOf);
    const at = new Date(date ? endOfDay(asOf) : asOf);
    if (Number.isNaN(at.getTime()) || (date && !new Date(`${asOf}T00:00:00Z`).toISOString().startsWith(asOf)) || (!date && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(asOf))) {
      throw BadUserInputError.one('asOf', '应为日期 YYYY-MM-DD 或带时区的时间 (a date YYYY-MM-DD, or a time with its offset)');
    }
    if (date ? asOf > today : at.getTime() > Date.now()) throw BadUserInputError.one('asOf', '不能是将来 (not in the future)');
    return { today, asOf: at.toISOString(), label: asOf };
  }

  /**
   * The statement's rows, counted in one snapshot with the chains' heads, or kept from an earlier
   * count of the same state (stats.cache.ts). Over the cube (stats.cube.ts) the snapshot first
   * brings the cube to its heads; a refresh that lost a race to another is asked again.
   */
  private async rows(query: StatisticsStatement, settled: boolean): Promise<ReadonlyArray<Record<string, string | number | null>>> {
    type Row = Record<string, string | number | null>;
    if (settled && query.cacheable) {
      return this.sql.snapshot(STATEMENT_SETTINGS, async (q) => {
        const [{ epoch }] = await q<{ epoch: string }>(EPOCH_SQL);
        const key = StatisticsCache.key(query.text, query.values, `@${epoch}`);
        const kept = this.cache.get(key) as Row[] | undefined;
        if (kept) return kept;
        const rows = await q<Row>(query.text, query.values);
        this.cache.set(key, rows);
        return rows;
      });
    }
    const cube = query.kept;
    return retryingSerialization(() => this.sql.snapshot(STATEMENT_SETTINGS, async (q) => {
      if (!query.cacheable) return q<Row>(query.text, query.values);
      const [{ heads, epoch }] = await q<{ heads: string; epoch: string }>(CHAIN_HEADS_SQL);
      const key = StatisticsCache.key(query.text, query.values, `${heads}@${epoch}`);
      const kept = this.cache.get(key) as Row[] | undefined;
      if (kept) return kept;
      if (cube) await refreshCube(q, heads);
      const rows = await q<Row>(query.text, query.values);
      this.cache.set(key, rows);
      return rows;
    }, cube ? 'write' : 'read'));
  }

  /**
   * Brings the cube to the chains' present heads, and keeps the settled month ends of the last
   * `months` months not kept yet (at most `limit` of them, newest first): what the schedule runs
   * (stats.schedule.ts), so that questions seldom pay for either.
   */
  async keepAhead(months = 24, limit = 1): Promise<{ cube: string; months: string[] }> {
    const cube = await retryingSerialization(() => this.sql.snapshot(STATEMENT_SETTINGS, async (q) => {
      const [{ heads }] = await q<{ heads: string }>(CHAIN_HEADS_SQL);
      return refreshCube(q, heads);
    }, 'write'));
    const kept: string[] = [];
    const today = this.clock.today();
    for (let i = 1; i <= months && kept.length < limit; i++) {
      const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7)) - i];
      const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      const at = new Date(endOfDay(end)).toISOString();
      if (Date.parse(at) >= Date.now() - SETTLED_AFTER_MS) continue;
      if (await this.keepMonth(at)) kept.push(end);
    }
    return { cube, months: kept };
  }

  /** Keeps the cube as of the settled month end `at` unless kept; true when this call kept it. */
  private keepMonth(at: string): Promise<boolean> {
    return retryingSerialization(() => this.sql.snapshot(STATEMENT_SETTINGS, async (q) => {
      const [{ heads }] = await q<{ heads: string }>(CHAIN_HEADS_SQL);
      return keepMonth(q, at, heads);
    }, 'write'));
  }

  private async answer(reader: Reader, measures: readonly StatMeasure[], groupBy: readonly StatDimension[], filter: StatisticsFilter | null | undefined, time: StatTime & { label: string | null }): Promise<StatisticsType> {
    if (measures.length === 0) throw BadUserInputError.one('measures', '至少一个指标 (ask for at least one measure)');
    if (new Set(measures).size !== measures.length) throw BadUserInputError.one('measures', '指标重复 (a measure is named twice)');
    if (groupBy.length > 2) throw BadUserInputError.one('groupBy', '最多两个维度 (at most two dimensions)');
    if (new Set(groupBy).size !== groupBy.length) throw BadUserInputError.one('groupBy', '维度重复 (a dimension is named twice)');
    const exact = reader.access.readsRows;
    const summed = measures.find((m) => MEASURES[m].sum);
    if (summed && !exact) throw new ForbiddenError(`${summed} 是合计值，不受小单元格抑制保护，仅督导等可读 (${summed} is a sum, which disclosure control does not protect: readers with row access only)`);
    const keyRegions = groupBy.includes('KEY_REGION') || (filter?.keyRegion ?? null) !== null ? await keyRegionCodes(this.sql) : [];
    const settled = time.asOf !== null && Date.parse(time.asOf) < Date.now() - SETTLED_AFTER_MS;
    // A settled month end is read from the kept month when the schedule has kept it (keepAhead);
    // else, like any other time, from the tables as they stood then.
    const month = settled && this.settings.keep && isMonthEnd(time.asOf!) && (await this.sql.query('SELECT 1 FROM hub.stat_month_state WHERE at = $1', [time.asOf])).length > 0;
    const source = !this.settings.keep ? 'tables' : time.asOf === null ? 'cube' : month ? 'month' : 'tables';
    const query = statisticsQuery(reader, measures, groupBy, filter, { ...time, keyRegions }, source);
    const rows = await this.rows(query, settled);
    // Cells first, then totals, each in key order, so that the same question gets the same answer.
    const entries = rows.map((row) => ({
      key: groupBy.map((_, i) => (Number(row[`g${i}`]) === 1 ? null : String(row[`d${i}`]))),
      counts: measures.map((_, i) => Number(row[`m${i}`])),
      population: Number(row.population),
    })).sort((a, b) => keyOrder(a.key, b.key));
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
      asOf: time.label,
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

/** The last instant of a day (YYYY-MM-DD) in China Standard Time, the time a date as `asOf` stands for. */
function endOfDay(day: string): string {
  return `${day}T23:59:59.999+08:00`;
}

/** Whether an ISO time is the end of a month's last day in China Standard Time (`endOfDay` of it). */
function isMonthEnd(at: string): boolean {
  const local = new Date(Date.parse(at) + 8 * 3_600_000);
  return local.getUTCHours() === 23 && local.getUTCMinutes() === 59 && local.getUTCSeconds() === 59 && local.getUTCMilliseconds() === 999
    && new Date(local.getTime() + 1).getUTCDate() === 1;
}

/**
 * Runs `work` again when PostgreSQL refused it for a concurrent update its snapshot could not see
 * (40001): two questions refreshing the kept statistics (or two schedules keeping one month end) at
 * once; the second then finds them done.
 */
async function retryingSerialization<R>(work: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || code !== '40001') throw error;
    }
  }
}
