import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A merge of two records of one child, recorded once on each (MERGED and SURVIVOR), so that the
 * change log carries a MERGE entry on both children's chains. `moved` lists, by type, the ids of
 * the records that moved from the merged child to the survivor.
 */
@Entity({ schema: 'hub', tableName: 'child_merge' })
export class ChildMergeEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'string' })
  role!: 'MERGED' | 'SURVIVOR';

  @Property({ type: 'uuid' })
  mergedId!: string;

  @Property({ type: 'uuid' })
  survivorId!: string;

  @Property({ type: 'uuid' })
  pairId!: string;

  @Property({ type: 'json' })
  moved!: Record<string, string[]>;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  mergedAt!: Date;

  @Property({ type: 'integer', version: true })
  version!: number;
}
