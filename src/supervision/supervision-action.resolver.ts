import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { encodeCursor } from '../core/connection';
import { type ActionRow, chinaDay, SupervisionActionService } from './supervision-action.service';
import { SupervisionActionConnectionType, SupervisionActionFilterInput, SupervisionActionInput, SupervisionActionType } from './supervision-action.type';
import type { AppContext } from './supervision.context';

const actorOf = (ctx: AppContext) => ({ identity: ctx.user(), requestId: ctx.requestId });
const view = (row: ActionRow, today: string): SupervisionActionType => ({ ...row, overdue: SupervisionActionService.isOverdue(row, today) });

@Resolver(() => SupervisionActionType)
export class SupervisionActionResolver {
  @Mutation(() => SupervisionActionType, { description: '记录督导事项（各类别的权限见 README 的督导事项表）Record an action; who may, kind by kind, is the README\'s action table' })
  async recordAction(
    @Arg('input', () => SupervisionActionInput) input: SupervisionActionInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null, @Ctx() ctx: AppContext,
  ): Promise<SupervisionActionType> {
    const id = await ctx.services.supervisionActions.record(actorOf(ctx), input, idempotencyKey);
    return view(await ctx.services.supervisionActions.one(ctx.reader(), id), ctx.services.supervisionActions.today());
  }

  @Mutation(() => SupervisionActionType, { description: '办结督导事项并写明结果（救助转介由受理部门答复）Close an action with its outcome (a referral: the department it was sent to)' })
  async closeAction(@Arg('id', () => ID) id: string, @Arg('outcome', () => String) outcome: string, @Arg('expectedVersion', () => Int) expectedVersion: number, @Ctx() ctx: AppContext): Promise<SupervisionActionType> {
    return view(await ctx.services.supervisionActions.close(actorOf(ctx), id, outcome, expectedVersion), ctx.services.supervisionActions.today());
  }

  @Query(() => SupervisionActionConnectionType, { description: '您可见的督导事项；overdue: true 列出逾期未办结的 Actions you may see; overdue: true lists those open past their deadline' })
  async supervisionActions(
    @Arg('filter', () => SupervisionActionFilterInput, { nullable: true }) filter: SupervisionActionFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number, @Arg('after', () => String, { nullable: true }) after: string | null, @Ctx() ctx: AppContext,
    @Arg('asOf', () => GraphQLISODateTime, {
      nullable: true,
      description: '历史时刻：由变更日志重建当时的督导事项，按今天的权限与辖区显示，逾期按当日计 As of this time: the actions as they stood then, rebuilt from the change log, under today\'s permissions and regions, overdue as of that day',
    }) asOf?: Date | null,
  ): Promise<SupervisionActionConnectionType> {
    const page = await ctx.services.supervisionActions.page(ctx.reader(), filter ?? {}, first, after, asOf ?? null);
    const today = asOf ? chinaDay(asOf) : ctx.services.supervisionActions.today();
    const edges = page.rows.map((row) => ({ cursor: encodeCursor('action', row.id), node: view(row, today) }));
    return { edges, totalCount: page.totalCount, pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

@Resolver(() => ChildView)
export class ChildSupervisionActionsResolver {
  @FieldResolver(() => [SupervisionActionType], { nullable: true, description: '关于此儿童的督导事项（仅您可见的类别）Actions about this child (only kinds you may read)' })
  async supervisionActions(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<SupervisionActionType[] | null> {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.supervisionActions')) return null;
    const loader = ctx.loader('childActions', () => new DataLoader((ids: readonly string[]) => ctx.services.supervisionActions.ofChildren(reader, ids)));
    const today = ctx.services.supervisionActions.today();
    return (await loader.load(child.id)).map((row) => view(row, today));
  }
}
