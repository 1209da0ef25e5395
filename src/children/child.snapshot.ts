import type { ChangeLogEntryType } from '../changelog/change-log.type';
import type { SectionRow } from '../departments/section.loader';
import type { DropoutCaseType } from '../ledger/dropout-case.type';

/**
 * What an as-of read (`child(id, asOf)`) carries beside the child's own fields: the sections,
 * dropout cases and changes as they stood, rebuilt from the change log and already projected
 * through the reader's permissions (withheld values absent, masks applied), exactly as the
 * loaders would have returned them. The field resolvers return these instead of loading today's.
 */
export interface ChildSnapshot {
  readonly asOf: Date;
  /** By section key (`education`, `health`…); null when absent at that time or not visible. */
  readonly sections: Readonly<Record<string, SectionRow | null>>;
  /** Newest first; null when the reader may not see dropout cases. */
  readonly dropoutCases: DropoutCaseType[] | null;
  /** Persuasion visits and panel assessments, newest first; null when not visible. */
  readonly persuasionVisits: Array<Record<string, unknown>> | null;
  readonly assessments: Array<Record<string, unknown>> | null;
  /** Home-teaching arrangements, each with its `visits`, newest first; null when not visible. */
  readonly homeTeaching?: Array<Record<string, unknown>> | null;
  readonly enrollmentNotices?: Array<Record<string, unknown>> | null;
  /** The latest `last` entries up to that time, newest first, projected. */
  readonly changes: (last: number) => ChangeLogEntryType[];
}
