import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { defineEnum } from '../core/enums';

export const ChangeOperation = defineEnum('ChangeOperation', '变更类型 Kind of change', {
  CREATE: '新增 created',
  UPDATE: '修改 updated',
  DELETE: '删除 deleted',
});

@ObjectType('FieldChange', { description: '一个字段的变更（按您的权限投影）One field\'s change, projected through your permissions', simpleResolvers: true })
export class FieldChangeType {
  @Field(() => String, { description: '字段名 Field name' })
  field!: string;

  @Field(() => String, { description: '中文名称 Chinese label' })
  label!: string;

  @Field(() => String, { nullable: true, description: '修改前（JSON文本；打码字段为打码值）Before, as JSON text; masked fields masked' })
  before!: string | null;

  @Field(() => String, { nullable: true, description: '修改后（JSON文本）After, as JSON text' })
  after!: string | null;
}

@ObjectType('ChangeLogEntry', { description: '变更日志条目：不可更改、哈希链接 A change-log entry: immutable and hash-chained', simpleResolvers: true })
export class ChangeLogEntryType {
  @Field(() => String, { description: '链（儿童居住地县区代码；global 为按县分链前的全省旧链）Chain: the child\'s residence county, or global for the frozen chain from before per-county chains' })
  chain!: string;

  @Field(() => Int, { description: '序号（连续、无间断）Sequence number, gap-free' })
  seq!: number;

  @Field(() => GraphQLISODateTime, { description: '时间 When' })
  at!: Date;

  @Field(() => String, { description: '操作人 Who (token subject)' })
  actorSub!: string;

  @Field(() => String, { description: '操作部门 Department of the writer' })
  actorDept!: string;

  @Field(() => String, { description: '操作人辖区 Region of the writer' })
  actorRegion!: string;

  @Field(() => ChangeOperation.values, { description: '变更类型 Kind of change' })
  operation!: string;

  @Field(() => String, { description: '对象类型 Entity type (Child, EducationRecord, …)' })
  entity!: string;

  @Field(() => String, { description: '对象中文名 Entity label' })
  entityLabel!: string;

  @Field(() => ID, { description: '对象编号 Entity id' })
  entityId!: string;

  @Field(() => ID, { nullable: true, description: '儿童编号（与儿童无关的条目为空，如通报签收）Child id; null for entries about no child, such as a notice acknowledgement' })
  childId!: string;

  @Field(() => String, { description: '儿童户籍地 Child\'s hukou county' })
  hukouRegion!: string;

  @Field(() => String, { description: '儿童居住地 Child\'s residence county' })
  residenceRegion!: string;

  @Field(() => Int, { nullable: true, description: '变更后的版本号 Version after the change' })
  version!: number | null;

  @Field(() => [FieldChangeType], { description: '您可见的字段变更 Field changes you may see' })
  changes!: FieldChangeType[];

  @Field(() => String, { description: '写入操作 The mutation that made it' })
  mutation!: string;

  @Field(() => String, { nullable: true, description: '原因 Reason given' })
  reason!: string | null;

  @Field(() => String, { description: '请求编号 Request id' })
  requestId!: string;
}

@ObjectType('ChangeLogEdge', { description: '变更日志的一项 One entry in a list', simpleResolvers: true })
export class ChangeLogEdge {
  @Field(() => String, { description: '游标 Cursor' })
  cursor!: string;

  @Field(() => ChangeLogEntryType, { description: '条目 The entry' })
  node!: ChangeLogEntryType;
}

@ObjectType('ChangeLogConnection', { description: '变更日志（游标分页）A page of the change log', simpleResolvers: true })
export class ChangeLogConnection {
  @Field(() => [ChangeLogEdge], { description: '本页各项 Items' })
  edges!: ChangeLogEdge[];

  @Field(() => PageInfo, { description: '分页信息 Page information' })
  pageInfo!: PageInfo;
}

@InputType({ description: '变更日志筛选 Change-log filters' })
export class ChangeLogFilter {
  @Field(() => ID, { nullable: true, description: '儿童 Child id' })
  childId?: string;

  @Field(() => String, { nullable: true, description: '操作部门 Writer\'s department' })
  dept?: string;

  @Field(() => String, { nullable: true, description: '对象类型 Entity type, e.g. EducationRecord' })
  entity?: string;

  @Field(() => String, { nullable: true, description: '操作人 Writer (token subject)' })
  actorSub?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '起始时间（含）From this time' })
  from?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '截止时间（不含）Before this time' })
  to?: Date;

  @Field(() => Int, { nullable: true, description: '起始序号（含）From this sequence number' })
  fromSeq?: number;

  @Field(() => Int, { nullable: true, description: '截止序号（含）Up to this sequence number' })
  toSeq?: number;
}

@ObjectType('ChainHeadVerification', { description: '一条链（一个县）的校验结果 One chain\'s verdict (a county\'s chain, or the frozen global chain)', simpleResolvers: true })
export class ChainHeadVerificationType {
  @Field(() => String, { description: '链（县级区划代码；global 为按县分链前的全省旧链）Chain: a region code, or global for the frozen chain from before per-county chains' })
  chain!: string;

  @Field(() => Boolean, { description: '此链完整 This chain holds' })
  ok!: boolean;

  @Field(() => Int, { description: '已校验条目数 Entries verified' })
  entries!: number;

  @Field(() => Int, { nullable: true, description: '链头序号 Sequence number of the head' })
  headSeq!: number | null;

  @Field(() => String, { nullable: true, description: '链头哈希 Hash of the head' })
  headHash!: string | null;

  @Field(() => Int, { nullable: true, description: '第一处不符的序号 First sequence number that does not hold' })
  firstBadSeq!: number | null;

  @Field(() => String, { nullable: true, description: '问题说明 What is wrong' })
  problem!: string | null;
}

@ObjectType('ChainVerification', { description: '哈希链校验结果（每县一条链）Result of verifying the hash chains, one per county', simpleResolvers: true })
export class ChainVerificationType {
  @Field(() => Boolean, { description: '所有链完整 Every chain holds' })
  ok!: boolean;

  @Field(() => Int, { description: '已校验条目数 Entries verified' })
  entries!: number;

  @Field(() => [ChainHeadVerificationType], { description: '各链结果 Each chain\'s verdict' })
  chains!: ChainHeadVerificationType[];

  @Field(() => String, { nullable: true, description: '第一条不完整的链 First chain that does not hold' })
  firstBadChain!: string | null;

  @Field(() => Int, { nullable: true, description: '该链第一处不符的序号 First sequence number that does not hold, in firstBadChain' })
  firstBadSeq!: number | null;

  @Field(() => String, { nullable: true, description: '问题说明 What is wrong' })
  problem!: string | null;

  @Field(() => Int, { nullable: true, deprecationReason: '按县分链后无全省链头，见 chains (one chain per county now: see chains)', description: '已停用，恒为空 Always null' })
  headSeq!: number | null;

  @Field(() => String, { nullable: true, deprecationReason: '按县分链后无全省链头，见 chains (one chain per county now: see chains)', description: '已停用，恒为空 Always null' })
  headHash!: string | null;
}
