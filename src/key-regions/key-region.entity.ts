import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Whether a county is a key region (四(二) 重点监测地区), as supervisors set it; a county without a row is not. */
@Entity({ schema: 'hub', tableName: 'key_region' })
export class KeyRegionEntity {
  @PrimaryKey({ type: 'string', length: 6 })
  county!: string;

  @Property({ type: 'boolean' })
  key!: boolean;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'string' })
  updatedBy!: string;
}
