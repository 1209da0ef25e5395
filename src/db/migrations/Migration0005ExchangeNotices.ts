import { Migration } from '@mikro-orm/migrations';

/**
 * Monthly exchange notices (二(二) 信息通报): one per recipient department and region, covering a
 * change-log sequence range. A notice does not copy its entries: the log is immutable, so the
 * range, the recipient and the content hash taken at issue are enough to show and re-verify it.
 * Acknowledgements are change-log entries that concern no child, hence a nullable child id.
 */
export class Migration0005ExchangeNotices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.exchange_notice (
      id uuid PRIMARY KEY,
      number text NOT NULL UNIQUE,
      period char(7) NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      dept text NOT NULL,
      region varchar(6) NOT NULL REFERENCES hub.region (code),
      from_seq bigint NOT NULL CHECK (from_seq >= 0),
      to_seq bigint NOT NULL CHECK (to_seq >= from_seq),
      chain_head_hash char(64),
      content_hash char(64) NOT NULL,
      entry_count integer NOT NULL,
      summary jsonb NOT NULL,
      issued_at timestamptz NOT NULL,
      issued_by text NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by text,
      remarks varchar(500),
      version integer NOT NULL DEFAULT 1,
      UNIQUE (period, dept, region))`);
    this.addSql('CREATE INDEX exchange_notice_recipient_idx ON hub.exchange_notice (dept, region, to_seq)');
    this.addSql('ALTER TABLE hub.change_log ALTER COLUMN child_id DROP NOT NULL');
  }
}
