import type { RequestContext } from '../core/context';
import type { KeyRegionService } from './key-region.service';

/** The request as the key regions' resolver sees it. */
export type AppContext = RequestContext<{ readonly keyRegions: KeyRegionService }>;
