import type { RequestContext } from '../core/context';
import type { ChangeFeed } from './change-feed';
import type { ChangeLogService } from './change-log.service';

/** The request as the change log's resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly changeLog: ChangeLogService; readonly changeFeed: ChangeFeed }>;
