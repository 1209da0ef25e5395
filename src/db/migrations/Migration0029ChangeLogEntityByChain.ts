import { Migration } from '@mikro-orm/migrations';

/**
 * The change log by entity, keyed `(entity, chain, seq)` instead of `(entity, entity_id)`. Its one
 * reader, the statistics' as-of rebuild (src/stats/stats.as-of.ts), finds an entity's entries by
 * `entity` and groups them itself; the entity's id in the key only ordered them. Keyed by a random
 * id, every appended entry landed on a leaf page of its own: COPY of 1,000 import entries into a log
 * of 340,000 took 40 ms of the database's CPU with it and 30 ms with this key, which appends each
 * county's entries of an entity at the end of their range (docs/benchmarks-history.md, issue 17's import).
 */
export class Migration0029ChangeLogEntityByChain extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX hub.change_log_entity_idx');
    this.addSql('CREATE INDEX change_log_entity_idx ON hub.change_log (entity, chain, seq)');
  }
}
