import { randomBytes } from 'node:crypto';

/**
 * Names the PostgreSQL project's template for this run: one database migrated once, by the first
 * test file that asks for a migrated database, which every file's database then copies
 * (CREATE DATABASE … TEMPLATE, see migratedDatabase in tests/support/hub.ts) instead of migrating
 * one of its own, as each did, for a few seconds, before. The name is the run's own: other runs on
 * the same server have theirs. (It is migrated there, not here: code loaded here, outside the test
 * sandbox, leaves state behind that the sandboxed copies of the same modules then trip over.)
 */
export default function setup(): void {
  process.env.BAOXUE_PG_TEMPLATE = `baoxue_template_${randomBytes(6).toString('hex')}`;
}
