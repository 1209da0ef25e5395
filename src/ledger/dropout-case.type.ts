import { Field, ObjectType } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { LedgerRecordType } from './ledger-record.type';
import { DropoutReason, DropoutStatus, Placement } from './dropout-case.enums';

@ObjectType('DropoutCase', { implements: LedgerRecordType, description: '辍学个案（控辍保学台账）A case on the dropout ledger', simpleResolvers: true })
export class DropoutCaseType extends LedgerRecordType {
  @Field(() => DropoutReason.values, { nullable: true, description: '辍学原因 Reason' })
  reason!: string | null;

  @Field(() => DropoutStatus.values, { nullable: true, description: '状态 Status' })
  status!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '立案日期 Date opened' })
  openedOn!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '结案日期 Date closed' })
  closedOn!: string | null;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes!: string | null;

  @Field(() => String, { nullable: true, description: '责任人 Person responsible' })
  responsiblePerson!: string | null;

  @Field(() => String, { nullable: true, description: '责任单位 Unit responsible' })
  responsibleUnit!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '完成时限 Deadline' })
  deadline!: string | null;

  @Field(() => Placement.values, { nullable: true, description: '安置方式 Placement' })
  placement!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '公安核实日期 Date the police confirmed the case' })
  policeConfirmedOn!: string | null;

  @Field(() => String, { nullable: true, description: '公安核实人 Who confirmed it' })
  policeConfirmedBy!: string | null;
}
