import type { MikroORM } from '@mikro-orm/postgresql';
import type { PoolClient, QueryResultRow } from 'pg';

/** `date` columns stay `YYYY-MM-DD` strings: a calendar date has no time zone to shift it. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pgTypes = require('pg').types;
    if (oid === 1082) return (value: string) => value;
    return pgTypes.getTypeParser(oid, format);
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
    const client = this.orm.em.getConnection().getKnex().client as {
      acquireConnection(): Promise<PoolClient>;
      releaseConnection(connection: PoolClient): Promise<void>;
    };
    const connection = await client.acquireConnection();
    try {
      this.onQuery(text);
      const result = await connection.query<T>({ text, values: values as unknown[], types: TYPES });
      return result.rows;
    } finally {
      await client.releaseConnection(connection);
    }
  }
}
