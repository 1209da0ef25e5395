import DataLoader from 'dataloader';
import type { Reader } from '../core/context';
import type { Sql } from '../db/sql';

/**
 * Rows of a child's ledger records (visits, assessments), many children in one statement, only
 * the columns the reader may see. `key` groups by another column (a home-teaching visit's arrangement).
 */
export function childRowsLoader<T>(
  sql: Sql, reader: Reader, type: string, table: string, columns: Readonly<Record<string, string>>, order: string, key = 'child_id',
): DataLoader<string, T[]> {
  const select = Object.entries(columns)
    .map(([field, column]) => (reader.access.canRead(`${type}.${field}`) ? `${column} AS "${field}"` : `NULL AS "${field}"`))
    .join(', ');
  const text = `SELECT ${key} AS "childId__", ${select} FROM ${table} WHERE ${key} = ANY($1::uuid[]) ORDER BY ${order}`;
  return new DataLoader(async (childIds) => {
    const rows = await sql.query<Record<string, unknown>>(text, [childIds]);
    const byChild = new Map<string, T[]>();
    for (const { childId__, ...row } of rows) {
      const list = byChild.get(childId__ as string) ?? [];
      list.push(row as T);
      byChild.set(childId__ as string, list);
    }
    return childIds.map((id) => byChild.get(id) ?? []);
  });
}

export const VISIT_COLUMNS = {
  id: 'id', caseId: 'case_id', visitedOn: 'visited_on', visitor: 'visitor', method: 'method', outcome: 'outcome', notes: 'notes',
  version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};

export const ASSESSMENT_COLUMNS = {
  id: 'id', caseId: 'case_id', assessedOn: 'assessed_on', members: 'members', decision: 'decision', reviewOn: 'review_on',
  evidence: 'evidence', evidenceComplete: 'evidence_complete', version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};

export const HOME_TEACHING_COLUMNS = {
  id: 'id', caseId: 'case_id', schoolName: 'school_name', teacher: 'teacher', startedOn: 'started_on', endedOn: 'ended_on', notes: 'notes',
  version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};

export const HOME_TEACHING_VISIT_COLUMNS = {
  id: 'id', visitedOn: 'visited_on', teacher: 'teacher', hours: 'hours::float8', content: 'content', notes: 'notes',
  version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};
