import { Migration } from '@mikro-orm/migrations';

/** Weekly county reports (二(一) 每周台账信息核查和报送): once per county and ISO week. */
export class Migration0008WeeklyReports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE edu.weekly_report (
      id uuid PRIMARY KEY,
      region varchar(6) NOT NULL REFERENCES hub.region (code),
      iso_week char(8) NOT NULL CHECK (iso_week ~ '^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$'),
      counts jsonb NOT NULL,
      remarks varchar(500),
      submitted_at timestamptz NOT NULL,
      submitted_by text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      UNIQUE (region, iso_week))`);
  }
}
