import { Migration } from '@mikro-orm/migrations';

/** The flags a department may not have said anything about: civil affairs' rosters, poverty's, health's. */
const FLAGS: ReadonlyArray<[table: string, columns: string[]]> = [
  ['civil.civil_affairs_record', ['left_behind', 'de_facto_unsupported', 'migrant', 'parent_imprisoned', 'orphan', 'subsistence_allowance']],
  ['poverty.poverty_record', ['registered_poor', 'monitored_household']],
  ['health.health_record', ['serious_illness']],
];

/**
 * "Not said" is not "no": the section flags lose their NOT NULL DEFAULT false, so a flag that a
 * write left out is stored as unknown (null) instead of 否. Rows written before keep their values:
 * a false stored then cannot be told from a false that was sent (the log's CREATE entries named
 * the defaults as if they had been given), so no row is rewritten on a guess.
 */
export class Migration0014UnknownFlags extends Migration {
  override async up(): Promise<void> {
    for (const [table, columns] of FLAGS) {
      this.addSql(`ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${c} DROP NOT NULL, ALTER COLUMN ${c} DROP DEFAULT`).join(', ')}`);
    }
  }
}
