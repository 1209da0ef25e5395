import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import { defineEnum } from '../core/enums';
import { RegionType } from '../regions/region.type';
import type { CaseloadGrouping, ReportTimeliness } from './supervision-history';

export const ReportTimelinessEnum = defineEnum('ReportTimeliness', '周报报送情况 Whether a weekly report came on time', {
  ON_TIME: '按时（周日后的周一结束前）on time (by the end of the Monday after the week)',
  LATE: '迟报 late',
  MISSING: '未报 missing',
} satisfies Record<ReportTimeliness, string>);

export const CaseloadGroupingEnum = defineEnum('CaseloadGrouping', '工作量汇总方式 How a caseload is grouped', {
  RESPONSIBLE_UNIT: '按责任单位 by responsible unit',
  RESPONSIBLE_PERSON: '按责任人（在其单位内）by responsible person, within the unit',
} satisfies Record<CaseloadGrouping, string>);

@ObjectType('CountyWeek', { description: '一个县某一周：周报与当周周日的台账 A county\'s week: its report and its ledger as of the Sunday', simpleResolvers: true })
export class CountyWeekType {
  @Field(() => String, { description: 'ISO周 ISO week' })
  isoWeek!: string;

  @Field(() => ReportTimelinessEnum.values, { description: '周报：按时、迟报、未报 The weekly report: on time, late, missing' })
  report!: ReportTimeliness;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '报送时间 Submitted at' })
  submittedAt!: Date | null;

  @Field(() => Int, { description: '周日时未结个案 Open cases as of the Sunday' })
  openCases!: number;

  @Field(() => Int, { description: '周日时逾期未结 Open past their deadline as of the Sunday' })
  overdue!: number;

  @Field(() => Int, { description: '本周返校 Returned to school in the week' })
  returns!: number;

  @Field(() => Int, { description: '在本市各县中按未结个案的名次，1 为未结最多，并列同名次 Rank among the counties of its city by open cases: 1 has the most, ties share a rank' })
  cityRank!: number;

  @Field(() => Int, { description: '在全省各县中按未结个案的名次，1 为未结最多，并列同名次 Rank among the counties of the province by open cases: 1 has the most, ties share a rank' })
  provinceRank!: number;
}

@ObjectType('CountyHistory', { description: '一个县的周序列（督导）A county\'s weekly series, for supervisors', simpleResolvers: true })
export class CountyHistoryType {
  @Field(() => RegionType, { description: '县（市、区）County' })
  region!: RegionType;

  @Field(() => Boolean, { description: '重点监测地区 Key region (四(二))' })
  keyRegion!: boolean;

  @Field(() => Int, { description: '本市县数（名次之分母）Counties in its city, that its city ranks are out of' })
  cityCounties!: number;

  @Field(() => Int, { description: '全省县数（名次之分母）Counties in the province, that its province ranks are out of' })
  provinceCounties!: number;

  @Field(() => [CountyWeekType], { description: '各周，从早到晚 Each week, earliest first' })
  weeks!: CountyWeekType[];
}

@ObjectType('CaseloadRow', { description: '一个责任单位或责任人的工作量 One responsible unit\'s or person\'s caseload', simpleResolvers: true })
export class CaseloadRowType {
  @Field(() => RegionType, { description: '县（市、区，按户籍）County (by hukou)' })
  region!: RegionType;

  @Field(() => String, { nullable: true, description: '责任单位 Unit responsible' })
  responsibleUnit!: string | null;

  @Field(() => String, { nullable: true, description: '责任人；按单位汇总时为空 Person responsible; null when grouped by unit' })
  responsiblePerson!: string | null;

  @Field(() => Int, { description: '未结个案 Open cases' })
  openCases!: number;

  @Field(() => Int, { description: '逾期未结 Open past their deadline' })
  overdue!: number;

  @Field(() => Int, { description: '本学年已返校 Returned to school this school year' })
  returnedThisSchoolYear!: number;
}
