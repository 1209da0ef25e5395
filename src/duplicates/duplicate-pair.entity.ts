import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { DuplicateBand, DuplicateFeature } from './duplicate.scoring';

export type DuplicateStatus = 'OPEN' | 'SAME' | 'DIFFERENT';

/** Two child records that may be one child (child_a < child_b), and what a reviewer decided. */
@Entity({ schema: 'hub', tableName: 'duplicate_pair' })
export class DuplicatePairEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  childA!: string;

  @Property({ type: 'uuid' })
  childB!: string;

  @Property({ type: 'float' })
  score!: number;

  @Property({ type: 'string' })
  band!: DuplicateBand;

  @Property({ type: 'array' })
  features!: DuplicateFeature[];

  @Property({ type: 'string' })
  status!: DuplicateStatus;

  @Property({ type: 'uuid', nullable: true })
  survivorId!: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  reason!: string | null;

  @Property({ type: 'string', nullable: true })
  decidedBy!: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  foundAt!: Date;

  @Property({ type: 'string' })
  foundBy!: string;

  @Property({ type: 'integer', version: true })
  version!: number;
}
