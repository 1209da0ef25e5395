import { Entity, Property } from '@mikro-orm/core';
import { LedgerRecordEntity } from './ledger-record.entity';
import type { DropoutReason, DropoutStatus, Placement } from './dropout-case.enums';

/** A child on the dropout ledger (辍学台账), owned by education. */
@Entity({ schema: 'edu', tableName: 'dropout_case' })
export class DropoutCaseEntity extends LedgerRecordEntity {
  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'string' })
  reason!: DropoutReason;

  @Property({ type: 'string' })
  status!: DropoutStatus;

  @Property({ type: 'date' })
  openedOn!: string;

  @Property({ type: 'date', nullable: true })
  closedOn!: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  notes!: string | null;

  @Property({ type: 'string', length: 50, nullable: true })
  responsiblePerson!: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  responsibleUnit!: string | null;

  /** By default 31 July of the school year (四(二): 7月底前基本完成辍学学生核查劝返). */
  @Property({ type: 'date', nullable: true })
  deadline!: string | null;

  @Property({ type: 'string', nullable: true })
  placement!: Placement | null;

  @Property({ type: 'date', nullable: true })
  policeConfirmedOn!: string | null;

  @Property({ type: 'string', nullable: true })
  policeConfirmedBy!: string | null;
}
