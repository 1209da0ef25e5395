import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { WritePayload, writePayload } from '../children/write.payload';
import { LocalDate } from '../core/scalars';
import type { AppContext } from './ledger.context';
import { AssessmentInput, OpenDropoutCaseInput, PersuasionVisitInput, TransitionDropoutCaseInput } from './dropout-case.input';
import { ASSESSMENT_COLUMNS, childRowsLoader, VISIT_COLUMNS } from './ledger.loaders';
import { AssessmentType, PersuasionVisitType } from './ledger.types';

const KEY = { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' } as const;
const REASON = { nullable: true, description: '原因（记入变更日志）Reason, kept in the change log' } as const;

@Resolver(() => ChildView)
export class LedgerResolver {
  @FieldResolver(() => [PersuasionVisitType], { nullable: true, description: '劝返记录（最新在前）Persuasion visits, newest first' })
  persuasionVisits(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<PersuasionVisitType[]> | null {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.persuasionVisits')) return null;
    if (child.snapshot) return Promise.resolve((child.snapshot.persuasionVisits ?? []) as unknown as PersuasionVisitType[]);
    return ctx.loader('visits', () => childRowsLoader<PersuasionVisitType>(ctx.db.sql, reader, 'PersuasionVisit', 'edu.persuasion_visit', VISIT_COLUMNS, 'visited_on DESC, created_at DESC')).load(child.id);
  }

  @FieldResolver(() => [AssessmentType], { nullable: true, description: '专家组评估（最新在前；教育、卫健、残联可见）Expert-panel assessments, newest first (EDU, HEALTH, DPF)' })
  assessments(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<AssessmentType[]> | null {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.assessments')) return null;
    if (child.snapshot) return Promise.resolve((child.snapshot.assessments ?? []) as unknown as AssessmentType[]);
    return ctx.loader('assessments', () => childRowsLoader<AssessmentType>(ctx.db.sql, reader, 'Assessment', 'hub.assessment', ASSESSMENT_COLUMNS, 'assessed_on DESC, created_at DESC')).load(child.id);
  }

  @Mutation(() => WritePayload, { description: '立案：纳入辍学台账（教育录入员）Open dropout cases (EDU clerks)' })
  async openDropoutCases(
    @Arg('records', () => [OpenDropoutCaseInput], { description: '个案 Cases' }) records: OpenDropoutCaseInput[],
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey: string | null,
    @Arg('reason', () => String, REASON) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.dropoutCases.open({ identity: ctx.user(), requestId: ctx.requestId, reason }, records, idempotencyKey));
  }

  @Mutation(() => WritePayload, { description: '变更个案状态：返校、安置、缓学、休学、销号（教育录入员）；不允许的变更会列出允许的下一状态 Move a case on (EDU clerks); an illegal move names the allowed ones' })
  async transitionDropoutCase(
    @Arg('input', () => TransitionDropoutCaseInput, { description: '变更 The move' }) input: TransitionDropoutCaseInput,
    @Arg('reason', () => String, REASON) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.dropoutCases.transition({ identity: ctx.user(), requestId: ctx.requestId, reason }, input));
  }

  @Mutation(() => WritePayload, { description: '公安核实个案（失踪失联、出境、户籍错误、死亡）Police confirmation of a case (PSB clerks)' })
  async confirmDropoutCaseByPolice(
    @Arg('caseId', () => ID, { description: '个案编号 Case id' }) caseId: string,
    @Arg('confirmedOn', () => LocalDate, { description: '核实日期 Date confirmed' }) confirmedOn: string,
    @Arg('reason', () => String, REASON) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.dropoutCases.confirmByPolice({ identity: ctx.user(), requestId: ctx.requestId, reason }, caseId, confirmedOn));
  }

  @Mutation(() => WritePayload, { description: '记录劝返（教育录入员）；首次劝返使个案进入劝返中 Record persuasion visits (EDU clerks)' })
  async recordPersuasionVisits(
    @Arg('visits', () => [PersuasionVisitInput], { description: '劝返记录 Visits' }) visits: PersuasionVisitInput[],
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.dropoutCases.recordVisits({ identity: ctx.user(), requestId: ctx.requestId }, visits, idempotencyKey));
  }

  @Mutation(() => WritePayload, { description: '记录专家组评估（教育、卫健、残联的专家）Record an expert-panel assessment (experts of EDU, HEALTH, DPF)' })
  async recordAssessment(
    @Arg('assessment', () => AssessmentInput, { description: '评估 The assessment' }) assessment: AssessmentInput,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.dropoutCases.recordAssessment({ identity: ctx.user(), requestId: ctx.requestId }, assessment));
  }
}
