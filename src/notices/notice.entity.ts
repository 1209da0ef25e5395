import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** An issued monthly exchange notice. Frozen once issued, except its acknowledgement (签收). */
@Entity({ schema: 'hub', tableName: 'exchange_notice' })
export class ExchangeNoticeEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string' })
  number!: string;

  @Property({ type: 'string' })
  period!: string;

  @Property({ type: 'string' })
  dept!: string;

  @Property({ type: 'string' })
  region!: string;

  @Property({ type: 'bigint' })
  fromSeq!: string;

  @Property({ type: 'bigint' })
  toSeq!: string;

  @Property({ type: 'string', nullable: true })
  chainHeadHash!: string | null;

  /** Per chain, `[from, to]`; null for a notice issued over the global chain alone (see notice.ranges.ts). */
  @Property({ type: 'json', nullable: true })
  chainRanges!: Record<string, [number, number]> | null;

  /** The signed root the notice anchors on, once roots are wired in. */
  @Property({ type: 'bigint', nullable: true })
  rootSeq!: string | null;

  @Property({ type: 'string' })
  contentHash!: string;

  @Property({ type: 'integer' })
  entryCount!: number;

  @Property({ type: 'json' })
  summary!: Record<string, unknown>;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Property({ type: 'string' })
  issuedBy!: string;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Property({ type: 'string', nullable: true })
  acknowledgedBy!: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  remarks!: string | null;

  @Property({ type: 'integer', version: true })
  version!: number;
}
