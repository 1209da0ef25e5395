import type { ChangeLogService } from '../changelog/change-log.service';
import type { Reader, RequestContext } from '../core/context';
import type { ChildService } from './child.service';
import type { ChildView } from './child.type';

/** The federated record as it stood at a time: served by the as-of read model, which sits above the children. */
export interface ChildAsOf {
  child(reader: Reader, childId: string, asOf: Date): Promise<ChildView | null>;
}

/** The request as the children's resolvers see it: their services, and the as-of read by its interface only. */
export type AppContext = RequestContext<{ readonly children: ChildService; readonly asOf: ChildAsOf; readonly changeLog: ChangeLogService }>;
