import { Field, GraphQLISODateTime, Int, ObjectType } from 'type-graphql';
import { RegionType } from '../regions/region.type';

@ObjectType('WeeklyReportStatus', { description: '某县某周周报的报送情况 Whether a county reported a week, and when', simpleResolvers: true })
export class WeeklyReportStatusType {
  @Field(() => String, { description: 'ISO周 ISO week' })
  isoWeek!: string;

  @Field(() => String, { description: 'ON_TIME 按时（周日后一天内）、LATE 迟报、MISSING 未报 ON_TIME (by the Monday after), LATE, or MISSING' })
  status!: 'ON_TIME' | 'LATE' | 'MISSING';

  @Field(() => GraphQLISODateTime, { nullable: true, description: '报送时间 Submitted at' })
  submittedAt!: Date | null;
}

@ObjectType('CountyReporting', { description: '一个县近几周的周报报送率（如 DHIS2 的报告率）A county\'s weekly reporting, as DHIS2 reporting rates', simpleResolvers: true })
export class CountyReportingType {
  @Field(() => RegionType, { description: '县（市、区）County' })
  region!: RegionType;

  @Field(() => Boolean, { description: '重点监测地区 Key region' })
  keyRegion!: boolean;

  @Field(() => Int, { description: '按时报送周数 Weeks reported on time' })
  onTime!: number;

  @Field(() => Int, { description: '迟报周数 Weeks reported late' })
  late!: number;

  @Field(() => Int, { description: '未报周数 Weeks not reported' })
  missing!: number;

  @Field(() => [WeeklyReportStatusType], { description: '各周，最近的在前 Each week, the latest first' })
  weeks!: WeeklyReportStatusType[];
}
