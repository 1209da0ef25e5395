import type { RequestContext } from '../core/context';
import type { SectionService } from './section.service';

/** The request as the sections' resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly sections: SectionService }>;
