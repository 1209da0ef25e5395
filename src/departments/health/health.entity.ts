import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'health', tableName: 'health_record' })
export class HealthRecordEntity extends SectionEntity {
  @Property({ type: 'boolean', nullable: true })
  seriousIllness!: boolean | null;

  @Property({ type: 'string', length: 500, nullable: true })
  diagnosisSummary!: string | null;

  @Property({ type: 'date', nullable: true })
  screenedOn!: string | null;
}
