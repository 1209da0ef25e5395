import type { MikroORM } from '@mikro-orm/postgresql';
import { types as pgTypes, type PoolClient, type QueryResultRow } from 'pg';

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
