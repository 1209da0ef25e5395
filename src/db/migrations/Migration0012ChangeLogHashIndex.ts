import { Migration } from '@mikro-orm/migrations';

/**
 * The change log's `hash` loses its UNIQUE constraint, and with it the index that backed it. No
 * reader looks an entry up by its hash (the verifier, notices and the chain head all go by `seq`),
 * and it guarded nothing the chain does not: `seq` is the primary key and every hash covers its
 * `seq`, so two entries could share a hash only by a SHA-256 collision. It was the dearest index
 * to keep: its keys are random, so each append wrote a leaf anywhere in it (a third of the time of
 * appending a thousand entries, and more once the index outgrows memory).
 */
export class Migration0012ChangeLogHashIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE hub.change_log DROP CONSTRAINT change_log_hash_key');
  }
}
