import DataLoader from 'dataloader';
import type { Reader } from '../core/context';
import { jsonColumn, readJsonRow } from '../db/embedded-rows';
import type { Sql } from '../db/sql';
import { applyMask } from '../permissions/masks';
import { META_COLUMNS, type SectionDefinition } from './section';

export type SectionRow = Record<string, unknown> & { childId: string };

/**
 * What a reader may see of one section: the columns it may read (the others are not fetched at
 * all) and the masks on the masked ones. Both ways of reading a section, its own statement and
 * its subquery in the page's statement, are made from this, so they cannot differ.
 */
interface SectionView {
  readonly columns: ReadonlyArray<{ field: string; column: string; timestamp: boolean }>;
  readonly finish: (row: SectionRow) => SectionRow;
}

function sectionView(reader: Reader, def: SectionDefinition): SectionView {
  const all = [...def.fields, ...META_COLUMNS];
  const visible = reader.access.readable(def.typeName, all.map((c) => c.name));
  const masked = visible.filter((v) => v.masked).map((v) => v.field);
  const columns = visible.map((v) => {
    const column = all.find((c) => c.name === v.field)!;
    return { field: v.field, column: column.column, timestamp: 'timestamp' in column && column.timestamp === true };
  });
  const finish = (row: SectionRow) => {
    for (const field of masked) row[field] = applyMask(`${def.typeName}.${field}`, row[field]);
    return row;
  };
  return { columns, finish };
}

/** One section for many children in one statement, masked before a value leaves the loader. */
export function sectionLoader(sql: Sql, reader: Reader, def: SectionDefinition): DataLoader<string, SectionRow | null> {
  const { columns, finish } = sectionView(reader, def);
  const select = ['child_id AS "childId"', ...columns.map((c) => `${c.column} AS "${c.field}"`)].join(', ');
  const text = `SELECT ${select} FROM ${def.table} WHERE child_id = ANY($1::uuid[])`;
  return new DataLoader(async (childIds) => {
    const rows = await sql.query<SectionRow>(text, [childIds]);
    const byChild = new Map<string, SectionRow>();
    for (const row of rows) byChild.set(row.childId, finish(row));
    return childIds.map((id) => byChild.get(id) ?? null);
  });
}

/**
 * The same section as a subquery of the page's statement: the child's row as JSON (or null), for
 * the child whose id is `childId` (a column of the outer query). `read` turns the JSON back into
 * exactly the row the loader gives.
 */
export function sectionSubquery(reader: Reader, def: SectionDefinition, childId: string): { sql: string; read: (json: unknown) => SectionRow | null } {
  const { columns, finish } = sectionView(reader, def);
  const members = [jsonColumn('childId', 's.child_id'), ...columns.map((c) => jsonColumn(c.field, `s.${c.column}`, c.timestamp))];
  const timestamps = columns.filter((c) => c.timestamp).map((c) => c.field);
  return {
    sql: `(SELECT json_build_object(${members.join(', ')}) FROM ${def.table} s WHERE s.child_id = ${childId})`,
    read: (json) => (json === null || json === undefined ? null : finish(readJsonRow(json, timestamps) as SectionRow)),
  };
}
