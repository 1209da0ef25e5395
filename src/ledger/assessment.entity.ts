import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

export interface EvidenceItem {
  type: string;
  reference: string;
  date: string;
}

/** The expert panel's (专家组) assessment of an ill or disabled child, with its evidence (二(三)(四)). */
@Entity({ schema: 'hub', tableName: 'assessment' })
export class AssessmentEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

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

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() })
  createdAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt!: Date;

  @Property({ type: 'string' })
  updatedBy!: string;
}
