import { Field, InputType, Int } from 'type-graphql';
import { OMITTED_FIELDS, SectionInputType } from '../section.input';
import { SchoolStatus, Stage } from './education.enums';

@InputType({ description: `一条教育记录 One education record. ${OMITTED_FIELDS}` })
export class EducationRecordInput extends SectionInputType {
  @Field(() => SchoolStatus.values, { nullable: true, description: '就学状态（新建时必填）School status (required on create)' })
  status?: string;

  @Field(() => Stage.values, { nullable: true, description: '学段 Stage' })
  stage?: string | null;

  @Field(() => Int, { nullable: true, description: '年级（1–9）Grade (1–9)' })
  grade?: number | null;

  @Field(() => String, { nullable: true, description: '学校名称 School name' })
  schoolName?: string | null;
}
