import { Migration0001Foundation } from './Migration0001Foundation';
import { Migration0002ChangeLog } from './Migration0002ChangeLog';
import { Migration0003ChangeFeed } from './Migration0003ChangeFeed';
import { Migration0004SensitiveReads } from './Migration0004SensitiveReads';
import { Migration0005ExchangeNotices } from './Migration0005ExchangeNotices';
import { Migration0006ExportAudit } from './Migration0006ExportAudit';
import { Migration0007DropoutWorkflow } from './Migration0007DropoutWorkflow';
import { Migration0008WeeklyReports } from './Migration0008WeeklyReports';
import { Migration0009Township } from './Migration0009Township';
import { Migration0010HomeTeaching } from './Migration0010HomeTeaching';
import { Migration0011EnrollmentNotices } from './Migration0011EnrollmentNotices';
import { Migration0012ChangeLogHashIndex } from './Migration0012ChangeLogHashIndex';
import { Migration0013ChangeLogAppend } from './Migration0013ChangeLogAppend';
import { Migration0014UnknownFlags } from './Migration0014UnknownFlags';
import { Migration0015ChainPerCounty } from './Migration0015ChainPerCounty';
import { Migration0016LogRoots } from './Migration0016LogRoots';
import { Migration0017NoticeChainRanges } from './Migration0017NoticeChainRanges';
import { Migration0018Reconciliation } from './Migration0018Reconciliation';
import { Migration0019Duplicates } from './Migration0019Duplicates';

/** Every migration, in order. Listed explicitly so that compiled and test builds find the same set. */
export const MIGRATIONS = [
  { name: 'Migration0001Foundation', class: Migration0001Foundation },
  { name: 'Migration0002ChangeLog', class: Migration0002ChangeLog },
  { name: 'Migration0003ChangeFeed', class: Migration0003ChangeFeed },
  { name: 'Migration0004SensitiveReads', class: Migration0004SensitiveReads },
  { name: 'Migration0005ExchangeNotices', class: Migration0005ExchangeNotices },
  { name: 'Migration0006ExportAudit', class: Migration0006ExportAudit },
  { name: 'Migration0007DropoutWorkflow', class: Migration0007DropoutWorkflow },
  { name: 'Migration0008WeeklyReports', class: Migration0008WeeklyReports },
  { name: 'Migration0009Township', class: Migration0009Township },
  { name: 'Migration0010HomeTeaching', class: Migration0010HomeTeaching },
  { name: 'Migration0011EnrollmentNotices', class: Migration0011EnrollmentNotices },
  { name: 'Migration0012ChangeLogHashIndex', class: Migration0012ChangeLogHashIndex },
  { name: 'Migration0013ChangeLogAppend', class: Migration0013ChangeLogAppend },
  { name: 'Migration0014UnknownFlags', class: Migration0014UnknownFlags },
  { name: 'Migration0015ChainPerCounty', class: Migration0015ChainPerCounty },
  { name: 'Migration0016LogRoots', class: Migration0016LogRoots },
  { name: 'Migration0017NoticeChainRanges', class: Migration0017NoticeChainRanges },
  { name: 'Migration0018Reconciliation', class: Migration0018Reconciliation },
  { name: 'Migration0019Duplicates', class: Migration0019Duplicates },
];
