import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';
import { STAT_TABLES, type AsOfTable } from './stats.as-of';

/**
 * The per-child values `statistics` counts by, beside the child's own columns: one entry per
 * department section (or the child's open cases), each with the value of every column it gives
 * and the join that brings it. Used by the answer over the tables (stats.query.ts) and by the
 * table the hub keeps of them (stats.cube.ts), so that both compute every value with the same SQL.
 *
 * Values are made on demand: a parameter (the open statuses, the day) is bound only where the
 * statement uses it, as PostgreSQL cannot type an unused one.
 */
interface Section {
  readonly columns: Readonly<Record<string, () => string>>;
  readonly join: () => string;
}

function sections(src: (t: AsOfTable) => string, open: () => string, day: () => string): Section[] {
  return [
    {
      columns: { status: () => 'e.status', stage: () => 'e.stage', grade: () => 'e.grade', school_name: () => 'e.school_name' },
      join: () => `LEFT JOIN ${src(STAT_TABLES.education)} e ON e.child_id = c.id`,
    },
    {
      // A child's open case: the reason of the latest, and the earliest deadline among them (a
      // child is overdue on a day when that deadline is before it).
      columns: {
        open_reason: () => 'oc.reason',
        open_deadline: () => 'oc.open_deadline',
        overdue: () => `COALESCE(oc.open_deadline < ${day()}, FALSE)`,
        returned: () => 'COALESCE(oc.returned, FALSE)',
      },
      join: () => `LEFT JOIN (SELECT d.child_id, (array_agg(d.reason ORDER BY d.opened_on DESC, d.id) FILTER (WHERE d.status = ANY(${open()})))[1] AS reason,
        min(d.deadline) FILTER (WHERE d.status = ANY(${open()})) AS open_deadline, bool_or(d.status = 'RETURNED') AS returned
      FROM ${src(STAT_TABLES.dropoutCase)} d GROUP BY d.child_id) oc ON oc.child_id = c.id`,
    },
    {
      columns: Object.fromEntries(Object.values(SPECIAL_GROUP_FLAGS).map((flag) => [flag.column, () => `ca.${flag.column}`])),
      join: () => `LEFT JOIN ${src(STAT_TABLES.civil)} ca ON ca.child_id = c.id`,
    },
    {
      columns: { registered_poor: () => 'pv.registered_poor', monitored_household: () => 'pv.monitored_household' },
      join: () => `LEFT JOIN ${src(STAT_TABLES.poverty)} pv ON pv.child_id = c.id`,
    },
    { columns: { disabled: () => '(dr.child_id IS NOT NULL)' }, join: () => `LEFT JOIN ${src(STAT_TABLES.disability)} dr ON dr.child_id = c.id` },
    { columns: { serious_illness: () => 'h.serious_illness' }, join: () => `LEFT JOIN ${src(STAT_TABLES.health)} h ON h.child_id = c.id` },
  ];
}

/**
 * The `expr AS column` list and the joins for the columns wanted, over the child `c`. Only the
 * sections that give a wanted column are joined: PostgreSQL drops an unused left join of today's
 * tables by itself, but not of a table rebuilt as of a time (its rows are filtered by the log), and
 * each costs a join of every child: at 2,000,000 children and 200,000 entries, an as-of answer took
 * 27.3 s with four unused sections, 18.9 s without them (README "Benchmarks").
 */
export function statSections(src: (t: AsOfTable) => string, open: () => string, day: () => string, wanted: ReadonlySet<string>): { select: string[]; joins: string[] } {
  const used = sections(src, open, day).filter((section) => Object.keys(section.columns).some((column) => wanted.has(column)));
  return {
    select: used.flatMap((section) => Object.entries(section.columns).filter(([column]) => wanted.has(column)).map(([column, value]) => `${value()} AS ${column}`)),
    joins: used.map((section) => section.join()),
  };
}
