import DataLoader from 'dataloader';
import type { Reader, RequestContext } from '../core/context';
import { jsonColumn, readJsonRow } from '../db/embedded-rows';
import type { Sql } from '../db/sql';
import type { DropoutCaseType } from './dropout-case.type';

const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', reason: 'reason', status: 'status', openedOn: 'opened_on', closedOn: 'closed_on', notes: 'notes',
  responsiblePerson: 'responsible_person', responsibleUnit: 'responsible_unit', deadline: 'deadline', placement: 'placement',
  policeConfirmedOn: 'police_confirmed_on', policeConfirmedBy: 'police_confirmed_by',
  version: 'version', updatedAt: 'updated_at', updatedBy: 'updated_by',
};
/** The timestamptz columns (Dates when read); the rest are text, numbers and dates kept as text. */
const TIMESTAMPS = ['updatedAt'];
const ORDER = 'ORDER BY s.opened_on DESC, s.created_at DESC';

/** Each column the reader may read, the others as NULL: a withheld value is never fetched. */
function columns(reader: Reader): Array<{ field: string; expression: string }> {
  return Object.entries(COLUMNS).map(([field, column]) => ({ field, expression: reader.access.canRead(`DropoutCase.${field}`) ? `s.${column}` : 'NULL' }));
}

/** Every case of many children in one statement, newest first, only the columns the reader may see. */
export function dropoutCaseLoader(sql: Sql, reader: Reader): DataLoader<string, DropoutCaseType[]> {
  const select = columns(reader).map((c) => `${c.expression} AS "${c.field}"`).join(', ');
  const text = `SELECT s.child_id AS "childId", ${select} FROM edu.dropout_case s WHERE s.child_id = ANY($1::uuid[]) ${ORDER}`;
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

/** The request's one loader of cases (the page's statement fills it too). */
export function requestCaseLoader(ctx: RequestContext): DataLoader<string, DropoutCaseType[]> {
  return ctx.loader('dropoutCases', () => dropoutCaseLoader(ctx.db.sql, ctx.reader()));
}

/**
 * The same cases as a subquery of the page's statement, for the child whose id is `childId` (a
 * column of the outer query): a JSON array, newest first, that `read` turns back into exactly
 * the loader's list.
 */
export function dropoutCasesSubquery(reader: Reader, childId: string): { sql: string; read: (json: unknown) => DropoutCaseType[] } {
  const members = columns(reader).map((c) => jsonColumn(c.field, c.expression, TIMESTAMPS.includes(c.field)));
  return {
    sql: `(SELECT coalesce(json_agg(json_build_object(${members.join(', ')}) ${ORDER}), '[]'::json) FROM edu.dropout_case s WHERE s.child_id = ${childId})`,
    read: (json) => (json as unknown[]).map((row) => readJsonRow(row, TIMESTAMPS) as unknown as DropoutCaseType),
  };
}
