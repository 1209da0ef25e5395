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

  /**
   * A SAME pair's merged child as it was merged (its row is gone): its counties, so that the pair
   * is listed to the readers who saw both children, as before the merge. Not logged: the merged
   * child's logged DELETE holds them.
   */
  @Property({ type: 'string', length: 6, nullable: true })
  mergedHukouRegion!: string | null;

  @Property({ type: 'string', length: 6, nullable: true })
  mergedResidenceRegion!: string | null;

  /**
   * Not stored: the region the decision's change-log entry is placed in, set when it is decided
   * (`pairRegion`), so that the entry is told only to readers of both children.
   */
  loggedRegion?: string;
}

/**
 * The one region whose readers see both children of a pair: a county both have as hukou or
 * residence (the lowest, if two), else their common city, else the province. A reader told of an
 * entry in it (its counties hold the county; a city or the province only a reader of every county,
 * see ChangeLogService's scope) may read both children, so the entry names no one out of sight.
 */
export function pairRegion(a: { hukouRegion: string; residenceRegion: string }, b: { hukouRegion: string; residenceRegion: string }): string {
  const ofB = new Set([b.hukouRegion, b.residenceRegion]);
  const common = [a.hukouRegion, a.residenceRegion].filter((c) => ofB.has(c)).sort();
  if (common.length) return common[0];
  const cities = new Set([a.hukouRegion, a.residenceRegion, b.hukouRegion, b.residenceRegion].map((c) => `${c.slice(0, 4)}00`));
  return cities.size === 1 ? [...cities][0] : '350000';
}
