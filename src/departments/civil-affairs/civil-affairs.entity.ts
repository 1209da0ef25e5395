import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';

@Entity({ schema: 'civil', tableName: 'civil_affairs_record' })
export class CivilAffairsRecordEntity extends SectionEntity {
  @Property({ type: 'boolean', default: false })
  leftBehind: boolean = false;

  @Property({ type: 'boolean', default: false })
  deFactoUnsupported: boolean = false;

  @Property({ type: 'boolean', default: false })
  migrant: boolean = false;

  @Property({ type: 'boolean', default: false })
  parentImprisoned: boolean = false;

  @Property({ type: 'boolean', default: false })
  orphan: boolean = false;

  @Property({ type: 'boolean', default: false })
  subsistenceAllowance: boolean = false;
}
