import DataLoader from 'dataloader';
import type { Reader } from '../core/context';
import type { Sql } from '../db/sql';
import { applyMask } from '../permissions/masks';
import { regions } from '../regions/region.registry';
import type { RegionInfo } from '../regions/region.registry';
import { ChildView } from './child.type';

/** GraphQL field → column of hub.child. */
const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id',
  idNumber: 'id_number',
  name: 'name',
  gender: 'gender',
  birthDate: 'birth_date',
  hukouRegion: 'hukou_region',
  residenceRegion: 'residence_region',
  township: 'township',
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

export interface ChildRow {
  id: string;
  idNumber: string | null;
  name: string | null;
  gender: string | null;
  birthDate: string | null;
  hukouRegion: string | null;
  residenceRegion: string | null;
  township: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const selectCache = new Map<string, string>();

/** The select list for a reader: withheld columns are not fetched at all (`NULL`), so they cannot leak. */
export function childSelectList(reader: Reader, alias = 'c'): string {
  const key = `${reader.access.dept}:${reader.access.roles.join(',')}:${alias}`;
  let list = selectCache.get(key);
  if (!list) {
    list = Object.entries(COLUMNS)
      .map(([field, column]) => (reader.access.canRead(`Child.${field}`) ? `${alias}.${column} AS "${field}"` : `NULL AS "${field}"`))
      .join(', ');
    selectCache.set(key, list);
  }
  return list;
}

/**
 * The condition that confines a read of hub.child to the reader's region, its value pushed onto
 * `params`: the child's township for a township user, else hukou or residence county in scope, or
 * TRUE for a province-wide reader. Every read of children goes through here.
 */
export function scopeCondition(reader: Reader, params: unknown[], alias = 'c'): string {
  if (reader.township) return `${alias}.township = $${params.push(reader.township)}`;
  if (reader.counties === null) return 'TRUE';
  const p = `$${params.push(reader.counties)}`;
  return `(${alias}.hukou_region = ANY(${p}) OR ${alias}.residence_region = ANY(${p}))`;
}

function region(code: string | null): RegionInfo | null {
  return code ? (regions.get(code) ?? null) : null;
}

/** Turns a row into what the reader may see: masks applied here, where the value is produced. */
export function toChildView(row: ChildRow, reader: Reader): ChildView {
  // An instance of the class, not a plain object: type-graphql copies a @Root() that is not an
  // instance into a new one on every field resolver it is passed to (seven per child on a page).
  // The row's fields are copied one by one: a page's rows carry its embedded parts as well.
  const view = new ChildView();
  const { access } = reader;
  view.id = row.id;
  view.idNumber = access.level('Child.idNumber') === 'M' ? (applyMask('Child.idNumber', row.idNumber) as string | null) : row.idNumber;
  view.name = (access.level('Child.name') === 'M' ? applyMask('Child.name', row.name) : row.name) as string;
  view.gender = row.gender as string;
  view.birthDate = row.birthDate as string;
  view.hukouRegion = region(row.hukouRegion) as ChildView['hukouRegion'];
  view.residenceRegion = region(row.residenceRegion) as ChildView['residenceRegion'];
  view.township = row.township;
  view.version = row.version;
  view.createdAt = row.createdAt;
  view.updatedAt = row.updatedAt;
  return view;
}

/** Children by id, in the reader's region only: one statement per request, whatever the number of ids. */
export function childLoader(sql: Sql, reader: Reader): DataLoader<string, ChildView | null> {
  return new DataLoader(async (ids) => {
    const params: unknown[] = [ids];
    const rows = await sql.query<ChildRow>(
      `SELECT ${childSelectList(reader)} FROM hub.child c WHERE c.id = ANY($1::uuid[]) AND ${scopeCondition(reader, params)}`,
      params,
    );
    const byId = new Map(rows.map((r) => [r.id, toChildView(r, reader)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
