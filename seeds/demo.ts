import type { Clock } from '../src/core/clock';
import type { Database } from '../src/db/database';
import type { RootSigner } from '../src/notices/notice.cut';
import { regions } from '../src/regions/region.registry';
import { seedDemoHistory } from './demo-history';
import { seedChildren } from './generator';

export const DEMO_CHILDREN = 3000;
const DEMO_SEED = 20_250_901;

/**
 * Most demo children live in Gulou (鼓楼区 350102), the demo identities' county, some in Taijiang
 * (台江区 350103, the second clerk's county) and a few elsewhere in Fuzhou, so that region scope
 * and children registered in one county but living in another can be tried out.
 */
const WEIGHTS: Readonly<Record<string, number>> = Object.fromEntries(
  regions.countyCodesWithin('350100').map((code) => [code, code === '350102' ? 80 : code === '350103' ? 14 : 0.5]),
);

/** Seeds the demo children into an empty database; returns how many, or 0 when children exist. */
/** `roots` signs the root each month's notices name (the server's LogRootService). */
export async function seedDemoIfEmpty(db: Database, clock: Clock, roots: RootSigner): Promise<number> {
  const [{ empty }] = await db.sql.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM hub.child) AS empty');
  if (!empty) return 0;
  const result = await seedChildren(db.sql, clock, { children: DEMO_CHILDREN, seed: DEMO_SEED, counties: Object.keys(WEIGHTS), weights: WEIGHTS });
  // The loaded ledger is the state before the hub; its last three months happen through the hub.
  await seedDemoHistory(db, clock.today(), roots);
  return result.children;
}
