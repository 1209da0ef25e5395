import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { DropoutReason, DropoutStatus, Placement } from './dropout-case.enums';

@ObjectType('DropoutCase', { description: '辍学个案（控辍保学台账）A case on the dropout ledger', simpleResolvers: true })
export class DropoutCaseType {
  @Field(() => ID, { nullable: true, description: '个案编号 Case id' })
  id!: string | null;

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

  @Field(() => Int, { nullable: true, description: '版本号 Version' })
  version!: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '最后修改时间 When last changed' })
  updatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: '最后修改人 Who last changed it' })
  updatedBy!: string | null;
}
