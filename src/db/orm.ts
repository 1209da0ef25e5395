import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { EventSubscriber } from '@mikro-orm/core';
import { MIGRATIONS } from './migrations';

/**
 * What the database maps and which hook writes the change log: every domain's entities and the
 * log's subscriber sit above db, so the composition root hands them in (src/app/modules.ts) before
 * any database is opened.
 */
export interface OrmModules {
  readonly entities: readonly (abstract new (...args: never[]) => object)[];
  /** The change log's hook, one per ORM. */
  readonly changeLogSubscriber: () => EventSubscriber;
}

/**
 * ORMs (their configuration, which every forked entity manager shares) built without the log, to
 * measure what the log costs: only `openOrm({ benchmarkWithoutChangeLog })` adds one, and only the
 * benchmark's hub (tests/bench/serve-hub.ts) asks for it. No setting or variable reaches it; the
 * change log's writer asks here and records nothing on them.
 */
const unloggedForBenchmark = new WeakSet<object>();

export function isUnloggedForBenchmark(ormConfig: object): boolean {
  return unloggedForBenchmark.has(ormConfig);
}

/**
 * ORMs whose logged writes pause between their two commits, to widen the window the feed's
 * crash test (tests/e2e/feed-durability.test.ts) must hit: only `openOrm({ crashTestDelayBetweenCommitsMs })`
 * adds one, and only the benchmark's hub entry point asks for it. No setting or variable reaches it.
 */
const pauseBetweenCommits = new WeakMap<object, number>();

function pauseBetweenCommitsForCrashTest(ormConfig: object, ms: number): void {
  if (!(Number.isInteger(ms) && ms > 0 && ms <= 10_000)) throw new Error(`crash-test delay between commits: ${ms} ms is not 1..10000`);
  pauseBetweenCommits.set(ormConfig, ms);
}

/** The crash test's pause between a logged write's two commits, in ms, or undefined (always, in production). */
export function crashTestPauseBetweenCommits(ormConfig: object): number | undefined {
  return pauseBetweenCommits.get(ormConfig);
}

/** The server each ORM opened here talks to, found once by its `version()`. */
const servers = new WeakMap<object, 'postgresql' | 'pglite'>();

/**
 * Whether the ORM's server takes `COPY … FROM STDIN`: a PostgreSQL server, not PGlite, whose
 * socket ends the connection at the first line of data. The change log's writer sends a large
 * batch's entries by COPY there, and as typed arrays elsewhere.
 */
export function copiesFromStdin(ormConfig: object): boolean {
  return servers.get(ormConfig) === 'postgresql';
}

/** Whether the ORM's server is PGlite, whose socket delivers no notification to a listener (the change feed polls instead). */
export function servedByPglite(ormConfig: object): boolean {
  return servers.get(ormConfig) === 'pglite';
}

let registered: OrmModules | null = null;

export function registerOrmModules(modules: OrmModules): void {
  registered = modules;
}

function ormModules(): OrmModules {
  if (!registered) throw new Error('database: no entities are registered; the entry point must call registerModules() (src/app/modules.ts) before opening it');
  return registered;
}

export interface OrmOptions {
  readonly url: string;
  readonly poolMax: number;
  /** Called with every SQL statement sent, for the statement counter and metrics. */
  readonly onQuery?: (sql: string) => void;
  /**
   * No change-log hook and no entries: only for measuring what the log costs (the benchmark's own
   * hub, tests/bench/serve-hub.ts). The server never sets it, and no configuration can.
   */
  readonly benchmarkWithoutChangeLog?: boolean;
  /**
   * A pause between a logged write's asynchronous and durable commits, only for the crash test of
   * the change feed (tests/e2e/feed-durability.test.ts, through tests/bench/serve-hub.ts): it widens
   * the window in which entries are visible but not yet on disk. The server never sets it, and no
   * configuration can.
   */
  readonly crashTestDelayBetweenCommitsMs?: number;
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const modules = ormModules();
  const orm = await MikroORM.init(
    defineConfig({
      clientUrl: options.url,
      entities: [...modules.entities],
      subscribers: options.benchmarkWithoutChangeLog ? [] : [modules.changeLogSubscriber()],
      extensions: [Migrator],
      discovery: { warnWhenNoEntities: true },
      pool: { min: 0, max: options.poolMax },
      migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
      allowGlobalContext: false,
      forceUtcTimezone: true,
      ensureDatabase: false,
      debug: false,
      // The migrator reports each migration on the console; the server reports what it applied instead.
      logger: () => undefined,
    }),
  );
  if (options.benchmarkWithoutChangeLog) unloggedForBenchmark.add(orm.config);
  const [{ version }] = await orm.em.getConnection().execute<Array<{ version: string }>>('SELECT version() AS version').catch(async (error: unknown) => {
    await orm.close(true);
    throw error;
  });
  servers.set(orm.config, /PGlite/i.test(version) ? 'pglite' : 'postgresql');
  if (options.crashTestDelayBetweenCommitsMs) pauseBetweenCommitsForCrashTest(orm.config, options.crashTestDelayBetweenCommitsMs);
  if (options.onQuery) {
    const onQuery = options.onQuery;
    orm.em.getConnection().getKnex().on('query', (q: { sql: string }) => onQuery(q.sql));
  }
  return orm;
}

/** Applies pending migrations; returns their names. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/**
 * The migrations not applied yet, found by reading the migrator's table only. The migrator's own
 * check creates that table when it cannot see it, which the production role (README, "On
 * PostgreSQL") may not: it reads the table and never changes the schema.
 */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const connection = orm.em.getConnection();
  const [{ found }] = await connection.execute<Array<{ found: boolean }>>(`SELECT to_regclass('public.mikro_orm_migrations') IS NOT NULL AS found`);
  const rows = found ? await connection.execute<Array<{ name: string }>>('SELECT name FROM public.mikro_orm_migrations') : [];
  const applied = new Set(rows.map((row) => row.name.replace(/\.[jt]s$/, '')));
  return MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
}
