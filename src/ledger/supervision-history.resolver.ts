import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { regions } from '../regions/region.registry';
import type { AppContext } from './ledger.context';
import type { CaseloadGrouping } from './supervision-history';
import { CaseloadGroupingEnum, CaseloadRowType, CountyHistoryType } from './supervision-history.types';

@Resolver()
export class SupervisionHistoryResolver {
  @Query(() => [CountyHistoryType], {
    description: '辖区各县的周序列：周报按时/迟报/未报、未结、逾期、返校，及在本市与全省的名次（至多26个已结束的周）Each county in my region, week by week: report on time, late or missing, open, overdue, returns, rank in its city and the province (at most 26 weeks that have ended)',
  })
  async countyProgressHistory(
    @Arg('from', () => String, { description: '起始ISO周，如 2026-W30 First ISO week' }) from: string,
    @Arg('to', () => String, { description: '结束ISO周（须已结束）Last ISO week, ended' }) to: string,
    @Ctx() ctx: AppContext,
  ): Promise<CountyHistoryType[]> {
    const history = await ctx.services.weeklyReports.history(ctx.reader(), from, to);
    return history.map((h) => ({ ...h, region: regions.get(h.region)! }));
  }

  @Query(() => [CaseloadRowType], {
    description: '落实到每一个管理人员：辖区内各责任单位或责任人的未结、逾期、本学年返校（督导与教育部门）Caseload per responsible unit or person in my region: open, overdue, returned this school year (supervisors and education)',
  })
  async caseload(
    @Arg('groupBy', () => CaseloadGroupingEnum.values, { description: '按责任单位或责任人 By unit or by person' }) groupBy: CaseloadGrouping,
    @Ctx() ctx: AppContext,
  ): Promise<CaseloadRowType[]> {
    const rows = await ctx.services.weeklyReports.caseload(ctx.reader(), groupBy);
    return rows.map((r) => ({ ...r, region: regions.get(r.region)! }));
  }
}
