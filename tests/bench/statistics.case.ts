import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { registerModules } from '../../src/app/modules';
import type { Role } from '../../src/auth/identity';
import { ChildService } from '../../src/children/child.service';
import { loadConfig } from '../../src/config';
import { Clock } from '../../src/core/clock';
import { openDatabase } from '../../src/db/database';
import { StatisticsService } from '../../src/stats/stats.service';
import { readerFor } from '../../src/core/context';
import { statisticsQuery } from '../../src/stats/stats.query';
import { type BenchCase, type BenchContext, BenchFailure, type CaseResult, type Cell, round, type TargetCheck } from './bench';
import { BENCH_TODAY, createBenchDatabase, openBenchDatabase, withClient } from './database';
import type { Hub } from './federated-page.case';
import { forkBench } from './processes';

/**
 * Issue 15's benchmarks: `statistics` of open dropout cases by county × stage over the whole
 * province, and its 12-month `statisticsSeries`, through the real hub over HTTP, for a supervisor
 * (exact figures) and an analyst (disclosure control), each on hubs side by side:
 * - the hub as configured by default: it answers from the counts it keeps by the change log
 *   (stats.cube.ts; the first question builds them) and keeps answers (stats.cache.ts);
 * - the same, each question after a logged write (a child's township changed through the service
 *   in this process), so that no answer is kept and the counts are brought up to the log first;
 * - a hub counting the tables every time (`STATS_KEEP=false`, `STATS_CACHE_ENTRIES=0`), what a
 *   question cost before, for the ratio;
 * - a new hub process once the month ends are kept, for the series as a user's first series.
 * The supervisor's table is checked against a direct count of the database, once after the build
 * and again after the writes. Requests are sequential (c=1); the hub's query timeout is raised so
 * that a slow answer is measured rather than refused.
 */
const TARGET_WARM_MS = 200;
const TARGET_SERIES_MS = 2000;
const MEASURE = 'OPEN_DROPOUT_CASES';
const TABLE = 'disclosure cells { key values { value suppressed } } totals { key values { value suppressed } }';
const STATISTICS = `{ statistics(measures: [${MEASURE}], groupBy: [COUNTY, STAGE]) { ${TABLE} } }`;
/** The twelve months ending with the hub's today (2026-10-15): eleven month ends as of then, and today. */
const FROM = '2025-11';
const TO = BENCH_TODAY.slice(0, 7);
const SERIES = `{ statisticsSeries(measure: ${MEASURE}, from: "${FROM}", to: "${TO}", groupBy: [COUNTY, STAGE]) { asOf cells { key values { value suppressed } } totals { key values { value suppressed } } } }`;
const AS_OF_DAY = '2026-09-30';
const AS_OF = `{ statistics(measures: [${MEASURE}], groupBy: [COUNTY, STAGE], asOf: "${AS_OF_DAY}") { ${TABLE} } }`;

interface TableCell { key: Array<string | null>; values: Array<{ value: number | null; suppressed: boolean }> }
interface Answer { statistics?: { cells: TableCell[]; totals: TableCell[] }; statisticsSeries?: { asOf: string[]; cells: TableCell[] } }

async function ask(hub: Hub, query: string): Promise<{ ms: number; data: Answer }> {
  const started = performance.now();
  const response = await fetch(`${hub.ready.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Answer; errors?: unknown[] };
  const ms = performance.now() - started;
  if (response.status !== 200 || body.errors) throw new BenchFailure(`hub answered ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  return { ms, data: body.data! };
}

interface Timing { n: number; p50: number; p99: number; max: number; load: number }
async function timed(hub: Hub, query: string, n: number): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await ask(hub, query)).ms);
  ms.sort((a, b) => a - b);
  const at = (q: number) => round(ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)], 1);
  return { n, p50: at(0.5), p99: at(0.99), max: round(ms[ms.length - 1], 1), load: round(os.loadavg()[0], 2) };
}

/** The supervisor's table must be the database's own count, cell by cell and total by total. */
async function checkExact(url: string, answer: Answer): Promise<number> {
  const rows = await withClient(url, async (c) => (await c.query<{ county: string | null; stage: string | null; open: number }>(`
    SELECT c.residence_region AS county, COALESCE(e.stage, 'UNKNOWN') AS stage,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM edu.dropout_case d WHERE d.child_id = c.id AND d.status IN ('OPEN', 'PERSUADING')))::int AS open
    FROM hub.child c LEFT JOIN edu.education_record e ON e.child_id = c.id GROUP BY 1, 2`)).rows);
  const expected = new Map<string, number>();
  for (const r of rows) {
    for (const key of [[r.county, r.stage], [r.county, null], [null, r.stage], [null, null]]) expected.set(JSON.stringify(key), (expected.get(JSON.stringify(key)) ?? 0) + r.open);
  }
  const cells = [...answer.statistics!.cells, ...answer.statistics!.totals];
  if (cells.length !== expected.size) throw new BenchFailure(`the supervisor's table has ${cells.length} cells and totals, the direct count ${expected.size}`);
  for (const cell of cells) {
    const want = expected.get(JSON.stringify(cell.key));
    if (cell.values[0].value !== want) throw new BenchFailure(`cell ${JSON.stringify(cell.key)}: the hub says ${cell.values[0].value}, the direct count ${want}`);
  }
  return cells.length;
}

/** EXPLAIN ANALYZE of the hub's own statement (as a province-wide supervisor builds it), in the hub's statement settings. */
async function explain(url: string, asOf: string | null): Promise<{ executionMs: number; plan: string[] }> {
  const reader = readerFor({ sub: 'bench-statistics', dept: 'EDU', region: '350000', roles: ['supervisor'] });
  const query = statisticsQuery(reader, [MEASURE], ['COUNTY', 'STAGE'], null, { today: BENCH_TODAY, asOf, keyRegions: [] });
  return withClient(url, async (client) => {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'");
    try {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.values);
      const plan = rows.map((r) => r['QUERY PLAN']);
      return { executionMs: Number(/([\d.]+) ms/.exec(plan.find((l) => l.startsWith('Execution Time')) ?? '')?.[1] ?? NaN), plan };
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

function fork(context: BenchContext, url: string, role: Role, keep: boolean): Promise<Hub> {
  return forkBench<Hub['ready']>('serve-hub.js', {
    databaseUrl: url, poolMax: 4, today: BENCH_TODAY, identity: { dept: 'EDU', region: '350000', roles: [role] },
    env: { QUERY_TIMEOUT_MS: '600000', ...(keep ? {} : { STATS_KEEP: 'false', STATS_CACHE_ENTRIES: '0' }) },
  }, { execArgv: [...context.options.hubFlags] });
}

/**
 * Logged writes from this process (one child's township, back and forth between two of its
 * county's), and the schedule's work (`keepAhead`: month ends kept, newest first).
 */
async function writer(url: string): Promise<{ write(): Promise<void>; keepMonths(n: number): Promise<number[]>; close(): Promise<void> }> {
  registerModules();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, DATABASE_POOL_MAX: '2', LOG_LEVEL: 'silent', BAOXUE_TODAY: BENCH_TODAY });
  const db = await openDatabase(config, () => undefined);
  const service = new ChildService(db.orm, db.sql, new Clock(BENCH_TODAY));
  const statistics = new StatisticsService(db.sql, new Clock(BENCH_TODAY), config.statistics);
  const [{ id, townships }] = await db.sql.query<{ id: string; townships: string[] }>(`
    SELECT (SELECT c.id FROM hub.child c WHERE c.township = t.townships[1] LIMIT 1) AS id, t.townships
    FROM (SELECT array_agg(DISTINCT township ORDER BY township) AS townships FROM hub.child WHERE residence_region = '350102' AND township IS NOT NULL) t`);
  let turn = 0;
  const actor = { identity: { sub: 'bench-statistics-writer', dept: 'EDU' as const, region: '350000', roles: ['clerk' as const] }, requestId: 'bench-statistics' };
  return {
    async write() {
      await service.assignTownships({ ...actor, requestId: randomUUID() }, [{ childId: id, township: townships[++turn % 2] }]);
    },
    async keepMonths(n: number) {
      const seconds: number[] = [];
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const done = await statistics.keepAhead(24, 1);
        if (done.months.length === 0) break;
        seconds.push(round((performance.now() - started) / 1000, 1));
      }
      return seconds;
    },
    close: () => db.close(),
  };
}

/** `n` questions, each after a logged write: what a question costs when the log has moved since the last. */
async function afterWrites(hub: Hub, query: string, n: number, write: () => Promise<void>): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    await write();
    ms.push((await ask(hub, query)).ms);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => round(ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)], 1);
  return { n, p50: at(0.5), p99: at(0.99), max: round(ms[ms.length - 1], 1), load: round(os.loadavg()[0], 2) };
}

const suppressedOf = (answer: Answer) => [...answer.statistics!.cells, ...answer.statistics!.totals].filter((c) => c.values[0].suppressed).length;

export const statistics: BenchCase = {
  name: 'statistics',
  needsDatabase: false,
  title: `Statistics: ${MEASURE} by county × stage over the province, and its 12-month series, for a supervisor and an analyst, kept and counted`,
  async run(context): Promise<CaseResult> {
    const { options } = context;
    const large = options.reuseLarge
      ? await openBenchDatabase(options, options.reuseLarge)
      : await createBenchDatabase({ ...options, children: options.largeChildren }, (line) => context.log(`  ${line}`));
    const n = options.smoke ? { warm: 3, counted: 2, series: 1 } : { warm: 30, counted: 20, series: 5 };
    const log = await withClient(large.url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log')).rows[0].n);
    const rows: Cell[][] = [];
    const targets: TargetCheck[] = [];
    const data: Record<string, unknown> = { database: { name: large.name, children: large.children, dropoutCases: large.dropoutCases, changeLogEntries: log } };
    const changes = await writer(large.url);
    try {
      for (const role of ['supervisor', 'analyst'] as const) {
        const who = role === 'supervisor' ? 'supervisor (exact)' : 'analyst (suppressed, rounded)';
        const kept = await fork(context, large.url, role, true);
        const counted = await fork(context, large.url, role, false);
        try {
          // The first question on the kept hub (for the supervisor: building the kept counts of
          // every child); then the schedule's work, once: the eleven past month ends of the series
          // kept (timed each); then the series, its months kept, today's table from the kept counts.
          const first = await ask(kept, STATISTICS);
          if (role === 'supervisor') data.cellsChecked = await checkExact(large.url, first.data);
          else data.suppressedCells = suppressedOf(first.data);
          if (role === 'supervisor') data.monthKeptSeconds = await changes.keepMonths(11);
          const seriesFirst = await ask(kept, SERIES);
          const warm = await timed(kept, STATISTICS, n.warm);
          const seriesWarm = await timed(kept, SERIES, n.series);
          // Each question after a logged write: the kept counts brought up to the log, then read.
          const written = await afterWrites(kept, STATISTICS, n.counted, changes.write);
          if (role === 'supervisor') data.cellsCheckedAfterWrites = await checkExact(large.url, await ask(kept, STATISTICS).then((a) => a.data));
          const seriesWritten = await afterWrites(kept, SERIES, n.series, changes.write);
          // A new hub process: nothing kept in its memory; the month ends kept in the database.
          const fresh = await fork(context, large.url, role, true);
          let seriesNewHub: number;
          try {
            seriesNewHub = (await ask(fresh, SERIES)).ms;
          } finally {
            await fresh.stop();
          }
          // The tables counted for every question (as before the kept counts).
          const everyTime = await timed(counted, STATISTICS, Math.min(n.counted, 5));
          const seriesCounted = await timed(counted, SERIES, 1);
          const asOf = await timed(counted, AS_OF, Math.min(n.counted, 5));
          const load = round(os.loadavg()[0], 2);
          rows.push([who, 'statistics, first in the hub (for the first: builds the kept counts)', round(first.ms, 1), null, null, load]);
          rows.push([who, `statistics, asked again (answer kept), ${warm.n}×`, warm.p50, warm.p99, null, warm.load]);
          rows.push([who, `statistics after a logged write (kept counts brought up to the log), ${written.n}×`, written.p50, written.p99, null, written.load]);
          rows.push([who, `statistics, the tables counted every time, ${everyTime.n}×`, everyTime.p50, everyTime.p99, null, everyTime.load]);
          rows.push([who, `statistics asOf ${AS_OF_DAY}, the tables counted, ${asOf.n}×`, asOf.p50, asOf.p99, null, asOf.load]);
          rows.push([who, '12-month series, first in the hub (month ends kept by the schedule)', round(seriesFirst.ms, 1), null, null, load]);
          rows.push([who, `12-month series, again (answers kept), ${seriesWarm.n}×`, seriesWarm.p50, seriesWarm.p99, null, seriesWarm.load]);
          rows.push([who, `12-month series after a logged write, ${seriesWritten.n}×`, seriesWritten.p50, seriesWritten.p99, null, seriesWritten.load]);
          rows.push([who, '12-month series, first in a new hub process (month ends kept)', round(seriesNewHub, 1), null, null, load]);
          rows.push([who, '12-month series, the tables counted every time', seriesCounted.p50, null, null, seriesCounted.load]);
          targets.push(
            { what: `statistics p50, ${who}, asked again`, value: warm.p50, target: `≤ ${TARGET_WARM_MS} ms`, met: warm.p50 <= TARGET_WARM_MS },
            { what: `statistics p50, ${who}, after a logged write`, value: written.p50, target: `≤ ${TARGET_WARM_MS} ms`, met: written.p50 <= TARGET_WARM_MS },
            { what: `12-month series, ${who}, first in the hub (month ends kept)`, value: round(seriesFirst.ms, 0), target: `≤ ${TARGET_SERIES_MS} ms`, met: seriesFirst.ms <= TARGET_SERIES_MS },
            { what: `12-month series, ${who}, first in a new hub (month ends kept)`, value: round(seriesNewHub, 0), target: `≤ ${TARGET_SERIES_MS} ms`, met: seriesNewHub <= TARGET_SERIES_MS },
            { what: `12-month series p50, ${who}, after a logged write`, value: seriesWritten.p50, target: `≤ ${TARGET_SERIES_MS} ms`, met: seriesWritten.p50 <= TARGET_SERIES_MS },
          );
          data[role] = { first: round(first.ms, 1), warm, written, everyTime, asOf, seriesFirst: round(seriesFirst.ms, 1), seriesWarm, seriesWritten, seriesNewHub: round(seriesNewHub, 1), seriesCounted };
        } finally {
          await Promise.all([kept.stop(), counted.stop()]);
        }
      }
      const today = await explain(large.url, null);
      const asOf = await explain(large.url, new Date(`${AS_OF_DAY}T23:59:59.999+08:00`).toISOString());
      data.statement = { today: today.executionMs, asOf: asOf.executionMs };
      return {
        table: { columns: ['reader', 'question', 'ms (p50)', 'p99 ms', '', 'load avg'], rows },
        targets,
        data: { ...data, plans: { today: today.plan, asOf: asOf.plan } },
        notes: [
          `${large.children.toLocaleString('en')} children, ${large.dropoutCases.toLocaleString('en')} dropout cases, ${log.toLocaleString('en')} change-log entries (with none, a past month end is today's tables less nothing: the as-of rebuild still joins every table to its entity's entries).`,
          `Keeping a month end (the schedule's work, once a month, newest first; the eleven of the series): ${JSON.stringify(data.monthKeptSeconds)} s.`,
          `The supervisor's table equals a direct count of the database (${String(data.cellsChecked)} cells and totals after the build, ${String(data.cellsCheckedAfterWrites)} after the writes); the analyst's had ${String(data.suppressedCells)} suppressed.`,
          `The hub's statement (EXPLAIN ANALYZE, supervisor): ${today.executionMs} ms today, ${asOf.executionMs} ms as of ${AS_OF_DAY}. Plan as of ${AS_OF_DAY}:`,
          ...asOf.plan.filter((line) => !/^\s*(Planning|Execution|Buffers)/.test(line)).map((line) => `    ${line}`),
        ],
      };
    } finally {
      await changes.close();
      if (options.keep || options.reuseLarge) context.log(`  kept database ${large.name}`);
      else await large.drop();
    }
  },
};
