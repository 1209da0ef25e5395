import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import DataLoader from 'dataloader';
import { ChildView } from '../children/child.type';
import { encodeCursor } from '../core/connection';
import type { AppContext } from './reconciliation.context';
import { DiscrepancyConnectionType, DiscrepancyEventType, DiscrepancyType, ReconciliationRuleType, ReconciliationRunType } from './discrepancy.type';
import type { DiscrepancyStatus } from './discrepancy.entity';
import { RULES } from './reconciliation.rules';
import { discrepancyView, ruleType, runView } from './reconciliation.view';

@InputType('DiscrepancyFilter', { description: '问题筛选 Filter of discrepancies' })
class DiscrepancyFilterInput {
  @Field(() => String, { nullable: true, description: '状态 OPEN / IN_PROGRESS / RESOLVED / EXPLAINED' }) status?: DiscrepancyStatus | null;
  @Field(() => String, { nullable: true, description: '规则编号 Rule code' }) rule?: string | null;
  @Field(() => String, { nullable: true, description: '地区代码 Region code' }) region?: string | null;
  @Field(() => ID, { nullable: true, description: '儿童编号 Child id' }) childId?: string | null;
  @Field(() => Boolean, { nullable: true, description: '是否逾期 Overdue' }) overdue?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: '待处理（OPEN 或 IN_PROGRESS）Still to be worked on (OPEN or IN_PROGRESS)' }) open?: boolean | null;
  @Field(() => String, { nullable: true, description: '责任部门 Owning department (EDU, PSB, …)' }) ownerDept?: string | null;
}

const actorOf = (ctx: AppContext) => ({ identity: ctx.user(), requestId: ctx.requestId });

@Resolver(() => DiscrepancyType)
export class DiscrepancyResolver {
  @Query(() => [ReconciliationRuleType], { description: '核实比对规则目录 The reconciliation rules' })
  reconciliationRules(): ReconciliationRuleType[] {
    return RULES.map(ruleType);
  }

  @Query(() => DiscrepancyConnectionType, { description: '您可见的核实比对问题（辖区内、可读规则所比对的全部字段）Discrepancies you may see: in your region, of rules whose compared fields you may all read' })
  async discrepancies(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => DiscrepancyFilterInput, { nullable: true }) filter: DiscrepancyFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<DiscrepancyConnectionType> {
    const reader = ctx.reader();
    const page = await ctx.services.discrepancies.page(reader, filter ?? {}, first, after);
    const today = ctx.services.discrepancies.today();
    const edges = page.rows.map((row) => ({ cursor: encodeCursor('discrepancy', row.id), node: discrepancyView(row, reader, today) as DiscrepancyType }));
    return { edges, totalCount: page.totalCount, pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => [DiscrepancyEventType])
  async history(@Root() d: DiscrepancyType, @Ctx() ctx: AppContext): Promise<DiscrepancyEventType[]> {
    const loader = ctx.loader('discrepancyHistory', () => new DataLoader((keys: ReadonlyArray<{ id: string; childId: string }>) => ctx.services.discrepancies.history(keys), { cacheKeyFn: (k) => k.id }));
    return (await loader.load({ id: d.id, childId: d.childId })).map((e) => ({ ...e, status: (e.changes.status?.after as string | undefined) ?? null, entry: { chain: e.chain, seq: e.seq } }));
  }

  @Mutation(() => ReconciliationRunType, {
    description: '运行核实比对（本辖区督导或教育联络员）；月份须为本月（月中核查）或上月（月度运行），运行读取当前台账 '
      + 'Run reconciliation for a month and region (its supervisor or education liaison). The period is this month (a check mid-month: unlike notices, '
      + 'a run shuts nothing out) or the month just ended (the monthly run); a future or older month is BAD_USER_INPUT on period, since a run reads the ledgers as they are now',
  })
  async runReconciliation(@Arg('period', () => String, { description: '月份 YYYY-MM：本月或上月（中国标准时间）This month or the last (China Standard Time)' }) period: string, @Arg('region', () => String) region: string, @Ctx() ctx: AppContext): Promise<ReconciliationRunType> {
    const { run } = await ctx.services.reconciliation.run(actorOf(ctx), period, region);
    ctx.clearLoaders();
    return runView(run, ctx.reader());
  }

  @Mutation(() => DiscrepancyType, { description: '开始整改 Start working on a discrepancy (owning department)' })
  async startDiscrepancy(@Arg('id', () => ID) id: string, @Arg('expectedVersion', () => Int) expectedVersion: number, @Ctx() ctx: AppContext): Promise<DiscrepancyType> {
    return discrepancyView(await ctx.services.discrepancies.start(actorOf(ctx), id, expectedVersion), ctx.reader(), ctx.services.discrepancies.today()) as DiscrepancyType;
  }

  @Mutation(() => DiscrepancyType, { description: '情况说明（确属例外，待督导确认）Explain a true exception (a supervisor confirms it)' })
  async explainDiscrepancy(
    @Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Arg('evidence', () => String, { nullable: true }) evidence: string | null,
    @Arg('expectedVersion', () => Int) expectedVersion: number, @Ctx() ctx: AppContext,
  ): Promise<DiscrepancyType> {
    return discrepancyView(await ctx.services.discrepancies.explain(actorOf(ctx), id, reason, evidence, expectedVersion), ctx.reader(), ctx.services.discrepancies.today()) as DiscrepancyType;
  }

  @Mutation(() => DiscrepancyType, { description: '督导确认情况说明 A supervisor confirms an explanation' })
  async confirmExplanation(@Arg('id', () => ID) id: string, @Arg('expectedVersion', () => Int) expectedVersion: number, @Ctx() ctx: AppContext): Promise<DiscrepancyType> {
    return discrepancyView(await ctx.services.discrepancies.confirmExplanation(actorOf(ctx), id, expectedVersion), ctx.reader(), ctx.services.discrepancies.today()) as DiscrepancyType;
  }

  @Mutation(() => DiscrepancyType, { description: '即时复核：对该儿童立即重跑规则，不再触发即解决 Re-check now: resolved if the rule no longer fires' })
  async recheckDiscrepancy(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<DiscrepancyType> {
    const reader = ctx.reader();
    await ctx.services.discrepancies.one(reader, id);
    await ctx.services.reconciliation.recheck(actorOf(ctx), id);
    return discrepancyView(await ctx.services.discrepancies.one(reader, id), reader, ctx.services.discrepancies.today()) as DiscrepancyType;
  }
}

@Resolver(() => ChildView)
export class ChildDiscrepanciesResolver {
  @FieldResolver(() => [DiscrepancyType], { nullable: true, description: '此儿童的核实比对问题（仅您可见的规则）Discrepancies about this child (only rules you may see)' })
  async discrepancies(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<DiscrepancyType[] | null> {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.discrepancies')) return null;
    const loader = ctx.loader('childDiscrepancies', () => new DataLoader((ids: readonly string[]) => ctx.services.discrepancies.ofChildren(reader, ids)));
    const today = ctx.services.discrepancies.today();
    return (await loader.load(child.id)).map((row) => discrepancyView(row, reader, today) as DiscrepancyType);
  }
}
