import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { AppContext } from './stats.context';
import { StatDimension } from './stats.dimensions';
import { StatisticsFilter } from './stats.input';
import { StatMeasure } from './stats.measures';
import { StatisticsType } from './stats.type';

@Resolver()
export class StatisticsResolver {
  @Query(() => StatisticsType, {
    description: '辖区内的汇总统计：指标 × 维度，含各行列合计；分析员看到的小单元格被抑制、其余随机舍入（见 README“统计”）' +
      ' Aggregates in your region: measures by dimensions, with row and column totals; for analysts small cells are suppressed and the rest rounded (README "Statistics")',
  })
  statistics(
    @Arg('measures', () => [StatMeasure.values], { description: '指标 Measures' }) measures: StatMeasure[],
    @Arg('groupBy', () => [StatDimension.values], { defaultValue: [], description: '维度（最多两个）Dimensions, at most two' }) groupBy: StatDimension[],
    @Arg('filter', () => StatisticsFilter, { nullable: true, description: '筛选 Filters' }) filter: StatisticsFilter | null,
    @Ctx() ctx: AppContext,
  ): Promise<StatisticsType> {
    return ctx.services.statistics.table(ctx.reader(), measures, groupBy, filter);
  }
}
