import fs from 'node:fs';
import path from 'node:path';
import type { EmbeddedDatabase } from '../../src/db/embedded';

export default async function teardown(): Promise<void> {
  const embedded = (globalThis as Record<string, unknown>).__BAOXUE_PGLITE__ as EmbeddedDatabase | undefined;
  await embedded?.stop();
  const baseline = process.env.BAOXUE_PGLITE_BASELINE;
  if (baseline) fs.rmSync(path.dirname(baseline), { recursive: true, force: true });
}
