import type { RequestContext } from '../core/context';
import type { DropoutCaseService } from './dropout-case.service';
import type { HomeTeachingService } from './home-teaching.service';
import type { WeeklyReportService } from './weekly-report.service';

/** The request as the ledger's resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly dropoutCases: DropoutCaseService; readonly weeklyReports: WeeklyReportService; readonly homeTeaching: HomeTeachingService }>;
