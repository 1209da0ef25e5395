import 'reflect-metadata';
import { registerLoggedEntities } from '../changelog/catalogue';
import { ChangeLogSubscriber } from '../changelog/change-log.subscriber';
import { childrenModule } from '../children/children.module';
import { registerOrmModules } from '../db/orm';
import { sectionsModule } from '../departments/sections.module';
import { enrollmentModule } from '../enrollment/enrollment.module';
import { keyRegionsModule } from '../key-regions/key-regions.module';
import { ledgerModule } from '../ledger/ledger.module';
import { noticesModule } from '../notices/notices.module';
import { reconciliationModule } from '../reconciliation/reconciliation.module';
import { supervisionModule } from '../supervision/supervision.module';
import { duplicatesModule } from '../duplicates/duplicates.module';

/**
 * The composition root of the data: every module that has tables, in one list. The database and
 * the change log sit below the domains and import none of them; they learn of them here. A new
 * capability with tables adds its module to this list.
 */
export const MODULES = [childrenModule, sectionsModule, keyRegionsModule, ledgerModule, enrollmentModule, noticesModule, reconciliationModule, supervisionModule, duplicatesModule];

let registered = false;

/**
 * Tells the database and the change log about every module. Every entry point calls it first (the
 * server, each CLI, the benchmark's processes, tests that build pieces themselves); without it,
 * opening the database or reading the log fails with an error that names this function.
 */
export function registerModules(): void {
  if (registered) return;
  registerLoggedEntities(MODULES);
  registerOrmModules({ entities: MODULES.flatMap((m) => m.entities), changeLogSubscriber: () => new ChangeLogSubscriber() });
  registered = true;
}
