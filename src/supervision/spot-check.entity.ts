import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A supervisor's sample of ledger entries (台账信息抽查, 四(二)), drawn from a seed and a signed root. */
@Entity({ schema: 'hub', tableName: 'spot_check' })
export class SpotCheckEntity {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'string', length: 6 }) region!: string;
  @Property({ type: 'string', length: 64 }) seed!: string;
  /** The signed root of the change log the draw names: its seq and its hash, a value nobody could choose. */
  @Property({ type: 'bigint' }) rootSeq!: string;
  @Property({ type: 'string', length: 64 }) rootHash!: string;
  @Property({ type: 'array' }) strata!: string[];
  @Property({ type: 'integer' }) size!: number;
  @Property({ type: 'integer' }) frameSize!: number;
  @Property({ type: 'string', length: 64 }) frameHash!: string;
  /** Every case of the region at the draw, `[caseId, stratum]` in case id order: what the sample was drawn from. */
  @Property({ type: 'json', lazy: true }) frame!: Array<[string, string]>;
  @Property({ type: 'date' }) drawnOn!: string;
  @Property({ type: 'string' }) drawnBy!: string;
  @Property({ type: 'integer', version: true }) version!: number;
  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() }) createdAt!: Date;
  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() }) updatedAt!: Date;
  @Property({ type: 'string' }) updatedBy!: string;
}

export type SpotCheckItemStatus = 'DRAWN' | 'ASSIGNED' | 'VERIFIED';

/** One sampled case: what the ledger said at the draw, who verifies it, and what was found (入户核查). */
@Entity({ schema: 'hub', tableName: 'spot_check_item' })
export class SpotCheckItemEntity {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'uuid' }) spotCheckId!: string;
  @Property({ type: 'uuid' }) caseId!: string;
  @Property({ type: 'uuid' }) childId!: string;
  @Property({ type: 'string', length: 6 }) county!: string;
  @Property({ type: 'string', length: 9, nullable: true }) township!: string | null;
  @Property({ type: 'string' }) stratum!: string;
  /** The ledger's values of the checked fields at the draw, by field (SCHOOL_STATUS, WHEREABOUTS, CASE_STATUS, EVIDENCE_PRESENT). */
  @Property({ type: 'json' }) reported!: Record<string, string | null>;
  @Property({ type: 'string' }) status!: SpotCheckItemStatus;
  @Property({ type: 'string', nullable: true }) verifierSub!: string | null;
  @Property({ type: 'string', nullable: true }) verifierDept!: string | null;
  @Property({ type: 'string', length: 9, nullable: true }) verifierRegion!: string | null;
  @Property({ type: 'date', nullable: true }) assignedOn!: string | null;
  @Property({ type: 'date', nullable: true }) verifiedOn!: string | null;
  @Property({ type: 'string', nullable: true }) verifiedBy!: string | null;
  /** What the verifier found, by field: `{ found, notes }`. */
  @Property({ type: 'json', nullable: true }) findings!: Record<string, { found: string; notes: string | null }> | null;
  @Property({ type: 'integer', version: true }) version!: number;
  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() }) createdAt!: Date;
  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() }) updatedAt!: Date;
  @Property({ type: 'string' }) updatedBy!: string;
}
