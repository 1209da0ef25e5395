import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ChangeLogEntryType } from '../changelog/change-log.type';
import { PageInfo } from '../core/connection';
import { NoticeCountType } from '../core/count.type';
import { RegionType } from '../regions/region.type';

export { NoticeCountType };

@ObjectType('NoticeDiscrepancyCounts', { description: '本期核实比对问题（接收部门可见的规则与辖区）Discrepancies of the period the recipient may see', simpleResolvers: true })
export class NoticeDiscrepancyCountsType {
  @Field(() => Int, { description: '新发现 Found in the period' }) new!: number;
  @Field(() => Int, { description: '已解决 Resolved in the period' }) resolved!: number;
  @Field(() => Int, { description: '说明已确认 Explained (confirmed by a supervisor) in the period' }) explained!: number;
  @Field(() => Int, { description: '月末逾期未整改 Past their deadline and still open when the month closed' }) overdue!: number;
}

@ObjectType('NoticeActionCounts', { description: '本期督导事项（送接收部门的类别与辖区：救助转介送被转介部门，批评教育、责令限期改正、约谈送教育）Supervision actions of the period routed to the recipient', simpleResolvers: true })
export class NoticeActionCountsType {
  @Field(() => Int, { description: '新立 Opened in the period' }) opened!: number;
  @Field(() => Int, { description: '办结（救助转介为答复）Closed (a referral: answered) in the period' }) closed!: number;
  @Field(() => Int, { description: '逾期未办结 Became overdue in the period (the day after the deadline, still open)' }) overdue!: number;
}

@ObjectType('NoticeSummary', { description: '通报摘要（按接收部门权限计）Notice summary, counted over what the recipient may see', simpleResolvers: true })
export class NoticeSummaryType {
  @Field(() => Int, { description: '变更条目数 Entries' })
  entries!: number;

  @Field(() => [NoticeCountType], { description: '按对象和变更类型计数 Counts by entity and kind of change (EducationRecord/UPDATE …)' })
  byEntityAndOperation!: NoticeCountType[];

  @Field(() => Int, { description: '新登记儿童 Newly registered children' })
  newChildren!: number;

  @Field(() => [NoticeCountType], { description: '新增辍学个案（按原因）New dropout cases by reason' })
  newDropoutCases!: NoticeCountType[];

  @Field(() => Int, { description: '返校 Returns to school' })
  returnsToSchool!: number;

  @Field(() => [NoticeCountType], { description: '结案（按原因）Cases closed, by reason' })
  closuresByReason!: NoticeCountType[];

  @Field(() => Int, { nullable: true, description: '特殊群体儿童就学状态变动人数（无权知道名单时为空）Special-group children whose school status changed; null when the recipient may not know the rosters' })
  specialGroupStatusChanges!: number | null;

  @Field(() => NoticeDiscrepancyCountsType, { nullable: true, description: '核实比对问题计数（导出中逐条列出）；此功能之前发布的通报为空 Discrepancy counts (listed one by one in the exports); null for notices issued before they were' })
  discrepancies!: NoticeDiscrepancyCountsType | null;

  @Field(() => NoticeActionCountsType, { nullable: true, description: '督导事项计数（导出中逐条列出）；此功能之前发布的通报为空 Supervision-action counts (listed one by one in the exports); null for notices issued before they were' })
  actions!: NoticeActionCountsType | null;
}

@ObjectType('NoticeVerification', { description: '通报校验 Notice verification', simpleResolvers: true })
export class NoticeVerificationType {
  @Field(() => Boolean, { description: '内容哈希与变更日志重算一致 The content hash recomputed from the log matches' })
  contentHashOk!: boolean;

  @Field(() => Boolean, { description: '所覆盖的链头哈希一致 The chain head it names is still in the log' })
  chainHeadOk!: boolean;
}

@ObjectType('NoticeChild', {
  description: '条目所涉儿童，按您当前的权限与辖区显示（姓名可能打码；已不在您辖区的儿童不列出）；不属于通报冻结的内容 '
    + 'A child the entries name, as your permissions and region show it now (the name may be masked; a child no longer in your region is left out); not part of the frozen notice',
  simpleResolvers: true,
})
export class NoticeChildType {
  @Field(() => ID, { description: '儿童编号 Child id' })
  id!: string;

  @Field(() => String, { nullable: true, description: '姓名（按权限全名或打码如 张*；无权时为空）Name, full or masked (张*) as your permissions say; null when you may not read it' })
  name!: string | null;

  @Field(() => RegionType, { nullable: true, description: '户籍地县区（无权时为空）Hukou county; null when you may not read it' })
  hukouRegion!: RegionType | null;

  @Field(() => RegionType, { nullable: true, description: '居住地县区（无权时为空）Residence county; null when you may not read it' })
  residenceRegion!: RegionType | null;

  @Field(() => String, { nullable: true, description: '学校（无教育记录或无权时为空）School; null without an education record or when you may not read it' })
  schoolName!: string | null;
}

@ObjectType('NoticeEntries', { description: '通报条目（游标分页）A page of a notice\'s entries', simpleResolvers: true })
export class NoticeEntriesType {
  @Field(() => [ChangeLogEntryType], { description: '条目 Entries' })
  nodes!: ChangeLogEntryType[];

  @Field(() => [NoticeChildType], { description: '本页条目所涉、您可查看的儿童（按编号对应条目的 childId）The children this page\'s entries name that you may see, matched to entries by childId' })
  children!: NoticeChildType[];

  @Field(() => PageInfo, { description: '分页信息 Page information' })
  pageInfo!: PageInfo;
}

@ObjectType('NoticeChainRange', { description: '通报在一条链上覆盖的范围 The entries a notice covers on one chain', simpleResolvers: true })
export class NoticeChainRangeType {
  @Field(() => String, { description: '链（县区代码；global 为按县分链前的全省旧链）Chain: a region code, or global for the frozen chain from before per-county chains' })
  chain!: string;

  @Field(() => Int, { description: '覆盖此链上该序号之后的条目（不含）Covers this chain\'s entries after this sequence number' })
  fromSeq!: number;

  @Field(() => Int, { description: '覆盖至此序号（含）…up to and including this one' })
  toSeq!: number;
}

@ObjectType('ExchangeNotice', { description: '月度信息交换通报 A monthly exchange notice (二(二))' })
export class ExchangeNoticeType {
  @Field(() => ID, { description: '编号 Id' })
  id!: string;

  @Field(() => String, { description: '通报编号 Notice number, e.g. 2026-10/350102/EDU' })
  number!: string;

  @Field(() => String, { description: '月份 Period (YYYY-MM)' })
  period!: string;

  @Field(() => String, { description: '接收部门 Recipient department' })
  dept!: string;

  @Field(() => RegionType, { description: '接收区划 Recipient region' })
  region!: RegionType;

  @Field(() => [NoticeChainRangeType], {
    description: '各链覆盖范围（按链、序号排列；同一接收方前后两期首尾相接，不漏不重）The range covered on each chain, in chain order; a recipient\'s consecutive notices meet end to start, missing and repeating nothing',
  })
  chainRanges!: NoticeChainRangeType[];

  @Field(() => Int, { nullable: true, description: '所依据的签名根序号（尚未启用时为空）The signed root the notice anchors on; null until roots are in use' })
  rootSeq!: number | null;

  @Field(() => Int, {
    description: '全省旧链上覆盖的序号（不含）Covers entries of the global chain after this sequence number',
    deprecationReason: '按县分链后见 chainRanges；此值为 global 链的范围 (one chain per county now: see chainRanges; this is the range on the global chain)',
  })
  fromSeq!: number;

  @Field(() => Int, {
    description: '全省旧链上覆盖至序号（含）…up to and including this one',
    deprecationReason: '按县分链后见 chainRanges；此值为 global 链的范围 (one chain per county now: see chainRanges; this is the range on the global chain)',
  })
  toSeq!: number;

  @Field(() => String, {
    nullable: true,
    description: '覆盖的链头哈希：按县分链前为全省链头的哈希，之后为各链链头哈希 {链: 哈希} 规范 JSON 的 SHA-256 '
      + 'Hash of the chain head covered: the global head\'s hash for a notice from before per-county chains, after them the SHA-256 of the canonical JSON {chain: head hash} of the chains covered',
  })
  chainHeadHash!: string | null;

  @Field(() => String, { description: '内容哈希 Content hash' })
  contentHash!: string;

  @Field(() => NoticeSummaryType, { description: '摘要 Summary' })
  summary!: NoticeSummaryType;

  @Field(() => GraphQLISODateTime, { description: '发布时间 Issued at' })
  issuedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '签收时间 Acknowledged at' })
  acknowledgedAt!: Date | null;

  @Field(() => String, { nullable: true, description: '签收人 Acknowledged by' })
  acknowledgedBy!: string | null;

  @Field(() => String, { nullable: true, description: '签收备注 Remarks' })
  remarks!: string | null;

  @Field(() => Boolean, { description: '逾期未签收（发布10天后）Overdue: unacknowledged 10 days after issue' })
  overdue!: boolean;

  /** The stored notice, for its entries and verification; not a GraphQL field. */
  row!: import('./notice.service').NoticeRow;
}

@ObjectType('ExchangeNoticeEdge', { description: '通报列表的一项 One notice in a list', simpleResolvers: true })
export class ExchangeNoticeEdge {
  @Field(() => String, { description: '游标 Cursor' })
  cursor!: string;

  @Field(() => ExchangeNoticeType, { description: '通报 The notice' })
  node!: ExchangeNoticeType;
}

@ObjectType('ExchangeNoticeConnection', { description: '通报列表（游标分页）A page of notices (cursor pagination)' })
export class ExchangeNoticeConnection {
  @Field(() => [ExchangeNoticeEdge], { description: '本页各项 Items of this page' })
  edges!: ExchangeNoticeEdge[];

  @Field(() => [ExchangeNoticeType], { description: '通报（旧名，请用 edges）Notices (use edges)', deprecationReason: '请用 edges { node } Use edges { node }, as every other connection' })
  nodes!: ExchangeNoticeType[];

  @Field(() => PageInfo, { description: '分页信息 Page information' })
  pageInfo!: PageInfo;

  /** Counted only when asked for: one more statement. */
  @Field(() => Int, { description: '符合条件的通报总数 Total matching notices you may read' })
  totalCount(): Promise<number> {
    return this.count();
  }

  count!: () => Promise<number>;
}

@InputType({ description: '通报筛选 Notice filters' })
export class ExchangeNoticeFilter {
  @Field(() => String, { nullable: true, description: '月份 YYYY-MM' })
  period?: string;

  @Field(() => String, { nullable: true, description: '部门 Department' })
  dept?: string;

  @Field(() => String, { nullable: true, description: '区划 Region code' })
  region?: string;

  @Field(() => Boolean, { nullable: true, description: '是否已签收 Acknowledged' })
  acknowledged?: boolean;

  @Field(() => Boolean, { nullable: true, description: '仅逾期未签收 Only overdue ones' })
  overdue?: boolean;
}
