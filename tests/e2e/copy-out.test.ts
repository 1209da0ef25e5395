import { registerModules } from '../../src/app/modules';
import { loadConfig } from '../../src/config';
import { copyRows, joinMessages } from '../../src/db/copy-out';
import { type Database, openDatabase } from '../../src/db/database';
import { freshDatabase } from '../support/hub';

/**
 * `Sql.copyOutMessages`: a COPY's rows as the wire brings them (the change-log verifier's heap
 * walk reads the log so), on the database itself: the same rows as a COPY read the usual way, and
 * an error or a statement that is no COPY refused with the connection left fit for the next query.
 */
let db: Database;

beforeAll(async () => {
  const database = await freshDatabase();
  registerModules();
  // One connection: every read below takes the same one, after whatever the one before left on it.
  db = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, DATABASE_POOL_MAX: '1', LOG_LEVEL: 'silent' }), () => undefined);
}, 120_000);

afterAll(() => db?.close());

const ROWS = `COPY (SELECT g, repeat('鼓楼', g % 40), CASE WHEN g % 7 = 0 THEN NULL ELSE E'a\\tb\\\\c' END FROM generate_series(1, 30000) g) TO STDOUT`;

describe('copyOutMessages', () => {
  it('gives the rows a COPY gives, every one, across the socket\'s chunks', async () => {
    const copied = await db.sql.copyOutMessages(ROWS);
    // The socket's chunks, each a buffer of its own (which moves to a worker thread uncopied).
    expect(copied.chunks.length).toBeGreaterThan(1);
    expect(copied.chunks.every((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength)).toBe(true);
    const bytes = joinMessages(copied);
    const rows: Buffer[] = [];
    expect(copyRows(bytes, (start, end) => rows.push(bytes.subarray(start, end)))).toBe(true);
    expect(rows).toHaveLength(30_000);
    expect(Buffer.concat(rows).equals(await db.sql.copyOut(ROWS))).toBe(true);
    // Laid end to end in a buffer that is too small, and in one with room to spare.
    expect(joinMessages(copied, Buffer.alloc(10)).equals(bytes)).toBe(true);
    expect(joinMessages(copied, Buffer.alloc(bytes.length + 100)).equals(bytes)).toBe(true);
  });

  it('passes over the notices the server sends before the rows and among them', async () => {
    // Temporary functions: the pool's one connection is one session throughout.
    await db.sql.query(`CREATE FUNCTION pg_temp.noisy(i int) RETURNS int LANGUAGE plpgsql AS $$
      BEGIN IF i % 1000 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$`);
    // Immutable, with a constant argument: run while the statement is planned, before any row is sent.
    await db.sql.query(`CREATE FUNCTION pg_temp.planned(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN RAISE NOTICE 'planned'; RETURN i; END $$`);
    const text = 'COPY (SELECT pg_temp.noisy(g), pg_temp.planned(7) FROM generate_series(1, 5000) g) TO STDOUT';
    const bytes = joinMessages(await db.sql.copyOutMessages(text));
    const rows: Buffer[] = [];
    expect(copyRows(bytes, (start, end) => rows.push(bytes.subarray(start, end)))).toBe(true);
    expect(rows).toHaveLength(5000);
    expect(Buffer.concat(rows).equals(await db.sql.copyOut(text))).toBe(true);
    // The notices were among the messages: the bytes are more than the rows with their headers.
    expect(bytes.length).toBeGreaterThan(Buffer.concat(rows).length + 5 * rows.length);
  });

  it('refuses a COPY that fails halfway, with the database\'s error, and the connection reads on', async () => {
    await expect(db.sql.copyOutMessages(`COPY (SELECT g, 1 / (g - 20000) FROM generate_series(1, 30000) g) TO STDOUT`)).rejects.toThrow(/division by zero/);
    await expect(db.sql.copyOutMessages('COPY (SELECT * FROM hub.no_such_table) TO STDOUT')).rejects.toThrow(/no_such_table/);
    expect(await db.sql.query<{ n: number }>('SELECT 41 + 1 AS n')).toEqual([{ n: 42 }]);
    const bytes = joinMessages(await db.sql.copyOutMessages(ROWS));
    let count = 0;
    expect(copyRows(bytes, () => count++)).toBe(true);
    expect(count).toBe(30_000);
  });

  it('refuses a statement that is no COPY TO, and the connection reads on', async () => {
    await expect(db.sql.copyOutMessages('SELECT g FROM generate_series(1, 10) g')).rejects.toThrow(/unexpected message/);
    expect(await db.sql.query<{ n: number }>('SELECT 41 + 1 AS n')).toEqual([{ n: 42 }]);
  });
});
