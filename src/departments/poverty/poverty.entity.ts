import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'poverty', tableName: 'poverty_record' })
export class PovertyRecordEntity extends SectionEntity {
  @Property({ type: 'boolean' })
  registeredPoor!: boolean;

  @Property({ type: 'boolean' })
  monitoredHousehold!: boolean;

  @Property({ type: 'string', length: 40, nullable: true })
  householdId!: string | null;
}
