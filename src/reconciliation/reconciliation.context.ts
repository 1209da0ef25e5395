import type { RequestContext } from '../core/context';
import type { DiscrepancyService } from './discrepancy.service';
import type { ReconciliationService } from './reconciliation.service';

/** The request as reconciliation's resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly reconciliation: ReconciliationService; readonly discrepancies: DiscrepancyService }>;
