import { Entity, Property } from '@mikro-orm/core';
import { LedgerRecordEntity } from './ledger-record.entity';

/** 送教上门: the school and teacher education assigns to teach a child at home, after the panel's decision. */
@Entity({ schema: 'edu', tableName: 'home_teaching' })
export class HomeTeachingEntity extends LedgerRecordEntity {
  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'uuid', nullable: true })
  caseId!: string | null;

  @Property({ type: 'string', length: 100 })
  schoolName!: string;

  @Property({ type: 'string', length: 50 })
  teacher!: string;

  @Property({ type: 'date' })
  startedOn!: string;

  @Property({ type: 'date', nullable: true })
  endedOn!: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  notes!: string | null;
}

/** One dated visit of the teacher under a home-teaching arrangement. */
@Entity({ schema: 'edu', tableName: 'home_teaching_visit' })
export class HomeTeachingVisitEntity extends LedgerRecordEntity {
  @Property({ type: 'uuid' })
  homeTeachingId!: string;

  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'date' })
  visitedOn!: string;

  @Property({ type: 'string', length: 50 })
  teacher!: string;

  /** Hours taught, to a tenth (numeric(3,1)); read back as a number. */
  @Property({ type: 'double', columnType: 'numeric(3,1)' })
  hours!: number;

  @Property({ type: 'string', length: 500 })
  content!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  notes!: string | null;
}
