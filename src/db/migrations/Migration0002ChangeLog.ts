import { Migration } from '@mikro-orm/migrations';

/**
 * The change log (DESIGN.md section 2): every change to a child's records, appended in the same
 * transaction as the change, hash-chained, and refused any UPDATE, DELETE or TRUNCATE by the
 * database itself.
 */
export class Migration0002ChangeLog extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.change_log (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      at timestamptz NOT NULL,
      actor_sub text NOT NULL,
      actor_dept text NOT NULL,
      actor_region varchar(6) NOT NULL,
      actor_roles text[] NOT NULL,
      operation text NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE')),
      entity text NOT NULL,
      entity_id text NOT NULL,
      child_id uuid NOT NULL,
      hukou_region varchar(6) NOT NULL,
      residence_region varchar(6) NOT NULL,
      version integer,
      changes jsonb NOT NULL,
      mutation text NOT NULL,
      reason text,
      request_id text NOT NULL,
      idempotency_key text,
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL UNIQUE)`);
    this.addSql('CREATE INDEX change_log_child_idx ON hub.change_log (child_id, seq)');
    this.addSql('CREATE INDEX change_log_hukou_idx ON hub.change_log (hukou_region, seq)');
    this.addSql('CREATE INDEX change_log_residence_idx ON hub.change_log (residence_region, seq)');
    this.addSql('CREATE INDEX change_log_at_idx ON hub.change_log (at)');

    this.addSql(`CREATE FUNCTION hub.change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'hub.change_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    this.addSql(`CREATE TRIGGER change_log_no_update_or_delete BEFORE UPDATE OR DELETE ON hub.change_log
      FOR EACH ROW EXECUTE FUNCTION hub.change_log_append_only()`);
    this.addSql(`CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON hub.change_log
      FOR EACH STATEMENT EXECUTE FUNCTION hub.change_log_append_only()`);
  }
}
