import { Migration } from '@mikro-orm/migrations';

/**
 * The change feed crosses server instances through PostgreSQL LISTEN/NOTIFY: every statement
 * that appends to the change log notifies `baoxue_change_log` with the highest sequence number it
 * wrote, and nothing else (listeners read the entries themselves, through each subscriber's
 * permissions). A trigger rather than the application, so that no append path can forget it.
 * PostgreSQL delivers the notification only when the appending transaction commits.
 */
export class Migration0003ChangeFeed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE FUNCTION hub.change_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE head bigint;
      BEGIN
        SELECT max(seq) INTO head FROM appended;
        IF head IS NOT NULL THEN
          PERFORM pg_notify('baoxue_change_log', head::text);
        END IF;
        RETURN NULL;
      END $$`);
    this.addSql(`CREATE TRIGGER change_log_notify AFTER INSERT ON hub.change_log
      REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION hub.change_log_notify()`);
  }
}
