import { Migration } from '@mikro-orm/migrations';

/**
 * The change log by entity: `(entity, entity_id)`. The statistics' as-of rebuild
 * (src/stats/stats.as-of.ts) groups one entity's entries by `entity_id` for each of the ten tables
 * it reads; without this index each of the ten scanned the whole log and kept one entity's rows.
 * With it an entity with few entries costs a few index pages however long the log, and one with
 * many is read in `entity_id` order. Before and after at 2,000,000 children and 200,000 entries:
 * README "Benchmarks", statistics.
 */
export class Migration0026ChangeLogEntityIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX change_log_entity_idx ON hub.change_log (entity, entity_id)');
  }
}
