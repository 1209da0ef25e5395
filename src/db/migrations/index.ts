import { Migration0001Foundation } from './Migration0001Foundation';
import { Migration0002ChangeLog } from './Migration0002ChangeLog';
import { Migration0004SensitiveReads } from './Migration0004SensitiveReads';

/** Every migration, in order. Listed explicitly so that compiled and test builds find the same set. */
export const MIGRATIONS = [
  { name: 'Migration0001Foundation', class: Migration0001Foundation },
  { name: 'Migration0002ChangeLog', class: Migration0002ChangeLog },
  { name: 'Migration0004SensitiveReads', class: Migration0004SensitiveReads },
];
