import { Migration } from '@mikro-orm/migrations';

/**
 * `hub.child_match_key` no longer references `hub.child`. The check at registration writes the
 * sound keys of the children it has just inserted, and the foreign key checked each of them by
 * locking its row: 1,000 row locks (each a WAL record) for a batch of 1,000, half the cost of
 * writing the keys (issue 16's target: the check adds at most 30 % to the batch). The keys are
 * derived from the children's logged fields, like an index: a key whose child is gone meets no one
 * (the lookups join `hub.child`), and a merge, the only way a child's row goes, deletes the merged
 * child's key itself (duplicate.merge.ts), as the cascade did.
 */
export class Migration0030MatchKeyWithoutForeignKey extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE hub.child_match_key DROP CONSTRAINT child_match_key_child_id_fkey');
    this.addSql('DELETE FROM hub.child_match_key k WHERE NOT EXISTS (SELECT 1 FROM hub.child c WHERE c.id = k.child_id)');
  }
}
