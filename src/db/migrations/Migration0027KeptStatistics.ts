import { Migration } from '@mikro-orm/migrations';

/**
 * The statistics the hub keeps (src/stats/stats.cube.ts): every child's values as `statistics`
 * counts them (`hub.stat_child`), the number of children with each combination of them
 * (`hub.stat_cube`, unique over all its columns with NULLs equal, so that a refresh adds to a group
 * with one `INSERT … ON CONFLICT`), the chains' heads the cube stands at (`hub.stat_cube_state`,
 * one row: no heads until the first question builds it; `epoch` counts the loads past the log that
 * dropped it), and the cube as it stood at settled month
 * ends (`hub.stat_month`, `hub.stat_month_state`). All are derived from the tables and the log:
 * dropping them loses nothing. The columns are those of `CUBE_COLUMNS` in stats.cube.ts as of this
 * migration (written out: a migration is frozen once released).
 */
const COLUMNS = `residence_region varchar(6), hukou_region varchar(6), township varchar(9), gender text, status text, stage text, grade integer,
  open_reason text, open_deadline date, returned boolean, left_behind boolean, de_facto_unsupported boolean, migrant boolean,
  parent_imprisoned boolean, orphan boolean, subsistence_allowance boolean, registered_poor boolean, monitored_household boolean,
  disabled boolean, serious_illness boolean`;
const KEYS = COLUMNS.replace(/ (varchar\(\d\)|text|integer|date|boolean)/g, '');

export class Migration0027KeptStatistics extends Migration {
  override async up(): Promise<void> {
    const columns = COLUMNS;
    const keys = KEYS;
    this.addSql(`CREATE TABLE hub.stat_child (child_id uuid PRIMARY KEY, ${columns})`);
    this.addSql(`CREATE TABLE hub.stat_cube (${columns}, n integer NOT NULL, UNIQUE NULLS NOT DISTINCT (${keys}))`);
    this.addSql(`CREATE TABLE hub.stat_cube_state (
      one boolean PRIMARY KEY DEFAULT true CHECK (one), heads text, epoch bigint NOT NULL DEFAULT 0,
      built_at timestamptz, refreshed_at timestamptz)`);
    this.addSql('INSERT INTO hub.stat_cube_state DEFAULT VALUES');
    this.addSql('CREATE TABLE hub.stat_month_state (at timestamptz PRIMARY KEY, kept_at timestamptz NOT NULL DEFAULT now())');
    this.addSql(`CREATE TABLE hub.stat_month (at timestamptz NOT NULL REFERENCES hub.stat_month_state (at), ${columns}, n integer NOT NULL)`);
    this.addSql('CREATE INDEX stat_month_at_idx ON hub.stat_month (at)');
  }
}
