import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'poverty', tableName: 'poverty_record' })
export class PovertyRecordEntity extends SectionEntity {
  @Property({ type: 'boolean', nullable: true })
  registeredPoor!: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  monitoredHousehold!: boolean | null;

  @Property({ type: 'string', length: 40, nullable: true })
  householdId!: string | null;
}
