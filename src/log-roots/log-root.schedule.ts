import type { Logger } from '../core/logger';
import { every } from '../core/schedule';
import type { LogRootService } from './log-root.service';

/**
 * Signs a root every `seconds` in the server process (LOG_ROOT_INTERVAL_SECONDS; 0: none). A tick
 * when no chain moved signs nothing. Instances each run one: the signer's lock makes them take
 * turns, and the second finds nothing new. Returns the function that stops it, after the root
 * being signed, if any, is stored.
 */
export function scheduleRoots(roots: LogRootService, seconds: number, logger: Logger): () => Promise<void> {
  return every(
    seconds,
    async () => {
      const signed = await roots.signNow();
      if (signed.created) logger.debug({ root: signed.root.seq, chains: signed.root.chains }, 'signed a change-log root');
    },
    (error) => logger.error({ err: error }, 'signing a change-log root failed'),
  );
}
