import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One reconciliation run of a region for a month, frozen like a notice: counts, chain heads, content hash. */
@Entity({ schema: 'hub', tableName: 'reconciliation_run' })
export class ReconciliationRunEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string' })
  period!: string;

  @Property({ type: 'string', length: 6 })
  region!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  ranAt!: Date;

  @Property({ type: 'string' })
  ranBy!: string;

  /** Open discrepancies after the run, by rule and county: `{ R01: { "350102": 3 } }`. */
  @Property({ type: 'json' })
  counts!: Record<string, Record<string, number>>;

  @Property({ type: 'integer' })
  opened!: number;

  @Property({ type: 'integer' })
  kept!: number;

  @Property({ type: 'integer' })
  resolved!: number;

  /** `hub.chain_head` of every chain at the run: `{ "350102": { seq, hash } }` (a signed root will stand for it). */
  @Property({ type: 'json' })
  chainHeads!: Record<string, { seq: string; hash: string }>;

  @Property({ type: 'string' })
  contentHash!: string;

  @Property({ type: 'integer', version: true })
  version!: number;
}
