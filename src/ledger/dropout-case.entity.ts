import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { DropoutReason, DropoutStatus } from './dropout-case.enums';

/** A child on the dropout ledger (辍学台账), owned by education. */
@Entity({ schema: 'edu', tableName: 'dropout_case' })
export class DropoutCaseEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

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

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() })
  createdAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt!: Date;

  @Property({ type: 'string' })
  updatedBy!: string;
}
