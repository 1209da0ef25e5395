import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, GraphQLISODateTime, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { selectsPath } from '../core/selection';
import type { AppContext } from './children.context';
import { BadUserInputError, NotFoundError } from '../core/errors';
import { MAX_PAGE_SIZE } from '../core/connection';
import { ChildConnection } from './child.connection';
import { AssignTownshipInput, ChildFilter, ChildIdNumberInput, RegisterChildInput } from './child.input';
import { childLoader } from './child.loader';
import { pageEmbeds } from './child.page-embeds';
import { ChildView } from './child.type';
import { UUID } from './child.validation';
import { WritePayload, writePayload } from './write.payload';

@Resolver(() => ChildView)
export class ChildResolver {
  @Query(() => ChildView, { description: '按编号读取一名儿童（仅限辖区内）；给出 asOf 则为该时刻的档案 A child by id, inside your region; with asOf, as it stood then' })
  async child(
    @Arg('id', () => ID, { description: '儿童编号 Child id' }) id: string,
    @Ctx() ctx: AppContext,
    @Arg('asOf', () => GraphQLISODateTime, {
      nullable: true,
      description: '历史时刻：由变更日志重建当时的档案，按今天的权限与辖区显示；只含经接口写入的历史（导入的种子数据没有历史）' +
        ' As of this time: the record as it stood then, rebuilt from the change log, under today\'s permissions and regions; covers only history written through the API (seeded data has none)',
    })
    asOf?: Date | null,
  ): Promise<ChildView> {
    if (!UUID.test(id)) throw BadUserInputError.one('id', '应为UUID (must be a UUID)');
    const loader = ctx.loader('child', () => childLoader(ctx.db.sql, ctx.reader()));
    let child = await loader.load(id);
    // The id of a record merged into another answers with the child it was merged into (in region, as any read).
    const current = child ? id : await ctx.services.children.aliasOf(id);
    if (!child && current) child = await loader.load(current);
    if (!child || !current) throw new NotFoundError(`您的辖区内没有儿童 ${id} (no such child in your region)`);
    if (!asOf) return child;
    // Before a merge, the merged record's own past; after it, the child it was merged into.
    const past = (await ctx.services.asOf.child(ctx.reader(), id, asOf)) ?? (current !== id ? await ctx.services.asOf.child(ctx.reader(), current, asOf) : null);
    if (!past) throw new NotFoundError(`${asOf.toISOString()} 时尚无儿童 ${id} 的记录 (no record of this child at that time)`);
    return past;
  }

  @Query(() => ChildView, { nullable: true, description: '按身份证号查找（仅限辖区内）A child by ID-card number, inside your region; null when none' })
  childByIdNumber(@Arg('idNumber', () => String, { description: '身份证号 ID-card number' }) idNumber: string, @Ctx() ctx: AppContext): Promise<ChildView | null> {
    return ctx.services.children.byIdNumber(ctx.reader(), idNumber);
  }

  @Query(() => ChildConnection, { description: '辖区内的儿童，按条件筛选、游标分页 Children in your region, filtered, cursor-paginated' })
  async children(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => ChildFilter, { nullable: true, description: '筛选条件 Filters' }) filter?: ChildFilter,
    @Arg('first', () => Int, { defaultValue: 20, description: `每页条数（1–${MAX_PAGE_SIZE}）Page size (1–${MAX_PAGE_SIZE})` }) first = 20,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor The endCursor of the previous page' }) after?: string | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<ChildConnection> {
    const reader = ctx.reader();
    // ID numbers that will be sent are audited by the page's own statement (no statement of their own).
    const sendsIdNumbers = !!info && selectsPath(info, ['edges', 'node', 'idNumber']);
    // The sections and cases it will resolve come in the page's statement too, into the request's loaders.
    const embeds = info ? pageEmbeds(ctx, info) : [];
    const page = await ctx.services.children.page(reader, filter, first, after, { auditIdNumbersFor: sendsIdNumbers ? ctx.requestId : null, embeds });
    const loader = ctx.loader('child', () => childLoader(ctx.db.sql, reader));
    page.nodes.forEach((node) => loader.prime(node.id, node));
    const connection = new ChildConnection();
    connection.edges = page.nodes.map((node, i) => ({ cursor: page.cursors[i], node }));
    connection.pageInfo = {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors.at(-1) ?? null,
    };
    connection.count = page.totalCount;
    return connection;
  }

  @Mutation(() => WritePayload, { description: '登记适龄儿童（各部门录入员：发现的新增学龄儿童通报教育部门，二(二)），整批成功或整批失败 Register school-age children (every department\'s clerks: a child a department finds is reported to education, 二(二)), all or none' })
  async registerChildren(
    @Arg('records', () => [RegisterChildInput], { description: '儿童（每批最多1000名）Children, at most 1000' }) records: RegisterChildInput[],
    @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' }) idempotencyKey: string | null,
    @Arg('reason', () => String, { nullable: true, description: '登记原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    const outcome = await ctx.services.children.register({ identity: ctx.user(), requestId: ctx.requestId, reason }, records, idempotencyKey);
    return writePayload(ctx, outcome);
  }

  @Mutation(() => WritePayload, { description: '登记儿童所在乡镇（街道）（教育、公安录入员），整批成功或整批失败 Set the township children live in (EDU and PSB clerks), all or none' })
  async assignTownships(
    @Arg('records', () => [AssignTownshipInput], { description: '儿童与乡镇（每批最多1000条）Children and townships, at most 1000' }) records: AssignTownshipInput[],
    @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' }) idempotencyKey: string | null,
    @Arg('reason', () => String, { nullable: true, description: '原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.children.assignTownships({ identity: ctx.user(), requestId: ctx.requestId, reason }, records, idempotencyKey));
  }

  @Mutation(() => WritePayload, { description: '登记或更正儿童的公民身份号码（公安录入员），原号码保留为别名，整批成功或整批失败 Give children their ID numbers or correct them (PSB clerks); a corrected number still finds the child; all or none' })
  async updateChildIdNumbers(
    @Arg('records', () => [ChildIdNumberInput], { description: '儿童与号码（每批最多1000条）Children and numbers, at most 1000' }) records: ChildIdNumberInput[],
    @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键：重试时返回首次结果 Idempotency key: a retry returns the first result' }) idempotencyKey: string | null,
    @Arg('reason', () => String, { nullable: true, description: '原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WritePayload> {
    return writePayload(ctx, await ctx.services.children.updateIdNumbers({ identity: ctx.user(), requestId: ctx.requestId, reason }, records, idempotencyKey));
  }
}
