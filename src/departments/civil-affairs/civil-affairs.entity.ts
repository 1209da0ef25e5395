import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'civil', tableName: 'civil_affairs_record' })
export class CivilAffairsRecordEntity extends SectionEntity {
  @Property({ type: 'boolean', nullable: true })
  leftBehind!: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  deFactoUnsupported!: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  migrant!: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  parentImprisoned!: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  orphan!: boolean | null;

  @Property({ type: 'boolean', nullable: true })
  subsistenceAllowance!: boolean | null;
}
