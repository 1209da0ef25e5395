import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type DiscrepancyStatus = 'OPEN' | 'IN_PROGRESS' | 'RESOLVED' | 'EXPLAINED';

/** Where two departments' ledgers disagree about one child (核实比对), from the run that found it to its end. */
@Entity({ schema: 'hub', tableName: 'discrepancy' })
export class DiscrepancyEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string' })
  rule!: string;

  @Property({ type: 'uuid' })
  childId!: string;

  @Property({ type: 'string', length: 6 })
  county!: string;

  @Property({ type: 'string', length: 9, nullable: true })
  township!: string | null;

  /** The compared values at the run that opened it, keyed by matrix field. */
  @Property({ type: 'json' })
  facts!: Record<string, unknown>;

  @Property({ type: 'array' })
  fields!: string[];

  @Property({ type: 'string' })
  ownerDept!: string;

  @Property({ type: 'string' })
  status!: DiscrepancyStatus;

  @Property({ type: 'date' })
  openedOn!: string;

  @Property({ type: 'date' })
  deadline!: string;

  @Property({ type: 'uuid' })
  openedByRun!: string;

  @Property({ type: 'date', nullable: true })
  resolvedOn!: string | null;

  @Property({ type: 'uuid', nullable: true })
  resolvedByRun!: string | null;

  @Property({ type: 'string', nullable: true })
  fixedByChain!: string | null;

  @Property({ type: 'bigint', nullable: true })
  fixedBySeq!: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  explanation!: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  evidence!: string | null;

  @Property({ type: 'string', nullable: true })
  explainedBy!: string | null;

  @Property({ type: 'string', nullable: true })
  confirmedBy!: string | null;

  /** The day a supervisor confirmed the explanation (a later run may still resolve it). */
  @Property({ type: 'date', nullable: true })
  explainedOn!: string | null;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() })
  createdAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt!: Date;

  @Property({ type: 'string' })
  updatedBy!: string;
}
