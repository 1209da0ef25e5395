import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { UUID } from '../children/child.validation';
import { isRealDate } from '../children/id-number';
import type { Clock } from '../core/clock';
import { BadUserInputError, ConflictError, Problems } from '../core/errors';
import { type Actor, runWrite, type WriteOutcome } from '../core/unit-of-work';
import { EducationRecordEntity } from '../departments/education/education.entity';
import { PublicSecurityRecordEntity } from '../departments/public-security/public-security.entity';
import { AssessmentEntity } from './assessment.entity';
import { type AssessmentDecision, evidenceComplete } from './assessment.enums';
import { DropoutCaseEntity } from './dropout-case.entity';
import { type DropoutStatus, OPEN_DROPOUT_STATUSES, type Placement, POLICE_VERIFIED_REASONS } from './dropout-case.enums';
import type { AssessmentInput, OpenDropoutCaseInput, PersuasionVisitInput, TransitionDropoutCaseInput } from './dropout-case.input';
import { transitionProblem } from './dropout-case.workflow';
import { PersuasionVisitEntity } from './persuasion-visit.entity';
import { childrenInScope } from '../children/child.scope';
import { caseInScope, casesInScope, requireWrite } from './ledger.scope';

const FINAL: readonly DropoutStatus[] = ['RETURNED', 'PLACED', 'CLOSED_NOT_DROPOUT'];

/** The dropout ledger's work: cases, their transitions and verifications, visits and panel assessments. */
export class DropoutCaseService {
  constructor(private readonly orm: MikroORM, private readonly clock: Clock) {}

  /** 立案 (二(三), 三(二)): education puts children on the ledger, one open case per child at a time. Returns the children. */
  async open(actor: Actor, records: OpenDropoutCaseInput[], key?: string | null): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'DropoutCase.status', '立案');
    const problems = new Problems();
    const today = this.clock.today();
    records.forEach((r, i) => {
      if (!UUID.test(r.childId)) problems.add(`records[${i}].childId`, '应为UUID (must be a UUID)');
      if (r.openedOn && r.openedOn > today) problems.add(`records[${i}].openedOn`, '立案日期不能晚于今天 (in the future)');
      for (const field of ['responsiblePerson', 'responsibleUnit'] as const) {
        if (!r[field]?.trim() || r[field].length > (field === 'responsiblePerson' ? 50 : 100)) problems.add(`records[${i}].${field}`, '必填，长度有限 (required, limited length)');
      }
      if (r.notes && r.notes.length > 500) problems.add(`records[${i}].notes`, '最多500字 (at most 500 characters)');
      if (records.findIndex((o) => o.childId === r.childId) !== i) problems.add(`records[${i}].childId`, '同一儿童重复 (same child twice)');
    });
    if (records.length === 0 || records.length > 1000) problems.add('records', '每批 1 到 1000 条 (1 to 1000 records)');
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'openDropoutCases', key, records, async (em) => {
      await childrenInScope(em, actor, records.map((r) => r.childId), (i) => `records[${i}].childId`);
      const open = await em.find(DropoutCaseEntity, { childId: { $in: records.map((r) => r.childId) }, status: { $in: [...OPEN_DROPOUT_STATUSES] } });
      if (open.length) {
        const index = records.findIndex((r) => r.childId === open[0].childId);
        throw new ConflictError(`records[${index}].childId: 该儿童已有未结个案 ${open[0].id} (the child already has an open case)`, { existingCaseId: open[0].id });
      }
      return records.map((r) => {
        em.create(DropoutCaseEntity, {
          id: randomUUID(), childId: r.childId, reason: r.reason as never, status: 'OPEN', openedOn: r.openedOn ?? today, closedOn: null, notes: r.notes ?? null,
          responsiblePerson: r.responsiblePerson.trim(), responsibleUnit: r.responsibleUnit.trim(),
          deadline: r.deadline ?? this.clock.caseDeadline(), placement: null, policeConfirmedOn: null, policeConfirmedBy: null,
          updatedBy: actor.identity.sub,
        } as unknown as DropoutCaseEntity);
        return r.childId;
      });
    });
  }

  /** Moves a case on, if the state machine and the verification rules allow it. Returns the child's id. */
  async transition(actor: Actor, input: TransitionDropoutCaseInput): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'DropoutCase.status', '变更个案状态');
    const to = input.status as DropoutStatus;
    if (input.closedOn && !isRealDate(input.closedOn)) throw BadUserInputError.one('closedOn', '日期无效 (not a date)');
    return runWrite(this.orm, actor, 'transitionDropoutCase', null, input, async (em) => {
      const found = await caseInScope(em, actor, input.caseId, 'caseId');
      if (found.version !== input.expectedVersion) {
        throw new ConflictError(`expectedVersion: 期望版本 ${input.expectedVersion}，当前版本 ${found.version} (stale version)`, { path: 'expectedVersion', currentVersion: found.version });
      }
      const education = await em.findOne(EducationRecordEntity, { childId: found.childId });
      const police = await em.findOne(PublicSecurityRecordEntity, { childId: found.childId });
      const assessments = await em.find(AssessmentEntity, { childId: found.childId });
      const problem = transitionProblem(found, to, (input.placement ?? null) as Placement | null, {
        educationStatus: education?.status ?? null, hukouStatus: police?.hukouStatus ?? null, whereabouts: police?.whereabouts ?? null, assessments,
      });
      if (problem) throw BadUserInputError.one('status', problem);
      found.status = to;
      found.placement = (input.placement ?? null) as Placement | null;
      if (FINAL.includes(to)) found.closedOn = input.closedOn ?? this.clock.today();
      if (input.notes !== undefined) found.notes = input.notes ?? null;
      found.updatedBy = actor.identity.sub;
      return [found.childId];
    });
  }

  /** 公安核实 (二(三)): the police confirm a case reported missing, abroad, with a wrong hukou or deceased. */
  async confirmByPolice(actor: Actor, caseId: string, confirmedOn: string): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'DropoutCase.policeConfirmedOn', '核实个案');
    if (!isRealDate(confirmedOn) || confirmedOn > this.clock.today()) throw BadUserInputError.one('confirmedOn', '应为不晚于今天的日期 (a date not in the future)');
    return runWrite(this.orm, actor, 'confirmDropoutCaseByPolice', null, { caseId, confirmedOn }, async (em) => {
      const found = await caseInScope(em, actor, caseId, 'caseId');
      if (!POLICE_VERIFIED_REASONS.includes(found.reason)) {
        throw BadUserInputError.one('caseId', `原因为 ${found.reason} 的个案无需公安核实 (only ${POLICE_VERIFIED_REASONS.join(', ')} cases are verified by the police)`);
      }
      found.policeConfirmedOn = confirmedOn;
      found.policeConfirmedBy = actor.identity.sub;
      found.updatedBy = actor.identity.sub;
      return [found.childId];
    });
  }

  /** 劝返 visits; the first visit of an open case starts persuasion. */
  async recordVisits(actor: Actor, visits: PersuasionVisitInput[], key?: string | null): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'PersuasionVisit.outcome', '记录劝返');
    const problems = new Problems();
    visits.forEach((v, i) => {
      if (!isRealDate(v.visitedOn) || v.visitedOn > this.clock.today()) problems.add(`visits[${i}].visitedOn`, '应为不晚于今天的日期 (a date not in the future)');
      if (!v.visitor.trim() || v.visitor.length > 50) problems.add(`visits[${i}].visitor`, '必填，最多50字 (required, at most 50 characters)');
      if (v.notes && v.notes.length > 500) problems.add(`visits[${i}].notes`, '最多500字 (at most 500 characters)');
    });
    if (visits.length === 0 || visits.length > 1000) problems.add('visits', '每批 1 到 1000 条 (1 to 1000 visits)');
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'recordPersuasionVisits', key, visits, async (em) => {
      const childIds: string[] = [];
      const cases = await casesInScope(em, actor, visits.map((v) => v.caseId), (i) => `visits[${i}].caseId`);
      for (const [i, v] of visits.entries()) {
        const found = cases.get(v.caseId)!;
        if (FINAL.includes(found.status)) throw BadUserInputError.one(`visits[${i}].caseId`, `个案已结（${found.status}）(the case is closed)`);
        if (found.status === 'OPEN') {
          found.status = 'PERSUADING';
          found.updatedBy = actor.identity.sub;
        }
        em.create(PersuasionVisitEntity, {
          id: randomUUID(), caseId: found.id, childId: found.childId, visitedOn: v.visitedOn, visitor: v.visitor.trim(), method: v.method, outcome: v.outcome,
          notes: v.notes ?? null, updatedBy: actor.identity.sub,
        } as PersuasionVisitEntity);
        childIds.push(found.childId);
      }
      return childIds;
    });
  }

  /** 专家组 (二(三)(四)): experts of education, health and the DPF record the panel's decision and evidence. */
  async recordAssessment(actor: Actor, input: AssessmentInput): Promise<WriteOutcome<string[]>> {
    requireWrite(actor, 'Assessment.decision', '记录专家组评估');
    const problems = new Problems();
    if (!UUID.test(input.childId)) problems.add('assessment.childId', '应为UUID (must be a UUID)');
    if (input.assessedOn > this.clock.today()) problems.add('assessment.assessedOn', '不能晚于今天 (in the future)');
    if (input.reviewOn && input.reviewOn < input.assessedOn) problems.add('assessment.reviewOn', '复评日期应晚于评估日期 (before the assessment)');
    if (input.members.length === 0 || input.members.some((m) => !m.trim() || m.length > 50)) problems.add('assessment.members', '至少一名成员，每名最多50字 (at least one member)');
    input.evidence.forEach((e, i) => {
      if (!e.reference.trim() || e.reference.length > 200) problems.add(`assessment.evidence[${i}].reference`, '必填，最多200字 (required, at most 200 characters)');
    });
    problems.throwIfAny();
    return runWrite(this.orm, actor, 'recordAssessment', null, input, async (em) => {
      await childrenInScope(em, actor, [input.childId], () => 'assessment.childId');
      if (input.caseId) {
        const found = await caseInScope(em, actor, input.caseId, 'assessment.caseId');
        if (found.childId !== input.childId) throw BadUserInputError.one('assessment.caseId', '个案不属于该儿童 (the case is another child\'s)');
      }
      const evidence = input.evidence.map((e) => ({ type: e.type, reference: e.reference.trim(), date: e.date }));
      em.create(AssessmentEntity, {
        id: randomUUID(), childId: input.childId, caseId: input.caseId ?? null, assessedOn: input.assessedOn, members: input.members.map((m) => m.trim()),
        decision: input.decision, reviewOn: input.reviewOn ?? null, evidence, evidenceComplete: evidenceComplete(input.decision as AssessmentDecision, evidence),
        updatedBy: actor.identity.sub,
      } as AssessmentEntity);
      return [input.childId];
    });
  }
}
