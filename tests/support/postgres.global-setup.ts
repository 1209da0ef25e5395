import { randomBytes } from 'node:crypto';
import { dropDeadRunsDatabases, runPrefix } from './postgres-run';

/**
 * Names this run of the PostgreSQL project (tests/support/postgres-run.ts) and its template: one
 * database migrated once, by the first test file that asks for a migrated database, which every
 * file's database then copies (CREATE DATABASE … TEMPLATE, see migratedDatabase in
 * tests/support/hub.ts) instead of migrating one of its own. The names are the run's own: other
 * runs on the same server have theirs. (It is migrated there, not here: code loaded here, outside
 * the test sandbox, leaves state behind that the sandboxed copies of the same modules then trip
 * over.) Databases that killed runs left behind are dropped first.
 */
export default async function setup(): Promise<void> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) return;
  await dropDeadRunsDatabases(server);
  const run = `${process.pid}_${randomBytes(4).toString('hex')}`;
  process.env.BAOXUE_PG_RUN = run;
  process.env.BAOXUE_PG_TEMPLATE = `${runPrefix(run)}template`;
}
