import DataLoader from 'dataloader';
import type { Reader } from '../core/context';
import type { Sql } from '../db/sql';
import { applyMask } from '../permissions/masks';
import { META_COLUMNS, type SectionDefinition } from './section';

export type SectionRow = Record<string, unknown> & { childId: string };

/**
 * One section for many children in one statement, selecting only the columns the reader may
 * see; masked columns are masked here, before the value leaves the loader.
 */
export function sectionLoader(sql: Sql, reader: Reader, def: SectionDefinition): DataLoader<string, SectionRow | null> {
  const columns = [...def.fields, ...META_COLUMNS];
  const visible = reader.access.readable(def.typeName, columns.map((c) => c.name));
  const masked = visible.filter((v) => v.masked).map((v) => v.field);
  const select = ['child_id AS "childId"', ...visible.map((v) => `${columns.find((c) => c.name === v.field)!.column} AS "${v.field}"`)].join(', ');
  const text = `SELECT ${select} FROM ${def.table} WHERE child_id = ANY($1::uuid[])`;
  return new DataLoader(async (childIds) => {
    const rows = await sql.query<SectionRow>(text, [childIds]);
    const byChild = new Map<string, SectionRow>();
    for (const row of rows) {
      for (const field of masked) row[field] = applyMask(`${def.typeName}.${field}`, row[field]);
      byChild.set(row.childId, row);
    }
    return childIds.map((id) => byChild.get(id) ?? null);
  });
}
