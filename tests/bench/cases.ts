import type { BenchCase } from './bench';
import { bulkImport } from './bulk-import.case';
import { federatedPage } from './federated-page.case';
import { startup } from './startup.case';
import { changeLogScale } from './change-log-scale.case';

/**
 * Every benchmark of issue 6, in the order they run. A new measurement is one `BenchCase` in a
 * `<name>.case.ts` file, added here; `run.ts` seeds the database (if the case needs it), prints
 * the case's table and stores its figures. Still to add, from the issue:
 * - `writes`: a single-record `upsertEducationRecords` with and without the change-log hook (≥ 0.7×);
 * - `growth`: the federated page at 2,000,000 children against 200,000 (≤ 1.2×).
 */
export const CASES: readonly BenchCase[] = [federatedPage, bulkImport, startup, changeLogScale];
