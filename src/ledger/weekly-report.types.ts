import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import { NoticeCountType } from '../core/count.type';
import { RegionType } from '../regions/region.type';

@ObjectType('WeeklyCounts', { description: '周报数字（按户籍县，从台账计算）The week\'s figures, counted from the ledger by hukou county', simpleResolvers: true })
export class WeeklyCountsType {
  @Field(() => [NoticeCountType], { description: '各状态个案数 Cases by status' })
  byStatus!: NoticeCountType[];

  @Field(() => [NoticeCountType], { description: '未结个案按原因 Open cases by reason' })
  openByReason!: NoticeCountType[];

  @Field(() => Int, { description: '本周劝返次数 Visits this week' })
  visits!: number;

  @Field(() => Int, { description: '本周返校 Returns this week' })
  returns!: number;

  @Field(() => Int, { description: '本周新增个案 New cases this week' })
  newCases!: number;

  @Field(() => Int, { description: '逾期未结 Open past their deadline' })
  pastDeadline!: number;

  @Field(() => Int, { description: '初中学段未结 Open cases in junior secondary' })
  juniorSecondaryOpen!: number;
}

@ObjectType('WeeklyReport', { description: '县级周报 A county\'s weekly report', simpleResolvers: true })
export class WeeklyReportType {
  @Field(() => String, { description: 'ISO周 ISO week' })
  isoWeek!: string;

  @Field(() => WeeklyCountsType, { description: '数字 Figures' })
  counts!: WeeklyCountsType;

  @Field(() => String, { nullable: true, description: '备注 Remarks' })
  remarks!: string | null;

  @Field(() => GraphQLISODateTime, { description: '报送时间 Submitted at' })
  submittedAt!: Date;

  @Field(() => String, { description: '报送人 Submitted by' })
  submittedBy!: string;
}

@ObjectType('CountyProgress', { description: '县级进度（督导）A county\'s progress toward the July deadline', simpleResolvers: true })
export class CountyProgressType {
  @Field(() => RegionType, { description: '县（市、区）County' })
  region!: RegionType;

  @Field(() => Boolean, { description: '重点监测地区 Key region (四(二))' })
  keyRegion!: boolean;

  @Field(() => WeeklyReportType, { nullable: true, description: '本周周报；未报送为空 This week\'s report; null when not submitted' })
  report!: WeeklyReportType | null;

  @Field(() => Int, { description: '未结个案 Open cases' })
  openCases!: number;

  @Field(() => Int, { description: '逾期未结 Open past the deadline' })
  pastDeadline!: number;

  @Field(() => Int, { description: '已返校 Returned' })
  returned!: number;

  @Field(() => Int, { description: '初中学段未结（重点监测学段）Open in junior secondary, the stage watched closely' })
  juniorSecondaryOpen!: number;
}
