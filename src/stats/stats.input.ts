import { Field, InputType, Int } from 'type-graphql';
import { Gender } from '../children/child.enums';
import { SpecialGroup } from '../departments/civil-affairs/civil-affairs.enums';
import { Stage } from '../departments/education/education.enums';
import { DropoutReason } from '../ledger/dropout-case.enums';

@InputType({ description: '统计期间（含两端，中国标准时间的日期）A period, both ends included (dates in China Standard Time)' })
export class StatPeriodInput {
  @Field(() => String, { description: '开始日期 YYYY-MM-DD First day' })
  from!: string;

  @Field(() => String, { description: '结束日期 YYYY-MM-DD Last day' })
  to!: string;
}

/** Filters only on the dimensions, each reading what its dimension reads (stats.dimensions.ts). */
@InputType({ description: '统计筛选条件（仅限统计维度）Filters on the statistics\' dimensions only' })
export class StatisticsFilter {
  @Field(() => String, { nullable: true, description: '居住地在此区划内（市、县或乡镇代码，须在您的辖区内）Residence inside this region (city, county or township code, inside your own)' })
  region?: string | null;

  @Field(() => [Stage.values], { nullable: true, description: '学段之一 One of these stages' })
  stage?: Stage[] | null;

  @Field(() => [Int], { nullable: true, description: '年级之一（1–9）One of these grades (1–9)' })
  grade?: number[] | null;

  @Field(() => [Gender.values], { nullable: true, description: '性别之一 One of these genders' })
  gender?: Gender[] | null;

  @Field(() => [DropoutReason.values], { nullable: true, description: '未结个案原因之一 Open case with one of these reasons' })
  dropoutReason?: DropoutReason[] | null;

  @Field(() => [SpecialGroup.values], { nullable: true, description: '属于任一特殊群体 In any of these special groups' })
  specialGroup?: SpecialGroup[] | null;

  @Field(() => [String], { nullable: true, description: '学校之一（学籍所在学校名称）One of these schools (by name)' })
  school?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: '仅重点监测地区（true）或仅其他地区（false）Only key regions (true), or only the others (false)' })
  keyRegion?: boolean | null;

  @Field(() => StatPeriodInput, { nullable: true, description: '期间指标（立案、结案、送教）与 MONTH 维度的期间 The period of period measures (cases opened or closed, home-teaching visits) and of MONTH' })
  period?: StatPeriodInput | null;
}
