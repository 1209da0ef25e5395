/**
 * The refusal of a write that names a child the actor cannot write: NOT_FOUND, the same whether
 * the child is elsewhere or never existed, so that a write cannot probe what exists outside the
 * actor's region. One case says more: the id of a record merged into another (issue 16), whose
 * survivor the actor may see. A department's system still holds the old id; the refusal names the
 * child to write to instead (`mergedInto`), as `child(id)` answers with it. A survivor outside the
 * actor's scope is refused like any missing child.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { executeInTransaction } from '../changelog/change-log.append';
import { NotFoundError } from '../core/errors';
import type { Actor } from '../core/unit-of-work';
import { childInScope } from '../permissions/access';
import { ChildEntity } from './child.entity';
import { UUID } from './child.validation';

/** Loads children by id inside the actor's scope; NOT_FOUND (`missingChild`) names the first that is not there. */
export async function childrenInScope(em: EntityManager, actor: Actor, ids: readonly string[], path: (i: number) => string): Promise<Map<string, ChildEntity>> {
  const found = await em.find(ChildEntity, { id: { $in: ids.filter((id) => UUID.test(id)) } });
  const visible = new Map(found.filter((c) => childInScope(actor.identity, c)).map((c) => [c.id, c]));
  const missing = ids.findIndex((id) => !visible.has(id));
  if (missing >= 0) throw await missingChild(em, actor, path(missing), ids[missing]);
  return visible;
}

export async function missingChild(em: EntityManager, actor: Actor, path: string, id: string): Promise<NotFoundError> {
  if (UUID.test(id)) {
    const [survivor] = await executeInTransaction<{ id: string; hukouRegion: string; residenceRegion: string; township: string | null }>(em,
      `SELECT c.id, c.hukou_region AS "hukouRegion", c.residence_region AS "residenceRegion", c.township
         FROM hub.child_alias a JOIN hub.child c ON c.id = a.child_id WHERE a.alias = ? AND a.kind = 'ID'`, [id.toLowerCase()]);
    if (survivor && childInScope(actor.identity, survivor)) {
      return new NotFoundError(`${path}: 儿童 ${id} 已合并至 ${survivor.id}，请改用该编号 (this record was merged into child ${survivor.id}; write to that id)`, { mergedInto: survivor.id });
    }
  }
  return new NotFoundError(`${path}: 您的辖区内没有儿童 ${id} (no such child in your region)`);
}
