import { Field, InputType, Int } from 'type-graphql';
import { OMITTED_FIELDS, SectionInputType } from '../section.input';
import { DisabilityType } from './disability.enums';

@InputType({ description: `一条残疾记录 One disability record. ${OMITTED_FIELDS}` })
export class DisabilityRecordInput extends SectionInputType {
  @Field(() => DisabilityType.values, { nullable: true, description: '残疾类别（新建时必填）Disability type (required on create)' })
  disabilityType?: string;

  @Field(() => Int, { nullable: true, description: '残疾等级1–4（新建时必填）Level 1–4 (required on create)' })
  disabilityLevel?: number;

  @Field(() => String, { nullable: true, description: '残疾人证号（20位）Certificate number (20 characters)' })
  certificateNo?: string | null;
}
