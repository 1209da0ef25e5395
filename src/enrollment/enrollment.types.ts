import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ChildView } from '../children/child.type';
import { LocalDate } from '../core/scalars';
import { Stage } from '../departments/education/education.enums';
import { LedgerRecordType } from '../ledger/ledger-record.type';
import { EnrollmentStatus, SchoolKind } from './enrollment.enums';

@ObjectType('EnrollmentNotice', { implements: LedgerRecordType, description: '入学通知书 An enrollment notice', simpleResolvers: true })
export class EnrollmentNoticeType extends LedgerRecordType {
  @Field(() => Int, { nullable: true, description: '学年（起始年份）School year, by the year it starts' })
  schoolYear!: number | null;

  @Field(() => Stage.values, { nullable: true, description: '入学学段 Stage entered' })
  stage!: string | null;

  @Field(() => String, { nullable: true, description: '通知书编号 Notice number' })
  number!: string | null;

  @Field(() => String, { nullable: true, description: '就读学校 School assigned' })
  schoolName!: string | null;

  @Field(() => SchoolKind.values, { nullable: true, description: '学校类别 Kind of school' })
  schoolKind!: string | null;

  @Field(() => Boolean, { nullable: true, description: '公办学校优先（建档立卡或监测户家庭）Placed first in a public school (poverty-registered family)' })
  priority!: boolean | null;

  @Field(() => LocalDate, { nullable: true, description: '报到日期 Date to report' })
  reportOn!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '发放日期 Date issued' })
  issuedOn!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '实际报到日期 Date arrived' })
  arrivedOn!: string | null;

  @Field(() => EnrollmentStatus.values, { nullable: true, description: '状态 Status' })
  status!: string | null;

  @Field(() => ID, { nullable: true, description: '未报到时立的辍学个案 Dropout case opened when the child did not arrive' })
  caseId!: string | null;

  /** The child's id, for the `child` field (not itself a field). */
  childId?: string;
}

@ObjectType('EnrollmentNoticePage', { description: '入学通知书列表 A page of enrollment notices', simpleResolvers: true })
export class EnrollmentNoticePage {
  @Field(() => [EnrollmentNoticeType], { description: '通知书 Notices' })
  nodes!: EnrollmentNoticeType[];

  @Field(() => Int, { description: '符合条件的总数 How many match' })
  totalCount!: number;

  @Field(() => String, { nullable: true, description: '下一页游标 Cursor for the next page' })
  endCursor!: string | null;

  @Field(() => Boolean, { description: '还有下一页 More pages follow' })
  hasNextPage!: boolean;
}

@ObjectType('EnrollmentIssue', { description: '发放结果 What issuing did', simpleResolvers: true })
export class EnrollmentIssueType {
  @Field(() => Int, { description: '本次新发放 Notices issued now' })
  issued!: number;

  @Field(() => Int, { description: '此前已发放（不重复发放）Already issued before (not issued again)' })
  alreadyIssued!: number;

  @Field(() => Int, { description: '公办学校优先安排的建档立卡或监测户子女 Poverty-registered children placed first in public schools' })
  priorityInPublic!: number;

  @Field(() => Int, { description: '剩余学位 Places left' })
  placesLeft!: number;
}

@ObjectType('NonArrivals', { description: '未报到处理结果 What marking non-arrivals did', simpleResolvers: true })
export class NonArrivalsType {
  @Field(() => Int, { description: '标记为未报到 Notices marked as not arrived' })
  marked!: number;

  @Field(() => Int, { description: '新立辍学个案（待核实）Dropout cases opened (reason to be verified)' })
  casesOpened!: number;

  @Field(() => [ChildView], { description: '无户口的未报到儿童，移交公安核查 Non-arrivals without hukou, listed for the police' })
  withoutHukou!: ChildView[];
}
