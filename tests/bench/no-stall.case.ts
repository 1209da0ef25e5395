import os from 'node:os';
import { Client } from 'pg';
import { regions } from '../../src/regions/region.registry';
import { type BenchCase, type BenchContext, BenchFailure, type CaseResult, type Cell, ratio, round } from './bench';
import { chainHeads, importRows, newChildren, type PsbRow, removeChildren } from './bulk-import.case';
import { BENCH_TODAY } from './database';
import type { Hub } from './federated-page.case';
import { metric, type Round, runLoad } from './load';
import { describeWaits, machineCpuDuring, sampleLockWaits } from './cpu';
import { forkBench } from './processes';
import { bodies, childrenToWrite, UNIQUE } from './writes.case';

/** The import of issue 17's benchmark: this many new police records of one county, through the hub. */
const IMPORT = 200_000;
/** Connections writing in the other county: single writes, one at a time, as a clerk makes them. */
const CONNECTIONS = 1;

type Variant = 'with log' | 'without log';
const APPLICATION: Record<Variant, string> = { 'with log': 'bench-writes-logged', 'without log': 'bench-writes-unlogged' };
const IMPORTER = 'bench-import';
type Phase = 'alone' | 'during the import';

interface Measured extends Round {
  variant: Variant;
  phase: Phase;
}

/** `work`'s result, and how many of the machine's cores were busy meanwhile (every process's; null without /proc/stat). */
async function busyCores<T>(work: () => Promise<T>): Promise<{ result: T; cores: number | null }> {
  const { result, seconds, machineCpuSeconds } = await machineCpuDuring(work);
  return { result, cores: machineCpuSeconds === null || seconds <= 0 ? null : round(machineCpuSeconds / seconds, 2) };
}

/**
 * No stall (issue 17): single logged writes in county B (a one-record `upsertEducationRecords` by
 * an EDU clerk of the page's county), first with nothing else running, then while a police import
 * of 200,000 new records of county A runs through another hub (`upsertPublicSecurityRecords` in
 * batches of 1,000, as the bulk-import case sends them). With one chain per county the import
 * locks only county A's head, so B's writes should not wait for it; what is left is the import's
 * use of the machine's two cores. To tell the two apart, the same writes through a hub without the
 * change log (which takes no chain lock at all) are measured alongside, alone and during the same
 * import: their p99 ratio is what the import's load alone does to a write here, the floor below
 * which the logged writes' ratio cannot go on this machine.
 */
async function measurePhase(context: BenchContext, hubs: Record<Variant, Hub>, own: (hub: Hub) => string[], phase: Phase, seconds: number, warmUp = false): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const variant of ['with log', 'without log'] as const) {
    const hub = hubs[variant];
    const loadAverage = round(os.loadavg()[0], 1);
    const result = await runLoad({
      url: `${hub.ready.url}/graphql`, body: '', bodies: bodies(own(hub)), uniqueToken: UNIQUE, connections: CONNECTIONS, duration: seconds,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` },
    });
    measured.push({ ...result, loadAverage, variant, phase });
    context.log(`  ${warmUp ? 'warm-up' : phase}, ${variant}: ${result.requestsPerSecond.toFixed(1)} req/s, p50 ${result.latencyP50} ms, p99 ${result.latencyP99} ms (load ${loadAverage})`);
  }
  return measured;
}

/** Batches of 1,000 the importer imports before the measured import: the first warms it up, the others time its pace. */
const WARM_BATCHES = 5;
/**
 * The share of the import's expected time that the writes measured during it may take, both
 * variants together: the warm-up's pace is a guess (14,573 rows/s where the import then ran
 * 18,900), and each variant's load takes a moment to start and end.
 */
const DURING_SHARE = 0.45;

/** Rows per second of an import of `rows`, timed from its first batch's end (the first is slower, cold) to its last. */
async function importPace(importer: Hub, rows: readonly PsbRow[]): Promise<number> {
  const first = { at: 0, done: 0 };
  await importRows(importer, rows, (done) => {
    if (first.done === 0) Object.assign(first, { at: performance.now(), done });
  });
  const { at, done } = first;
  if (done === rows.length) throw new BenchFailure(`the importer's warm-up of ${rows.length} rows ended in its first batch`);
  return (rows.length - done) / ((performance.now() - at) / 1000);
}

/**
 * Seconds each variant is measured for in each phase: half the run's `--duration`, unless the import
 * would end before both variants' writes during it were measured (on a machine where it ran 200,000
 * rows in 10.2 s, it did, at the default 10 s): then both together take `DURING_SHARE` of its expected
 * time, which the writes' own load only lengthens. At least one second; the check after the import
 * still refuses a run whose import ended first.
 */
function measuredSeconds(duration: number, expectedImportSeconds: number): number {
  return Math.max(1, Math.min(duration / 2, Math.floor((DURING_SHARE * expectedImportSeconds) / 2 * 10) / 10));
}

export const noStall: BenchCase = {
  name: 'no-stall',
  needsDatabase: true,
  title: `No stall: single writes in one county, alone and during a ${IMPORT.toLocaleString('en')}-record police import into another, with the change log and without it`,
  async run(context): Promise<CaseResult> {
    const { options } = context;
    const database = context.database!;
    const writeCounty = database.county.code;
    // A county the other cases do not import into (they take the first two other than the page's).
    const importCounty = regions.counties().map((r) => r.code).filter((code) => code !== writeCounty)[2];
    const importSize = options.smoke ? 20_000 : IMPORT;
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const hubs = {} as Record<Variant, Hub>;
    let importer: Hub | null = null;
    const created: PsbRow[] = [];
    try {
      // Each hub's connections carry its name (PGAPPNAME), so that the samples of pg_stat_activity tell them apart.
      const write = (withoutChangeLog: boolean) => forkBench<Hub['ready']>('serve-hub.js',
        { databaseUrl: database.url, poolMax: 10, today: BENCH_TODAY, identity: { dept: 'EDU', region: writeCounty }, withoutChangeLog },
        { execArgv: [...options.hubFlags], env: { PGAPPNAME: APPLICATION[withoutChangeLog ? 'without log' : 'with log'] } });
      hubs['with log'] = await write(false);
      hubs['without log'] = await write(true);
      importer = await forkBench<Hub['ready']>('serve-hub.js',
        { databaseUrl: database.url, poolMax: 10, today: BENCH_TODAY, identity: { dept: 'PSB', region: importCounty } }, { execArgv: [...options.hubFlags], env: { PGAPPNAME: IMPORTER } });
      // Children living in the county, so that every write goes to its chain: a child registered there
      // and living in the import's county would be logged in that county's chain, behind the import.
      const childIds = await childrenToWrite(client, writeCounty, options.smoke ? 40 : 1000, true);
      const half = Math.ceil(childIds.length / 2);
      const own = (hub: Hub) => (hub === hubs['with log'] ? childIds.slice(0, half) : childIds.slice(half));

      context.log(`  ${importSize.toLocaleString('en')} new children in ${importCounty} ${regions.get(importCounty)?.name} to import; writes in ${writeCounty} ${database.county.name}`);
      const warm = await newChildren(client, importCounty, WARM_BATCHES * 1000);
      const rows = await newChildren(client, importCounty, importSize);
      // Not push(...rows): 200,000 arguments overflow the stack.
      for (const row of [...warm, ...rows]) created.push(row);
      // Unmeasured: the importer imports a few batches, and the writers write for the warm-up, so that none is measured cold.
      const pace = await importPace(importer, warm);
      const seconds = measuredSeconds(options.duration, importSize / pace);
      context.log(`  the import's pace alone: ${round(pace, 0).toLocaleString('en')} rows/s, so about ${round(importSize / pace, 1)} s for ${importSize.toLocaleString('en')}; the writes measured ${seconds} s per variant and phase`);
      if (options.warmup > 0) await measurePhase(context, hubs, own, 'alone', options.warmup, true);

      const entriesBefore = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log').then((r) => r.rows[0].n);
      const errorsBefore = await metric(hubs['with log'].ready.url, 'baoxue_graphql_errors_total') + await metric(hubs['without log'].ready.url, 'baoxue_graphql_errors_total');
      const alone = await busyCores(() => measurePhase(context, hubs, own, 'alone', seconds));

      const headsBefore = await chainHeads(client);
      let imported = 0;
      let firstBatch: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (firstBatch = resolve));
      const importStarted = performance.now();
      let importEnded: number | null = null;
      const importing = importRows(importer, rows, (done) => {
        imported = done;
        firstBatch();
      }).then(() => {
        importEnded = performance.now();
      });
      importing.catch(() => firstBatch());
      // The writes begin once the import is under way (its first batch done), and end before it does.
      await started;
      const { result: { result: during, waits }, cores: coresDuring } = await busyCores(() => sampleLockWaits(database.url, () => measurePhase(context, hubs, own, 'during the import', seconds)));
      const importedDuring = imported;
      const overlapped = importEnded === null;
      await importing;
      const importSeconds = (importEnded! - importStarted) / 1000;
      if (!overlapped) {
        const problem = `the import of ${importSize.toLocaleString('en')} ended before the writes measured during it (${importSeconds.toFixed(1)} s)`;
        if (!options.smoke) throw new BenchFailure(`${problem}: lower --duration`);
        context.log(`  ${problem}: a smoke run's import is small`);
      }
      const headsAfter = await chainHeads(client);
      const moved = [...headsAfter].filter(([chain, seq]) => seq > (headsBefore.get(chain) ?? 0)).map(([chain]) => chain).sort();
      const errors = await metric(hubs['with log'].ready.url, 'baoxue_graphql_errors_total') + await metric(hubs['without log'].ready.url, 'baoxue_graphql_errors_total') - errorsBefore;
      if (errors > 0) throw new BenchFailure(`${errors} writes answered with GraphQL errors`);
      const importChainEntries = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM hub.change_log WHERE chain = $1 AND seq > $2 AND actor_dept = 'PSB'", [importCounty, headsBefore.get(importCounty) ?? 0])).rows[0].n;
      if (importChainEntries !== rows.length) throw new BenchFailure(`the import logged ${importChainEntries} entries in ${importCounty}'s chain for ${rows.length} records`);
      if (moved.length !== 2 || !moved.includes(writeCounty)) throw new BenchFailure(`the import and the writes appended to the chains ${moved.join(', ')}, not ${importCounty} and ${writeCounty} alone`);
      const appended = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log').then((r) => r.rows[0].n)) - entriesBefore;

      const find = (variant: Variant, phase: Phase) => [...alone.result, ...during].find((m) => m.variant === variant && m.phase === phase)!;
      const p99 = (variant: Variant) => ratio(find(variant, 'during the import').latencyP99, find(variant, 'alone').latencyP99);
      const p50 = (variant: Variant) => ratio(find(variant, 'during the import').latencyP50, find(variant, 'alone').latencyP50);
      const tableRows: Cell[][] = [];
      for (const variant of ['with log', 'without log'] as const) {
        for (const phase of ['alone', 'during the import'] as const) {
          const m = find(variant, phase);
          tableRows.push([variant, phase, round(m.requestsPerSecond, 1), m.latencyP50, m.latencyP99, phase === 'alone' ? null : p50(variant), phase === 'alone' ? null : p99(variant), m.loadAverage]);
        }
      }
      const importRate = rows.length / importSeconds;
      return {
        table: { columns: ['writes', 'when', 'req/s', 'p50 ms', 'p99 ms', 'p50 during/alone', 'p99 during/alone', 'load avg'], rows: tableRows },
        targets: options.smoke ? [] : [
          { what: `no stall: p99 of single logged writes during a ${IMPORT.toLocaleString('en')}-record import into another county / alone (without the log: ${p99('without log')})`, value: p99('with log'), target: '≤ 2', met: p99('with log') <= 2 },
        ],
        data: {
          writeCounty, importCounty, importSize, seconds, connections: CONNECTIONS, importSeconds, importRowsPerSecond: importRate, importedDuring, overlapped,
          runs: [...alone.result, ...during], busyCores: { alone: alone.cores, during: coresDuring }, p99Ratio: { withLog: p99('with log'), withoutLog: p99('without log') }, p50Ratio: { withLog: p50('with log'), withoutLog: p50('without log') },
          appended, chains: moved, lockWaits: waits,
        },
        notes: [
          `The import: ${rows.length.toLocaleString('en')} records of ${importCounty} in batches of 1,000 through its own hub, ${round(importSeconds, 1)} s (${round(importRate, 0).toLocaleString('en')} rows/s), all its entries in ${importCounty}'s chain; the writes measured during it ran while ${importedDuring.toLocaleString('en')} of them were done and ${overlapped ? 'ended before it did' : 'outlasted it (smoke)'}.`,
          `Lock waits during those writes (pg_stat_activity sampled every 10 ms): a connection waited for a lock in ${waits.waiting} of ${waits.samples} samples.`,
          ...(alone.cores === null || coresDuring === null ? [] : [`The machine's ${os.availableParallelism()} cores, every process's busy time over the phase (/proc/stat): ${alone.cores} busy while the writes ran alone, ${coresDuring} while they ran during the import.`]),
          ...(['with log', 'without log'] as const).map((v) => `What the database did for the writes ${v} during the import (its connections in those samples): ${describeWaits(waits.byApplication[APPLICATION[v]])}.`),
          `And for the import: ${describeWaits(waits.byApplication[IMPORTER])}.`,
          `Writes: c=${CONNECTIONS}, ${seconds} s per variant and phase, the logged hub first; the hub without the change log takes no chain lock, so its ratio is what the import's use of the ${os.availableParallelism()} cores alone costs a write.`,
        ],
      };
    } finally {
      await Promise.all([...Object.values(hubs), ...(importer ? [importer] : [])].map((hub) => hub.stop()));
      await removeChildren(client, created.map((r) => r.childId)).catch(async (error: Error) => {
        await client.query('ROLLBACK').catch(() => undefined);
        context.log(`  could not remove the imported children (${error.message}): the database now holds ${created.length} more`);
      });
      await client.end();
    }
  },
};
