import { Migration } from '@mikro-orm/migrations';

/**
 * The change log's hukou index by chain: `(hukou_region, chain, seq)` instead of `(hukou_region,
 * seq)`. Since seq counts per chain (migration 0015), a county reader follows every other county's
 * chain only for children whose hukou is in its county (src/changelog/log-read.ts), from where it
 * was last shown one: this index gives those entries of one chain in seq order, where the old one
 * could only give them from every chain at once, and a reader shown nothing of a long chain would
 * have it scanned from its start at every page.
 */
export class Migration0021ChangeLogHukouIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX hub.change_log_hukou_idx');
    this.addSql('CREATE INDEX change_log_hukou_idx ON hub.change_log (hukou_region, chain, seq)');
  }
}
