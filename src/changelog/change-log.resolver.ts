import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { MAX_PAGE_SIZE } from '../core/connection';
import { BadUserInputError } from '../core/errors';
import type { AppContext } from './change-log.context';
import { ChainVerificationType, ChangeLogConnection, ChangeLogEntryType, ChangeLogFilter } from './change-log.type';

@Resolver(() => ChildView)
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

  @Query(() => ChainVerificationType, { description: '校验变更日志哈希链（督导）Verify the change log\'s hash chain (supervisors)' })
  verifyChangeLog(@Ctx() ctx: AppContext): Promise<ChainVerificationType> {
    return ctx.services.changeLog.verify(ctx.reader());
  }

  @FieldResolver(() => [ChangeLogEntryType], { nullable: true, description: '此儿童最近的变更（最新在前，按权限投影；历史时刻读取时为该时刻以前的）Latest changes of this child, newest first, projected through your permissions (on an as-of read, those up to that time)' })
  changes(
    @Root() child: ChildView,
    @Ctx() ctx: AppContext,
    @Arg('last', () => Int, { defaultValue: 20, description: '最多条数（1–100）How many (1–100)' }) last: number,
  ): Promise<ChangeLogEntryType[]> | null {
    if (!ctx.reader().access.canRead('Child.changes')) return null;
    if (!Number.isInteger(last) || last < 1 || last > MAX_PAGE_SIZE) throw BadUserInputError.one('last', `应为 1 到 ${MAX_PAGE_SIZE} (must be 1 to ${MAX_PAGE_SIZE})`);
    if (child.snapshot) return Promise.resolve(child.snapshot.changes(last));
    const reader = ctx.reader();
    return ctx.loader(`changes:${last}`, () => ctx.services.changeLog.loader(reader, last)).load(child.id);
  }
}
