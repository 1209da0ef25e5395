import { Field, Float, ID, ObjectType } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { LedgerRecordType } from './ledger-record.type';

@ObjectType('HomeTeachingVisit', { implements: LedgerRecordType, description: '送教上门记录 One home-teaching visit', simpleResolvers: true })
export class HomeTeachingVisitType extends LedgerRecordType {
  @Field(() => LocalDate, { nullable: true, description: '送教日期 Date' })
  visitedOn!: string | null;

  @Field(() => String, { nullable: true, description: '送教教师 Teacher' })
  teacher!: string | null;

  @Field(() => Float, { nullable: true, description: '课时（小时）Hours taught' })
  hours!: number | null;

  @Field(() => String, { nullable: true, description: '教学内容 What was taught' })
  content!: string | null;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes!: string | null;
}

@ObjectType('HomeTeaching', { implements: LedgerRecordType, description: '送教上门安排 A home-delivered teaching arrangement', simpleResolvers: true })
export class HomeTeachingType extends LedgerRecordType {
  @Field(() => ID, { nullable: true, description: '相关辍学个案 Related dropout case' })
  caseId!: string | null;

  @Field(() => String, { nullable: true, description: '承担学校 School responsible' })
  schoolName!: string | null;

  @Field(() => String, { nullable: true, description: '送教教师 Teacher' })
  teacher!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '开始日期 Started' })
  startedOn!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '结束日期（进行中为空）Ended (empty while running)' })
  endedOn!: string | null;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes!: string | null;

  /** Filled by the resolver (HomeTeachingResolver.visits). */
  visits?: HomeTeachingVisitType[] | null;
}
