import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { type EmbeddedDatabase, startEmbedded } from './embedded';
import { migrate, openOrm, pendingMigrations } from './orm';
import { Sql } from './sql';

export interface Database {
  readonly kind: 'pglite' | 'postgresql';
  /** Where it is, without credentials, for logs and start-up messages. */
  readonly description: string;
  readonly orm: MikroORM;
  readonly sql: Sql;
  /** What the operator should know about this open (a stale lock replaced), for the start-up log. */
  readonly warnings: readonly string[];
  /** Applied at open; names of the migrations this open applied. */
  readonly appliedMigrations: readonly string[];
  close(): Promise<void>;
}

export type QueryListener = (sql: string) => void;

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

/**
 * Opens the configured database (a PostgreSQL server, or embedded PGlite) and applies migrations.
 * `benchmarkWithoutChangeLog` and `crashTestDelayBetweenCommitsMs` are for the benchmark's hub entry point only (see OrmOptions).
 */
export async function openDatabase(
  config: Config,
  onQuery: QueryListener,
  options: { benchmarkWithoutChangeLog?: boolean; crashTestDelayBetweenCommitsMs?: number } = {},
): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  let kind: Database['kind'] = 'postgresql';
  if (!url) {
    embedded = await startEmbedded(path.join(config.dataDir, 'pglite'));
    url = embedded.url;
    kind = 'pglite';
  }
  // PGlite is one session behind a queue: one pooled connection keeps transactions intact.
  const poolMax = kind === 'pglite' ? 1 : config.databasePoolMax;
  const orm = await openOrm({ url, poolMax, onQuery, ...options }).catch(async (error) => {
    await embedded?.stop();
    throw error;
  });
  // Only a database with migrations pending is migrated (which takes the owner's rights); a migrated
  // one is only read, so that the hub can serve it as a role that may not change the schema.
  let appliedMigrations: string[] = [];
  try {
    const pending = await pendingMigrations(orm);
    if (pending.length) appliedMigrations = await migrate(orm);
  } catch (error) {
    await orm.close(true);
    await embedded?.stop();
    throw error;
  }
  return {
    kind,
    // The socket's path is no secret (its directory is), but the line names no connection string to try.
    description: kind === 'pglite' ? `embedded PGlite in ${path.join(config.dataDir, 'pglite')} (this process's alone; a socket only its user may open)` : redact(url),
    warnings: embedded?.replacedLock
      ? [`the embedded database was not closed cleanly: process ${embedded.replacedLock.pid} (${embedded.replacedLock.command}, since ${embedded.replacedLock.since}) held it and is gone; its lock was replaced`]
      : [],
    orm,
    sql: new Sql(orm, onQuery),
    appliedMigrations,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
