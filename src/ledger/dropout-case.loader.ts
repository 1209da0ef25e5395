import DataLoader from 'dataloader';
import type { Reader } from '../core/context';
import type { Sql } from '../db/sql';
import type { DropoutCaseType } from './dropout-case.type';

const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', reason: 'reason', status: 'status', openedOn: 'opened_on', closedOn: 'closed_on', notes: 'notes',
  responsiblePerson: 'responsible_person', responsibleUnit: 'responsible_unit', deadline: 'deadline', placement: 'placement',
  policeConfirmedOn: 'police_confirmed_on', policeConfirmedBy: 'police_confirmed_by',
  version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};

/** Every case of many children in one statement, newest first, only the columns the reader may see. */
export function dropoutCaseLoader(sql: Sql, reader: Reader): DataLoader<string, DropoutCaseType[]> {
  const select = Object.entries(COLUMNS)
    .map(([field, column]) => (reader.access.canRead(`DropoutCase.${field}`) ? `${column} AS "${field}"` : `NULL AS "${field}"`))
    .join(', ');
  const text = `SELECT child_id AS "childId", ${select} FROM edu.dropout_case WHERE child_id = ANY($1::uuid[]) ORDER BY opened_on DESC, created_at DESC`;
  return new DataLoader(async (childIds) => {
    const rows = await sql.query<DropoutCaseType & { childId: string }>(text, [childIds]);
    const byChild = new Map<string, DropoutCaseType[]>();
    for (const { childId, ...row } of rows) {
      const list = byChild.get(childId) ?? [];
      list.push(row);
      byChild.set(childId, list);
    }
    return childIds.map((id) => byChild.get(id) ?? []);
  });
}
