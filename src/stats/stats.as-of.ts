import { SPECIAL_GROUP_FLAGS } from '../departments/civil-affairs/civil-affairs.enums';

/**
 * The tables `statistics` counts from, as they stood at a time, rebuilt from the change log in one
 * set-based subquery per table (src/as-of/ rebuilds one child by replaying its entries; this does
 * the same for every row at once).
 *
 * A field's value at T is the `after` of the last entry at or before T that changed it; else the
 * `before` of the first entry after T that changed it (a row loaded before the hub, or a field
 * unchanged since T, has its value from then on); else, when no entry ever changed it, today's
 * value. A row whose CREATE entry is after T did not exist then. The hub deletes no row these
 * tables hold, so a row of T is a row of today. Exact as long as every change went through the
 * log, which the unit of work enforces (tests/e2e/statistics-as-of.test.ts counts both ways).
 */
export interface AsOfTable {
  /** The change log's entity type. */
  readonly entity: string;
  readonly table: string;
  /** The column the log's entity_id names (a section is keyed by its child). */
  readonly key: string;
  /** Columns copied as they are today (never changed after creation). */
  readonly fixed: readonly string[];
  /** The logged columns the statistics read: log field name, column, SQL type. */
  readonly fields: ReadonlyArray<readonly [field: string, column: string, type: string]>;
}

/** `(SELECT …) AS alias`-ready SQL for the table as it stood at the timestamp in parameter `at`. */
export function asOfTableSql(t: AsOfTable, at: string): string {
  const aggregates = t.fields.flatMap(([field], i) => [
    `(array_agg(l.changes->'${field}'->'after' ORDER BY l.at DESC, l.seq DESC) FILTER (WHERE l.at <= ${at} AND l.changes ? '${field}'))[1] AS a${i}`,
    `(array_agg(l.changes->'${field}'->'before' ORDER BY l.at, l.seq) FILTER (WHERE l.at > ${at} AND l.changes ? '${field}'))[1] AS b${i}`,
  ]);
  const values = t.fields.map(([, column, type], i) =>
    `CASE WHEN h.a${i} IS NOT NULL THEN (h.a${i} #>> '{}')::${type} WHEN h.b${i} IS NOT NULL THEN (h.b${i} #>> '{}')::${type} ELSE t.${column} END AS ${column}`);
  const columns = [...new Set([t.key, ...t.fixed])].map((c) => `t.${c}`);
  return `(SELECT ${[...columns, ...values].join(', ')}
    FROM ${t.table} t
    LEFT JOIN (SELECT l.entity_id, ${[`bool_or(l.operation = 'CREATE' AND l.at > ${at}) AS later`, ...aggregates].join(', ')}
      FROM hub.change_log l WHERE l.entity = '${t.entity}' GROUP BY l.entity_id) h ON h.entity_id = t.${t.key}::text
    WHERE h.later IS NOT TRUE)`;
}

const table = (entity: string, name: string, key: string, fixed: string[], fields: Array<[string, string, string]>): AsOfTable => ({ entity, table: name, key, fixed, fields });

/** The tables the statistics read, each with the logged fields they count by. */
export const STAT_TABLES = {
  child: table('Child', 'hub.child', 'id', [], [['residenceRegion', 'residence_region', 'text'], ['hukouRegion', 'hukou_region', 'text'], ['township', 'township', 'text'], ['gender', 'gender', 'text']]),
  education: table('EducationRecord', 'edu.education_record', 'child_id', [], [['status', 'status', 'text'], ['stage', 'stage', 'text'], ['grade', 'grade', 'int'], ['schoolName', 'school_name', 'text']]),
  dropoutCase: table('DropoutCase', 'edu.dropout_case', 'id', ['child_id'], [['reason', 'reason', 'text'], ['status', 'status', 'text'], ['openedOn', 'opened_on', 'date'], ['closedOn', 'closed_on', 'date'], ['deadline', 'deadline', 'date']]),
  civil: table('CivilAffairsRecord', 'civil.civil_affairs_record', 'child_id', [], Object.values(SPECIAL_GROUP_FLAGS).map((f) => [f.field, f.column, 'boolean'])),
  poverty: table('PovertyRecord', 'poverty.poverty_record', 'child_id', [], [['registeredPoor', 'registered_poor', 'boolean'], ['monitoredHousehold', 'monitored_household', 'boolean']]),
  disability: table('DisabilityRecord', 'dpf.disability_record', 'child_id', [], []),
  health: table('HealthRecord', 'health.health_record', 'child_id', [], [['seriousIllness', 'serious_illness', 'boolean']]),
  homeTeaching: table('HomeTeaching', 'edu.home_teaching', 'id', ['child_id'], [['startedOn', 'started_on', 'date'], ['endedOn', 'ended_on', 'date']]),
  homeTeachingVisit: table('HomeTeachingVisit', 'edu.home_teaching_visit', 'id', ['child_id'], [['visitedOn', 'visited_on', 'date'], ['hours', 'hours', 'numeric']]),
  enrollmentNotice: table('EnrollmentNotice', 'edu.enrollment_notice', 'id', ['child_id'], [['status', 'status', 'text']]),
} as const;
