import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';
import type { DisabilityType } from './disability.enums';

@Entity({ schema: 'dpf', tableName: 'disability_record' })
export class DisabilityRecordEntity extends SectionEntity {
  @Property({ type: 'string' })
  disabilityType!: DisabilityType;

  @Property({ type: 'smallint' })
  disabilityLevel!: number;

  @Property({ type: 'string', length: 30, nullable: true, unique: true })
  certificateNo!: string | null;
}
