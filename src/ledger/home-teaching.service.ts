import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { UUID } from '../children/child.validation';
import { isRealDate } from '../children/id-number';
import type { Clock } from '../core/clock';
import { BadUserInputError, ConflictError, Problems } from '../core/errors';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import { AssessmentEntity } from './assessment.entity';
import { DropoutCaseEntity } from './dropout-case.entity';
import { HomeTeachingEntity, HomeTeachingVisitEntity } from './home-teaching.entity';
import type { AssignHomeTeachingInput, HomeTeachingVisitInput, UpdateHomeTeachingInput } from './home-teaching.input';
import { childrenInScope } from '../children/child.scope';
import { arrangementsInScope, caseInScope, requireWrite } from './ledger.scope';

const text = (value: string | null | undefined, max: number): boolean => !!value && value.trim().length > 0 && value.length <= max;

/**
 * 送教上门 (二(四)): a child the expert panel found unable to attend school is taught at home by a
 * teacher of an assigned school; each visit is recorded with its date, hours and content.
 */
export class HomeTeachingService {
  constructor(private readonly orm: MikroORM, private readonly clock: Clock) {}

  /** Assigns a school and teacher; needs the panel's home-teaching decision or a case placed so. Returns the child. */
  async assign(actor: Actor, input: AssignHomeTeachingInput): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'HomeTeaching.teacher', '安排送教上门');
    const problems = new Problems();
    if (!UUID.test(input.childId)) problems.add('input.childId', '应为UUID (must be a UUID)');
    if (!text(input.schoolName, 100)) problems.add('input.schoolName', '必填，最多100字 (required, at most 100 characters)');
    if (!text(input.teacher, 50)) problems.add('input.teacher', '必填，最多50字 (required, at most 50 characters)');
    if (!isRealDate(input.startedOn)) problems.add('input.startedOn', '日期无效 (not a date)');
    if (input.notes && input.notes.length > 500) problems.add('input.notes', '最多500字 (at most 500 characters)');
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'assignHomeTeaching', null, input, async (em) => {
      await childrenInScope(em, actor, [input.childId], () => 'input.childId');
      if (input.caseId) {
        const found = await caseInScope(em, actor, input.caseId, 'input.caseId');
        if (found.childId !== input.childId) throw BadUserInputError.one('input.caseId', '个案不属于该儿童 (the case is another child\'s)');
      }
      const decided = await em.count(AssessmentEntity, { childId: input.childId, decision: 'HOME_TEACHING', evidenceComplete: true });
      const placed = await em.count(DropoutCaseEntity, { childId: input.childId, placement: 'HOME_TEACHING' });
      if (decided === 0 && placed === 0) {
        throw BadUserInputError.one('input.childId', '须先有专家组"送教上门"且材料完整的评估意见，或个案安置为送教上门 (needs an expert-panel decision for home teaching with complete evidence, or a case placed so)');
      }
      const running = await em.findOne(HomeTeachingEntity, { childId: input.childId, endedOn: null });
      if (running) {
        throw new ConflictError(`input.childId: 该儿童已有进行中的送教安排 ${running.id}，请变更或先结束它 (an arrangement is already running; update or end it)`, { existingId: running.id });
      }
      em.create(HomeTeachingEntity, {
        id: randomUUID(), childId: input.childId, caseId: input.caseId ?? null, schoolName: input.schoolName.trim(), teacher: input.teacher.trim(),
        startedOn: input.startedOn, endedOn: null, notes: input.notes?.trim() || null, updatedBy: actor.identity.sub,
      } as HomeTeachingEntity);
      return [input.childId];
    });
  }

  /** Changes the school or teacher, or ends the arrangement. Returns the child. */
  async update(actor: Actor, input: UpdateHomeTeachingInput): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'HomeTeaching.teacher', '变更送教上门');
    const problems = new Problems();
    if (input.schoolName !== undefined && !text(input.schoolName, 100)) problems.add('input.schoolName', '不能为空，最多100字 (not empty, at most 100 characters)');
    if (input.teacher !== undefined && !text(input.teacher, 50)) problems.add('input.teacher', '不能为空，最多50字 (not empty, at most 50 characters)');
    if (input.endedOn !== undefined && (!isRealDate(input.endedOn) || input.endedOn > this.clock.today())) problems.add('input.endedOn', '应为不晚于今天的日期 (a date not in the future)');
    if (input.notes && input.notes.length > 500) problems.add('input.notes', '最多500字 (at most 500 characters)');
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'updateHomeTeaching', null, input, async (em) => {
      const found = (await arrangementsInScope(em, actor, [input.id], () => 'input.id')).get(input.id)!;
      if (found.version !== input.expectedVersion) {
        throw new ConflictError(`expectedVersion: 期望版本 ${input.expectedVersion}，当前版本 ${found.version} (stale version)`, { path: 'expectedVersion', currentVersion: found.version });
      }
      if (found.endedOn) throw BadUserInputError.one('input.id', `送教安排已于 ${found.endedOn} 结束 (the arrangement has ended)`);
      if (input.endedOn !== undefined) {
        const [last] = await em.find(HomeTeachingVisitEntity, { homeTeachingId: found.id }, { orderBy: { visitedOn: 'desc' }, limit: 1 });
        const earliest = last && last.visitedOn > found.startedOn ? last.visitedOn : found.startedOn;
        if (input.endedOn < earliest) throw BadUserInputError.one('input.endedOn', `结束日期不能早于 ${earliest}（开始或最后一次送教）(before the start or the last visit)`);
        found.endedOn = input.endedOn;
      }
      if (input.schoolName !== undefined) found.schoolName = input.schoolName.trim();
      if (input.teacher !== undefined) found.teacher = input.teacher.trim();
      if (input.notes !== undefined) found.notes = input.notes?.trim() || null;
      found.updatedBy = actor.identity.sub;
      return [found.childId];
    });
  }

  /** Records the teacher's visits, all or none. Returns their children. */
  async recordVisits(actor: Actor, visits: HomeTeachingVisitInput[], key?: string | null): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'HomeTeachingVisit.content', '记录送教上门');
    const today = this.clock.today();
    const problems = new Problems();
    if (visits.length === 0 || visits.length > 1000) problems.add('visits', '每批 1 到 1000 条 (1 to 1000 visits)');
    visits.forEach((v, i) => {
      if (!isRealDate(v.visitedOn) || v.visitedOn > today) problems.add(`visits[${i}].visitedOn`, '应为不晚于今天的日期 (a date not in the future)');
      if (!(v.hours >= 0.5 && v.hours <= 12) || Math.round(v.hours * 10) !== v.hours * 10) problems.add(`visits[${i}].hours`, '课时应为 0.5 到 12 小时，精确到0.1 (0.5 to 12 hours, in tenths)');
      if (!text(v.content, 500)) problems.add(`visits[${i}].content`, '必填，最多500字 (required, at most 500 characters)');
      if (v.teacher !== undefined && v.teacher !== null && !text(v.teacher, 50)) problems.add(`visits[${i}].teacher`, '不能为空，最多50字 (not empty, at most 50 characters)');
      if (v.notes && v.notes.length > 500) problems.add(`visits[${i}].notes`, '最多500字 (at most 500 characters)');
    });
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'recordHomeTeachingVisits', key, visits, async (em) => {
      const childIds: string[] = [];
      const plans = await arrangementsInScope(em, actor, visits.map((v) => v.homeTeachingId), (i) => `visits[${i}].homeTeachingId`);
      for (const [i, v] of visits.entries()) {
        const plan = plans.get(v.homeTeachingId)!;
        if (v.visitedOn < plan.startedOn || (plan.endedOn && v.visitedOn > plan.endedOn)) {
          throw BadUserInputError.one(`visits[${i}].visitedOn`, `送教日期应在安排期内（${plan.startedOn} 至 ${plan.endedOn ?? '今'}）(outside the arrangement's dates)`);
        }
        em.create(HomeTeachingVisitEntity, {
          id: randomUUID(), homeTeachingId: plan.id, childId: plan.childId, visitedOn: v.visitedOn, teacher: v.teacher?.trim() || plan.teacher,
          hours: v.hours, content: v.content.trim(), notes: v.notes?.trim() || null, updatedBy: actor.identity.sub,
        } as HomeTeachingVisitEntity);
        childIds.push(plan.childId);
      }
      return childIds;
    });
  }
}
