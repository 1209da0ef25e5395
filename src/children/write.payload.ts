import { Field, ObjectType } from 'type-graphql';
import type { AppContext } from '../services';
import type { WriteOutcome } from '../core/unit-of-work';
import { childLoader } from './child.loader';
import { ChildView } from './child.type';

@ObjectType('WritePayload', { description: '写入结果 Result of a write', simpleResolvers: true })
export class WritePayload {
  @Field(() => [ChildView], { description: '写入涉及的儿童（按输入顺序，按当前权限读取）The children written, in input order, read under your permissions' })
  children!: ChildView[];

  @Field(() => Boolean, { description: '为真表示这是同一幂等键的重试，未写入新数据 True when this was a retry of an earlier call with the same idempotency key; nothing new was written' })
  replayed!: boolean;
}

/** Reads back the written children through the ordinary, permission-projected loader. */
export async function writePayload(ctx: AppContext, outcome: WriteOutcome<string[]>): Promise<WritePayload> {
  ctx.clearLoaders();
  const loader = ctx.loader('child', () => childLoader(ctx.db.sql, ctx.reader()));
  const children = await loader.loadMany(outcome.result);
  return {
    children: children.filter((c): c is ChildView => c !== null && !(c instanceof Error)),
    replayed: outcome.replayed,
  };
}
