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
import { forkBench } from './processes';
import { profileLines, summariseProfile } from './profile-summary';

const BATCH = 1000;
const PROFILED_BATCHES = 5;
/** Runs of COPY and of the floor, alternately; the median of each is reported. */
const COPY_RUNS = 5;
const MUTATION = `mutation Import($records: [PublicSecurityRecordInput!]!) {
  upsertPublicSecurityRecords(records: $records) { replayed }
}`;

interface PsbRow {
  childId: string;
  hukouStatus: string;
  whereabouts: string;
  verifiedOn: string | null;
}

/**
 * New children for the import, inserted directly (setup, not measured) in a county other than
 * the page's, and removed again at the end (`removeChildren`), so that the database stays as
 * seeded for later cases and `--reuse`. A fresh seed each run gives fresh ids; the rare ID
 * number already taken is skipped.
 */
async function newChildren(client: Client, county: string, count: number): Promise<PsbRow[]> {
  const children = generateChildren(new Clock(BENCH_TODAY), { seed: 1_000_000 + Math.floor(Math.random() * 1_000_000), counties: [county] }, count);
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

async function removeChildren(client: Client, ids: readonly string[]): Promise<void> {
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

/** The change log's entries after `afterSeq` up to `lastSeq`, in COPY's text format, as stored. */
async function logEntriesText(client: Client, afterSeq: string, lastSeq: string): Promise<{ text: string; entries: number }> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(`COPY (SELECT * FROM hub.change_log WHERE seq > ${BigInt(afterSeq)} AND seq <= ${BigInt(lastSeq)} ORDER BY seq) TO STDOUT`));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return { text, entries: text.length === 0 ? 0 : text.split('\n').length - 1 };
}

const logHead = async (client: Client) => (await client.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM hub.change_log')).rows[0].seq;

/** What a COPY measurement writes besides the rows. */
interface CopyShape {
  /** The section table's foreign key to hub.child, which the real table has and the baseline's copy does not. */
  readonly foreignKey: boolean;
  /** Log entries in COPY's text format, written in the same transaction into a copy of the change log; null for none. */
  readonly log: string | null;
}

/**
 * The rows by COPY, in one transaction, into an empty copy of the real table (same columns,
 * checks, keys and indexes; no trigger), with its foreign key when asked, and `log`'s entries into
 * an empty copy of the change log. The copies live in a scratch schema, dropped afterwards.
 */
async function copyInto(client: Client, rows: readonly PsbRow[], shape: CopyShape): Promise<number> {
  const text = copyText(rows);
  await client.query('DROP SCHEMA IF EXISTS bench_scratch CASCADE');
  await client.query('CREATE SCHEMA bench_scratch');
  try {
    await client.query('CREATE TABLE bench_scratch.public_security_record (LIKE psb.public_security_record INCLUDING ALL)');
    if (shape.foreignKey) await client.query('ALTER TABLE bench_scratch.public_security_record ADD FOREIGN KEY (child_id) REFERENCES hub.child (id)');
    if (shape.log !== null) await client.query('CREATE TABLE bench_scratch.change_log (LIKE hub.change_log INCLUDING ALL)');
    const started = performance.now();
    await client.query('BEGIN');
    await copyIn(client, `COPY bench_scratch.public_security_record (${PSB_COLUMNS}) FROM STDIN`, text);
    if (shape.log !== null) await copyIn(client, 'COPY bench_scratch.change_log FROM STDIN', shape.log);
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    const records = await rowCount(client, 'bench_scratch.public_security_record');
    const entries = shape.log === null ? rows.length : await rowCount(client, 'bench_scratch.change_log');
    if (records !== rows.length || entries !== rows.length) throw new BenchFailure(`COPY wrote ${records} rows and ${entries} entries for ${rows.length}`);
    return seconds;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query('DROP SCHEMA bench_scratch CASCADE');
  }
}

export const bulkImport: BenchCase = {
  name: 'bulk-import',
  needsDatabase: true,
  title: `Bulk import: upsertPublicSecurityRecords in batches of ${BATCH.toLocaleString('en')} through the hub against COPY of the same rows`,
  async run(context): Promise<CaseResult> {
    const database = context.database!;
    const county = regions.counties().map((r) => r.code).find((code) => code !== database.county.code)!;
    const wanted = context.options.smoke ? 2_000 : 20_000;
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const hub = await forkBench<{ url: string; token: string }>('serve-hub.js', { databaseUrl: database.url, poolMax: 10, today: BENCH_TODAY, identity: { dept: 'PSB', region: county } }, { execArgv: [...context.options.hubFlags] });
    // With --profile, a few more batches of other new children are imported under the profiler,
    // after the measured import, so that the profiler does not slow the measurement.
    const profileFile = context.options.profileSeconds > 0 ? path.join(context.artefactDir, 'hub-import.cpuprofile') : null;
    let created: PsbRow[] = [];
    try {
      created = await newChildren(client, county, wanted + (profileFile ? PROFILED_BATCHES * BATCH : 0));
      const rows = created.slice(0, Math.min(wanted, created.length - (profileFile ? PROFILED_BATCHES * BATCH : 0)));
      context.log(`  ${rows.length.toLocaleString('en')} new children in ${county} ${regions.get(county)?.name}`);

      const importRows = async (batches: readonly PsbRow[]) => {
        for (let i = 0; i < batches.length; i += BATCH) {
          const response = await fetch(`${hub.ready.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: MUTATION, variables: { records: batches.slice(i, i + BATCH) } }) });
          const body = (await response.json()) as { errors?: unknown };
          if (response.status !== 200 || body.errors) throw new BenchFailure(`import batch ${i / BATCH} answered ${response.status}: ${JSON.stringify(body.errors).slice(0, 500)}`);
        }
      };
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` };
      const headBefore = await logHead(client);
      const started = performance.now();
      await importRows(rows);
      const hubSeconds = (performance.now() - started) / 1000;
      const log = await logEntriesText(client, headBefore, await logHead(client));
      if (log.entries !== rows.length) throw new BenchFailure(`the hub logged ${log.entries} entries for ${rows.length} new records`);
      // COPY of 20,000 rows takes a tenth of a second, so one run of it is at the mercy of the
      // machine's other load: each shape is run a few times, in turn, and the median taken.
      // PostgreSQL's own bulk path, the baseline: the rows into a copy of the table without its
      // foreign key. The same with the key, as the real table has it. And the floor of a logged
      // import (DESIGN.md: an entry per change, in the writer's transaction): the rows with the key
      // and the entries the hub wrote for them (read back byte for byte), with nothing validated,
      // read or hashed, into empty tables: no import that logs each change in its own transaction
      // writes less.
      const shapes = { copy: { foreignKey: false, log: null }, keyed: { foreignKey: true, log: null }, floor: { foreignKey: true, log: log.text } };
      const runs: Record<keyof typeof shapes, number[]> = { copy: [], keyed: [], floor: [] };
      for (let i = 0; i < (context.options.smoke ? 1 : COPY_RUNS); i++) {
        for (const name of Object.keys(shapes) as Array<keyof typeof shapes>) runs[name].push(await copyInto(client, rows, shapes[name]));
      }
      const [copySeconds, keyedSeconds, floorSeconds] = [median(runs.copy), median(runs.keyed), median(runs.floor)];
      const rate = (seconds: number) => rows.length / seconds;
      context.log(`  COPY: ${rate(copySeconds).toFixed(0)} rows/s; with the foreign key ${rate(keyedSeconds).toFixed(0)}; and the log entries (the floor) ${rate(floorSeconds).toFixed(0)}`);
      if (profileFile) {
        await hub.request({ type: 'profile-start' });
        await importRows(created.slice(rows.length));
        await hub.request({ type: 'profile-stop', file: profileFile });
      }
      const { rows: [{ n }] } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM psb.public_security_record WHERE child_id = ANY($1::uuid[])', [rows.map((r) => r.childId)]);
      if (n !== rows.length) throw new BenchFailure(`the hub wrote ${n} records of ${rows.length}`);
      const [hubRate, copyRate] = [rate(hubSeconds), rate(copySeconds)];
      context.log(`  hub: ${hubRate.toFixed(0)} rows/s`);
      const hubOverCopy = ratio(hubRate, copyRate);
      const keyedOverCopy = ratio(rate(keyedSeconds), copyRate);
      const floorOverCopy = ratio(rate(floorSeconds), copyRate);
      return {
        table: {
          columns: ['path', 'rows', 'seconds', 'rows/s', '/COPY'],
          rows: [
            [`hub, batches of ${BATCH}`, rows.length, round(hubSeconds, 3), round(hubRate, 0), hubOverCopy],
            ['PostgreSQL COPY (baseline)', rows.length, round(copySeconds, 3), round(copyRate, 0), null],
            ['COPY with the foreign key to hub.child', rows.length, round(keyedSeconds, 3), round(rate(keyedSeconds), 0), keyedOverCopy],
            ['floor: COPY with the key, and the log entries', rows.length, round(floorSeconds, 3), round(rate(floorSeconds), 0), floorOverCopy],
          ],
        },
        targets: [{ what: 'bulk import: hub/COPY rows/s', value: hubOverCopy, target: '≥ 0.25', met: hubOverCopy >= 0.25 }],
        data: {
          county, rows: rows.length, batch: BATCH, hubSeconds, copySeconds, keyedSeconds, floorSeconds, runs, hubRowsPerSecond: hubRate, copyRowsPerSecond: copyRate,
          hubOverCopy, keyedOverCopy, floorOverCopy, hubOverFloor: ratio(hubRate, rate(floorSeconds)), profile: profileFile && path.relative(context.root, profileFile),
        },
        notes: [
          'The hub checks every record (scope, versions, fields), writes the rows set-based under their foreign key, and logs one hash-chained entry per row in the same transaction; COPY only checks the table\'s own constraints.',
          `The baseline's copy of the table has no foreign key; the real table has one, and COPY with it runs at ${keyedOverCopy}× COPY without.`,
          `Floor: the same rows under the key and the ${rows.length.toLocaleString('en')} log entries the hub wrote for them, by COPY in one transaction into empty tables, nothing validated, read or hashed: ${floorOverCopy}× COPY. No import that logs each change in its own transaction can pass it; the hub reaches ${ratio(hubRate, rate(floorSeconds))}× of it.`,
          ...(profileFile ? [`hub profiled while importing ${PROFILED_BATCHES} more batches: ${path.relative(context.root, profileFile)}`, ...profileLines(summariseProfile(profileFile))] : []),
        ],
      };
    } finally {
      await hub.stop();
      await removeChildren(client, created.map((r) => r.childId)).catch(async (error: Error) => {
        await client.query('ROLLBACK').catch(() => undefined);
        context.log(`  could not remove the imported children (${error.message}): the database now holds ${created.length} more`);
      });
      await client.end();
    }
  },
};
