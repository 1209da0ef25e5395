import { Field, Int, ObjectType } from 'type-graphql';
import { SectionType } from '../section.type';
import { SchoolStatus, Stage } from './education.enums';

@ObjectType('EducationRecord', { implements: SectionType, description: '教育部门记录：学籍与就学状态 Education section: school status and enrolment', simpleResolvers: true })
export class EducationRecordType extends SectionType {
  @Field(() => SchoolStatus.values, { nullable: true, description: '就学状态 School status' })
  status!: string | null;

  @Field(() => Stage.values, { nullable: true, description: '学段 Stage' })
  stage!: string | null;

  @Field(() => Int, { nullable: true, description: '年级（1–9）Grade (1–9)' })
  grade!: number | null;

  @Field(() => String, { nullable: true, description: '学校名称 School name' })
  schoolName!: string | null;
}
