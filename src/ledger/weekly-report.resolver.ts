import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { AppContext } from './ledger.context';
import { DropoutReason, DropoutStatus } from './dropout-case.enums';
import type { CountyProgress, WeeklyCounts } from './weekly-report.service';
import { CountyProgressType, WeeklyCountsType, WeeklyReportType } from './weekly-report.types';
import { regions } from '../regions/region.registry';

const labelled = (record: Record<string, number>, labels: Record<string, string>) =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, count]) => ({ key, label: labels[key] ?? key, count }));

function countsType(c: WeeklyCounts): WeeklyCountsType {
  return { ...c, byStatus: labelled(c.byStatus, DropoutStatus.labels), openByReason: labelled(c.openByReason, DropoutReason.labels) };
}

function progressType(p: CountyProgress): CountyProgressType {
  return { ...p, region: regions.get(p.region)!, report: p.report ? { ...p.report, counts: countsType(p.report.counts) } : null };
}

@Resolver()
export class WeeklyReportResolver {
  @Query(() => WeeklyCountsType, { description: '预览本县某周周报数字 Preview my county\'s figures for a week' })
  async weeklyFigures(@Arg('isoWeek', () => String, { description: 'ISO周，如 2026-W42' }) isoWeek: string, @Ctx() ctx: AppContext): Promise<WeeklyCountsType> {
    return countsType(await ctx.services.weeklyReports.compute(ctx.reader().identity.region, isoWeek));
  }

  @Mutation(() => WeeklyReportType, { description: '报送本县周报（县级教育录入员或联络员，每周一次）Submit my county\'s weekly report (county EDU clerk or liaison, once a week)' })
  async submitWeeklyReport(
    @Arg('isoWeek', () => String, { description: 'ISO周，如 2026-W42' }) isoWeek: string,
    @Arg('remarks', () => String, { nullable: true, description: '备注 Remarks' }) remarks: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<WeeklyReportType> {
    const identity = ctx.user();
    await ctx.services.weeklyReports.submit({ identity, requestId: ctx.requestId }, isoWeek, remarks);
    const [mine] = await ctx.services.weeklyReports.overview(ctx.reader(), isoWeek);
    return progressType(mine).report!;
  }

  @Query(() => [CountyProgressType], { description: '辖区各县的周报报送与七月底期限进度（重点地区、初中学段标出）Each county in my region: weekly report submitted or not, progress toward the July deadline' })
  async countyProgress(@Arg('isoWeek', () => String, { description: 'ISO周，如 2026-W42' }) isoWeek: string, @Ctx() ctx: AppContext): Promise<CountyProgressType[]> {
    return (await ctx.services.weeklyReports.overview(ctx.reader(), isoWeek)).map(progressType);
  }
}
