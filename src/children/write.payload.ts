import { Field, ObjectType } from 'type-graphql';
import type { RequestContext as AppContext } from '../core/context';
import type { WriteOutcome } from '../core/unit-of-work';
import { childLoader } from './child.loader';
import { ChildView } from './child.type';

@ObjectType('WritePayload', { description: '写入结果 Result of a write' })
export class WritePayload {
  /** Read only when asked for: a batch of 1,000 written by a system that wants only `replayed` costs no read-back. */
  @Field(() => [ChildView], { description: '写入涉及的儿童（按输入顺序，按当前权限读取）The children written, in input order, read under your permissions' })
  children(): Promise<ChildView[]> {
    return this.readBack();
  }

  @Field(() => Boolean, { description: '为真表示这是同一幂等键的重试，未写入新数据 True when this was a retry of an earlier call with the same idempotency key; nothing new was written' })
  replayed!: boolean;

  readBack!: () => Promise<ChildView[]>;

  /** The ids written, in input order (for what other capabilities report about them: possible duplicates). */
  writtenIds!: readonly string[];
}

/** The payload of a write: the written children are read back, when asked for, through the ordinary, permission-projected loader. */
export function writePayload(ctx: AppContext, outcome: WriteOutcome<string[]>): WritePayload {
  ctx.clearLoaders();
  const payload = new WritePayload();
  payload.replayed = outcome.replayed;
  payload.writtenIds = outcome.result;
  payload.readBack = async () => {
    const loader = ctx.loader('child', () => childLoader(ctx.db.sql, ctx.reader()));
    const children = await loader.loadMany(outcome.result);
    return children.filter((c): c is ChildView => c !== null && !(c instanceof Error));
  };
  return payload;
}
