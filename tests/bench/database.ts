import 'reflect-metadata';
import { Client } from 'pg';
import { makeEphemeralKey } from '../../src/auth/keys';
import { loadConfig } from '../../src/config';
import { Clock } from '../../src/core/clock';
import { regions } from '../../src/regions/region.registry';
import { startServer } from '../../src/web/server';
import { seedChildren } from '../../seeds/generator';
import type { BenchDatabase, BenchOptions } from './bench';

/** The date the synthetic children are of school age on, and the hub's "today" during the run. */
export const BENCH_TODAY = '2026-10-15';

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function postgresVersion(serverUrl: string): Promise<string> {
  return withClient(serverUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
}

/** The county with the most children in scope (hukou or residence there). */
function mostPopulousCounty(url: string): Promise<BenchDatabase['county']> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ code: string; n: number }>(`
      SELECT code, count(*)::int AS n FROM (
        SELECT hukou_region AS code FROM hub.child
        UNION ALL SELECT residence_region FROM hub.child WHERE residence_region <> hukou_region
      ) x GROUP BY code ORDER BY n DESC, code LIMIT 1`);
    return { code: rows[0].code, name: regions.get(rows[0].code)?.name ?? '?', children: rows[0].n };
  });
}

/** A database kept by an earlier run (`--keep`), read as it is. */
export async function openBenchDatabase(options: BenchOptions, name: string): Promise<BenchDatabase & { drop(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--reuse takes the name of a database made by this harness (baoxue_bench_<n>) or a copy of one, got ${name}`);
  const url = databaseUrl(options.serverUrl, name);
  const counts = await withClient(url, async (c) =>
    (await c.query<{ children: number; cases: number }>('SELECT (SELECT count(*) FROM hub.child)::int AS children, (SELECT count(*) FROM edu.dropout_case)::int AS cases')).rows[0],
  );
  return { name, url, children: counts.children, dropoutCases: counts.cases, county: await mostPopulousCounty(url), seedSeconds: 0, drop: async () => undefined };
}

/**
 * A fresh database `baoxue_bench_<n>`: the schema applied by starting the real hub on it, then
 * `children` synthetic children seeded across all counties, then ANALYZE.
 */
export async function createBenchDatabase(options: BenchOptions, log: (line: string) => void): Promise<BenchDatabase & { drop(): Promise<void> }> {
  const taken = await withClient(options.serverUrl, async (c) =>
    (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'baoxue\\_bench\\_%'")).rows.map((r) => r.datname),
  );
  let n = 1;
  while (taken.includes(`baoxue_bench_${n}`)) n++;
  const name = `baoxue_bench_${n}`;
  await withClient(options.serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(options.serverUrl, name);
  const drop = () => withClient(options.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  log(`database ${name} created`);
  try {
    const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: url, DATABASE_POOL_MAX: '4', LOG_LEVEL: 'silent', BAOXUE_TODAY: BENCH_TODAY });
    const server = await startServer(config, { keys: await makeEphemeralKey() });
    const started = performance.now();
    let seeded: { children: number; dropoutCases: number };
    try {
      let lastReport = 0;
      seeded = await seedChildren(server.db.sql, new Clock(BENCH_TODAY), {
        children: options.children,
        seed: options.seed,
        onProgress: (done, total) => {
          if (performance.now() - lastReport < 10_000 && done < total) return;
          lastReport = performance.now();
          log(`  seeded ${done.toLocaleString('en')} / ${total.toLocaleString('en')} children`);
        },
      });
    } finally {
      await server.stop();
    }
    // VACUUM sets the hint bits and the visibility map, so that the first reads do not; CHECKPOINT
    // writes out what the seed and VACUUM dirtied now, rather than spread over the next minutes,
    // while the cases measure (after seeding 2,000,000 children, the growth case found the page
    // 1.2-1.3x slower on the new database than on the same database settled).
    await withClient(url, async (c) => {
      await c.query('VACUUM ANALYZE');
      await c.query('CHECKPOINT');
    });
    const seedSeconds = (performance.now() - started) / 1000;
    log(`seeded ${seeded.children.toLocaleString('en')} children, ${seeded.dropoutCases.toLocaleString('en')} dropout cases in ${seedSeconds.toFixed(1)} s (with VACUUM ANALYZE and CHECKPOINT)`);
    const county = await mostPopulousCounty(url);
    return { name, url, children: seeded.children, dropoutCases: seeded.dropoutCases, county, seedSeconds, drop };
  } catch (error) {
    if (!options.keep) await drop();
    throw error;
  }
}
