import type { EntityClass, EntityManager } from '@mikro-orm/postgresql';
import { ChildEntity } from '../children/child.entity';
import { UUID } from '../children/child.validation';
import { ForbiddenError, NotFoundError } from '../core/errors';
import type { Actor } from '../core/unit-of-work';
import { accessFor, childInScope } from '../permissions/access';
import { DropoutCaseEntity } from './dropout-case.entity';
import { HomeTeachingEntity } from './home-teaching.entity';

/**
 * What every ledger write checks first, in one place: that the actor may write the field, and
 * that the children and cases it names are in the actor's region (or township). Something outside
 * it is reported as not found, so that a write cannot probe what exists elsewhere.
 */
export function requireWrite(actor: Actor, field: string, what: string): void {
  if (!accessFor(actor.identity).canWrite(field)) throw new ForbiddenError(`您的部门与角色不能${what} (your department and role may not write ${field})`);
}

/** Ledger records that belong to a child, and how a refusal names them. */
type ChildOwned = { id: string; childId: string };
interface OwnedKind<T extends ChildOwned> {
  readonly entity: EntityClass<T>;
  readonly zh: string;
  readonly en: string;
}

/** Many records at once (two statements), each of a child in the actor's scope; NOT_FOUND names the first that is not. */
async function ownedInScope<T extends ChildOwned>(em: EntityManager, actor: Actor, kind: OwnedKind<T>, ids: readonly string[], path: (i: number) => string): Promise<Map<string, T>> {
  const found = (await em.find(kind.entity, { id: { $in: [...new Set(ids.filter((id) => UUID.test(id)))] } } as never)) as T[];
  const children = await em.find(ChildEntity, { id: { $in: [...new Set(found.map((c) => c.childId))] } }, { fields: ['id', 'hukouRegion', 'residenceRegion', 'township'] });
  const visibleChildren = new Set(children.filter((c) => childInScope(actor.identity, c)).map((c) => c.id));
  const visible = new Map(found.filter((c) => visibleChildren.has(c.childId)).map((c) => [c.id, c]));
  const missing = ids.findIndex((id) => !visible.has(id));
  if (missing >= 0) throw new NotFoundError(`${path(missing)}: 您的辖区内没有${kind.zh} ${ids[missing]} (no such ${kind.en} in your region)`);
  return visible;
}

const CASES: OwnedKind<DropoutCaseEntity> = { entity: DropoutCaseEntity, zh: '个案', en: 'case' };
const ARRANGEMENTS: OwnedKind<HomeTeachingEntity> = { entity: HomeTeachingEntity, zh: '送教安排', en: 'home-teaching arrangement' };

/** Many dropout cases at once, each in the actor's scope. */
export function casesInScope(em: EntityManager, actor: Actor, caseIds: readonly string[], path: (i: number) => string): Promise<Map<string, DropoutCaseEntity>> {
  return ownedInScope(em, actor, CASES, caseIds, path);
}

/** A dropout case whose child is in the actor's scope, or NOT_FOUND. */
export async function caseInScope(em: EntityManager, actor: Actor, caseId: string, path: string): Promise<DropoutCaseEntity> {
  return (await casesInScope(em, actor, [caseId], () => path)).get(caseId)!;
}

/** Home-teaching arrangements at once, each in the actor's scope. */
export function arrangementsInScope(em: EntityManager, actor: Actor, ids: readonly string[], path: (i: number) => string): Promise<Map<string, HomeTeachingEntity>> {
  return ownedInScope(em, actor, ARRANGEMENTS, ids, path);
}
