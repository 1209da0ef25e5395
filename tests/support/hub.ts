import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import type { Department, Role } from '../../src/auth/identity';
import { makeEphemeralKey } from '../../src/auth/keys';
import { signToken, type TokenSettings } from '../../src/auth/tokens';
import { type RunningServer, startServer } from '../../src/web/server';
import { migrateDatabase } from './migrate';
import { type Baseline, captureBaseline, restoreBaseline } from './pglite-baseline';
import { runPrefix } from './postgres-run';

/** The date the tests live on: school year 2026–27, so children born 2010-09-02 … 2020-09-01 are of age. */
export const TODAY = '2026-10-15';

export const target = (process.env.BAOXUE_TEST_TARGET ?? 'pglite') as 'pglite' | 'postgresql';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; path?: string[]; extensions: Record<string, unknown> & { code: string } }> };
  text: string;
}

export interface TestHub {
  readonly url: string;
  readonly server: RunningServer;
  /** The public half of the server's ephemeral ES256 key, and the issuer and audience it expects (for crafting hostile tokens). */
  readonly publicJwk: JWK;
  readonly jwt: TokenSettings;
  token(claims: { dept: Department; region: string; roles?: Role[]; sub?: string; ttlSeconds?: number }): Promise<string>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Direct SQL on the hub's database, for checking what was (not) written. */
  sql<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Sum of a Prometheus counter from /metrics. */
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database for one test file. None is dropped when its file ends: on PostgreSQL the run's
 * global teardown drops them all together (tests/support/postgres-run.ts); on PGlite the next
 * file of the worker resets or wipes it.
 */
export interface TestDatabase {
  readonly url: string;
  readonly poolMax: number;
}

async function newPostgresDatabase(template: string | null): Promise<TestDatabase> {
  const base = process.env.TEST_DATABASE_URL;
  const run = process.env.BAOXUE_PG_RUN;
  if (!base || !run) throw new Error('TEST_DATABASE_URL or BAOXUE_PG_RUN is not set: the PostgreSQL global setup did not run');
  const name = `${runPrefix(run)}${randomBytes(6).toString('hex')}`;
  await withClient(base, (c) => c.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), poolMax: 5 };
}

/** This worker's own PGlite (one per Jest worker, started by pglite.global-setup.ts) and the file of its baseline. */
function pglite(): { url: string; baseline: string } {
  const urls = process.env.BAOXUE_PGLITE_URLS;
  const baselines = process.env.BAOXUE_PGLITE_BASELINES;
  if (!urls || !baselines) throw new Error('BAOXUE_PGLITE_URLS is not set: the PGlite global setup did not run');
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const url = (JSON.parse(urls) as string[])[worker - 1];
  if (!url) throw new Error(`no PGlite for Jest worker ${worker}: the global setup started ${(JSON.parse(urls) as string[]).length}`);
  return { url, baseline: path.join(baselines, `baseline-${worker}.json`) };
}

const wipePglite = (url: string) =>
  withClient(url, (c) => c.query('DROP SCHEMA IF EXISTS hub, edu, psb, civil, poverty, health, dpf CASCADE; DROP TABLE IF EXISTS public.mikro_orm_migrations'));

/** A fresh, empty database for one test file: a new database on PostgreSQL, wiped schemas on PGlite. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (target === 'postgresql') return newPostgresDatabase(null);
  const { url } = pglite();
  await wipePglite(url);
  return { url, poolMax: 1 };
}

/**
 * The run's template on PostgreSQL (named by postgres.global-setup.ts), created and migrated by
 * the first file that needs it; a lock keeps two files from making it at once.
 */
async function ensureTemplate(): Promise<string> {
  const template = process.env.BAOXUE_PG_TEMPLATE;
  const base = process.env.TEST_DATABASE_URL;
  if (!template || !base) throw new Error('BAOXUE_PG_TEMPLATE is not set: the PostgreSQL global setup did not run');
  await withClient(base, async (c) => {
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      if ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount) return;
      await c.query(`CREATE DATABASE ${template}`);
      const url = new URL(base);
      url.pathname = `/${template}`;
      await migrateDatabase(url.toString()).catch(async (error) => {
        await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
        throw error;
      });
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  return template;
}

/**
 * A fresh database as a hub's first start leaves it, every migration applied, made without
 * migrating it again: on PostgreSQL a copy of the run's migrated template, on PGlite the worker's
 * database put back to the baseline its first file recorded (pglite-baseline.ts), or wiped for
 * the hub to migrate, as every file's was before, when a file before changed its schema.
 */
export async function migratedDatabase(): Promise<TestDatabase> {
  if (target === 'postgresql') return newPostgresDatabase(await ensureTemplate());
  const { url, baseline: file } = pglite();
  if (!fs.existsSync(file)) {
    await wipePglite(url);
    await migrateDatabase(url);
    fs.writeFileSync(file, JSON.stringify(await withClient(url, captureBaseline)));
  } else if (!(await withClient(url, (c) => restoreBaseline(c, JSON.parse(fs.readFileSync(file, 'utf8')) as Baseline)))) {
    await wipePglite(url);
  }
  return { url, poolMax: 1 };
}

function asRole(url: string, role: { user: string; password: string } | undefined): string {
  if (!role) return url;
  const withRole = new URL(url);
  withRole.username = role.user;
  withRole.password = role.password;
  return withRole.toString();
}

/** What a second instance needs to join a hub: its database and its token keys. */
const instances = new WeakMap<TestHub, { database: { url: string; poolMax: number }; keys: Awaited<ReturnType<typeof makeEphemeralKey>> }>();

/**
 * Starts a hub on a fresh database; with `sameDatabaseAs`, a further server instance on that
 * hub's database instead (not wiped; the same token keys, as
 * instances behind one load balancer trust one issuer). Stop the joining instances first. With
 * `role` as well, the joining instance logs in as that database role (PostgreSQL only).
 */
/** The database a test hub writes to, for a test that needs its own connection (a transaction held open beside the hub's). */
export function databaseUrlOf(hub: TestHub): string {
  const instance = instances.get(hub);
  if (!instance) throw new Error('databaseUrlOf: not a hub started by startTestHub');
  return instance.database.url;
}

export async function startTestHub(options: {
  today?: string; env?: Record<string, string>; sameDatabaseAs?: TestHub; role?: { user: string; password: string };
  /** A database the test prepared itself (from freshDatabase), e.g. migrated only part of the way: the hub migrates it on. */
  database?: TestDatabase;
} = {}): Promise<TestHub> {
  const joined = options.sameDatabaseAs ? instances.get(options.sameDatabaseAs) : undefined;
  if (options.sameDatabaseAs && !joined) throw new Error('sameDatabaseAs: not a hub started by startTestHub');
  if (options.role && !joined) throw new Error('role: only for an instance joining a hub (sameDatabaseAs)');
  const database = joined ? { ...joined.database, url: asRole(joined.database.url, options.role) } : (options.database ?? await migratedDatabase());
  const keys = joined?.keys ?? (await makeEphemeralKey());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: String(database.poolMax),
    BAOXUE_TODAY: options.today ?? TODAY,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const server = await startServer(config, { keys });
  let counter = 0;
  const hub: TestHub = {
    url: server.url,
    server,
    publicJwk: keys.publicJwk,
    jwt: config.jwt,
    token: (claims) =>
      signToken(keys.signing, config.jwt, {
        sub: claims.sub ?? `test-${claims.dept.toLowerCase()}-${claims.region}-${++counter}`,
        dept: claims.dept,
        region: claims.region,
        roles: claims.roles ?? ['clerk'],
        ttlSeconds: claims.ttlSeconds,
      }),
    async gql(query, variables, token) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text), text };
    },
    sql: (text, values) => server.db.sql.query(text, values ?? []) as never,
    async metric(name) {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(name) && !line.startsWith('#'))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    },
    async stop() {
      await server.stop();
    },
  };
  instances.set(hub, { database: { url: database.url, poolMax: database.poolMax }, keys });
  return hub;
}
