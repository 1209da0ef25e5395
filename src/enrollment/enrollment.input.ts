import { Field, ID, InputType, Int } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { Stage } from '../departments/education/education.enums';
import { EnrollmentStatus, SchoolKind } from './enrollment.enums';

@InputType({ description: '一所学校的学位 Places at one school' })
export class SchoolPlacesInput {
  @Field(() => String, { description: '学校名称 School name' })
  name!: string;

  @Field(() => SchoolKind.values, { description: '公办或民办 Public or private' })
  kind!: string;

  @Field(() => Int, { description: '可分配学位数 Places to assign' })
  places!: number;
}

@InputType({ description: '发放入学通知书 Issue enrollment notices for a county' })
export class IssueEnrollmentNoticesInput {
  @Field(() => Int, { description: '学年（起始年份，2026 即 2026—2027 学年）School year, by the year it starts' })
  schoolYear!: number;

  @Field(() => String, { description: '县级区划代码 County code' })
  region!: string;

  @Field(() => Stage.values, { description: '入学学段：小学一年级或初中一年级 Entry to primary (grade 1) or junior secondary (grade 7)' })
  stage!: string;

  @Field(() => LocalDate, { description: '报到日期 Date to report at school' })
  reportOn!: string;

  @Field(() => [SchoolPlacesInput], { description: '学校与学位（公办优先分配给建档立卡和监测户家庭子女）Schools and places; public places go first to poverty-registered families' })
  schools!: SchoolPlacesInput[];
}

@InputType({ description: '一名儿童报到 One child\'s arrival' })
export class EnrollmentArrivalInput {
  @Field(() => ID, { description: '入学通知书编号 Notice id' })
  noticeId!: string;

  @Field(() => LocalDate, { description: '报到日期 Date arrived' })
  arrivedOn!: string;
}

@InputType({ description: '入学通知书筛选 Which notices' })
export class EnrollmentNoticeFilter {
  @Field(() => Int, { description: '学年 School year' })
  schoolYear!: number;

  @Field(() => String, { nullable: true, description: '发放县 Issuing county (or a city, or the province)' })
  region?: string;

  @Field(() => EnrollmentStatus.values, { nullable: true, description: '状态 Status' })
  status?: string;

  @Field(() => Boolean, { nullable: true, description: '仅无户口儿童（供公安核查；需可读户籍状态）Only children without hukou (for the police; needs to read hukou status)' })
  withoutHukou?: boolean;
}
