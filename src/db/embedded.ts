import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LockHolder, lockDataDirectory } from './data-dir-lock';

/** The embedded PostgreSQL (PGlite, WASM) served over the wire protocol on a private Unix socket. */
export interface EmbeddedDatabase {
  /** A connection string naming the socket's directory as its host (as libpq and `pg` read it). */
  readonly url: string;
  /** A stale lock of a process that is gone, replaced at this open. */
  readonly replacedLock: LockHolder | null;
  stop(): Promise<void>;
}

/** The port only names the socket file, `<directory>/.s.PGSQL.5432`, as PostgreSQL's does. */
const SOCKET_PORT = 5432;
/** The longest Unix socket path Linux and macOS accept (`sun_path`, less its terminating zero). */
const MAX_SOCKET_PATH = 103;

/**
 * A directory only this user may enter, for the socket. PGlite asks no password of whoever
 * connects (every connection is the superuser `postgres`), so the socket's directory is the only
 * gate: a loopback port would let any local process read every child's name and ID number,
 * past the permission matrix and the audit.
 */
function privateSocketDirectory(preferred: string | null): { directory: string; temporary: boolean } {
  if (preferred && path.join(preferred, `.s.PGSQL.${SOCKET_PORT}`).length <= MAX_SOCKET_PATH) {
    // This process holds the data directory's lock: whatever is there is a dead process's.
    fs.rmSync(preferred, { recursive: true, force: true });
    fs.mkdirSync(preferred, { mode: 0o700 });
    fs.chmodSync(preferred, 0o700);
    return { directory: preferred, temporary: false };
  }
  // A data directory too deep for a socket path: a fresh private directory in the system's temp.
  return { directory: fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-pglite-')), temporary: true };
}

/**
 * Opens (or creates) PGlite in `directory` and serves it on a Unix socket in a directory of mode
 * 0700 beside it, so that the ordinary `pg` driver, and so one code path, serves both the embedded
 * database and a PostgreSQL server. The data directory is this process's alone while it is open
 * (`<directory>.lock`, see data-dir-lock.ts). Pass `null` for an in-memory database (tests).
 */
export async function startEmbedded(directory: string | null, options: { maxConnections?: number } = {}): Promise<EmbeddedDatabase> {
  let lock: ReturnType<typeof lockDataDirectory> | null = null;
  if (directory) {
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    lock = lockDataDirectory(directory);
  }
  let socket: ReturnType<typeof privateSocketDirectory> | null = null;
  let db: import('@electric-sql/pglite').PGlite | null = null;
  try {
    // Loaded lazily: PGlite is only needed when no DATABASE_URL is configured.
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    if (directory) {
      // PGlite writes its files world-readable (0666 under the usual umask): the directory keeps them ours.
      fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
      fs.chmodSync(directory, 0o700);
    }
    db = await PGlite.create(directory ?? undefined);
    socket = privateSocketDirectory(directory && `${directory}.socket`);
    const server = new PGLiteSocketServer({ db, path: path.join(socket.directory, `.s.PGSQL.${SOCKET_PORT}`), maxConnections: options.maxConnections ?? 4 });
    await server.start();
    const socketDirectory = socket.directory;
    const temporary = socket.temporary;
    const opened = db;
    return {
      url: `postgresql://postgres@${encodeURIComponent(socketDirectory)}:${SOCKET_PORT}/postgres`,
      replacedLock: lock?.replaced ?? null,
      async stop() {
        try {
          await server.stop();
          await opened.close();
        } finally {
          if (temporary) fs.rmSync(socketDirectory, { recursive: true, force: true });
          lock?.release();
        }
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    if (socket?.temporary) fs.rmSync(socket.directory, { recursive: true, force: true });
    lock?.release();
    throw error;
  }
}
