import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A county's weekly report of its dropout ledger, computed from the ledger at submission. */
@Entity({ schema: 'edu', tableName: 'weekly_report' })
export class WeeklyReportEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string' })
  region!: string;

  @Property({ type: 'string' })
  isoWeek!: string;

  @Property({ type: 'json' })
  counts!: Record<string, unknown>;

  @Property({ type: 'string', length: 500, nullable: true })
  remarks!: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  submittedAt!: Date;

  @Property({ type: 'string' })
  submittedBy!: string;

  @Property({ type: 'integer', version: true })
  version!: number;
}
