import type { RequestContext } from '../core/context';
import type { StatisticsService } from './stats.service';

/** The request as the statistics resolver sees it: the one service it calls. */
export type AppContext = RequestContext<{ readonly statistics: StatisticsService }>;
