/**
 * SAME: two records of one child become one. Everything of the merged child moves to the survivor,
 * in the decision's transaction: department sections (a section only the merged child has moves;
 * two equal sections become one; two that differ are refused, naming the fields, for the owning
 * department to settle first), dropout cases, persuasion visits, assessments, home teaching and its
 * visits, enrollment notices. The merged child's id, and its ID number where the survivor has its
 * own, stay as aliases of the survivor; the merged child's own row is deleted (a logged DELETE: its
 * history stays in the log, so an as-of read before the merge still shows both children).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { executeInTransaction } from '../changelog/change-log.append';
import { ChildEntity } from '../children/child.entity';
import { ConflictError } from '../core/errors';
import type { Actor } from '../core/unit-of-work';
import { SECTIONS } from '../departments/sections';
import { EnrollmentNoticeEntity } from '../enrollment/enrollment-notice.entity';
import { AssessmentEntity } from '../ledger/assessment.entity';
import { DropoutCaseEntity } from '../ledger/dropout-case.entity';
import { HomeTeachingEntity, HomeTeachingVisitEntity } from '../ledger/home-teaching.entity';
import { PersuasionVisitEntity } from '../ledger/persuasion-visit.entity';
import { ChildMergeEntity } from './child-merge.entity';

/** Records that belong to a child by `childId` and move with it, by their change-log type. */
const LEDGER = [
  ['DropoutCase', DropoutCaseEntity],
  ['PersuasionVisit', PersuasionVisitEntity],
  ['Assessment', AssessmentEntity],
  ['HomeTeaching', HomeTeachingEntity],
  ['HomeTeachingVisit', HomeTeachingVisitEntity],
  ['EnrollmentNotice', EnrollmentNoticeEntity],
] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Moves everything of `merged` to `survivor` and records the merge on both; returns what moved. */
export async function mergeChildren(em: EntityManager, actor: Actor, pairId: string, survivor: ChildEntity, merged: ChildEntity): Promise<Record<string, string[]>> {
  const sub = actor.identity.sub;
  const moved: Record<string, string[]> = {};
  const conflicts: string[] = [];

  for (const def of SECTIONS) {
    const from = (await em.findOne(def.entity, { childId: merged.id })) as Record<string, unknown> | null;
    if (!from) continue;
    const to = (await em.findOne(def.entity, { childId: survivor.id })) as Record<string, unknown> | null;
    if (to) {
      const differing = def.fields.filter((f) => !same(from[f.name], to[f.name])).map((f) => `${def.key}.${f.name}`);
      conflicts.push(...differing);
      if (differing.length === 0) em.remove(from);
      continue;
    }
    em.remove(from);
    const values = Object.fromEntries(def.fields.map((f) => [f.name, from[f.name] ?? null]));
    em.create(def.entity, { ...values, childId: survivor.id, updatedBy: sub } as never);
    moved[def.typeName] = [merged.id];
  }

  const notices = await em.find(EnrollmentNoticeEntity, { childId: { $in: [merged.id, survivor.id] } });
  const years = new Set(notices.filter((n) => n.childId === survivor.id).map((n) => n.schoolYear));
  for (const n of notices) if (n.childId === merged.id && years.has(n.schoolYear)) conflicts.push(`enrollmentNotices.schoolYear (${n.schoolYear})`);
  const running = await em.find(HomeTeachingEntity, { childId: { $in: [merged.id, survivor.id] }, endedOn: null });
  if (new Set(running.map((h) => h.childId)).size === 2) conflicts.push('homeTeaching.endedOn');

  if (conflicts.length) {
    throw new ConflictError(
      `两条记录的下列内容不一致，请相关部门先行更正后再合并 (the two records disagree on these fields; the owning department settles them first): ${conflicts.join(', ')}`,
      { fields: conflicts },
    );
  }

  for (const [type, entity] of LEDGER) {
    const rows = await em.find(entity as typeof DropoutCaseEntity, { childId: merged.id });
    for (const row of rows) {
      row.childId = survivor.id;
      row.updatedBy = sub;
    }
    if (rows.length) moved[type] = rows.map((r) => r.id);
  }
  // The MERGE entries, written while the merged child still has its row (its entry is placed by its regions).
  const mergedAt = actor.at ?? new Date();
  for (const [child, role] of [[merged.id, 'MERGED'], [survivor.id, 'SURVIVOR']] as const) {
    em.create(ChildMergeEntity, { id: randomUUID(), childId: child, role, mergedId: merged.id, survivorId: survivor.id, pairId, moved, mergedAt } as ChildMergeEntity);
  }
  await em.flush();

  // The merged child's row goes (its entries stay in the log); its number passes to a survivor without one.
  const number = merged.idNumber;
  em.remove(merged);
  await em.flush();
  // Its sound key too: nothing references the child for the database to cascade (Migration0030).
  await executeInTransaction(em, 'DELETE FROM hub.child_match_key WHERE child_id = ?', [merged.id]);
  if (number && !survivor.idNumber) {
    survivor.idNumber = number;
    survivor.updatedBy = sub;
  } else if (number) {
    await executeInTransaction(em, `INSERT INTO hub.child_alias (alias, kind, child_id) VALUES (?, 'ID_NUMBER', ?)`, [number, survivor.id]);
  }
  await executeInTransaction(em, 'UPDATE hub.child_alias SET child_id = ? WHERE child_id = ?', [survivor.id, merged.id]);
  await executeInTransaction(em, `INSERT INTO hub.child_alias (alias, kind, child_id) VALUES (?, 'ID', ?)`, [merged.id, survivor.id]);
  return moved;
}
