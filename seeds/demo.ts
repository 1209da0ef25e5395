import type { Clock } from '../src/core/clock';
import type { Database } from '../src/db/database';

/** Placeholder until the generator lands. */
export async function seedDemoIfEmpty(_db: Database, _clock: Clock): Promise<number> {
  return 0;
}
