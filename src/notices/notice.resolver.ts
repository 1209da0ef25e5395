import { Arg, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../core/connection';
import { ForbiddenError } from '../core/errors';
import type { AppContext } from './notice.context';
import { toNoticeChildType, toNoticeType } from './notice.view';
import { ExchangeNoticeConnection, ExchangeNoticeFilter, ExchangeNoticeType, NoticeEntriesType, NoticeVerificationType } from './notice.type';

@ObjectType('IssuedNotices', { description: '发布结果 Result of issuing a month', simpleResolvers: true })
class IssuedNotices {
  @Field(() => String, { description: '月份 Period' })
  period!: string;

  @Field(() => Int, { description: '通报份数 Notices' })
  count!: number;

  @Field(() => Boolean, { description: '本次新发布；否表示此前已发布，返回原通报 True when issued now; false when already issued before' })
  issuedNow!: boolean;
}

@Resolver(() => ExchangeNoticeType)
export class NoticeResolver {
  @Query(() => ExchangeNoticeConnection, { description: '交换通报（联络员看本部门，督导看辖区全部）Exchange notices: a liaison sees its department\'s, a supervisor all in its region' })
  async exchangeNotices(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => ExchangeNoticeFilter, { nullable: true, description: '筛选 Filters' }) filter?: ExchangeNoticeFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size` }) first = 50,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor' }) after?: string | null,
  ): Promise<ExchangeNoticeConnection> {
    const page = await ctx.services.notices.list(ctx.reader(), filter, first, after);
    const edges = page.rows.map((row) => ({ cursor: ctx.services.notices.cursor(row), node: toNoticeType(row) }));
    return Object.assign(new ExchangeNoticeConnection(), {
      edges,
      nodes: edges.map((edge) => edge.node),
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: !!after, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      count: page.count,
    });
  }

  @Query(() => ExchangeNoticeType, { description: '一份交换通报 One exchange notice' })
  async exchangeNotice(@Arg('id', () => ID, { description: '通报编号 Notice id' }) id: string, @Ctx() ctx: AppContext): Promise<ExchangeNoticeType> {
    return toNoticeType(await ctx.services.notices.get(ctx.reader(), id));
  }

  @FieldResolver(() => NoticeEntriesType, { description: '通报条目，即接收部门被告知的内容 The entries, exactly as the recipient department was told them' })
  async entries(
    @Root() notice: ExchangeNoticeType,
    @Ctx() ctx: AppContext,
    @Arg('first', () => Int, { defaultValue: 50, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size` }) first: number,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor' }) after?: string | null,
  ): Promise<NoticeEntriesType> {
    const page = await ctx.services.notices.entries(ctx.reader(), notice.row, first, after);
    const cursor = (entry: { chain: string; seq: number }) => ctx.services.notices.entryCursor(entry);
    const children = await ctx.services.notices.children(ctx.reader(), page.entries.map((e) => e.childId));
    return {
      nodes: page.entries,
      children: [...children.values()].map(toNoticeChildType),
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: !!after, startCursor: page.entries[0] ? cursor(page.entries[0]) : null, endCursor: page.entries.at(-1) ? cursor(page.entries.at(-1)!) : null },
    };
  }

  @FieldResolver(() => NoticeVerificationType, { description: '按变更日志重新校验内容哈希与链头 Re-verify the content hash and chain head against the log' })
  verification(@Root() notice: ExchangeNoticeType, @Ctx() ctx: AppContext): Promise<NoticeVerificationType> {
    ctx.reader();
    return ctx.services.notices.verify(notice.row);
  }

  @Mutation(() => IssuedNotices, { description: '发布某月全部交换通报（省级督导），重复发布返回原通报 Issue every notice of a month (provincial supervisors); issuing again returns the notices already issued' })
  async issueMonthlyNotices(@Arg('period', () => String, { description: '已结束的月份 YYYY-MM（中国标准时间）A month that has ended, YYYY-MM (China Standard Time)' }) period: string, @Ctx() ctx: AppContext): Promise<IssuedNotices> {
    const identity = ctx.user();
    if (!identity.roles.includes('supervisor') || identity.region !== '350000') {
      throw new ForbiddenError('只有省级督导可以发布月度通报 (only provincial supervisors issue the monthly notices)');
    }
    const result = await ctx.services.notices.issue(identity, period);
    return { period, count: result.notices.length, issuedNow: result.issuedNow };
  }

  @Mutation(() => ExchangeNoticeType, { description: '签收通报（本部门本辖区联络员，仅一次）Acknowledge a notice (a liaison of its department and region, once)' })
  async acknowledgeNotice(
    @Arg('id', () => ID, { description: '通报编号 Notice id' }) id: string,
    @Arg('remarks', () => String, { nullable: true, description: '备注，如发现的不一致 Remarks, e.g. discrepancies found' }) remarks: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<ExchangeNoticeType> {
    await ctx.services.notices.acknowledge({ identity: ctx.user(), requestId: ctx.requestId }, id, remarks);
    return toNoticeType(await ctx.services.notices.get(ctx.reader(), id));
  }
}
