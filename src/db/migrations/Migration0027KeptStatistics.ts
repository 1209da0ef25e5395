import { Migration } from '@mikro-orm/migrations';

/**
 * The statistics the hub keeps (src/stats/stats.cube.ts): every child's values as `statistics`
 * counts them (`hub.stat_child`; `counted` false once the child's row is gone, merged into another), the number of children with each combination of them
 * (`hub.stat_cube`, unique over all its columns with NULLs equal, so that a refresh adds to a group
 * with one `INSERT … ON CONFLICT`; and two coarser grains, `_groups` and `_county`), the chains' heads the cube stands at (`hub.stat_cube_state`,
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
    this.addSql(`CREATE TABLE hub.stat_child (child_id uuid PRIMARY KEY, counted boolean NOT NULL DEFAULT true, ${columns})`);
    this.addSql('CREATE TABLE hub.stat_month_state (at timestamptz PRIMARY KEY, kept_at timestamptz NOT NULL DEFAULT now())');
    this.addSql(`CREATE TABLE hub.stat_cube_state (
      one boolean PRIMARY KEY DEFAULT true CHECK (one), heads text, epoch bigint NOT NULL DEFAULT 0,
      built_at timestamptz, refreshed_at timestamptz)`);
    this.addSql('INSERT INTO hub.stat_cube_state DEFAULT VALUES');
    // The finest grain, with the region columns a county or city reader's scope reads.
    this.addSql(`CREATE TABLE hub.stat_cube (${columns}, n integer NOT NULL, UNIQUE NULLS NOT DISTINCT (${keys}))`);
    this.addSql(`CREATE TABLE hub.stat_month (at timestamptz NOT NULL REFERENCES hub.stat_month_state (at), ${columns}, n integer NOT NULL)`);
    for (const column of ['residence_region', 'hukou_region', 'township']) {
      this.addSql(`CREATE INDEX stat_cube_${column}_idx ON hub.stat_cube (${column})`);
      this.addSql(`CREATE INDEX stat_month_${column}_idx ON hub.stat_month (at, ${column})`);
    }
    // Coarser grains for province-wide readers: without township and hukou; and without the special groups too.
    const coarse = COLUMNS.split(',').map((c) => c.trim()).filter((c) => !/^(township|hukou_region) /.test(c));
    const withoutGroups = coarse.filter((c) => !/^(left_behind|de_facto_unsupported|migrant|parent_imprisoned|orphan|subsistence_allowance|registered_poor|monitored_household|disabled|serious_illness) /.test(c));
    for (const [name, list] of [['groups', coarse], ['county', withoutGroups]] as const) {
      const names = list.map((c) => c.split(' ')[0]).join(', ');
      this.addSql(`CREATE TABLE hub.stat_cube_${name} (${list.join(', ')}, n integer NOT NULL, UNIQUE NULLS NOT DISTINCT (${names}))`);
      this.addSql(`CREATE TABLE hub.stat_month_${name} (at timestamptz NOT NULL REFERENCES hub.stat_month_state (at), ${list.join(', ')}, n integer NOT NULL)`);
      this.addSql(`CREATE INDEX stat_month_${name}_at_idx ON hub.stat_month_${name} (at)`);
    }
  }
}
