import type { EmbeddedDatabase } from '../../src/db/embedded';

export default async function teardown(): Promise<void> {
  const embedded = (globalThis as Record<string, unknown>).__BAOXUE_PGLITE__ as EmbeddedDatabase | undefined;
  await embedded?.stop();
}
