import { Migration } from '@mikro-orm/migrations';

/**
 * Discrepancies in the monthly notices (issue 14, point 5):
 * - `hub.discrepancy.explained_on`: the day a supervisor confirmed an explanation (a later run may
 *   still resolve an explained discrepancy, so its status alone does not say when it was explained).
 *   Rows explained before this migration take the day of their last update (China Standard Time).
 * - `hub.notice_discrepancy`: each notice's discrepancy lines, frozen at issue: for every
 *   discrepancy the recipient may see, what happened to it in the notice's period (NEW, RESOLVED,
 *   EXPLAINED) or that it was past its deadline when the month closed (OVERDUE). The notice's
 *   content hash covers them; append-only like the log, so an issued notice cannot change.
 */
export class Migration0022NoticeDiscrepancies extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE hub.discrepancy ADD COLUMN explained_on date');
    this.addSql(`UPDATE hub.discrepancy SET explained_on = (updated_at AT TIME ZONE 'Asia/Shanghai')::date WHERE status = 'EXPLAINED'`);
    this.addSql(`CREATE TABLE hub.notice_discrepancy (
      notice_id uuid NOT NULL REFERENCES hub.exchange_notice (id) DEFERRABLE INITIALLY DEFERRED,
      event text NOT NULL CHECK (event IN ('NEW', 'RESOLVED', 'EXPLAINED', 'OVERDUE')),
      discrepancy_id uuid NOT NULL,
      rule varchar(8) NOT NULL,
      child_id uuid NOT NULL,
      county varchar(6) NOT NULL,
      owner_dept text NOT NULL,
      opened_on date NOT NULL,
      deadline date NOT NULL,
      event_on date,
      PRIMARY KEY (notice_id, event, discrepancy_id))`);
    this.addSql('CREATE TRIGGER notice_discrepancy_no_update_or_delete BEFORE UPDATE OR DELETE ON hub.notice_discrepancy FOR EACH ROW EXECUTE FUNCTION hub.append_only()');
    this.addSql('CREATE TRIGGER notice_discrepancy_no_truncate BEFORE TRUNCATE ON hub.notice_discrepancy FOR EACH STATEMENT EXECUTE FUNCTION hub.append_only()');
  }
}
