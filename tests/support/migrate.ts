import 'reflect-metadata';
import { registerModules } from '../../src/app/modules';
import { migrate, openOrm } from '../../src/db/orm';

/** Applies every migration to the database at `url`, as a hub's first start does (src/db/database.ts). */
export async function migrateDatabase(url: string): Promise<void> {
  registerModules();
  const orm = await openOrm({ url, poolMax: 1 });
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
}
