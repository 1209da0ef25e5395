import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { CountyReportingType } from './reporting.type';
import type { AppContext } from './stats.context';
import { StatDimension } from './stats.dimensions';
import { StatisticsFilter } from './stats.input';
import { StatMeasure } from './stats.measures';
import { StatisticsType, StatSeriesType } from './stats.type';

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
    @Arg('asOf', () => String, { nullable: true, description: '数据时点：日期 YYYY-MM-DD（当日结束，中国标准时间）或带时区的时间；按变更日志重建 As of a date (its end, China Standard Time) or a time with its offset, rebuilt from the change log' }) asOf: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<StatisticsType> {
    return ctx.services.statistics.table(ctx.reader(), measures, groupBy, filter, asOf);
  }

  @Query(() => StatSeriesType, {
    description: '月末序列：一个指标在各月末的值（当月未结束则为今日，最多24个月）；披露控制同 statistics，每月各自一表' +
      ' A monthly series: one measure at each month end (today for the month not over; at most 24 months); disclosure control as for statistics, each month its own table',
  })
  statisticsSeries(
    @Arg('measure', () => StatMeasure.values, { description: '指标 Measure' }) measure: StatMeasure,
    @Arg('from', () => String, { description: '起始月份 YYYY-MM First month' }) from: string,
    @Arg('to', () => String, { description: '结束月份 YYYY-MM Last month' }) to: string,
    @Arg('groupBy', () => [StatDimension.values], { defaultValue: [], description: '维度（最多两个）Dimensions, at most two' }) groupBy: StatDimension[],
    @Arg('filter', () => StatisticsFilter, { nullable: true, description: '筛选 Filters' }) filter: StatisticsFilter | null,
    @Ctx() ctx: AppContext,
  ): Promise<StatSeriesType> {
    return ctx.services.statistics.series(ctx.reader(), measure, from, to, groupBy, filter);
  }

  @Query(() => [CountyReportingType], {
    description: '辖区各县近几周周报的按时、迟报、未报（不含周报数字，分析员亦可读）Each county\'s weekly reports over the last weeks: on time, late, missing (no figures: analysts may read it)',
  })
  weeklyReporting(
    @Arg('weeks', () => Int, { defaultValue: 8, description: '最近几周（已结束的周，1–26）The last weeks that have ended, 1–26' }) weeks: number,
    @Ctx() ctx: AppContext,
  ): Promise<CountyReportingType[]> {
    return ctx.services.statistics.reporting(ctx.reader(), weeks);
  }
}
