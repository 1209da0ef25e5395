import fs from 'node:fs';
import path from 'node:path';

/** The embedded PostgreSQL (PGlite, WASM) served over the wire protocol on a loopback port. */
export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Opens (or creates) PGlite in `directory` and serves it on 127.0.0.1 so that the ordinary `pg`
 * driver, and so one code path, serves both the embedded database and a PostgreSQL server.
 * Pass `null` for an in-memory database (tests).
 */
export async function startEmbedded(directory: string | null, options: { port?: number; maxConnections?: number } = {}): Promise<EmbeddedDatabase> {
  // Loaded lazily: PGlite is only needed when no DATABASE_URL is configured.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  if (directory) fs.mkdirSync(path.dirname(directory), { recursive: true });
  const db = await PGlite.create(directory ?? undefined);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: options.maxConnections ?? 4 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
