import { childLoader } from '../children/child.loader';
import type { ChildView } from '../children/child.type';
import type { Reader } from '../core/context';
import type { Sql } from '../db/sql';
import { educationSection } from '../departments/education/education.section';
import { sectionLoader } from '../departments/section.loader';

/**
 * Who a notice's entries are about, for a liaison who acts on a name, not a UUID: the child's
 * name, counties and school as the reader may see them now. Looked up when the notice is read,
 * under the reader's own permissions and region, never frozen into the notice: its content hash
 * covers only the entries, so a name corrected later shows corrected, a masked reader reads
 * `张*`, and a child no longer in the reader's region shows nothing at all.
 */
export interface NoticeChild {
  readonly id: string;
  /** Full or masked as the matrix says for `Child.name`; null when the reader may not read it. */
  readonly name: string | null;
  readonly hukouRegion: string | null;
  readonly residenceRegion: string | null;
  /** `EducationRecord.schoolName`, when the reader may read it and the child has one. */
  readonly schoolName: string | null;
}

/**
 * The children named by `childIds` that the reader may see, by id. Through the same loaders as
 * `child(id)` and `Child.education` (region scope, selected columns, masks), in two statements
 * for any number of ids; children outside the reader's region are left out.
 */
export async function noticeChildren(sql: Sql, reader: Reader, childIds: ReadonlyArray<string | null>): Promise<Map<string, NoticeChild>> {
  const ids = [...new Set(childIds.filter((id): id is string => !!id))];
  const found = new Map<string, NoticeChild>();
  if (ids.length === 0) return found;
  const children = loaded(await childLoader(sql, reader).loadMany(ids));
  const mayReadSchools = reader.access.canRead('Child.education') && reader.access.canRead('EducationRecord.schoolName');
  const schools = mayReadSchools && children.length ? loaded(await sectionLoader(sql, reader, educationSection).loadMany(children.map((c) => c.id))) : [];
  const schoolOf = new Map(schools.map((row) => [row.childId, (row.schoolName as string | null | undefined) ?? null]));
  for (const child of children) {
    found.set(child.id, {
      id: child.id,
      name: child.name ?? null,
      hukouRegion: child.hukouRegion?.code ?? null,
      residenceRegion: child.residenceRegion?.code ?? null,
      schoolName: schoolOf.get(child.id) ?? null,
    });
  }
  return found;
}

/** What a loader found: a failed load fails the read, a missing row is left out. */
function loaded<T>(results: ReadonlyArray<T | null | Error>): T[] {
  const rows: T[] = [];
  for (const result of results) {
    if (result instanceof Error) throw result;
    if (result !== null) rows.push(result);
  }
  return rows;
}
