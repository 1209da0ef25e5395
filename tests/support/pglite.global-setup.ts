import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbedded } from '../../src/db/embedded';

/**
 * One in-memory PGlite for the whole PGlite project, served on a loopback port. It starts here,
 * outside the test sandbox, because PGlite's CommonJS build cannot load inside Jest's VM. The
 * first test file that asks for a migrated database migrates it and records its baseline in a
 * file named here, which later files return to (tests/support/pglite-baseline.ts).
 */
export default async function setup(): Promise<void> {
  const embedded = await startEmbedded(null, { maxConnections: 8 });
  process.env.BAOXUE_PGLITE_URL = embedded.url;
  process.env.BAOXUE_PGLITE_BASELINE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-pglite-baseline-')), 'baseline.json');
  (globalThis as Record<string, unknown>).__BAOXUE_PGLITE__ = embedded;
}
