import { PrimaryKey, Property } from '@mikro-orm/core';

/**
 * What every department section row has: one row per child, an optimistic-lock version and
 * who changed it last (the provenance shown with every section value).
 */
export abstract class SectionEntity {
  @PrimaryKey({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt!: Date;

  @Property({ type: 'string' })
  updatedBy!: string;
}
