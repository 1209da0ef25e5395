import path from 'node:path';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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

/** PostgreSQL's own bulk path: the same rows by COPY into a table like the real one (same columns, checks, keys; no foreign key). */
async function copyRows(client: Client, rows: readonly PsbRow[]): Promise<number> {
  await client.query('CREATE SCHEMA IF NOT EXISTS bench_scratch');
  await client.query('DROP TABLE IF EXISTS bench_scratch.public_security_copy');
  await client.query('CREATE TABLE bench_scratch.public_security_copy (LIKE psb.public_security_record INCLUDING ALL)');
  try {
    const text = rows.map((r) => `${r.childId}\t${r.hukouStatus}\t${r.whereabouts}\t${r.verifiedOn ?? '\\N'}\tbench-copy\n`).join('');
    const started = performance.now();
    await pipeline(Readable.from([text]), client.query(copyFrom('COPY bench_scratch.public_security_copy (child_id, hukou_status, whereabouts, verified_on, updated_by) FROM STDIN')));
    const seconds = (performance.now() - started) / 1000;
    const { rows: [{ n }] } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_scratch.public_security_copy');
    if (n !== rows.length) throw new BenchFailure(`COPY wrote ${n} rows of ${rows.length}`);
    return seconds;
  } finally {
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
      const copySeconds = await copyRows(client, rows);
      context.log(`  COPY: ${(rows.length / copySeconds).toFixed(0)} rows/s`);

      const importRows = async (batches: readonly PsbRow[]) => {
        for (let i = 0; i < batches.length; i += BATCH) {
          const response = await fetch(`${hub.ready.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: MUTATION, variables: { records: batches.slice(i, i + BATCH) } }) });
          const body = (await response.json()) as { errors?: unknown };
          if (response.status !== 200 || body.errors) throw new BenchFailure(`import batch ${i / BATCH} answered ${response.status}: ${JSON.stringify(body.errors).slice(0, 500)}`);
        }
      };
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${hub.ready.token}` };
      const started = performance.now();
      await importRows(rows);
      const hubSeconds = (performance.now() - started) / 1000;
      if (profileFile) {
        await hub.request({ type: 'profile-start' });
        await importRows(created.slice(rows.length));
        await hub.request({ type: 'profile-stop', file: profileFile });
      }
      const { rows: [{ n }] } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM psb.public_security_record WHERE child_id = ANY($1::uuid[])', [rows.map((r) => r.childId)]);
      if (n !== rows.length) throw new BenchFailure(`the hub wrote ${n} records of ${rows.length}`);
      const hubRate = rows.length / hubSeconds;
      const copyRate = rows.length / copySeconds;
      context.log(`  hub: ${hubRate.toFixed(0)} rows/s`);
      const hubOverCopy = ratio(hubRate, copyRate);
      return {
        table: {
          columns: ['path', 'rows', 'seconds', 'rows/s', 'hub/COPY'],
          rows: [
            [`hub, batches of ${BATCH}`, rows.length, round(hubSeconds, 3), round(hubRate, 0), hubOverCopy],
            ['PostgreSQL COPY', rows.length, round(copySeconds, 3), round(copyRate, 0), null],
          ],
        },
        targets: [{ what: 'bulk import: hub/COPY rows/s', value: hubOverCopy, target: '≥ 0.25', met: hubOverCopy >= 0.25 }],
        data: { county, rows: rows.length, batch: BATCH, hubSeconds, copySeconds, hubRowsPerSecond: hubRate, copyRowsPerSecond: copyRate, hubOverCopy, profile: profileFile && path.relative(context.root, profileFile) },
        notes: [
          'The hub validates every record and writes it through the ORM (and the change-log hook, once it exists); COPY only checks constraints.',
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
