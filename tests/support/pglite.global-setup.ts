import { startEmbedded } from '../../src/db/embedded';

/**
 * One in-memory PGlite for the whole PGlite project, served on a loopback port. It starts here,
 * outside the test sandbox, because PGlite's CommonJS build cannot load inside Jest's VM.
 */
export default async function setup(): Promise<void> {
  const embedded = await startEmbedded(null, { maxConnections: 8 });
  process.env.BAOXUE_PGLITE_URL = embedded.url;
  (globalThis as Record<string, unknown>).__BAOXUE_PGLITE__ = embedded;
}
