import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { LocalDate } from '../core/scalars';
import type { SpotCheckItemRow, SpotCheckRow } from './spot-check.service';
import { accuracy, mismatches } from './spot-check.results';
import { drawSample, frameHash } from './spot-check.sample';
import type { AppContext } from './supervision.context';
import {
  SpotCheckAssignmentInput, SpotCheckAssignmentType, SpotCheckFindingInput, SpotCheckItemType, SpotCheckRedrawType, SpotCheckResultsType, SpotCheckType,
} from './spot-check.type';
import { CHECKED_FIELDS, type SpotCheckField } from './spot-check.fields';

const actorOf = (ctx: AppContext) => ({ identity: ctx.user(), requestId: ctx.requestId });
/** A record's values in the fields' own order (jsonb keeps its keys in an order of its own). */
const FIELDS = Object.keys(CHECKED_FIELDS);
const values = (record: Record<string, unknown> | null, pick: (v: any) => { value: string | null; notes: string | null }) =>
  FIELDS.filter((field) => record && field in record).map((field) => ({ field, ...pick(record![field]) }));

const AS_OF = {
  nullable: true,
  description: '历史时刻：由变更日志重建当时的抽查与核实，按今天的权限与辖区显示 As of this time: the spot check and its verifications as they stood then, rebuilt from the change log, under today\'s permissions and regions',
};
/** The moment a spot check was read as of, carried to its `items` (not a GraphQL field). */
const AS_OF_KEY: unique symbol = Symbol('asOf');
interface AsOf {
  [AS_OF_KEY]?: Date | null;
}
const asOfView = (row: SpotCheckRow, asOf: Date | null | undefined): SpotCheckType => ({ ...row, [AS_OF_KEY]: asOf ?? null }) as unknown as SpotCheckType;

function itemView(row: SpotCheckItemRow): SpotCheckItemType {
  return {
    ...row,
    reported: values(row.reported, (v) => ({ value: v, notes: null })),
    findings: values(row.findings, (v) => ({ value: v.found, notes: v.notes })),
  } as SpotCheckItemType;
}

@Resolver(() => SpotCheckType)
export class SpotCheckResolver {
  @Mutation(() => SpotCheckType, { description: '抽取台账抽查样本（督导）：由种子与当场签名的日志根决定，可复抽 Draw a spot check (supervisors): fixed by the seed and a root signed for the draw, so anyone can redraw it' })
  async drawSpotCheck(
    @Arg('region', () => String) region: string, @Arg('size', () => Int) size: number,
    @Arg('strata', () => [String], { description: 'COUNTY、CASE_STATUS 的组合 Any of COUNTY, CASE_STATUS' }) strata: string[],
    @Arg('seed', () => String) seed: string, @Ctx() ctx: AppContext,
  ): Promise<SpotCheckType> {
    const id = await ctx.services.spotChecks.draw(actorOf(ctx), region, size, strata, seed);
    return (await ctx.services.spotChecks.one(ctx.reader(), id)) as SpotCheckType;
  }

  @Mutation(() => [SpotCheckItemType], { description: '分派核查人（不得来自被抽查儿童所在乡镇）Assign items to verifiers, none from the child\'s township' })
  async assignSpotCheckItems(@Arg('spotCheckId', () => ID) spotCheckId: string, @Arg('assignments', () => [SpotCheckAssignmentInput]) assignments: SpotCheckAssignmentInput[], @Ctx() ctx: AppContext): Promise<SpotCheckItemType[]> {
    return (await ctx.services.spotChecks.assign(actorOf(ctx), spotCheckId, assignments)).map(itemView);
  }

  @Mutation(() => Boolean, { description: '记录入户核查所见（被分派的核查人）Record what was found (the assigned verifier)' })
  async recordVerification(
    @Arg('itemId', () => ID) itemId: string, @Arg('verifiedOn', () => LocalDate) verifiedOn: string,
    @Arg('findings', () => [SpotCheckFindingInput]) findings: SpotCheckFindingInput[], @Ctx() ctx: AppContext,
  ): Promise<boolean> {
    await ctx.services.spotChecks.recordVerification(actorOf(ctx), itemId, verifiedOn, findings.map((f) => ({ ...f, field: f.field as SpotCheckField })));
    return true;
  }

  @Query(() => SpotCheckType, { description: '一次抽查 A spot check' })
  async spotCheck(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext, @Arg('asOf', () => GraphQLISODateTime, AS_OF) asOf?: Date | null): Promise<SpotCheckType> {
    return asOfView(await ctx.services.spotChecks.one(ctx.reader(), id, asOf ?? null), asOf);
  }

  @Query(() => [SpotCheckType], { description: '辖区内的抽查，新者在前 Spot checks in your region, newest first' })
  async spotChecks(@Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: AppContext, @Arg('asOf', () => GraphQLISODateTime, AS_OF) asOf?: Date | null): Promise<SpotCheckType[]> {
    return (await ctx.services.spotChecks.list(ctx.reader(), Math.min(Math.max(first, 1), 100), asOf ?? null)).map((row) => asOfView(row, asOf));
  }

  @Query(() => SpotCheckResultsType, { description: '抽查结果：按县、项目的准确率（Wilson 95% 区间）与核实系数，及不一致清单 Accuracy by county and field with Wilson 95% intervals, verification factors, and the mismatches' })
  async spotCheckResults(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext, @Arg('asOf', () => GraphQLISODateTime, AS_OF) asOf?: Date | null): Promise<SpotCheckResultsType> {
    const reader = ctx.reader();
    const check = await ctx.services.spotChecks.one(reader, id, asOf ?? null);
    const [items] = await ctx.services.spotChecks.items(reader, [check.id], asOf ?? null);
    return { spotCheckId: id, drawn: items.length, verified: items.filter((i) => i.status === 'VERIFIED').length, accuracy: accuracy(items), mismatches: mismatches(items) } as SpotCheckResultsType;
  }

  @Query(() => SpotCheckRedrawType, { description: '由记录的抽样框、种子与日志根重抽并比对 Redraw from the stored frame, the seed and the root, and compare' })
  async redrawSpotCheck(@Arg('id', () => ID) id: string, @Ctx() ctx: AppContext): Promise<SpotCheckRedrawType> {
    const reader = ctx.reader();
    const check = await ctx.services.spotChecks.one(reader, id);
    const frame = await ctx.services.spotChecks.frame(reader, id);
    const [items] = await ctx.services.spotChecks.items(reader, [id]);
    const redrawn = drawSample(frame, check.size, check.seed, check.rootHash).map((d) => d.caseId);
    const stored = items.map((i) => i.caseId);
    const same = redrawn.length === stored.length && [...redrawn].sort().join() === [...stored].sort().join();
    return { sameSample: same, rootMatches: (await ctx.services.spotChecks.rootHashAt(Number(check.rootSeq))) === check.rootHash, frameMatches: frameHash(frame) === check.frameHash, caseIds: redrawn };
  }

  @Query(() => [SpotCheckAssignmentType], { description: '分派给我的入户核查 Items assigned to me to verify' })
  async spotCheckAssignments(@Ctx() ctx: AppContext): Promise<SpotCheckAssignmentType[]> {
    return (await ctx.services.spotChecks.assignmentsOf(actorOf(ctx))).map((i) => ({
      itemId: i.id, childId: i.childId, childName: i.childName, township: i.township, fields: FIELDS, assignedOn: i.assignedOn,
    }));
  }

  @FieldResolver(() => [SpotCheckItemType])
  async items(@Root() check: SpotCheckType & AsOf, @Ctx() ctx: AppContext): Promise<SpotCheckItemType[]> {
    const reader = ctx.reader();
    // One loader per moment: a spot check asked now and as of a time in one request has two samples' states.
    const asOf = check[AS_OF_KEY] ?? null;
    const loader = ctx.loader(`spotCheckItems:${asOf?.toISOString() ?? 'now'}`, () => new DataLoader((ids: readonly string[]) => ctx.services.spotChecks.items(reader, ids, asOf)));
    return (await loader.load(check.id)).map(itemView);
  }
}

@Resolver(() => ChildView)
export class ChildSpotChecksResolver {
  @FieldResolver(() => [SpotCheckItemType], { nullable: true, description: '此儿童被抽查的条目（督导）Spot-check items about this child (supervisors)' })
  async spotChecks(@Root() child: ChildView, @Ctx() ctx: AppContext): Promise<SpotCheckItemType[] | null> {
    const reader = ctx.reader();
    if (!reader.access.canRead('Child.spotChecks')) return null;
    const loader = ctx.loader('childSpotChecks', () => new DataLoader((ids: readonly string[]) => ctx.services.spotChecks.itemsOfChildren(reader, ids)));
    return (await loader.load(child.id)).map(itemView);
  }
}
