import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext as AppContext } from '../core/context';
import { regions } from './region.registry';
import { RegionLevelEnum, RegionType } from './region.type';

@Resolver(() => RegionType)
export class RegionResolver {
  @Query(() => [RegionType], { description: '福建省行政区划 Fujian\'s administrative divisions, optionally one level' })
  regions(
    @Ctx() ctx: AppContext,
    @Arg('level', () => RegionLevelEnum.values, { nullable: true, description: '只列此级 Only this level' }) level?: string,
  ): RegionType[] {
    ctx.user();
    return regions.all().filter((r) => !level || r.level === level);
  }
}
