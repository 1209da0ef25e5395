import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { LocalDate } from '../core/scalars';
import { RegionType } from '../regions/region.type';

@ObjectType('ReconciliationRule', { description: '核实比对规则 A reconciliation rule', simpleResolvers: true })
export class ReconciliationRuleType {
  @Field(() => String, { description: '规则编号，如 R01 Stable code' }) code!: string;
  @Field(() => String, { description: '中文标题 Title in Chinese' }) title!: string;
  @Field(() => String, { description: '英文标题 Title in English' }) titleEn!: string;
  @Field(() => String, { description: '依据的通知条款 Clause of the notice it serves' }) clause!: string;
  @Field(() => [String], { description: '比对的部门 Departments compared' }) compares!: string[];
  @Field(() => String, { description: '责任部门 Department that must act' }) ownerDept!: string;
  @Field(() => String, { description: '责任角色 Role that must act' }) ownerRole!: string;
  @Field(() => String, { description: '严重程度 Severity' }) severity!: string;
  @Field(() => Int, { description: '默认整改天数 Default deadline (days)' }) deadlineDays!: number;
}

@ObjectType('DiscrepancyFact', { description: '触发问题的字段值（运行时）A value that made the rule fire, at the run', simpleResolvers: true })
export class DiscrepancyFactType {
  @Field(() => String, { description: '字段（权限矩阵名）Field, as the permission matrix names it' }) field!: string;
  @Field(() => String, { nullable: true, description: '值（JSON）Value (JSON); null when there is no record' }) value!: string | null;
}

@ObjectType('ChangeLogPosition', { description: '变更日志中的位置（链与序号）A change-log entry, by chain and seq', simpleResolvers: true })
export class ChangeLogPositionType {
  @Field(() => String, { description: '链（县代码或 global）Chain' }) chain!: string;
  @Field(() => String, { description: '链内序号 Seq within the chain' }) seq!: string;
}

@ObjectType('DiscrepancyEvent', { description: '问题的一次变更 One transition of a discrepancy', simpleResolvers: true })
export class DiscrepancyEventType {
  @Field(() => GraphQLISODateTime, { description: '时间 When' }) at!: Date;
  @Field(() => String, { description: '操作部门 Department' }) actorDept!: string;
  @Field(() => String, { description: '操作 CREATE/UPDATE' }) operation!: string;
  @Field(() => String, { nullable: true, description: '之后的状态 Status after' }) status!: string | null;
  @Field(() => ChangeLogPositionType, { description: '日志条目 Its change-log entry' }) entry!: ChangeLogPositionType;
}

@ObjectType('Discrepancy', { description: '核实比对发现的问题 A discrepancy between departments\' ledgers', simpleResolvers: true })
export class DiscrepancyType {
  @Field(() => ID, { description: '编号 Id' }) id!: string;
  @Field(() => ReconciliationRuleType, { description: '规则 Rule' }) rule!: ReconciliationRuleType;
  @Field(() => ID, { description: '儿童编号 Child id' }) childId!: string;
  @Field(() => RegionType, { description: '县（市、区）County' }) county!: RegionType;
  @Field(() => String, { nullable: true, description: '乡镇（街道）Township, where known' }) township!: string | null;
  @Field(() => [DiscrepancyFactType], { description: '触发的字段值 The values that made it fire' }) facts!: DiscrepancyFactType[];
  @Field(() => String, { description: '责任部门 Owning department' }) ownerDept!: string;
  @Field(() => String, { description: '状态 OPEN / IN_PROGRESS / RESOLVED / EXPLAINED' }) status!: string;
  @Field(() => LocalDate, { description: '发现日期 Found on' }) openedOn!: string;
  @Field(() => LocalDate, { description: '整改期限 Deadline' }) deadline!: string;
  @Field(() => Boolean, { description: '是否逾期 Past its deadline and not ended' }) overdue!: boolean;
  @Field(() => LocalDate, { nullable: true, description: '解决日期 Resolved on' }) resolvedOn!: string | null;
  @Field(() => ChangeLogPositionType, { nullable: true, description: '纠正它的日志条目 The change-log entry that fixed it' }) fixedBy!: ChangeLogPositionType | null;
  @Field(() => String, { nullable: true, description: '情况说明 Explanation' }) explanation!: string | null;
  @Field(() => String, { nullable: true, description: '佐证 Evidence' }) evidence!: string | null;
  @Field(() => String, { nullable: true, description: '说明人 Explained by' }) explainedBy!: string | null;
  @Field(() => String, { nullable: true, description: '确认人（督导）Confirmed by' }) confirmedBy!: string | null;
  @Field(() => [DiscrepancyEventType], { description: '历史 History' }) history!: DiscrepancyEventType[];
  @Field(() => Int, { description: '版本号 Version' }) version!: number;
}

@ObjectType('DiscrepancyEdge', { description: '问题列表的一项 An item of a page of discrepancies', simpleResolvers: true })
export class DiscrepancyEdgeType {
  @Field(() => String, { description: '游标 Cursor' }) cursor!: string;
  @Field(() => DiscrepancyType, { description: '问题 The discrepancy' }) node!: DiscrepancyType;
}

@ObjectType('DiscrepancyConnection', { description: '核实比对问题分页 A page of discrepancies', simpleResolvers: true })
export class DiscrepancyConnectionType {
  @Field(() => [DiscrepancyEdgeType], { description: '本页 This page' }) edges!: DiscrepancyEdgeType[];
  @Field(() => PageInfo, { description: '分页信息 Page information' }) pageInfo!: PageInfo;
  @Field(() => Int, { description: '您可见的总数 How many you may see in all' }) totalCount!: number;
}

@ObjectType('RuleCount', { description: '某规则某县未解决问题数 Open discrepancies of a rule in a county', simpleResolvers: true })
export class RuleCountType {
  @Field(() => String, { description: '规则 Rule' }) rule!: string;
  @Field(() => String, { description: '县 County code' }) county!: string;
  @Field(() => Int, { description: '数量 Count' }) count!: number;
}

@ObjectType('ReconciliationRun', { description: '一次核实比对运行（冻结）A reconciliation run, frozen', simpleResolvers: true })
export class ReconciliationRunType {
  @Field(() => ID, { description: '编号 Id' }) id!: string;
  @Field(() => String, { description: '月份 Period' }) period!: string;
  @Field(() => String, { description: '地区 Region code' }) region!: string;
  @Field(() => GraphQLISODateTime, { description: '运行时间 When it ran' }) ranAt!: Date;
  @Field(() => [RuleCountType], { description: '按规则、县的未解决数（仅您可见的规则与县）Open counts by rule and county: only the rules and counties you may see' }) counts!: RuleCountType[];
  @Field(() => Int, { nullable: true, description: '本次新发现（可见全部规则者）Opened by this run (readers of every rule only)' }) opened!: number | null;
  @Field(() => Int, { nullable: true, description: '本次解决 Resolved by this run (readers of every rule only)' }) resolved!: number | null;
  @Field(() => String, { nullable: true, description: '内容哈希（可见全部规则者）Content hash (readers of every rule only)' }) contentHash!: string | null;
  @Field(() => [ChangeLogPositionType], { description: '运行时各链头 Each chain\'s head at the run' }) chainHeads!: ChangeLogPositionType[];
}
