import type { Database } from './db/database';
import type { Clock } from './core/clock';
import type { RequestContext } from './core/context';
import { ChildService } from './children/child.service';
import { SectionService } from './departments/section.service';
import { ChangeLogService } from './changelog/change-log.service';
import { SensitiveReadService } from './audit/sensitive-read.service';

/** The application's services: stateless, shared by all requests; each write is its own unit of work. */
export interface Services {
  readonly children: ChildService;
  readonly sections: SectionService;
  readonly changeLog: ChangeLogService;
  readonly sensitiveReads: SensitiveReadService;
}

export function createServices(db: Database, clock: Clock): Services {
  return {
    children: new ChildService(db.orm, db.sql, clock),
    sections: new SectionService(db.orm, db.sql),
    changeLog: new ChangeLogService(db.sql),
    sensitiveReads: new SensitiveReadService(db.sql),
  };
}

export type AppContext = RequestContext<Services>;
