import { Migration } from '@mikro-orm/migrations';

/**
 * The sensitive-read audit (DESIGN.md section 8): who read which child's ID number, diagnosis or
 * certificate number, when, in which request. Append-only; rows may be purged only once they are
 * older than 180 days (the retention the security-protection standard asks for).
 */
export class Migration0004SensitiveReads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.sensitive_read (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_sub text NOT NULL,
      actor_dept text NOT NULL,
      actor_region varchar(6) NOT NULL,
      actor_roles text[] NOT NULL,
      child_id uuid NOT NULL,
      field text NOT NULL,
      request_id text NOT NULL)`);
    this.addSql('CREATE INDEX sensitive_read_child_idx ON hub.sensitive_read (child_id, id)');
    this.addSql('CREATE INDEX sensitive_read_at_idx ON hub.sensitive_read (at)');
    this.addSql(`CREATE FUNCTION hub.sensitive_read_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days' THEN RETURN OLD; END IF;
        RAISE EXCEPTION 'hub.sensitive_read is append-only (rows may be purged after 180 days): % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    this.addSql(`CREATE TRIGGER sensitive_read_guard BEFORE UPDATE OR DELETE ON hub.sensitive_read
      FOR EACH ROW EXECUTE FUNCTION hub.sensitive_read_guard()`);
    this.addSql(`CREATE TRIGGER sensitive_read_no_truncate BEFORE TRUNCATE ON hub.sensitive_read
      FOR EACH STATEMENT EXECUTE FUNCTION hub.sensitive_read_guard()`);
  }
}
