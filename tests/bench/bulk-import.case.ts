import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Clock } from '../../src/core/clock';
import { regions } from '../../src/regions/region.registry';
import { generateChildren, type SeedChild } from '../../seeds/generator';
import { type BenchCase, BenchFailure, type CaseResult, ratio, round } from './bench';
import { BENCH_TODAY } from './database';
import { describeWaits, type LockWaits, measureCpu, processCpuSeconds, sampleLockWaits } from './cpu';
import { type Forked, forkBench } from './processes';
import { profileLines, summariseProfile } from './profile-summary';

const BATCH = 1000;
/** Batches a client keeps in flight in the overlapped import: the hub checks one while the database writes the other. */
const IN_FLIGHT = 2;
const PROFILED_BATCHES = 5;
/** Batches each hub imports, unmeasured, before the measured imports. */
const WARMUP_BATCHES = 1;
/** Runs of COPY and of the floor, alternately; the median of each is reported. */
const COPY_RUNS = 5;
/**
 * Rounds of the overlapped import, each right after a run of the floor, for the target's ratio:
 * on this shared machine the same import of the same rows ran at 12,600 to 19,500 rows/s within
 * minutes, so one import against the floor's median says more about the moment than the code.
 */
const PAIRED_ROUNDS = 5;
/** Rounds of one import and then two at once (one per county), for the target's ratio, as above. */
const PAIR_ROUNDS = 3;
const MUTATION = `mutation Import($records: [PublicSecurityRecordInput!]!) {
  upsertPublicSecurityRecords(records: $records) { replayed }
}`;

export interface PsbRow {
  childId: string;
  hukouStatus: string;
  whereabouts: string;
  verifiedOn: string | null;
}

/**
 * The block of ID sequence numbers the next call of `newChildren` takes. The generator gives each
 * run's children the numbers of one of 24 blocks, chosen by its seed, and two runs of one block in
 * one county give the same numbers: chosen at random, the calls of one bench run met an earlier
 * call's block often enough that an import found too few new children (17,387 of 20,000 after four
 * tries). In turn, no two calls of a run take the same block until all 24 are taken.
 */
let nextBlock = Math.floor(Math.random() * 24);

/**
 * New children for the import, inserted directly (setup, not measured) in a county other than
 * the page's, and removed again at the end (`removeChildren`), so that the database stays as
 * seeded for later cases and `--reuse`. A fresh seed each run gives fresh ids; the rare ID
 * number already taken is skipped.
 */
export async function newChildren(client: Client, county: string, count: number): Promise<PsbRow[]> {
  const seed = 1_000_000 + 24 * Math.floor(Math.random() * 40_000) + (nextBlock++ % 24);
  const children = generateChildren(new Clock(BENCH_TODAY), { seed, counties: [county] }, count);
  const column = <T>(pick: (c: SeedChild) => T) => children.map(pick);
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO hub.child (id, id_number, name, gender, birth_date, hukou_region, residence_region, created_by, updated_by)
     SELECT u.*, 'bench', 'bench' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[]) AS u
     ON CONFLICT DO NOTHING RETURNING id`,
    [column((c) => c.id), column((c) => c.idNumber), column((c) => c.name), column((c) => c.gender), column((c) => c.birthDate), column((c) => c.hukouRegion), column((c) => c.residenceRegion)],
  );
  const inserted = new Set(rows.map((r) => r.id));
  return children
    .filter((c) => inserted.has(c.id))
    .map((c) => ({ childId: c.id, ...(c.publicSecurity ?? { hukouStatus: 'REGISTERED', whereabouts: 'PRESENT', verifiedOn: null }) }));
}

export async function removeChildren(client: Client, ids: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  await client.query('DELETE FROM psb.public_security_record WHERE child_id = ANY($1::uuid[])', [ids]);
  await client.query('DELETE FROM hub.child WHERE id = ANY($1::uuid[])', [ids]);
  await client.query('COMMIT');
}

/** The rows in COPY's text format, as the baseline and the floor send them. */
function copyText(rows: readonly PsbRow[]): string {
  return rows.map((r) => `${r.childId}\t${r.hukouStatus}\t${r.whereabouts}\t${r.verifiedOn ?? '\\N'}\tbench-copy\n`).join('');
}

const PSB_COLUMNS = 'child_id, hukou_status, whereabouts, verified_on, updated_by';

async function copyIn(client: Client, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function rowCount(client: Client, table: string): Promise<number> {
  const { rows: [{ n }] } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}

/** Every county chain's head now (seq), by chain. */
export async function chainHeads(client: Client): Promise<Map<string, number>> {
  const { rows } = await client.query<{ chain: string; seq: string }>("SELECT chain, seq::text AS seq FROM hub.chain_head WHERE chain <> 'global'");
  return new Map(rows.map((r) => [r.chain, Number(r.seq)]));
}

/**
 * The change log's entries appended since the heads `before` (each chain's entries after its head
 * then, up to its head now), in COPY's text format, as stored: nothing else writes while the case
 * runs, so they are the import's.
 */
export async function logEntriesSince(client: Client, before: ReadonlyMap<string, number>, chainAs: string | null = null): Promise<{ text: string; entries: number; chains: string[] }> {
  const after = await chainHeads(client);
  const moved = [...after].filter(([chain, seq]) => /^[0-9]{6}$/.test(chain) && seq > (before.get(chain) ?? 0)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (moved.length === 0) return { text: '', entries: 0, chains: [] };
  const ranges = moved.map(([chain, seq]) => `(l.chain = '${chain}' AND l.seq > ${before.get(chain) ?? 0} AND l.seq <= ${seq})`).join(' OR ');
  // Every column in the table's order, the chain's code given as `chainAs` when asked (entries to copy into the log itself).
  const { rows: [{ columns }] } = await client.query<{ columns: string[] }>(
    "SELECT array_agg(column_name::text ORDER BY ordinal_position) AS columns FROM information_schema.columns WHERE table_schema = 'hub' AND table_name = 'change_log'");
  if (chainAs !== null && !/^[0-9]{6}$/.test(chainAs)) throw new BenchFailure(`not a chain code: ${chainAs}`);
  const select = columns.map((c) => (c === 'chain' && chainAs !== null ? `'${chainAs}'::text AS chain` : `l.${c}`)).join(', ');
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(`COPY (SELECT ${select} FROM hub.change_log l WHERE ${ranges} ORDER BY l.chain, l.seq) TO STDOUT`));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return { text, entries: text.length === 0 ? 0 : text.split('\n').length - 1, chains: moved.map(([chain]) => chain) };
}

/**
 * The entries appended since `before` (`logEntriesSince`), checked to be one per record of
 * `records` imported, in exactly the chains of `chains`: nothing else writes while the case runs.
 */
async function loggedImport(client: Client, before: ReadonlyMap<string, number>, records: number, chains: readonly string[], what: string) {
  const log = await logEntriesSince(client, before);
  const expected = [...new Set(chains)].sort();
  if (log.entries !== records || log.chains.join() !== expected.join()) {
    throw new BenchFailure(`${what} logged ${log.entries} entries in chains ${log.chains.join(', ')} for ${records} new records of ${expected.join(', ')}`);
  }
  return log;
}

/**
 * How busy the machine's cores were while an import ran, and with what: the import's hub and its
 * connections, the benchmark's own process, and the rest (PostgreSQL's background work, anything
 * else on the machine), so that an import held back by the cores shows apart from one that waits.
 */
function machineShare(cpu: { busyCores: number; benchBusyCores: number; machineBusyCores: number | null }, cores: number): string {
  if (cpu.machineBusyCores === null) return '';
  const rest = Math.max(0, round(cpu.machineBusyCores - cpu.busyCores - cpu.benchBusyCores, 2));
  return `The machine's ${cores} cores were ${cpu.machineBusyCores} busy in all meanwhile: the import's hub and connections ${cpu.busyCores}, the benchmark's own process (the client, the sampler) ${cpu.benchBusyCores}, everything else ${rest}.`;
}

/** Seconds that `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** What a COPY measurement writes besides the rows. */
interface CopyShape {
  /** The section table's foreign key to hub.child, which the real table has and the baseline's copy does not. */
  readonly foreignKey: boolean;
  /** Log entries in COPY's text format, written in the same transaction into a copy of the change log; null for none. */
  readonly log: string | null;
  /**
   * The entries go into `hub.change_log` itself (under a chain code no county has, `SCRATCH_CHAIN`),
   * and the transaction is rolled back, not committed: the log at its real size, with its indexes as
   * large as they are, where an empty copy's fit in memory. Without the commit's flush, so a floor
   * a little lower than it would be.
   */
  readonly intoRealLog?: boolean;
  /**
   * The rows go into the section's table itself (its key, its indexes and its 200,000-odd rows),
   * rolled back with the entries: the floor at the tables' real size, which is what an import into
   * a province's populated tables writes into. `rows` must then be children without a record yet.
   */
  readonly intoRealTable?: boolean;
}

/** The chain code of the entries a real-size floor copies into the log and rolls back: no county's (GB/T 2260 has no 99). */
const SCRATCH_CHAIN = '999999';

/**
 * The rows by COPY, in one transaction, into an empty copy of the real table (same columns,
 * checks, keys and indexes; no trigger), with its foreign key when asked, and `log`'s entries into
 * an empty copy of the change log. The copies live in a scratch schema, dropped afterwards.
 */
async function copyInto(client: Client, rows: readonly PsbRow[], shape: CopyShape): Promise<{ seconds: number; cpuSeconds: number }> {
  const text = copyText(rows);
  const { rows: [{ pid }] } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  if (shape.intoRealTable && !shape.intoRealLog) throw new BenchFailure('rows into the real table are rolled back, so their entries must go into the real log too');
  const rolledBack = shape.intoRealLog === true;
  await client.query('DROP SCHEMA IF EXISTS bench_scratch CASCADE');
  await client.query('CREATE SCHEMA bench_scratch');
  try {
    await client.query('CREATE TABLE bench_scratch.public_security_record (LIKE psb.public_security_record INCLUDING ALL)');
    if (shape.foreignKey) await client.query('ALTER TABLE bench_scratch.public_security_record ADD FOREIGN KEY (child_id) REFERENCES hub.child (id)');
    if (shape.log !== null) await client.query('CREATE TABLE bench_scratch.change_log (LIKE hub.change_log INCLUDING ALL)');
    const rowTable = shape.intoRealTable ? 'psb.public_security_record' : 'bench_scratch.public_security_record';
    const started = performance.now();
    const cpuBefore = processCpuSeconds(pid);
    await client.query('BEGIN');
    await copyIn(client, `COPY ${rowTable} (${PSB_COLUMNS}) FROM STDIN`, text);
    if (shape.log !== null) await copyIn(client, `COPY ${shape.intoRealLog ? 'hub' : 'bench_scratch'}.change_log FROM STDIN`, shape.log);
    if (!rolledBack) await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = processCpuSeconds(pid) - cpuBefore;
    const records = shape.intoRealTable
      ? (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${rowTable} WHERE child_id = ANY($1::uuid[]) AND updated_by = 'bench-copy'`, [rows.map((r) => r.childId)])).rows[0].n
      : await rowCount(client, 'bench_scratch.public_security_record');
    const entries = shape.log === null ? rows.length
      : shape.intoRealLog ? (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.change_log WHERE chain = $1', [SCRATCH_CHAIN])).rows[0].n
      : await rowCount(client, 'bench_scratch.change_log');
    if (rolledBack) await client.query('ROLLBACK');
    if (records !== rows.length || entries !== rows.length) throw new BenchFailure(`COPY wrote ${records} rows and ${entries} entries for ${rows.length}`);
    return { seconds, cpuSeconds };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query('DROP SCHEMA bench_scratch CASCADE');
  }
}

/** A process's peak resident set in MB (VmHWM), read from /proc while it runs. */
function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new BenchFailure(`no VmHWM for process ${pid}`);
  return Math.round(Number(match[1]) / 1024);
}

export type ImportHub = Forked<{ url: string; token: string; pid: number }>;

/**
 * Sends `rows` to a hub's `upsertPublicSecurityRecords` in batches of `BATCH`: one after another,
 * or with `inFlight` batches sent at once (each next batch sent as soon as one is answered, as a
 * department's import client that overlaps its requests would); `onBatch` hears of each done.
 */
export async function importRows(hub: ImportHub, rows: readonly PsbRow[], onBatch?: (done: number) => void, inFlight = 1): Promise<void> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` };
  let next = 0;
  let done = 0;
  const send = async (): Promise<void> => {
    for (let i = next; i < rows.length; i = next) {
      next = i + BATCH;
      const response = await fetch(`${hub.ready.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: MUTATION, variables: { records: rows.slice(i, i + BATCH) } }) });
      const body = (await response.json()) as { errors?: unknown };
      if (response.status !== 200 || body.errors) throw new BenchFailure(`import batch ${i / BATCH} answered ${response.status}: ${JSON.stringify(body.errors).slice(0, 500)}`);
      done += Math.min(BATCH, rows.length - i);
      onBatch?.(done);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, send));
}

export const bulkImport: BenchCase = {
  name: 'bulk-import',
  needsDatabase: true,
  title: `Bulk import: upsertPublicSecurityRecords in batches of ${BATCH.toLocaleString('en')} through the hub against COPY of the same rows, and two counties' imports at once`,
  async run(context): Promise<CaseResult> {
    const database = context.database!;
    // Two counties other than the page's: one import goes to the first; two at once, one to each.
    const [county, other] = regions.counties().map((r) => r.code).filter((code) => code !== database.county.code);
    const wanted = context.options.smoke ? 2_000 : 20_000;
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const fork = (region: string) => forkBench<ImportHub['ready']>('serve-hub.js', { databaseUrl: database.url, poolMax: 10, today: BENCH_TODAY, identity: { dept: 'PSB', region } },
      { execArgv: [...context.options.hubFlags], env: { PGAPPNAME: `bench-import-${region}` } });
    const hubs: ImportHub[] = [];
    // With --profile, a few more batches of other new children are imported under the profiler,
    // after the measured import, so that the profiler does not slow the measurement.
    const profileFile = context.options.profileSeconds > 0 ? path.join(context.artefactDir, 'hub-import.cpuprofile') : null;
    const created: PsbRow[] = [];
    try {
      hubs.push(await fork(county), await fork(other));
      const [hub, otherHub] = hubs;
      // New children until there are `count` (an ID number already taken is skipped, which happens
      // more often with each import into the same county), at most a few rounds.
      const fresh = async (code: string, count: number) => {
        const rows: PsbRow[] = [];
        for (let round = 0; round < 4 && rows.length < count; round++) {
          for (const row of await newChildren(client, code, count - rows.length)) {
            created.push(row);
            rows.push(row);
          }
        }
        return rows;
      };
      // Each hub imports a batch first, unmeasured, so that neither is measured cold.
      for (const [h, code] of [[hub, county], [otherHub, other]] as const) await importRows(h, await fresh(code, WARMUP_BATCHES * BATCH));
      const rows = (await fresh(county, wanted)).slice(0, wanted);
      const extra = profileFile ? await fresh(county, PROFILED_BATCHES * BATCH) : [];
      context.log(`  ${rows.length.toLocaleString('en')} new children in ${county} ${regions.get(county)?.name}`);

      const headsBefore = await chainHeads(client);
      const single = await measureCpu(client, [hub.ready.pid], () => sampleLockWaits(database.url, () => importRows(hub, rows)));
      const hubSeconds = single.seconds;
      const log = await loggedImport(client, headsBefore, rows.length, [county], 'the hub');
      // The same entries under a chain code of no county, for the floor into the log itself (below).
      const realLog = await logEntriesSince(client, headsBefore, SCRATCH_CHAIN);

      // The same import with two batches in flight, of as many other new children: the hub checks
      // and hashes one batch while the database writes the other; their appends take the county's
      // chain head in turn.
      const overlappedRows = await fresh(county, wanted);
      const overlappedBefore = await chainHeads(client);
      const overlapped = await measureCpu(client, [hub.ready.pid], () => sampleLockWaits(database.url, () => importRows(hub, overlappedRows, undefined, IN_FLIGHT)));
      await loggedImport(client, overlappedBefore, overlappedRows.length, [county], 'the overlapped import');

      // Two imports at once, of as many new children each, one per county, through a hub each (two
      // instances of the hub, as a province would run them): each locks only its county's chain.
      const pair = [await fresh(county, wanted), await fresh(other, wanted)];
      context.log(`  and at once: ${pair[0].length.toLocaleString('en')} more in ${county}, ${pair[1].length.toLocaleString('en')} in ${other} ${regions.get(other)?.name}`);
      const pairBefore = await chainHeads(client);
      const both = await measureCpu(client, [hub.ready.pid, otherHub.ready.pid], () => sampleLockWaits(database.url, () => Promise.all([importRows(hub, pair[0]), importRows(otherHub, pair[1])])));
      const pairRows = pair[0].length + pair[1].length;
      await loggedImport(client, pairBefore, pairRows, [county, other], 'the two imports');

      // COPY of 20,000 rows takes a tenth of a second, so one run of it is at the mercy of the
      // machine's other load: each shape is run a few times, in turn, and the median taken.
      // PostgreSQL's own bulk path, the baseline: the rows into a copy of the table without its
      // foreign key. The same with the key, as the real table has it. And the floor of a logged
      // import (DESIGN.md: an entry per change, in the writer's transaction): the rows with the key
      // and the entries the hub wrote for them (read back byte for byte), with nothing validated,
      // read or hashed, into empty tables: no import that logs each change in its own transaction
      // writes less.
      // And the same floor with the entries copied into the log itself, at its real size (rolled back).
      // And at the tables' real size: the rows of as many children without a record into the section's
      // table itself, and the entries into the log itself, rolled back.
      const shapes: Record<'copy' | 'keyed' | 'floor' | 'realFloor' | 'realTables', CopyShape> = {
        copy: { foreignKey: false, log: null }, keyed: { foreignKey: true, log: null }, floor: { foreignKey: true, log: log.text }, realFloor: { foreignKey: true, log: realLog.text, intoRealLog: true },
        realTables: { foreignKey: true, log: realLog.text, intoRealLog: true, intoRealTable: true },
      };
      const unrecorded = await fresh(county, rows.length);
      if (unrecorded.length !== rows.length) throw new BenchFailure(`${unrecorded.length} children without a record for the floor at the tables' size, not ${rows.length}`);
      const runs: Record<keyof typeof shapes, number[]> = { copy: [], keyed: [], floor: [], realFloor: [], realTables: [] };
      const floorCpu: number[] = [];
      for (let i = 0; i < (context.options.smoke ? 1 : COPY_RUNS); i++) {
        for (const name of Object.keys(shapes) as Array<keyof typeof shapes>) {
          const run = await copyInto(client, name === 'realTables' ? unrecorded : rows, shapes[name]);
          runs[name].push(run.seconds);
          if (name === 'floor') floorCpu.push(run.cpuSeconds);
        }
      }
      const [copySeconds, keyedSeconds, floorSeconds, realFloorSeconds, realTablesSeconds] = [median(runs.copy), median(runs.keyed), median(runs.floor), median(runs.realFloor), median(runs.realTables)];
      const rate = (seconds: number) => rows.length / seconds;
      context.log(`  COPY: ${rate(copySeconds).toFixed(0)} rows/s; with the foreign key ${rate(keyedSeconds).toFixed(0)}; and the log entries (the floor) ${rate(floorSeconds).toFixed(0)}; into the log at its size ${rate(realFloorSeconds).toFixed(0)}; and the rows into the table at its size too ${rate(realTablesSeconds).toFixed(0)}`);
      // The overlapped import again, a round at a time, each of as many other new children right
      // after a run of the floor (the same rows and entries as above): the ratio of each round, and
      // their median, which the target is judged on.
      const paired: Array<{ floorSeconds: number; importSeconds: number; ratio: number }> = [];
      // The rounds' children (both kinds of round), for the count of records written at the end.
      const roundChildren: PsbRow[] = [];
      for (let i = 0; i < (context.options.smoke ? 1 : PAIRED_ROUNDS); i++) {
        const roundRows = await fresh(county, wanted);
        const floorRun = await copyInto(client, rows, shapes.floor);
        const before = await chainHeads(client);
        const importSeconds = await timed(() => importRows(hub, roundRows, undefined, IN_FLIGHT));
        await loggedImport(client, before, roundRows.length, [county], `paired round ${i + 1}`);
        roundChildren.push(...roundRows);
        // The same number of rows both ways: the ratio of rates is that of the times.
        paired.push({ floorSeconds: floorRun.seconds, importSeconds, ratio: ratio(roundRows.length / importSeconds, roundRows.length / floorRun.seconds) });
      }
      const pairedOverFloor = round(median(paired.map((p) => p.ratio)), 3);
      context.log(`  ${IN_FLIGHT} batches in flight, each round beside a run of the floor: ${paired.map((p) => p.ratio).join(', ')}; median ${pairedOverFloor}`);
      // One import (one batch at a time) and right after it two at once, one per county, each of as
      // many other new children: the ratio of each round, and their median, which the target is judged on.
      const pairRounds: Array<{ singleSeconds: number; pairSeconds: number; ratio: number }> = [];
      for (let i = 0; i < (context.options.smoke ? 1 : PAIR_ROUNDS); i++) {
        const [alone, first, second] = [await fresh(county, wanted), await fresh(county, wanted), await fresh(other, wanted)];
        const before = await chainHeads(client);
        const singleSeconds = await timed(() => importRows(hub, alone));
        const pairSeconds = await timed(() => Promise.all([importRows(hub, first), importRows(otherHub, second)]));
        await loggedImport(client, before, alone.length + first.length + second.length, [county, other], `pair round ${i + 1}`);
        roundChildren.push(...alone, ...first, ...second);
        pairRounds.push({ singleSeconds, pairSeconds, ratio: ratio((first.length + second.length) / pairSeconds, alone.length / singleSeconds) });
      }
      const pairRoundsRatio = round(median(pairRounds.map((p) => p.ratio)), 3);
      context.log(`  two counties at once / one, round by round: ${pairRounds.map((p) => p.ratio).join(', ')}; median ${pairRoundsRatio}`);
      if (profileFile) {
        await hub.request({ type: 'profile-start' });
        await importRows(hub, extra);
        await hub.request({ type: 'profile-stop', file: profileFile });
      }
      const { rows: [{ n }] } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM psb.public_security_record WHERE child_id = ANY($1::uuid[])', [[...rows, ...overlappedRows, ...pair[0], ...pair[1], ...roundChildren].map((r) => r.childId)]);
      const written = rows.length + overlappedRows.length + pairRows + roundChildren.length;
      if (n !== written) throw new BenchFailure(`the hub wrote ${n} records of ${written}`);
      const [hubRate, copyRate, floorRate] = [rate(hubSeconds), rate(copySeconds), rate(floorSeconds)];
      const pairRate = pairRows / both.seconds;
      const overlappedRate = overlappedRows.length / overlapped.seconds;
      context.log(`  hub: ${hubRate.toFixed(0)} rows/s; ${IN_FLIGHT} batches in flight ${overlappedRate.toFixed(0)} rows/s; two counties at once ${pairRate.toFixed(0)} rows/s`);
      const hubOverCopy = ratio(hubRate, copyRate);
      const keyedOverCopy = ratio(rate(keyedSeconds), copyRate);
      const floorOverCopy = ratio(floorRate, copyRate);
      const hubOverFloor = ratio(hubRate, floorRate);
      const overlappedOverFloor = ratio(overlappedRate, floorRate);
      const hubOverRealFloor = ratio(hubRate, rate(realFloorSeconds));
      const pairOverSingle = ratio(pairRate, hubRate);
      // What this machine allows two imports at once: one import keeps `busy` cores at work (its
      // hub and its database connections); two can use at most all the cores, so on a machine
      // otherwise idle their rows/s can be at most cores / busy times one's (and at most 2). On a
      // shared machine the CPU the two get (`pairBusy`) says more: the same as one's, and they
      // cannot go faster than one. Lock waits sampled meanwhile tell a queue on a chain's head apart.
      const busy = single.cpuSeconds / single.seconds;
      const pairBusy = both.cpuSeconds / both.seconds;
      const ceiling = round(Math.min(2, single.cores / busy), 2);
      const waitShare = (w: LockWaits) => `${w.waiting} of ${w.samples} samples`;
      // Where one import's time goes, per batch: the hub's CPU and its database connections' CPU.
      // The database does a batch's statements one after another on one connection, so its CPU per
      // batch bounds the import however little the hub costs: at best 1,000 rows per that much CPU.
      // Against the floor's CPU per 1,000 rows (its COPY's connection), that is the most these
      // statements allow, measured in the same run (CPU, not waits: neither counts a flush).
      const batches = rows.length / BATCH;
      const perBatch = (seconds: number) => round((1000 * seconds) / batches, 1);
      const hubCpuPerBatch = perBatch(single.cpuSeconds - single.databaseCpuSeconds);
      const databaseCpuPerBatch = perBatch(single.databaseCpuSeconds);
      const floorCpuPerBatch = perBatch(median(floorCpu));
      const statementsCeiling = ratio(floorCpuPerBatch, databaseCpuPerBatch);
      const overlappedBatches = overlappedRows.length / BATCH;
      const overlappedCpu = {
        perBatchMs: round((1000 * overlapped.seconds) / overlappedBatches, 1),
        hubCpuPerBatchMs: round((1000 * (overlapped.cpuSeconds - overlapped.databaseCpuSeconds)) / overlappedBatches, 1),
        databaseCpuPerBatchMs: round((1000 * overlapped.databaseCpuSeconds) / overlappedBatches, 1),
        busyCores: round(overlapped.cpuSeconds / overlapped.seconds, 2),
        // What else the cores did meanwhile: the benchmark's own process (the import's client, the
        // lock sampler) and, from the machine's busy time, everything else.
        benchBusyCores: round(overlapped.benchCpuSeconds / overlapped.seconds, 2),
        machineBusyCores: overlapped.machineCpuSeconds === null ? null : round(overlapped.machineCpuSeconds / overlapped.seconds, 2),
      };
      // The most the overlapped import's CPU allows on this machine: every core busy with the hub's
      // work and its connections', never waiting, and no other load.
      const cpuBoundRate = (single.cores * overlappedRows.length) / overlapped.cpuSeconds;
      const cpuCeiling = ratio(cpuBoundRate, floorRate);
      const realTablesRate = rate(realTablesSeconds);
      // The importing hub's peak memory (the kernel's high-water mark of its resident set), with the Node flags it ran with.
      const hubPeakRssMb = peakRssMb(hub.ready.pid);
      return {
        table: {
          columns: ['path', 'rows', 'seconds', 'rows/s', '/COPY', '/floor'],
          rows: [
            [`hub, batches of ${BATCH}`, rows.length, round(hubSeconds, 3), round(hubRate, 0), hubOverCopy, hubOverFloor],
            [`hub, ${IN_FLIGHT} batches in flight`, overlappedRows.length, round(overlapped.seconds, 3), round(overlappedRate, 0), ratio(overlappedRate, copyRate), overlappedOverFloor],
            [`hub, two counties at once (a hub each), batches of ${BATCH}`, pairRows, round(both.seconds, 3), round(pairRate, 0), ratio(pairRate, copyRate), ratio(pairRate, floorRate)],
            ['PostgreSQL COPY (baseline)', rows.length, round(copySeconds, 3), round(copyRate, 0), null, null],
            ['COPY with the foreign key to hub.child', rows.length, round(keyedSeconds, 3), round(rate(keyedSeconds), 0), keyedOverCopy, null],
            ['floor: COPY with the key, and the log entries', rows.length, round(floorSeconds, 3), round(floorRate, 0), floorOverCopy, null],
            ['the same, the entries into the log itself (rolled back)', rows.length, round(realFloorSeconds, 3), round(rate(realFloorSeconds), 0), ratio(rate(realFloorSeconds), copyRate), ratio(rate(realFloorSeconds), floorRate)],
            ['the same, and the rows into the table itself (rolled back)', rows.length, round(realTablesSeconds, 3), round(realTablesRate, 0), ratio(realTablesRate, copyRate), ratio(realTablesRate, floorRate)],
          ],
        },
        targets: [
          { what: 'bulk import: hub/COPY rows/s', value: hubOverCopy, target: '≥ 0.25', met: hubOverCopy >= 0.25 },
          { what: `bulk import: hub/floor rows/s, ${IN_FLIGHT} batches in flight, median of ${paired.length} rounds each beside a run of the floor`, value: pairedOverFloor, target: '≥ 0.6', met: pairedOverFloor >= 0.6 },
          { what: 'bulk import: hub/floor rows/s, one batch at a time', value: hubOverFloor, target: '≥ 0.6', met: hubOverFloor >= 0.6 },
          { what: `bulk import: two counties at once / one, rows/s, median of ${pairRounds.length} rounds (this machine's ceiling ${ceiling})`, value: pairRoundsRatio, target: '≥ 1.5', met: pairRoundsRatio >= 1.5 },
        ],
        data: {
          county, other, rows: rows.length, pairRows, batch: BATCH, hubSeconds, pairSeconds: both.seconds, copySeconds, keyedSeconds, floorSeconds, realFloorSeconds, hubOverRealFloor, runs,
          hubRowsPerSecond: hubRate, pairRowsPerSecond: pairRate, copyRowsPerSecond: copyRate, floorRowsPerSecond: floorRate,
          hubOverCopy, keyedOverCopy, floorOverCopy, hubOverFloor, pairOverSingle, realTablesSeconds, realTablesRowsPerSecond: realTablesRate,
          overlappedOverRealTables: ratio(overlappedRate, realTablesRate), cpuCeiling,
          paired, pairedOverFloor, pairRounds, pairRoundsRatio,
          inFlight: IN_FLIGHT, overlappedRows: overlappedRows.length, overlappedSeconds: overlapped.seconds, overlappedRowsPerSecond: overlappedRate, overlappedOverFloor,
          cpu: { hubCpuPerBatchMs: hubCpuPerBatch, databaseCpuPerBatchMs: databaseCpuPerBatch, overlapped: overlappedCpu, floorCpuPer1000Ms: floorCpuPerBatch, statementsCeiling, singleCpuSeconds: single.cpuSeconds, singleBusyCores: round(busy, 2), pairCpuSeconds: both.cpuSeconds, pairBusyCores: round(pairBusy, 2), cores: single.cores, ceiling },
          lockWaits: { single: single.result.waits, overlapped: overlapped.result.waits, pair: both.result.waits },
          hubPeakRssMb, hubFlags: context.options.hubFlags,
          profile: profileFile && path.relative(context.root, profileFile),
        },
        notes: [
          `The importing hub (Node flags: ${context.options.hubFlags.join(' ') || 'none'}) peaked at ${hubPeakRssMb} MB resident over the imports.`,
          'The hub checks every record (scope, versions, fields), writes the rows set-based under their foreign key, and logs one hash-chained entry per row in the same transaction, in the chain of the children\'s county; COPY only checks the table\'s own constraints.',
          `The baseline's copy of the table has no foreign key; the real table has one, and COPY with it runs at ${keyedOverCopy}× COPY without.`,
          `Floor: the same rows under the key and the ${rows.length.toLocaleString('en')} log entries the hub wrote for them, by COPY in one transaction into empty tables, nothing validated, read or hashed: ${floorOverCopy}× COPY. No import that logs each change in its own transaction can pass it; the hub reaches ${hubOverFloor}× of it.`,
          `The floor copies the entries into an empty copy of the log, whose indexes fit in memory; copied into the log itself (${realLog.entries.toLocaleString('en')} entries under chain ${SCRATCH_CHAIN}, rolled back, so without the commit's flush), at its size now, the same floor runs at ${ratio(rate(realFloorSeconds), floorRate)}× it, and the hub reaches ${hubOverRealFloor}× of that.`,
          `Two counties at once: ${pairRows.toLocaleString('en')} rows through two hubs (one per county) in ${round(both.seconds, 2)} s, ${pairOverSingle}× the rows/s of one import. One import kept ${round(busy, 2)} of the ${single.cores} cores busy (its hub's and its database connections' CPU over its time), so on an otherwise idle machine two could reach at most ${ceiling}×; the two got ${round(pairBusy, 2)} cores (machine load ${round(os.loadavg()[0], 1)}), ${ratio(pairBusy, busy)}× one's CPU.`,
          `One import and right after it two at once, ${pairRounds.length} rounds: ${pairRounds.map((p) => `${p.ratio}× (${round(p.singleSeconds, 2)} s for ${wanted.toLocaleString('en')} rows, then ${round(p.pairSeconds, 2)} s for twice as many)`).join(', ')}; median ${pairRoundsRatio}×, which the target is judged on (the first two at once, against the first import, above: ${pairOverSingle}×).`,
          `Lock waits (pg_stat_activity sampled every 10 ms): a connection waited for a lock in ${waitShare(single.result.waits)} during the one import, in ${waitShare(both.result.waits)} during the two.`,
          `Per batch of ${BATCH.toLocaleString('en')}, one import: ${round((1000 * hubSeconds) / batches, 1)} ms, the hub's CPU ${hubCpuPerBatch} ms, its database connections' CPU ${databaseCpuPerBatch} ms; the floor's COPY ${floorCpuPerBatch} ms of CPU per ${BATCH.toLocaleString('en')} rows. The hub's statements run one after another, so even a hub that cost nothing would reach at most about ${statementsCeiling}× the floor with them.`,
          `At the tables' real size (the rows into the section's table itself, the entries into the log itself, rolled back): ${round(realTablesRate, 0)} rows/s, ${ratio(realTablesRate, floorRate)}× the floor; the hub with ${IN_FLIGHT} batches in flight reaches ${ratio(overlappedRate, realTablesRate)}× of that.`,
          `The overlapped import's CPU, the hub's and its connections', ${round((1000 * overlapped.cpuSeconds) / overlappedBatches, 1)} ms per batch of ${BATCH.toLocaleString('en')}: with all ${single.cores} cores busy with it and nothing else, it could reach at most ${round(cpuBoundRate, 0)} rows/s, ${cpuCeiling}× the floor. The target 0.6× needs at most ${round((single.cores * BATCH * 1000) / (0.6 * floorRate), 1)} ms of CPU per batch even then.`,
          `${IN_FLIGHT} batches in flight, ${paired.length} rounds of ${wanted.toLocaleString('en')} rows, each right after a run of the floor: ${paired.map((p) => `${p.ratio}× (${round(p.importSeconds, 2)} s against ${round(p.floorSeconds, 3)} s)`).join(', ')}; median ${pairedOverFloor}×, which the target is judged on. The first import with ${IN_FLIGHT} batches in flight (the table's row, against the floor's median) reached ${overlappedOverFloor}×.`,
          `${IN_FLIGHT} batches in flight: ${overlappedCpu.perBatchMs} ms per batch of ${BATCH.toLocaleString('en')}, the hub's CPU ${overlappedCpu.hubCpuPerBatchMs} ms and its database connections' ${overlappedCpu.databaseCpuPerBatchMs} ms per batch, ${overlappedCpu.busyCores} of the ${single.cores} cores busy; ${overlappedOverFloor}× the floor. ${machineShare(overlappedCpu, single.cores)} A lock wait in ${waitShare(overlapped.result.waits)}; the connections were doing: ${describeWaits(overlapped.result.waits.byApplication[`bench-import-${county}`])}.`,
          `What the import's database connection was doing in the samples: ${describeWaits(single.result.waits.byApplication[`bench-import-${county}`])}.`,
          ...(profileFile ? [`hub profiled while importing ${PROFILED_BATCHES} more batches: ${path.relative(context.root, profileFile)}`, ...profileLines(summariseProfile(profileFile))] : []),
        ],
      };
    } finally {
      await Promise.all(hubs.map((h) => h.stop()));
      await removeChildren(client, created.map((r) => r.childId)).catch(async (error: Error) => {
        await client.query('ROLLBACK').catch(() => undefined);
        context.log(`  could not remove the imported children (${error.message}): the database now holds ${created.length} more`);
      });
      await client.end();
    }
  },
};
