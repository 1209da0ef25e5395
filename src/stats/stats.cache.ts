import { createHash } from 'node:crypto';

/**
 * The rows of statistics statements already computed, kept by what determines them, so that a
 * question asked again is answered without counting 2,000,000 children again. Only rows are kept
 * (before disclosure control, which runs on every answer): they never leave the server as they are.
 *
 * A statement's rows are determined by its text and values (the reader's scope, filters, the day,
 * the key regions, `asOf`) and by the committed data it reads. Every change to that data goes
 * through the unit of work, which appends its entries to the change log and moves its chains' heads
 * (`hub.chain_head`) in the writer's transaction, so the heads of every chain, read in the same
 * snapshot as the statement, name that data: equal heads, equal rows. Any write anywhere moves a
 * head, and the next question is counted afresh; nothing is ever served from before a write the
 * reader could have seen.
 *
 * A table as of a time long past (`settled`) is kept by its statement alone: the change log is
 * append-only and its entries are stamped when written, so no later write changes what stood
 * then once every transaction that began before it has ended (the hub's own transactions last
 * seconds; `SETTLED_AFTER_MS` leaves a day). This is what makes a monthly series cheap: its past
 * month ends are counted once per process. It relies on what the as-of rebuild relies on, that
 * every change went through the log with its own entries (stats.as-of.ts).
 */
export class StatisticsCache {
  private readonly entries = new Map<string, readonly Record<string, unknown>[]>();

  constructor(
    /** Statements kept, the least recently used dropped first. */
    private readonly capacity = 256,
    /** Larger answers (rows) are not kept: a supervisor's school-by-township table can be 100,000 rows. */
    private readonly maxRows = 5_000,
  ) {}

  /** The key of a statement's rows: its text and values, and the chains' heads unless settled. */
  static key(text: string, values: readonly unknown[], heads: string | null): string {
    return createHash('sha256').update(JSON.stringify([heads, text, values])).digest('base64url');
  }

  get(key: string): readonly Record<string, unknown>[] | undefined {
    const rows = this.entries.get(key);
    if (rows) {
      this.entries.delete(key);
      this.entries.set(key, rows);
    }
    return rows;
  }

  set(key: string, rows: readonly Record<string, unknown>[]): void {
    if (rows.length > this.maxRows || this.capacity === 0) return;
    this.entries.delete(key);
    this.entries.set(key, rows);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** How long after a time no transaction that began before it can still commit entries stamped before it. */
export const SETTLED_AFTER_MS = 24 * 3_600_000;

/**
 * Every chain's head, in chain order: the committed state of the logged data, in the reader's
 * snapshot; and the epoch of the data loaded past the log (stats.cube.ts), which moves no head.
 */
export const CHAIN_HEADS_SQL = `SELECT COALESCE(string_agg(chain || ':' || seq::text, ',' ORDER BY chain), '') AS heads,
  (SELECT epoch::text FROM hub.stat_cube_state) AS epoch FROM hub.chain_head`;

/** The epoch alone, for answers as of a settled time (kept by statement and epoch). */
export const EPOCH_SQL = 'SELECT epoch::text AS epoch FROM hub.stat_cube_state';
