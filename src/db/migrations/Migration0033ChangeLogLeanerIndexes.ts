import { Migration } from '@mikro-orm/migrations';

/**
 * Two of the change log's indexes hold only what their readers look for, so that an entry costs
 * two index insertions fewer (1,000 import entries into a log of 367,000: 14.5 ms of the
 * database's CPU with them, 12.0 ms without; docs/benchmarks-history.md, issue 17 in session 18).
 * - `change_log_residence_idx` goes. An entry's chain is its child's county of residence (or its
 *   own region): outside the frozen chain `global`, `(residence_region, seq)` is the primary key
 *   `(chain, seq)` again. No reader uses it: a county reader reads its own chains by the primary
 *   key, and the frozen chain by that key with the region as a filter (src/changelog/log-read.ts).
 * - `change_log_hukou_idx` keeps only entries whose hukou county is not their chain. Its one
 *   reader, a county reader's read of another county's chain (log-read.ts), wants exactly those:
 *   the children of its counties who live elsewhere. The entries of children living where their
 *   hukou is (most of them, and every one of a county's own import) are no longer in it.
 */
export class Migration0033ChangeLogLeanerIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX hub.change_log_residence_idx');
    this.addSql('DROP INDEX hub.change_log_hukou_idx');
    this.addSql('CREATE INDEX change_log_hukou_idx ON hub.change_log (hukou_region, chain, seq) WHERE hukou_region <> chain');
  }
}
