import type { RequestContext } from '../core/context';
import type { DuplicateService } from './duplicate.service';

/** The request as the duplicates' resolvers see them: the service they call, and no other. */
export type AppContext = RequestContext<{ readonly duplicates: DuplicateService }>;
