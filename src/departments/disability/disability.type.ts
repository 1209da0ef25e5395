import { Field, Int, ObjectType } from 'type-graphql';
import { SectionType } from '../section.type';
import { DisabilityType } from './disability.enums';

@ObjectType('DisabilityRecord', { implements: SectionType, description: '残联记录：残疾类别、等级与证件 Disabled persons\' federation section', simpleResolvers: true })
export class DisabilityRecordType extends SectionType {
  @Field(() => DisabilityType.values, { nullable: true, description: '残疾类别 Disability type' })
  disabilityType!: string | null;

  @Field(() => Int, { nullable: true, description: '残疾等级（1–4级，1级最重）Disability level (1–4, 1 the most severe)' })
  disabilityLevel!: number | null;

  @Field(() => String, { nullable: true, description: '残疾人证号，按权限可能打码 Disability certificate number; masked by permission' })
  certificateNo!: string | null;
}
