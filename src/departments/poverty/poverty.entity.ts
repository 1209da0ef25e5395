import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'poverty', tableName: 'poverty_record' })
export class PovertyRecordEntity extends SectionEntity {
  @Property({ type: 'boolean', default: false })
  registeredPoor: boolean = false;

  @Property({ type: 'boolean', default: false })
  monitoredHousehold: boolean = false;

  @Property({ type: 'string', length: 40, nullable: true })
  householdId!: string | null;
}
