import { DEVELOPMENT_STATISTICS_SECRET } from './config';
import type { Database } from './db/database';
import type { Clock } from './core/clock';
import type { RequestContext } from './core/context';
import { ChildService } from './children/child.service';
import { SectionService } from './departments/section.service';
import { ChangeLogService } from './changelog/change-log.service';
import { ChangeFeed } from './changelog/change-feed';
import { AsOfService } from './as-of/as-of.service';
import type { Logger } from './core/logger';
import { SensitiveReadService } from './audit/sensitive-read.service';
import { NoticeService } from './notices/notice.service';
import { DropoutCaseService } from './ledger/dropout-case.service';
import { WeeklyReportService } from './ledger/weekly-report.service';
import { HomeTeachingService } from './ledger/home-teaching.service';
import { EnrollmentService } from './enrollment/enrollment.service';
import { KeyRegionService } from './key-regions/key-region.service';
import type { AppContext as KeyRegionContext } from './key-regions/key-region.context';
import type { AppContext as ChildrenContext } from './children/children.context';
import type { AppContext as SectionContext } from './departments/section.context';
import type { AppContext as LedgerContext } from './ledger/ledger.context';
import type { AppContext as EnrollmentContext } from './enrollment/enrollment.context';
import type { AppContext as ChangeLogContext } from './changelog/change-log.context';
import type { AppContext as NoticeContext } from './notices/notice.context';
import type { AppContext as AuditContext } from './audit/sensitive-read.context';
import type { AppContext as StatisticsContext } from './stats/stats.context';
import { StatisticsService, type StatisticsSettings } from './stats/stats.service';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { DiscrepancyService } from './reconciliation/discrepancy.service';
import type { AppContext as ReconciliationContext } from './reconciliation/reconciliation.context';
import { LogRootService } from './log-roots/log-root.service';
import { DuplicateService } from './duplicates/duplicate.service';
import type { AppContext as DuplicatesContext } from './duplicates/duplicates.context';
import { LogRootReads } from './log-roots/log-root.reads';
import { type RootKeys, testRootKeys } from './log-roots/log-root.keys';
import type { AppContext as LogRootContext } from './log-roots/log-root.context';
import { SpotCheckService } from './supervision/spot-check.service';
import { SupervisionActionService } from './supervision/supervision-action.service';
import type { AppContext as SupervisionContext } from './supervision/supervision.context';

/** The application's services: stateless, shared by all requests; each write is its own unit of work. */
export interface Services {
  readonly children: ChildService;
  readonly sections: SectionService;
  readonly changeLog: ChangeLogService;
  /** The live change feed of this instance (the one stateful service: its subscribers and listening connection). */
  readonly changeFeed: ChangeFeed;
  readonly asOf: AsOfService;
  readonly sensitiveReads: SensitiveReadService;
  readonly notices: NoticeService;
  readonly dropoutCases: DropoutCaseService;
  readonly weeklyReports: WeeklyReportService;
  readonly homeTeaching: HomeTeachingService;
  readonly enrollment: EnrollmentService;
  readonly statistics: StatisticsService;
  readonly keyRegions: KeyRegionService;
  readonly reconciliation: ReconciliationService;
  readonly discrepancies: DiscrepancyService;
  /** Signed roots over the change log's chains, and proofs in them. */
  readonly logRoots: LogRootService;
  readonly logRootReads: LogRootReads;
  /** 督导: spot checks (抽查、入户核查) and supervision actions (约谈、责令改正、救助转介). */
  readonly spotChecks: SpotCheckService;
  readonly supervisionActions: SupervisionActionService;
  /** Duplicate candidates, found at registration and by the sweep, and their review. */
  readonly duplicates: DuplicateService;
}

/** For entry points without a configuration of their own (tests' writers, the benchmark's pieces). */
const DEFAULT_STATISTICS: StatisticsSettings = { threshold: 5, secret: DEVELOPMENT_STATISTICS_SECRET, maxCells: 3000, cacheEntries: 256, keep: true };

export function createServices(db: Database, clock: Clock, logger?: Logger, statistics: StatisticsSettings = DEFAULT_STATISTICS, rootKeys: RootKeys = testRootKeys()): Services {
  const logRoots = new LogRootService(db.orm, db.sql, rootKeys);
  const duplicates = new DuplicateService(db.orm, db.sql, clock);
  return {
    children: new ChildService(db.orm, db.sql, clock, duplicates),
    sections: new SectionService(db.orm, db.sql),
    changeLog: new ChangeLogService(db.sql),
    changeFeed: new ChangeFeed(db, logger),
    asOf: new AsOfService(db.sql),
    sensitiveReads: new SensitiveReadService(db.sql),
    notices: new NoticeService(db.orm, db.sql, clock, logRoots),
    dropoutCases: new DropoutCaseService(db.orm, clock),
    weeklyReports: new WeeklyReportService(db.orm, db.sql, clock),
    homeTeaching: new HomeTeachingService(db.orm, clock),
    enrollment: new EnrollmentService(db.orm, db.sql, clock),
    statistics: new StatisticsService(db.sql, clock, statistics),
    keyRegions: new KeyRegionService(db.orm, db.sql),
    reconciliation: new ReconciliationService(db.orm, clock),
    discrepancies: new DiscrepancyService(db.orm, db.sql, clock),
    logRoots,
    logRootReads: new LogRootReads(logRoots, db.sql),
    spotChecks: new SpotCheckService(db.orm, db.sql, clock, logRoots),
    supervisionActions: new SupervisionActionService(db.orm, db.sql, clock),
    duplicates,
  };
}

export type AppContext = RequestContext<Services>;

/**
 * Each folder's resolvers see the request through their own AppContext, naming only the services
 * they call (so that they import nothing above their layer): this fails to compile when these
 * services stop serving one of them.
 */
type Assert<T extends true> = T;
export type ServesEveryFolder = Assert<AppContext extends ChildrenContext & SectionContext & LedgerContext & EnrollmentContext & ChangeLogContext & NoticeContext & AuditContext & StatisticsContext & ReconciliationContext & LogRootContext & SupervisionContext & KeyRegionContext & DuplicatesContext ? true : false>;
