import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../core/connection';
import type { AppContext } from './change-log.context';
import { ChainVerificationType, ChangeLogConnection, ChangeLogFilter } from './change-log.type';

@Resolver()
export class ChangeLogResolver {
  @Query(() => ChangeLogConnection, { description: '变更日志（辖区内、按权限投影）The change log in your region, projected through your permissions' })
  async changeLog(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => ChangeLogFilter, { nullable: true, description: '筛选 Filters' }) filter?: ChangeLogFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size` }) first = 50,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor' }) after?: string | null,
  ): Promise<ChangeLogConnection> {
    const page = await ctx.services.changeLog.page(ctx.reader(), filter, first, after);
    const edges = page.entries.map((node) => ({ node, cursor: ctx.services.changeLog.cursor(node) }));
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
