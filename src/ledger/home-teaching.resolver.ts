import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { WritePayload, writePayload } from '../children/write.payload';
import type { AppContext } from './ledger.context';
import { AssignHomeTeachingInput, HomeTeachingVisitInput, UpdateHomeTeachingInput } from './home-teaching.input';
import { HomeTeachingType, HomeTeachingVisitType } from './home-teaching.types';
import { childRowsLoader, HOME_TEACHING_COLUMNS, HOME_TEACHING_VISIT_COLUMNS } from './ledger.loaders';

@Resolver(() => ChildView)
export class HomeTeachingChildResolver {
  @FieldResolver(() => [HomeTeachingType], { nullable: true, description: '送教上门安排（最新在前）Home-delivered teaching arrangements, newest first' })
  homeTeaching(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<HomeTeachingType[]> | null {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.homeTeaching')) return null;
    if (child.snapshot) return Promise.resolve((child.snapshot.homeTeaching ?? []) as unknown as HomeTeachingType[]);
    return ctx.loader('homeTeaching', () => childRowsLoader<HomeTeachingType>(ctx.db.sql, reader, 'HomeTeaching', 'edu.home_teaching', HOME_TEACHING_COLUMNS, 'started_on DESC, created_at DESC')).load(child.id);
  }

  @Mutation(() => WritePayload, { description: '安排送教上门：承担学校与教师（教育录入员；须有专家组送教意见或个案安置为送教）Assign home-delivered teaching (EDU clerks; needs the panel\'s decision or a case placed so)' })
  async assignHomeTeaching(
    @Arg('input', () => AssignHomeTeachingInput, { description: '安排 The arrangement' }) input: AssignHomeTeachingInput,
    @Arg('reason', () => String, { nullable: true, description: '原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.homeTeaching.assign({ identity: ctx.user(), requestId: ctx.requestId, reason }, input));
  }

  @Mutation(() => WritePayload, { description: '变更或结束送教上门安排（教育录入员）Change or end a home-teaching arrangement (EDU clerks)' })
  async updateHomeTeaching(
    @Arg('input', () => UpdateHomeTeachingInput, { description: '变更 The change' }) input: UpdateHomeTeachingInput,
    @Arg('reason', () => String, { nullable: true, description: '原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.homeTeaching.update({ identity: ctx.user(), requestId: ctx.requestId, reason }, input));
  }

  @Mutation(() => WritePayload, { description: '记录送教上门（教育录入员），整批成功或整批失败 Record home-teaching visits (EDU clerks), all or none' })
  async recordHomeTeachingVisits(
    @Arg('visits', () => [HomeTeachingVisitInput], { description: '送教记录 Visits' }) visits: HomeTeachingVisitInput[],
    @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' }) idempotencyKey: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.homeTeaching.recordVisits({ identity: ctx.user(), requestId: ctx.requestId }, visits, idempotencyKey));
  }
}

@Resolver(() => HomeTeachingType)
export class HomeTeachingResolver {
  @FieldResolver(() => [HomeTeachingVisitType], { nullable: true, description: '送教记录（最新在前）Visits, newest first' })
  visits(@Root() plan: HomeTeachingType, @Ctx() ctx: AppContext): Promise<HomeTeachingVisitType[]> | HomeTeachingVisitType[] | null {
    if (plan.visits !== undefined) return plan.visits ?? null;
    if (!plan.id) return null;
    const reader = ctx.reader();
    return ctx.loader('homeTeachingVisits', () => childRowsLoader<HomeTeachingVisitType>(ctx.db.sql, reader, 'HomeTeachingVisit', 'edu.home_teaching_visit', HOME_TEACHING_VISIT_COLUMNS, 'visited_on DESC, created_at DESC', 'home_teaching_id')).load(plan.id);
  }
}
