import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'civil', tableName: 'civil_affairs_record' })
export class CivilAffairsRecordEntity extends SectionEntity {
  @Property({ type: 'boolean' })
  leftBehind!: boolean;

  @Property({ type: 'boolean' })
  deFactoUnsupported!: boolean;

  @Property({ type: 'boolean' })
  migrant!: boolean;

  @Property({ type: 'boolean' })
  parentImprisoned!: boolean;

  @Property({ type: 'boolean' })
  orphan!: boolean;

  @Property({ type: 'boolean' })
  subsistenceAllowance!: boolean;
}
