import { PrimaryKey, Property } from '@mikro-orm/core';

/** What every ledger record (case, visit, assessment) keeps: its id, version and who changed it when. */
export abstract class LedgerRecordEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() })
  createdAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt!: Date;

  @Property({ type: 'string' })
  updatedBy!: string;
}
