import { OptimisticLockError, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { arrayLiteral, executeInTransaction } from '../changelog/change-log.append';
import type { LoggedChange } from '../changelog/change-log.writer';
import { META_COLUMNS, type SectionDefinition } from './section';

type Values = Record<string, unknown>;

/** A child of a batch as it stands before the write: its regions, and its section row if it has one. */
export interface BeforeWrite {
  readonly hukouRegion: string;
  readonly residenceRegion: string;
  /** The row by property name (fields and bookkeeping), as the ORM would have loaded it; null when absent. */
  readonly row: Values | null;
}

/** One row to write: created, or updated from `before` at its version. */
export interface RowWrite {
  readonly childId: string;
  /** The fields given in the input (property name → value), written as they are. */
  readonly values: Values;
  readonly before: Values | null;
}

/**
 * The children of a batch and their section rows, in one statement. Children that do not exist
 * are left out of the map. (A join on `unnest`, not `id = ANY(…)`: with a thousand ids bound the
 * planner prices `ANY` as a scan of every child.)
 */
export async function readBeforeWrite(em: EntityManager, def: SectionDefinition, childIds: readonly string[]): Promise<Map<string, BeforeWrite>> {
  const sectionColumns = [...def.fields, ...META_COLUMNS];
  const columns = sectionColumns.map((c) => `s.${c.column} AS "${c.name}"`).join(', ');
  const rows = await executeInTransaction<Values & { id: string; hukouRegion: string; residenceRegion: string; present: boolean }>(
    em,
    `SELECT c.id, c.hukou_region AS "hukouRegion", c.residence_region AS "residenceRegion", s.child_id IS NOT NULL AS present, ${columns}
     FROM unnest(?::uuid[]) AS i(id) JOIN hub.child c ON c.id = i.id LEFT JOIN ${def.table} s ON s.child_id = c.id`,
    // The ids as one array literal: pg would otherwise escape a thousand elements one by one.
    [arrayLiteral(childIds)],
  );
  const found = new Map<string, BeforeWrite>();
  for (const child of rows) {
    let row: Values | null = null;
    if (child.present) {
      row = { childId: child.id };
      for (const { name } of sectionColumns) row[name] = child[name];
    }
    found.set(child.id, { hukouRegion: child.hukouRegion, residenceRegion: child.residenceRegion, row });
  }
  return found;
}

/**
 * Writes a batch's rows set-based, in one statement: one INSERT or UPDATE per set of columns
 * given (a batch usually gives the same ones throughout), the rows read from JSON shaped by the
 * table's own row type. Updates are optimistic, as the ORM's are: a row whose version moved since
 * it was read fails the write (CONFLICT), as does a row created meanwhile, which its primary key
 * refuses (a plain INSERT: `ON CONFLICT DO NOTHING` would cost a speculative insertion per row, a
 * fifth of the statement for a thousand new rows). `changesOf` tells the same writes as changes,
 * for the change log.
 */
export async function writeRows(em: EntityManager, def: SectionDefinition, writes: readonly RowWrite[], updatedBy: string, at: Date): Promise<void> {
  if (writes.length === 0) return;
  const groups = new Map<string, { create: boolean; columns: string[]; rows: Values[] }>();
  for (const write of writes) {
    const given = def.fields.filter((f) => f.name in write.values);
    const key = `${write.before ? 'U' : 'C'}:${given.map((f) => f.name).join(',')}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { create: !write.before, columns: given.map((f) => f.column), rows: [] }));
    const row: Values = { child_id: write.childId };
    if (write.before) row.version = write.before.version;
    for (const field of given) row[field.column] = write.values[field.name];
    group.rows.push(row);
  }
  // Bindings are numbered in the order their `?` appear in the text.
  const bindings: unknown[] = [];
  const p = (value: unknown, type: string) => {
    bindings.push(value);
    return `?::${type}`;
  };
  const parts = [...groups.values()].map((group, i) => {
    // Template expressions run left to right, so each binding is pushed where its `?` stands.
    const source = () => `jsonb_populate_recordset(NULL::${def.table}, ${p(JSON.stringify(group.rows), 'jsonb')}) AS x`;
    const sql = group.create
      ? `INSERT INTO ${def.table} (child_id, version, updated_by, updated_at${group.columns.map((c) => `, ${c}`).join('')})
         SELECT x.child_id, 1, ${p(updatedBy, 'text')}, ${p(at.toISOString(), 'timestamptz')}${group.columns.map((c) => `, x.${c}`).join('')} FROM ${source()}
         RETURNING 1`
      : `UPDATE ${def.table} s SET version = s.version + 1, updated_by = ${p(updatedBy, 'text')}, updated_at = ${p(at.toISOString(), 'timestamptz')}${group.columns.map((c) => `, ${c} = x.${c}`).join('')}
         FROM ${source()} WHERE s.child_id = x.child_id AND s.version = x.version RETURNING 1`;
    return { name: `w${i}`, sql, expected: group.rows.length };
  });
  const changedMeanwhile = () => new OptimisticLockError(`${def.table}: a row changed while the batch was written`);
  const [counts] = await executeInTransaction<Record<string, number>>(
    em,
    `WITH ${parts.map((w) => `${w.name} AS (${w.sql})`).join(', ')} SELECT ${parts.map((w) => `(SELECT count(*) FROM ${w.name})::int AS ${w.name}`).join(', ')}`,
    bindings,
  ).catch((error: unknown) => {
    throw error instanceof UniqueConstraintViolationException ? changedMeanwhile() : error;
  });
  if (parts.some((w) => counts[w.name] !== w.expected)) throw changedMeanwhile();
}

/** What `writeRows` with the same arguments changes, in the order of `writes`: the rows before and after, as the ORM's change sets tell them. */
export function changesOf(def: SectionDefinition, writes: readonly RowWrite[], updatedBy: string, at: Date): LoggedChange[] {
  return writes.map((write): LoggedChange => {
    const entityName = def.entity.name;
    if (!write.before) {
      return { entityName, operation: 'CREATE', entityId: write.childId, entity: { childId: write.childId, ...write.values, version: 1, updatedBy, updatedAt: at }, original: {}, payload: {} };
    }
    const version = (write.before.version as number) + 1;
    const entity = { ...write.before, ...write.values, version, updatedBy, updatedAt: at };
    return { entityName, operation: 'UPDATE', entityId: write.childId, entity, original: write.before, payload: write.values };
  });
}
