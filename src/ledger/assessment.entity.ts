import { Entity, Property } from '@mikro-orm/core';
import { LedgerRecordEntity } from './ledger-record.entity';

export interface EvidenceItem {
  type: string;
  reference: string;
  date: string;
}

/** The expert panel's (专家组) assessment of an ill or disabled child, with its evidence (二(三)(四)). */
@Entity({ schema: 'hub', tableName: 'assessment' })
export class AssessmentEntity extends LedgerRecordEntity {
  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'uuid', nullable: true })
  caseId!: string | null;

  @Property({ type: 'date' })
  assessedOn!: string;

  @Property({ type: 'array' })
  members!: string[];

  @Property({ type: 'string' })
  decision!: string;

  @Property({ type: 'date', nullable: true })
  reviewOn!: string | null;

  @Property({ type: 'json' })
  evidence!: EvidenceItem[];

  @Property({ type: 'boolean' })
  evidenceComplete!: boolean;
}
