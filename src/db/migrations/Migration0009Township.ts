import { Migration } from '@mikro-orm/migrations';

/**
 * Townships (乡镇、街道): where in its county of residence a child lives, by the 9-digit statistical
 * code (county code + 3 digits), so that township users see the children of their township only.
 */
export class Migration0009Township extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE hub.child ADD COLUMN township varchar(9)
      CONSTRAINT child_township_in_residence CHECK (township ~ '^[0-9]{9}$' AND left(township, 6) = residence_region)`);
    this.addSql('CREATE INDEX child_township_idx ON hub.child (township) WHERE township IS NOT NULL');
    // A township user's region is its 9-digit code, and it is recorded with what that user does.
    this.addSql('ALTER TABLE hub.change_log ALTER COLUMN actor_region TYPE varchar(9)');
    this.addSql('ALTER TABLE hub.sensitive_read ALTER COLUMN actor_region TYPE varchar(9)');
  }
}
