import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';
import type { HukouStatus, Whereabouts } from './public-security.enums';

@Entity({ schema: 'psb', tableName: 'public_security_record' })
export class PublicSecurityRecordEntity extends SectionEntity {
  @Property({ type: 'string' })
  hukouStatus!: HukouStatus;

  @Property({ type: 'string' })
  whereabouts!: Whereabouts;

  @Property({ type: 'date', nullable: true })
  verifiedOn!: string | null;
}
