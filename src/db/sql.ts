import type { MikroORM } from '@mikro-orm/postgresql';
import { types as pgTypes, type PoolClient, type QueryResultRow } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { type CopiedMessages, CopyOutMessages } from './copy-out';
import { servedByPglite } from './orm';

/** `date` columns stay `YYYY-MM-DD` strings: a calendar date has no time zone to shift it. */
const keepText = (value: string) => value;
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return oid === 1082 ? keepText : pgTypes.getTypeParser(oid, format);
  },
};

/**
 * Plain parameterised SQL (`$1`, arrays bound as PostgreSQL arrays) on the ORM's own pool, for
 * read paths that want rows, not hydrated entities. Writes go through the ORM's unit of work.
 */
export class Sql {
  constructor(
    private readonly orm: MikroORM,
    private readonly onQuery: (sql: string) => void,
  ) {}

  async query<T extends QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<T[]> {
    return this.withConnection(text, async (connection) => (await connection.query<T>({ text, values: values as unknown[], types: TYPES })).rows);
  }

  /**
   * The bytes of a `COPY (…) TO STDOUT` (text format): for reading many rows with the least work
   * on both sides, as the change-log verifier does. COPY takes no parameters.
   */
  async copyOut(text: string): Promise<Buffer> {
    return this.withConnection(text, async (connection) => {
      const chunks: Buffer[] = [];
      for await (const chunk of connection.query(copyTo(text))) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  }

  /**
   * A `COPY (…) TO STDOUT` as its messages came, in the socket's chunks (copy-out.ts): for a reader
   * that takes the rows apart itself, in another thread (`joinMessages`, `copyRows`), the change-log
   * verifier's walk of the heap.
   */
  async copyOutMessages(text: string): Promise<CopiedMessages> {
    return this.withConnection(text, (connection) => {
      const copy = new CopyOutMessages(text);
      // A query object of pg's own kind (`submit`), which pg's types describe with its internal connection's.
      connection.query(copy as never);
      return copy.promise;
    });
  }

  /**
   * Statements in one read-only REPEATABLE READ transaction, so that they all see one committed
   * state (the statistics read the change log's heads and the tables they count from together).
   * `settings` are `SET LOCAL` statements, ended with the transaction. `write`: the same snapshot
   * may also update derived tables (the statistics the hub keeps, src/stats/stats.cube.ts); never
   * the data itself, which is written through the unit of work with its change-log entries.
   */
  async snapshot<R>(
    settings: readonly string[],
    work: (query: <T extends QueryResultRow>(text: string, values?: readonly unknown[]) => Promise<T[]>) => Promise<R>,
    mode: 'read' | 'write' = 'read',
  ): Promise<R> {
    const begin = [`BEGIN ISOLATION LEVEL REPEATABLE READ${mode === 'read' ? ' READ ONLY' : ''}`, ...settings.map((s) => `SET LOCAL ${s}`)].join('; ');
    return this.withConnection(begin, async (connection) => {
      await connection.query(begin);
      try {
        const result = await work(async <T extends QueryResultRow>(text: string, values: readonly unknown[] = []) => {
          this.onQuery(text);
          return (await connection.query<T>({ text, values: values as unknown[], types: TYPES })).rows;
        });
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * One read on a connection of its own, beside a transaction the caller holds, if the pool can
   * give one at once (one is free or it may open one more, and nobody else is waiting); null if
   * not, for the caller to read in its transaction instead. It never waits for a connection to be
   * released: a caller that holds one and waits for a second could wait for ever, if every
   * connection were held so. Never on PGlite, whose connections all share its one session. It sees what is committed
   * when it starts, as a statement of the caller's READ COMMITTED transaction would, except the
   * caller's own uncommitted rows. `settings` are `SET LOCAL`s of its own read-only transaction.
   */
  readBeside<T extends QueryResultRow>(settings: readonly string[], text: string, values: readonly unknown[] = []): Promise<T[]> | null {
    // PGlite is one session behind its socket, whatever the connections: nothing runs beside anything there.
    if (servedByPglite(this.orm.config)) return null;
    const { pool } = this.knexClient();
    const free = pool && pool.numPendingAcquires() === 0 && (pool.numFree() > 0 || pool.numUsed() + pool.numPendingCreates() < pool.max);
    // The pool hands the connection out in this same turn of the event loop (tarn assigns a free one,
    // or starts opening one, as it is asked), so nothing can take it between the count and the ask.
    return free ? this.snapshot(settings, (query) => query<T>(text, values)) : null;
  }

  private knexClient() {
    return this.orm.em.getConnection().getKnex().client as {
      acquireConnection(): Promise<PoolClient>;
      releaseConnection(connection: PoolClient): Promise<void>;
      pool?: { max: number; numFree(): number; numUsed(): number; numPendingCreates(): number; numPendingAcquires(): number };
    };
  }

  private async withConnection<R>(text: string, work: (connection: PoolClient) => Promise<R>): Promise<R> {
    const client = this.knexClient();
    const connection = await client.acquireConnection();
    try {
      this.onQuery(text);
      return await work(connection);
    } finally {
      await client.releaseConnection(connection);
    }
  }
}
