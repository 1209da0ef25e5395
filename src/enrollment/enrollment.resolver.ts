import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { childLoader } from '../children/child.loader';
import { ChildView } from '../children/child.type';
import { WritePayload, writePayload } from '../children/write.payload';
import { childRowsLoader } from '../ledger/ledger.loaders';
import type { AppContext } from './enrollment.context';
import { EnrollmentArrivalInput, EnrollmentNoticeFilter, IssueEnrollmentNoticesInput } from './enrollment.input';
import { NOTICE_COLUMNS } from './enrollment.service';
import { EnrollmentIssueType, EnrollmentNoticePage, EnrollmentNoticeType, NonArrivalsType } from './enrollment.types';

@Resolver(() => ChildView)
export class EnrollmentChildResolver {
  @FieldResolver(() => [EnrollmentNoticeType], { nullable: true, description: '入学通知书（最新学年在前）Enrollment notices, latest school year first' })
  enrollmentNotices(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<EnrollmentNoticeType[]> | null {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.enrollmentNotices')) return null;
    if (child.snapshot) return Promise.resolve((child.snapshot.enrollmentNotices ?? []) as unknown as EnrollmentNoticeType[]);
    return ctx.loader('enrollmentNotices', () => childRowsLoader<EnrollmentNoticeType>(ctx.db.sql, reader, 'EnrollmentNotice', 'edu.enrollment_notice', NOTICE_COLUMNS, 'school_year DESC'))
      .load(child.id)
      .then((notices) => notices.map((n) => ({ ...n, childId: child.id })));
  }

  @Query(() => EnrollmentNoticePage, { name: 'enrollmentNotices', description: '入学通知书列表（按编号）；公安可筛选无户口儿童 Enrollment notices in your region, by number; the police may ask for children without hukou' })
  async enrollmentNoticePage(
    @Arg('filter', () => EnrollmentNoticeFilter, { description: '筛选 Which notices' }) filter: EnrollmentNoticeFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: '每页条数（最多100）Page size, at most 100' }) first: number,
    @Arg('after', () => String, { nullable: true, description: '游标 Cursor' }) after: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<EnrollmentNoticePage> {
    return ctx.services.enrollment.page(ctx.reader(), filter, first, after);
  }

  @Mutation(() => EnrollmentIssueType, { description: '按公安登记的适龄儿童发放入学通知书（县教育录入员）；重复发放只发给尚无通知书的儿童 Issue enrollment notices from the police roster (county EDU clerks); issuing again reaches only children without one' })
  async issueEnrollmentNotices(
    @Arg('input', () => IssueEnrollmentNoticesInput, { description: '发放 What to issue' }) input: IssueEnrollmentNoticesInput,
    @Ctx() ctx: AppContext,
  ): Promise<EnrollmentIssueType> {
    return (await ctx.services.enrollment.issue({ identity: ctx.user(), requestId: ctx.requestId }, input)).result;
  }

  @Mutation(() => WritePayload, { description: '登记报到（教育录入员）：教育记录随之为在校 Record arrivals (EDU clerks): the education record shows the child enrolled' })
  async recordEnrollmentArrivals(
    @Arg('arrivals', () => [EnrollmentArrivalInput], { description: '报到 Arrivals' }) arrivals: EnrollmentArrivalInput[],
    @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' }) idempotencyKey: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.enrollment.recordArrivals({ identity: ctx.user(), requestId: ctx.requestId }, arrivals, idempotencyKey));
  }

  @Mutation(() => NonArrivalsType, { description: '报到日期过后标记未报到并立案（待核实）；列出无户口儿童供公安核查 Mark non-arrivals after the report date and open their cases; lists those without hukou for the police' })
  async markNonArrivals(
    @Arg('schoolYear', () => Int, { description: '学年 School year' }) schoolYear: number,
    @Arg('region', () => String, { description: '县级区划代码 County code' }) region: string,
    @Arg('responsiblePerson', () => String, { description: '个案责任人 Person responsible for the cases' }) responsiblePerson: string,
    @Ctx() ctx: AppContext,
  ): Promise<NonArrivalsType> {
    const { result } = await ctx.services.enrollment.markNonArrivals({ identity: ctx.user(), requestId: ctx.requestId }, schoolYear, region, responsiblePerson);
    ctx.clearLoaders();
    const children = await ctx.loader('child', () => childLoader(ctx.db.sql, ctx.reader())).loadMany(result.withoutHukou);
    return { marked: result.marked, casesOpened: result.casesOpened, withoutHukou: children.filter((c): c is ChildView => c !== null && !(c instanceof Error)) };
  }
}

@Resolver(() => EnrollmentNoticeType)
export class EnrollmentNoticeResolver {
  @FieldResolver(() => ChildView, { nullable: true, description: '儿童 The child' })
  async child(@Root() notice: EnrollmentNoticeType, @Ctx() ctx: AppContext): Promise<ChildView | null> {
    if (!notice.childId) return null;
    return ctx.loader('child', () => childLoader(ctx.db.sql, ctx.reader())).load(notice.childId);
  }
}

