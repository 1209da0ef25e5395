import type { RequestContext } from '../core/context';
import type { SpotCheckService } from './spot-check.service';
import type { SupervisionActionService } from './supervision-action.service';

/** The request as supervision's resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly spotChecks: SpotCheckService; readonly supervisionActions: SupervisionActionService }>;
