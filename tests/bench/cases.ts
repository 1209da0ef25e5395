import type { BenchCase } from './bench';
import { bulkImport } from './bulk-import.case';
import { federatedPage } from './federated-page.case';
import { startup } from './startup.case';
import { changeLogScale } from './change-log-scale.case';
import { growth } from './growth.case';
import { noStall } from './no-stall.case';
import { writes } from './writes.case';
import { duplicates } from './duplicates.case';
import { statistics } from './statistics.case';

/**
 * Every benchmark of issues 6, 15, 16 and 17, in the order they run. A new measurement is one `BenchCase` in a
 * `<name>.case.ts` file, added here; `run.ts` seeds the database (if the case needs it), prints
 * the case's table and stores its figures.
 */
export const CASES: readonly BenchCase[] = [federatedPage, bulkImport, noStall, writes, growth, startup, changeLogScale, duplicates, statistics];
