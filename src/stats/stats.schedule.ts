import type { Logger } from '../core/logger';
import { every } from '../core/schedule';
import type { StatisticsService } from './stats.service';

/**
 * Keeps the statistics ahead of questions every `seconds` (STATS_KEEP_INTERVAL_SECONDS; 0: none):
 * brings the kept counts up to the chains' heads, and keeps one settled month end not kept yet
 * (stats.cube.ts), so that a monthly series finds its months kept. Instances may each run one:
 * a refresh or a month end kept by another is found done.
 */
export function scheduleKeptStatistics(statistics: StatisticsService, seconds: number, logger: Logger): () => Promise<void> {
  return every(
    seconds,
    async () => {
      const done = await statistics.keepAhead();
      if (done.cube !== 'fresh' || done.months.length) logger.info(done, 'kept statistics brought up to date');
    },
    (error) => logger.error({ err: error }, 'keeping the statistics failed'),
  );
}
