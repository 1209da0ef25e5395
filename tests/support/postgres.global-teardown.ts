import { dropRunDatabases } from './postgres-run';

/** Drops the run's template and every file's database, together (tests/support/postgres-run.ts). */
export default async function teardown(): Promise<void> {
  const run = process.env.BAOXUE_PG_RUN;
  if (!run || !process.env.TEST_DATABASE_URL) return;
  const started = Date.now();
  const dropped = await dropRunDatabases(process.env.TEST_DATABASE_URL, run);
  process.stderr.write(`PostgreSQL: dropped the run's ${dropped} test databases in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
