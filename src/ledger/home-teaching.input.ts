import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { LocalDate } from '../core/scalars';

@InputType({ description: '安排送教上门 Assign home-delivered teaching' })
export class AssignHomeTeachingInput {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => ID, { nullable: true, description: '相关辍学个案 Related dropout case' })
  caseId?: string | null;

  @Field(() => String, { description: '承担学校 School responsible' })
  schoolName!: string;

  @Field(() => String, { description: '送教教师 Teacher' })
  teacher!: string;

  @Field(() => LocalDate, { description: '开始日期 Start date' })
  startedOn!: string;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes?: string | null;
}

@InputType({ description: '变更或结束送教上门安排；未填字段不变 Change or end an arrangement; absent fields stay as they are' })
export class UpdateHomeTeachingInput {
  @Field(() => ID, { description: '安排编号 Arrangement id' })
  id!: string;

  @Field(() => Int, { description: '期望的当前版本 Expected current version' })
  expectedVersion!: number;

  @Field(() => String, { nullable: true, description: '承担学校 School responsible' })
  schoolName?: string;

  @Field(() => String, { nullable: true, description: '送教教师 Teacher' })
  teacher?: string;

  @Field(() => LocalDate, { nullable: true, description: '结束日期 End date' })
  endedOn?: string;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes?: string;
}

@InputType({ description: '一次送教上门 One home-teaching visit' })
export class HomeTeachingVisitInput {
  @Field(() => ID, { description: '安排编号 Arrangement id' })
  homeTeachingId!: string;

  @Field(() => LocalDate, { description: '送教日期 Date' })
  visitedOn!: string;

  @Field(() => String, { nullable: true, description: '送教教师（默认为安排的教师）Teacher (default: the assigned one)' })
  teacher?: string | null;

  @Field(() => Float, { description: '课时（小时，0.5–12）Hours taught (0.5 to 12)' })
  hours!: number;

  @Field(() => String, { description: '教学内容 What was taught' })
  content!: string;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes?: string | null;
}
