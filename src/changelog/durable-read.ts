import type { QueryResultRow } from 'pg';
import type { Sql } from '../db/sql';

/**
 * Reads of the change log whose rows leave the hub only once they are on disk.
 *
 * A logged write commits its entries asynchronously and is answered after a second, synchronous
 * commit (change-log.append.ts): in between, its entries are visible to every reader but may not
 * be on disk, and a crash then loses them, and everything appended after them, whose sequence
 * numbers later writes use again. A department that was told of such an entry would hold a seq
 * whose content the log no longer has, and resuming "after" it would skip the real one.
 *
 * So a read that leaves the hub takes, in the same statement, the WAL insert position: a row
 * that the statement's snapshot shows was committed by a commit record already inserted, so
 * ending no later than that position. Once the WAL is flushed past it, every row read is
 * durable, and since a crash can only cut the log to a prefix, so is everything before them.
 * The rows are held back until then: the writers' own synchronous commits flush within a few
 * milliseconds; if the flush has not come after about 5 ms, the read makes one itself (one small
 * transaction that joins the writers' group commit), since the WAL past the position may be WAL
 * that no commit will flush soon (a read's page pruning on an idle database, another database's
 * bulk load on a shared server: waiting 130 ms cost a test suite on the shared server 9.5 s).
 *
 * PGlite (one process in WASM, fsync off): its WAL is written to the data directory's files
 * when flushed, with no fsync and no WAL writer, so an asynchronous commit stays in the
 * process's memory until a synchronous one; the same positions mean the same there. What it
 * keeps is what reached the operating system: a crash of the hub's process loses nothing flushed,
 * a crash of the machine may.
 */

/** Columns to add to a read's SELECT list: evaluated once, after the statement's snapshot is taken. */
export const WAL_AT_READ =
  '(SELECT pg_current_wal_insert_lsn()::text) AS wal_at_read, (SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()) AS wal_flushed';

interface AtRead {
  wal_at_read?: string;
  wal_flushed?: boolean;
}

/** Pauses between checks of the flushed position before the read flushes the WAL itself. */
const CHECKS_MS = [1, 4];

/**
 * One transaction that writes a WAL record and commits synchronously, whatever the server's
 * default: its commit flushes the WAL up to and past everything inserted before it.
 */
const FLUSH = "SELECT set_config('synchronous_commit', 'on', true), pg_logical_emit_message(true, 'baoxue', 'change feed: flush')";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `text` (a read whose SELECT list ends with `WAL_AT_READ`) and returns its rows once they
 * are durable, without the two columns.
 */
export async function readDurable<T extends QueryResultRow>(sql: Sql, text: string, params: readonly unknown[]): Promise<T[]> {
  const rows = await sql.query<T & AtRead>(text, params);
  const first = rows[0];
  if (first && !first.wal_flushed) await flushedPast(sql, first.wal_at_read!);
  for (const row of rows) {
    delete row.wal_at_read;
    delete row.wal_flushed;
  }
  return rows;
}

async function flushedPast(sql: Sql, lsn: string): Promise<void> {
  for (const ms of CHECKS_MS) {
    await sleep(ms);
    const [row] = await sql.query<{ flushed: boolean }>('SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS flushed', [lsn]);
    if (row.flushed) return;
  }
  await sql.query(FLUSH);
}
