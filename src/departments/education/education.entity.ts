import { Entity, Property } from '@mikro-orm/core';
import { SectionEntity } from '../section.entity';
import type { SchoolStatus, Stage } from './education.enums';

@Entity({ schema: 'edu', tableName: 'education_record' })
export class EducationRecordEntity extends SectionEntity {
  @Property({ type: 'string' })
  status!: SchoolStatus;

  @Property({ type: 'string', nullable: true })
  stage!: Stage | null;

  @Property({ type: 'smallint', nullable: true })
  grade!: number | null;

  @Property({ type: 'string', length: 100, nullable: true })
  schoolName!: string | null;
}
