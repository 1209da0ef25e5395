import type { RequestContext } from '../core/context';
import type { EnrollmentService } from './enrollment.service';

/** The request as the enrollment resolvers see it: the services they call, and no other. */
export type AppContext = RequestContext<{ readonly enrollment: EnrollmentService }>;
