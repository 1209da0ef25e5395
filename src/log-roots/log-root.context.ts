import type { RequestContext } from '../core/context';
import type { LogRootReads } from './log-root.reads';
import type { LogRootService } from './log-root.service';

/** The request as the roots' resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly logRoots: LogRootService; readonly logRootReads: LogRootReads }>;
