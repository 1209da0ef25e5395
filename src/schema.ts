import 'reflect-metadata';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { MeResolver } from './auth/me.resolver';
import { ChildResolver } from './children/child.resolver';
import { ChildChangesResolver } from './children/child-changes.resolver';
import { SECTION_RESOLVERS } from './departments/section.resolvers';
import { DropoutCaseResolver } from './ledger/dropout-case.resolver';
import { RegionResolver } from './regions/region.resolver';
import { ChangeLogResolver } from './changelog/change-log.resolver';
import { ChangeFeedResolver, NO_PUBSUB } from './changelog/change-feed.resolver';
import { shieldSchema } from './permissions/shield';
import { NoticeResolver } from './notices/notice.resolver';
import { LedgerResolver } from './ledger/ledger.resolver';
import { WeeklyReportResolver } from './ledger/weekly-report.resolver';
import { SupervisionHistoryResolver } from './ledger/supervision-history.resolver';
import { HomeTeachingChildResolver, HomeTeachingResolver } from './ledger/home-teaching.resolver';
import { EnrollmentChildResolver, EnrollmentNoticeResolver } from './enrollment/enrollment.resolver';
import { StatisticsResolver } from './stats/stats.resolver';
import { KeyRegionResolver } from './key-regions/key-region.resolver';
import { ChildDiscrepanciesResolver, DiscrepancyResolver } from './reconciliation/reconciliation.resolver';
import { LogRootResolver } from './log-roots/log-root.resolver';
import { ChildSpotChecksResolver, SpotCheckResolver } from './supervision/spot-check.resolver';
import { ChildSupervisionActionsResolver, SupervisionActionResolver } from './supervision/supervision-action.resolver';
import { DuplicatePairResolver, PossibleDuplicateResolver, WritePayloadDuplicatesResolver } from './duplicates/duplicate.resolver';
import { LogRootVerificationResolver } from './log-roots/log-root-verification.resolver';
import { CertificateAudit, ChildIdNumberAudit, DiagnosisAudit, SensitiveReadResolver } from './audit/sensitive-read.resolver';

let built: GraphQLSchema | null = null;
let secured: GraphQLSchema | null = null;

/** The one GraphQL schema of the hub, built from the code (type-graphql), once per process. */
export function buildHubSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [MeResolver, RegionResolver, ChildResolver, DropoutCaseResolver, ChangeLogResolver, ChildChangesResolver, ChangeFeedResolver, ...SECTION_RESOLVERS, ChildIdNumberAudit, DiagnosisAudit, CertificateAudit, SensitiveReadResolver, NoticeResolver, LedgerResolver, WeeklyReportResolver, SupervisionHistoryResolver, HomeTeachingChildResolver, HomeTeachingResolver, EnrollmentChildResolver, EnrollmentNoticeResolver, StatisticsResolver, KeyRegionResolver, DiscrepancyResolver, ChildDiscrepanciesResolver, LogRootResolver, LogRootVerificationResolver, SpotCheckResolver, ChildSpotChecksResolver, SupervisionActionResolver, ChildSupervisionActionsResolver, DuplicatePairResolver, PossibleDuplicateResolver, WritePayloadDuplicatesResolver] as never,
    validate: false,
    emitSchemaFile: false,
    pubSub: NO_PUBSUB,
  });
  return built;
}

/** Sorted, so that the committed SDL changes only when the schema does. */
export function sortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildHubSchema());
}

/** The schema the server executes: the hub schema with the permission shield derived from the matrix. */
export function securedSchema(): GraphQLSchema {
  secured ??= shieldSchema(buildHubSchema());
  return secured;
}
