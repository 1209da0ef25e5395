import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { ChangeLogEntryType } from '../changelog/change-log.type';
import { MAX_PAGE_SIZE } from '../core/connection';
import { BadUserInputError } from '../core/errors';
import type { AppContext } from './children.context';
import { ChildView } from './child.type';

/** The child's own history: the change log's entries about it, a field of the child (the log itself knows no child type). */
@Resolver(() => ChildView)
export class ChildChangesResolver {
  @FieldResolver(() => [ChangeLogEntryType], { nullable: true, description: '此儿童最近的变更，含并入此儿童的记录的变更（最新在前，按权限投影；历史时刻读取时为该时刻以前的）Latest changes of this child and of any record merged into it, newest first, projected through your permissions (on an as-of read, those up to that time)' })
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
