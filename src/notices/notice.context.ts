import type { RequestContext } from '../core/context';
import type { ChangeLogService } from '../changelog/change-log.service';
import type { NoticeService } from './notice.service';

/** The request as the notices' resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly notices: NoticeService; readonly changeLog: ChangeLogService }>;
