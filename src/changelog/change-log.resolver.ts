import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../core/connection';
import type { AppContext } from './change-log.context';
import { ChainVerificationType, ChangeLogConnection, ChangeLogFilter } from './change-log.type';

@Resolver()
export class ChangeLogResolver {
  @Query(() => ChangeLogConnection, {
    description:
      '变更日志（辖区内、按权限投影），按链、链内序号排列；每项的游标是读到该项为止的各链位置 ' +
      'The change log in your region, projected through your permissions, in (chain, seq) order. Each edge\'s cursor is the position after it ' +
      '(for each chain, the last seq read); paging on from the endCursor misses no entry, even of chains written to meanwhile, and the same cursor ' +
      'passed to changeFeed as after follows on live with no gap or duplicate',
  })
  async changeLog(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => ChangeLogFilter, { nullable: true, description: '筛选 Filters' }) filter?: ChangeLogFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size` }) first = 50,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor（各链位置）The endCursor of the page before: a position, each chain\'s last seq read' }) after?: string | null,
  ): Promise<ChangeLogConnection> {
    const page = await ctx.services.changeLog.page(ctx.reader(), filter, first, after);
    const edges = page.entries.map((node, i) => ({ node, cursor: page.cursors[i] }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => ChainVerificationType, { description: '校验变更日志的各县哈希链（督导）Verify every county\'s hash chain of the change log (supervisors)' })
  async verifyChangeLog(@Ctx() ctx: AppContext): Promise<ChainVerificationType> {
    return { ...(await ctx.services.changeLog.verify(ctx.reader())), headSeq: null, headHash: null } as ChainVerificationType;
  }
}
