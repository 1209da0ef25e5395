import { Migration } from '@mikro-orm/migrations';

/** Key regions (四(二) 重点监测地区) as a list supervisors keep (src/key-regions/): empty until they set it. */
export class Migration0023KeyRegions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.key_region (
      county varchar(6) PRIMARY KEY,
      key boolean NOT NULL,
      version integer NOT NULL DEFAULT 1,
      updated_by text NOT NULL)`);
  }
}
