import { Entity, Property } from '@mikro-orm/core';
import type { Stage } from '../departments/education/education.enums';
import { LedgerRecordEntity } from '../ledger/ledger-record.entity';
import type { EnrollmentStatus, SchoolKind } from './enrollment.enums';

/** 入学通知书 (三(一)): one per child and school year, issued by the county's education bureau. */
@Entity({ schema: 'edu', tableName: 'enrollment_notice' })
export class EnrollmentNoticeEntity extends LedgerRecordEntity {
  @Property({ type: 'uuid' })
  childId!: string;

  /** The issuing county (the child's county of residence when issued). */
  @Property({ type: 'string', length: 6 })
  region!: string;

  /** The school year by the year it starts: 2026 is 2026–2027. */
  @Property({ type: 'smallint' })
  schoolYear!: number;

  @Property({ type: 'string' })
  stage!: Stage;

  @Property({ type: 'string', length: 40 })
  number!: string;

  @Property({ type: 'string', length: 100 })
  schoolName!: string;

  @Property({ type: 'string' })
  schoolKind!: SchoolKind;

  /** Placed first in a public school: a registered-poor or monitored household (三(一)). */
  @Property({ type: 'boolean' })
  priority!: boolean;

  @Property({ type: 'date' })
  reportOn!: string;

  @Property({ type: 'date' })
  issuedOn!: string;

  @Property({ type: 'date', nullable: true })
  arrivedOn!: string | null;

  @Property({ type: 'string' })
  status!: EnrollmentStatus;

  /** The dropout case opened when the child did not arrive. */
  @Property({ type: 'uuid', nullable: true })
  caseId!: string | null;
}
