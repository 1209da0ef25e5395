import DataLoader from 'dataloader';
import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { childLoader } from '../children/child.loader';
import { ChildView } from '../children/child.type';
import { WritePayload } from '../children/write.payload';
import type { Sql } from '../db/sql';
import type { AppContext } from './duplicates.context';
import { DuplicateService, type PairRow } from './duplicate.service';
import { DuplicateBandEnum, DuplicateDecisionEnum, DuplicatePairConnection, DuplicateSweepType, DuplicatePairType, DuplicateStatusEnum, PossibleDuplicateType } from './duplicate.types';
import type { DuplicateBand } from './duplicate.scoring';
import type { DuplicateStatus } from './duplicate-pair.entity';

@InputType('DuplicatePairFilter', { description: '疑似重复筛选 Filter of duplicate pairs' })
class DuplicatePairFilterInput {
  @Field(() => String, { nullable: true, description: '任一方户籍或居住地在此区划内 Either child\'s hukou or residence inside this region' }) region?: string | null;
  @Field(() => DuplicateBandEnum.values, { nullable: true, description: '疑似程度 Band' }) band?: DuplicateBand | null;
  @Field(() => DuplicateStatusEnum.values, { nullable: true, description: '核查结论，默认待核查 Status (default OPEN)' }) status?: DuplicateStatus | null;
  @Field(() => ID, { nullable: true, description: '涉及此儿童 Involving this child' }) childId?: string | null;
}

const child = (ctx: AppContext, id: string | null) => (id ? ctx.loader('child', () => childLoader(ctx.db.sql, ctx.reader())).load(id) : null);

export function pairView(row: PairRow): DuplicatePairType {
  const view = new DuplicatePairType();
  Object.assign(view, { id: row.id, childAId: row.childA, childBId: row.childB, survivorId: row.survivorId, score: row.score, band: row.band, features: row.features, status: row.status, reason: row.reason, decidedBy: row.decidedBy, decidedAt: row.decidedAt, foundAt: row.foundAt, version: row.version });
  return view;
}

@Resolver(() => DuplicatePairType)
export class DuplicatePairResolver {
  @Query(() => DuplicatePairConnection, { description: '疑似重复登记（仅限双方均在辖区内、且可读取所示全部字段的用户）Likely duplicate records: only pairs with both children in your region, and only if you may read every field a pair shows' })
  async duplicateCandidates(
    @Ctx() ctx: AppContext,
    @Arg('filter', () => DuplicatePairFilterInput, { nullable: true, description: '筛选 Filter' }) filter: DuplicatePairFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: '每页条数 Page size' }) first: number,
    @Arg('after', () => String, { nullable: true, description: '上一页的 endCursor The endCursor of the previous page' }) after: string | null,
  ): Promise<DuplicatePairConnection> {
    const reader = ctx.reader();
    DuplicateService.checkSees(reader);
    const page = await ctx.services.duplicates.page(reader, filter ?? {}, first, after);
    const connection = new DuplicatePairConnection();
    connection.edges = page.rows.map((row) => ({ cursor: DuplicateService.cursor(row), node: pairView(row) }));
    connection.pageInfo = { hasNextPage: page.hasNextPage, hasPreviousPage: !!after, startCursor: connection.edges[0]?.cursor ?? null, endCursor: connection.edges.at(-1)?.cursor ?? null };
    connection.count = page.totalCount;
    return connection;
  }

  @Mutation(() => DuplicatePairType, { description: '核查疑似重复（儿童所在地教育、公安录入员或督导）：SAME 合并，DIFFERENT 不再提示 Decide a pair (EDU or PSB clerks of the children\'s region, or supervisors): SAME merges, DIFFERENT is never proposed again' })
  async resolveDuplicate(
    @Arg('pairId', () => ID, { description: '疑似重复编号 Pair id' }) pairId: string,
    @Arg('decision', () => DuplicateDecisionEnum.values, { description: '结论 Decision' }) decision: 'SAME' | 'DIFFERENT',
    @Arg('reason', () => String, { description: '核查理由（记入变更日志）Reason, kept in the change log' }) reason: string,
    @Ctx() ctx: AppContext,
    @Arg('survivorId', () => ID, { nullable: true, description: 'SAME：保留的儿童 SAME: the child kept' }) survivorId?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: '读取时的版本 The version you read' }) expectedVersion?: number | null,
  ): Promise<DuplicatePairType> {
    const row = await ctx.services.duplicates.resolve({ identity: ctx.user(), requestId: ctx.requestId }, { pairId, decision, survivorId, reason, expectedVersion });
    ctx.clearLoaders();
    return pairView(row);
  }

  @Mutation(() => DuplicateSweepType, { description: '在辖区内立即查找疑似重复（教育、公安录入员或督导）Look for duplicates in a region now (EDU or PSB clerks, or supervisors)' })
  async findDuplicates(@Arg('region', () => String, { description: '区划代码 Region code' }) region: string, @Ctx() ctx: AppContext): Promise<DuplicateSweepType> {
    const actor = { identity: ctx.user(), requestId: ctx.requestId };
    DuplicateService.checkMaySweep(actor, region);
    return ctx.services.duplicates.sweep(actor, region);
  }

  @FieldResolver(() => ChildView, { nullable: true, description: '一方 One child' })
  childA(@Root() pair: DuplicatePairType, @Ctx() ctx: AppContext) {
    return child(ctx, pair.childAId);
  }

  @FieldResolver(() => ChildView, { nullable: true, description: '另一方 The other child' })
  childB(@Root() pair: DuplicatePairType, @Ctx() ctx: AppContext) {
    return child(ctx, pair.childBId);
  }

  @FieldResolver(() => ChildView, { nullable: true, description: '合并后保留的儿童 The child kept by a merge' })
  survivor(@Root() pair: DuplicatePairType, @Ctx() ctx: AppContext) {
    return child(ctx, pair.survivorId);
  }

  /**
   * Issue 16's "same household id where the reader may see it": told only to readers of household
   * ids (of those who see pairs, supervisors), and not part of the score, which means the same to
   * every reader of the pair. Siblings share a household too: it explains, it does not decide.
   */
  @FieldResolver(() => Boolean, {
    nullable: true,
    description: '两人是否属同一扶贫户：仅向可读取户编号者显示（其他人为空），不计入得分；任一方无户编号时为空 Whether both children belong to one poverty-registered household: shown only to readers of household ids (null for others), not part of the score; null when either has none',
  })
  async sameHousehold(@Root() pair: DuplicatePairType, @Ctx() ctx: AppContext): Promise<boolean | null> {
    if (!ctx.reader().access.canRead('PovertyRecord.householdId')) return null;
    const households = ctx.loader('householdIds', () => householdLoader(ctx.db.sql));
    const [a, b] = await Promise.all([households.load(pair.childAId), households.load(pair.childBId)]);
    return a === null || b === null ? null : a === b;
  }
}

/** Each child's household id (poverty alleviation's), or null; for readers the matrix lets read it. */
function householdLoader(sql: Sql): DataLoader<string, string | null> {
  return new DataLoader(async (ids) => {
    const rows = await sql.query<{ childId: string; householdId: string }>(
      'SELECT child_id AS "childId", household_id AS "householdId" FROM poverty.poverty_record WHERE child_id = ANY($1::uuid[]) AND household_id IS NOT NULL', [[...ids]]);
    const found = new Map(rows.map((r) => [r.childId, r.householdId]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

@Resolver(() => PossibleDuplicateType)
export class PossibleDuplicateResolver {
  @FieldResolver(() => ChildView, { nullable: true, description: '可能重复的已有儿童 The child it may duplicate' })
  candidate(@Root() found: PossibleDuplicateType, @Ctx() ctx: AppContext) {
    return child(ctx, found.candidateId);
  }
}

@Resolver(() => WritePayload)
export class WritePayloadDuplicatesResolver {
  @FieldResolver(() => [PossibleDuplicateType], {
    description: '写入的儿童中可能与已有儿童重复者（仅列出您可见的疑似重复；登记不因此被拒绝）The children written that may duplicate others, as far as you may see pairs; nothing is refused for it',
  })
  async possibleDuplicates(@Root() payload: WritePayload, @Ctx() ctx: AppContext): Promise<PossibleDuplicateType[]> {
    const found = await ctx.services.duplicates.forWritten(ctx.reader(), payload.writtenIds);
    return found.map(({ index, candidateId, row }) => Object.assign(new PossibleDuplicateType(), { index, candidateId, pairId: row.id, score: row.score, band: row.band, features: row.features }));
  }
}
