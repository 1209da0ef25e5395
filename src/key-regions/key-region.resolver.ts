import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { regions } from '../regions/region.registry';
import { RegionType } from '../regions/region.type';
import type { AppContext } from './key-region.context';

@Resolver()
export class KeyRegionResolver {
  @Query(() => [RegionType], { description: '辖区内的重点监测地区（督导维护的名单）Key regions in my region, the list supervisors keep (四(二))' })
  async keyRegions(@Ctx() ctx: AppContext): Promise<RegionType[]> {
    return (await ctx.services.keyRegions.list(ctx.reader())).map((code) => regions.get(code)! as RegionType);
  }

  @Mutation(() => [RegionType], { description: '设置辖区内的重点监测地区（督导；替换辖区内原名单，记入变更日志）Set the key regions in my region (supervisors; replaces the list inside it; logged)' })
  async setKeyRegions(
    @Arg('counties', () => [String], { description: '县级区划代码 County codes' }) counties: string[],
    @Arg('idempotencyKey', () => String, { nullable: true, description: '幂等键 Idempotency key' }) idempotencyKey: string | null,
    @Arg('reason', () => String, { nullable: true, description: '原因（记入变更日志）Reason, kept in the change log' }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<RegionType[]> {
    const codes = await ctx.services.keyRegions.set({ identity: ctx.user(), requestId: ctx.requestId, reason }, counties, idempotencyKey);
    return codes.map((code) => regions.get(code)! as RegionType);
  }
}
