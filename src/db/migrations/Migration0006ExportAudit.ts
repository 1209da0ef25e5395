import { Migration } from '@mikro-orm/migrations';

/**
 * Exports of exchange notices go into the sensitive-read audit as rows of their own
 * (`export:<format>:<notice number>`), about no single child: the child id becomes optional and
 * such a row names the region of the notice instead, so that supervisors of that region see it.
 */
export class Migration0006ExportAudit extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE hub.sensitive_read ALTER COLUMN child_id DROP NOT NULL');
    this.addSql('ALTER TABLE hub.sensitive_read ADD COLUMN region varchar(6)');
    this.addSql('ALTER TABLE hub.sensitive_read ADD CONSTRAINT sensitive_read_subject CHECK (child_id IS NOT NULL OR region IS NOT NULL)');
    this.addSql('CREATE INDEX sensitive_read_region_idx ON hub.sensitive_read (region, id) WHERE child_id IS NULL');
  }
}
