import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { LocalDate } from '../core/scalars';

@ObjectType('SupervisionAction', { description: '督导事项：约谈、批评教育、责令限期改正、救助转介 A supervision action', simpleResolvers: true })
export class SupervisionActionType {
  @Field(() => ID, { description: '编号 Id' }) id!: string;
  @Field(() => String, { description: '类别 COUNTY_INTERVIEW 约谈 / GUARDIAN_ADMONITION 批评教育 / CORRECTION_ORDER 责令限期改正 / ASSISTANCE_REFERRAL 救助转介' }) kind!: string;
  @Field(() => String, { description: '县（市、区）代码：被约谈的县，或儿童居住的县 County' }) county!: string;
  @Field(() => ID, { nullable: true, description: '儿童编号（约谈为空）Child id (none for an interview)' }) childId!: string | null;
  @Field(() => String, { nullable: true, description: '乡镇（街道）Township' }) township!: string | null;
  @Field(() => String, { nullable: true, description: '转介给（CIVIL / POVERTY）Referred to' }) toDept!: string | null;
  @Field(() => String, { nullable: true, description: '责令改正通知书编号 Correction order number' }) number!: string | null;
  @Field(() => LocalDate, { description: '期限 Deadline' }) deadline!: string;
  @Field(() => String, { description: '事由 Note' }) note!: string;
  @Field(() => String, { description: '状态 OPEN / CLOSED' }) status!: string;
  @Field(() => Boolean, { description: '已逾期未办结 Open past its deadline' }) overdue!: boolean;
  @Field(() => LocalDate, { description: '记录日期 Opened on' }) openedOn!: string;
  @Field(() => String, { description: '记录人 Opened by' }) openedBy!: string;
  @Field(() => String, { description: '记录部门 Opened by department' }) openedDept!: string;
  @Field(() => LocalDate, { nullable: true, description: '办结日期 Closed on' }) closedOn!: string | null;
  @Field(() => String, { nullable: true, description: '办结人 Closed by' }) closedBy!: string | null;
  @Field(() => String, { nullable: true, description: '结果 Outcome' }) outcome!: string | null;
  @Field(() => Int, { description: '版本号 Version' }) version!: number;
}

@ObjectType('SupervisionActionEdge', { description: '督导事项列表的一项 An item of a page of actions', simpleResolvers: true })
export class SupervisionActionEdgeType {
  @Field(() => String, { description: '游标 Cursor' }) cursor!: string;
  @Field(() => SupervisionActionType, { description: '事项 The action' }) node!: SupervisionActionType;
}

@ObjectType('SupervisionActionConnection', { description: '督导事项分页 A page of actions', simpleResolvers: true })
export class SupervisionActionConnectionType {
  @Field(() => [SupervisionActionEdgeType], { description: '本页 This page' }) edges!: SupervisionActionEdgeType[];
  @Field(() => PageInfo, { description: '分页信息 Page information' }) pageInfo!: PageInfo;
  @Field(() => Int, { description: '您可见的总数 How many you may see in all' }) totalCount!: number;
}

@InputType('SupervisionActionInput', { description: '记录督导事项 Record an action' })
export class SupervisionActionInput {
  @Field(() => String, { description: '类别 Kind' }) kind!: string;
  @Field(() => String, { nullable: true, description: '被约谈的县（仅约谈）The county interviewed (interviews only)' }) county?: string | null;
  @Field(() => ID, { nullable: true, description: '儿童（约谈以外）The child (every kind but interviews)' }) childId?: string | null;
  @Field(() => String, { nullable: true, description: '转介给 CIVIL 或 POVERTY（仅救助转介）Referred to (referrals only)' }) toDept?: string | null;
  @Field(() => LocalDate, { description: '期限 Deadline' }) deadline!: string;
  @Field(() => String, { description: '事由 Note' }) note!: string;
}

@InputType('SupervisionActionFilter', { description: '督导事项筛选 Filter of actions' })
export class SupervisionActionFilterInput {
  @Field(() => String, { nullable: true, description: '类别 Kind' }) kind?: string | null;
  @Field(() => String, { nullable: true, description: '状态 OPEN / CLOSED' }) status?: string | null;
  @Field(() => Boolean, { nullable: true, description: '是否逾期 Overdue' }) overdue?: boolean | null;
  @Field(() => String, { nullable: true, description: '地区代码 Region' }) region?: string | null;
  @Field(() => ID, { nullable: true, description: '儿童编号 Child id' }) childId?: string | null;
}
