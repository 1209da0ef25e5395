/**
 * The police give a child registered without an ID number (无户口, 三(一)) its number once its hukou
 * is registered, and correct a number that was wrong (户籍信息错误, 二(三)): an ordinary logged update
 * of the child, never a new child. A corrected number stays an alias of the child, so that
 * `childByIdNumber` with the old number still finds it, and no one can register it again.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { executeInTransaction } from '../changelog/change-log.append';
import { ConflictError, ForbiddenError, Problems } from '../core/errors';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import { accessFor } from '../permissions/access';
import { ChildEntity } from './child.entity';
import type { ChildIdNumberInput } from './child.input';
import { UUID } from './child.validation';
import { idNumberProblem, normaliseIdNumber, parseIdNumber } from './id-number';
import { childrenInScope } from './child.scope';
import type { RegistrationCheck } from './registration-check';

export async function updateIdNumbers(
  orm: MikroORM, actor: Actor, input: ChildIdNumberInput[], idempotencyKey: string | null | undefined, check: RegistrationCheck | null, maxBatch: number,
): Promise<WriteOutcome<string[]>> {
  if (!accessFor(actor.identity).canWrite('Child.idNumber')) {
    throw new ForbiddenError('只有公安录入员可以登记或更正身份证号 (only public-security clerks give or correct ID numbers)');
  }
  const records = input.map((r) => ({ ...r, idNumber: normaliseIdNumber(r.idNumber) }));
  const problems = new Problems();
  if (records.length === 0 || records.length > maxBatch) problems.add('records', `每批 1 到 ${maxBatch} 条 (a batch holds 1 to ${maxBatch} records)`);
  records.forEach((r, i) => {
    if (!UUID.test(r.childId)) problems.add(`records[${i}].childId`, '应为UUID (must be a UUID)');
    const problem = idNumberProblem(r.idNumber);
    if (problem) problems.add(`records[${i}].idNumber`, problem);
    if (records.findIndex((o) => o.childId === r.childId) !== i) problems.add(`records[${i}].childId`, '同一儿童重复 (same child twice)');
    if (records.findIndex((o) => o.idNumber === r.idNumber) !== i) problems.add(`records[${i}].idNumber`, '同一身份证号重复 (same ID number twice)');
  });
  problems.throwIfAny();
  return runWrite(orm, actor, 'updateChildIdNumbers', idempotencyKey, records, async (em) => {
    const found = await childrenInScope(em, actor, records.map((r) => r.childId), (i) => `records[${i}].childId`);
    const numbers = records.map((r) => r.idNumber);
    // Who holds each number now: as a child's own number, or as an alias (a corrected or merged one).
    const owner = new Map<string, string>();
    for (const c of await em.find(ChildEntity, { idNumber: { $in: numbers } }, { fields: ['id', 'idNumber'] })) owner.set(c.idNumber!, c.id);
    const aliases = await executeInTransaction<{ alias: string; childId: string }>(em, `SELECT alias, child_id AS "childId" FROM hub.child_alias WHERE kind = 'ID_NUMBER' AND alias = ANY(?::text[])`, [numbers]);
    for (const a of aliases) owner.set(a.alias, a.childId);
    const changed: ChildEntity[] = [];
    const oldNumbers: Array<[string, string]> = [];
    records.forEach((r, i) => {
      const child = found.get(r.childId)!;
      if (r.expectedVersion != null && r.expectedVersion !== child.version) {
        throw new ConflictError(`records[${i}]: 记录已被他人修改，请重新读取后再提交 (the child changed since you read it)`, { path: `records[${i}].expectedVersion` });
      }
      const holder = owner.get(r.idNumber);
      if (holder && holder !== child.id) {
        // As at registration: the number is taken, and nothing about whom it names.
        throw new ConflictError(`records[${i}].idNumber: 该身份证号已登记 (this ID number is already registered)`, { path: `records[${i}].idNumber` });
      }
      if (child.idNumber === r.idNumber) return;
      if (child.idNumber) oldNumbers.push([child.idNumber, child.id]);
      const parsed = parseIdNumber(r.idNumber)!;
      child.idNumber = r.idNumber;
      child.birthDate = parsed.birthDate;
      child.gender = parsed.gender;
      child.updatedBy = actor.identity.sub;
      changed.push(child);
    });
    await em.flush();
    for (const [alias, childId] of oldNumbers) {
      await executeInTransaction(em, `INSERT INTO hub.child_alias (alias, kind, child_id) VALUES (?, 'ID_NUMBER', ?) ON CONFLICT (alias) DO UPDATE SET child_id = EXCLUDED.child_id`, [alias, childId]);
    }
    // A number can reveal a duplicate its absence hid (a near miss of another child's number).
    if (check && changed.length) await check.registered(em, actor, changed);
    return records.map((r) => r.childId);
  });
}
