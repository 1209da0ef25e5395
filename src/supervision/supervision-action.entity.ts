import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { ActionKind } from '../permissions/matrix';

/** 约谈、批评教育、责令限期改正、救助转介 (issue 19): an action with a deadline, open until closed with an outcome. */
@Entity({ schema: 'hub', tableName: 'supervision_action' })
export class SupervisionActionEntity {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'string' }) kind!: ActionKind;
  /** The county interviewed, or the county the child lives in. */
  @Property({ type: 'string', length: 6 }) county!: string;
  @Property({ type: 'uuid', nullable: true }) childId!: string | null;
  @Property({ type: 'string', length: 9, nullable: true }) township!: string | null;
  /** A referral's addressee: CIVIL or POVERTY. */
  @Property({ type: 'string', nullable: true }) toDept!: string | null;
  /** A correction order's printed number. */
  @Property({ type: 'string', length: 40, nullable: true }) number!: string | null;
  @Property({ type: 'date' }) deadline!: string;
  @Property({ type: 'string', length: 500 }) note!: string;
  @Property({ type: 'string' }) status!: 'OPEN' | 'CLOSED';
  @Property({ type: 'date' }) openedOn!: string;
  @Property({ type: 'string' }) openedBy!: string;
  @Property({ type: 'string' }) openedDept!: string;
  @Property({ type: 'date', nullable: true }) closedOn!: string | null;
  @Property({ type: 'string', nullable: true }) closedBy!: string | null;
  @Property({ type: 'string', length: 500, nullable: true }) outcome!: string | null;
  @Property({ type: 'integer', version: true }) version!: number;
  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() }) createdAt!: Date;
  @Property({ type: 'Date', columnType: 'timestamptz', onCreate: () => new Date(), onUpdate: () => new Date() }) updatedAt!: Date;
  @Property({ type: 'string' }) updatedBy!: string;
}
