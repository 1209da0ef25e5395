import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext as AppContext } from '../core/context';
import { regions } from './region.registry';
import { regionLevelOf, RegionLevelEnum, type RegionLevelName, RegionType } from './region.type';

@Resolver(() => RegionType)
export class RegionResolver {
  @Query(() => [RegionType], { description: '福建省行政区划 Fujian\'s administrative divisions, optionally one level' })
  regions(
    @Ctx() ctx: AppContext,
    @Arg('level', () => RegionLevelEnum.values, { nullable: true, description: '只列此级 Only this level' }) level?: RegionLevelName | null,
  ): RegionType[] {
    ctx.user();
    const wanted = level ? regionLevelOf(level) : null;
    return regions.all().filter((r) => !wanted || r.level === wanted);
  }

  @FieldResolver(() => RegionLevelEnum.values, { description: '级别 Level' })
  level(@Root() region: RegionType): RegionLevelName {
    return region.level.toUpperCase() as RegionLevelName;
  }
}
