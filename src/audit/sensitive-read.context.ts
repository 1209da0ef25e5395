import type { RequestContext } from '../core/context';
import type { SensitiveReadService } from './sensitive-read.service';

/** The request as the audit's resolvers and plugin see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly sensitiveReads: SensitiveReadService }>;
