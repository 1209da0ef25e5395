import { Entity, Property } from '@mikro-orm/core';
import { LedgerRecordEntity } from './ledger-record.entity';

/** A persuasion visit (劝返) on a dropout case: when, who, how, and what came of it. */
@Entity({ schema: 'edu', tableName: 'persuasion_visit' })
export class PersuasionVisitEntity extends LedgerRecordEntity {
  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'date' })
  visitedOn!: string;

  @Property({ type: 'string', length: 50 })
  visitor!: string;

  @Property({ type: 'string' })
  method!: string;

  @Property({ type: 'string' })
  outcome!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  notes!: string | null;
}
