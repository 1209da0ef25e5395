import { Migration } from '@mikro-orm/migrations';

/**
 * Supervision actions in the monthly notices (issue 19 point 2: "all are logged and appear in the
 * right department's monthly notice"): `hub.notice_action` holds each notice's action lines, frozen
 * at issue: for every action routed to the recipient (a referral to the department it was sent to,
 * admonitions, correction orders and county interviews to education), of a kind ACTION_MATRIX lets
 * it read, in its region, what happened to it in the notice's period: opened (OPENED), closed or
 * answered (CLOSED), or past its deadline while still open (OVERDUE, on the first overdue day). The
 * notice's content hash covers them; append-only like the log, so an issued notice cannot change.
 */
export class Migration0024NoticeActions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE hub.notice_action (
      notice_id uuid NOT NULL REFERENCES hub.exchange_notice (id) DEFERRABLE INITIALLY DEFERRED,
      event text NOT NULL CHECK (event IN ('OPENED', 'CLOSED', 'OVERDUE')),
      action_id uuid NOT NULL,
      kind text NOT NULL,
      child_id uuid,
      county varchar(6) NOT NULL,
      to_dept text,
      number varchar(40),
      opened_dept text NOT NULL,
      opened_on date NOT NULL,
      deadline date NOT NULL,
      event_on date NOT NULL,
      note varchar(500) NOT NULL,
      outcome varchar(500),
      PRIMARY KEY (notice_id, event, action_id))`);
    this.addSql('CREATE TRIGGER notice_action_no_update_or_delete BEFORE UPDATE OR DELETE ON hub.notice_action FOR EACH ROW EXECUTE FUNCTION hub.append_only()');
    this.addSql('CREATE TRIGGER notice_action_no_truncate BEFORE TRUNCATE ON hub.notice_action FOR EACH STATEMENT EXECUTE FUNCTION hub.append_only()');
  }
}
