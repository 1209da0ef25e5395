import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';

@ObjectType('SensitiveRead', { description: '一次敏感字段读取 One read of a sensitive field', simpleResolvers: true })
export class SensitiveReadType {
  @Field(() => ID, { description: '审计编号 Audit entry id' })
  id!: string;

  @Field(() => GraphQLISODateTime, { description: '时间 When' })
  at!: Date;

  @Field(() => String, { description: '读取人 Who' })
  actorSub!: string;

  @Field(() => String, { description: '读取人部门 Department' })
  actorDept!: string;

  @Field(() => String, { description: '读取人辖区 Region' })
  actorRegion!: string;

  @Field(() => ID, { nullable: true, description: '儿童编号（通报导出记录为空）Child id; null for the export of a notice' })
  childId!: string | null;

  @Field(() => String, { nullable: true, description: '导出通报的区划（读取儿童时为空）Region of the exported notice; null for reads of a child' })
  region!: string | null;

  @Field(() => String, { description: '字段（Type.field），或通报导出 export:<格式>:<通报编号> Field read (Type.field), or a notice export, export:<format>:<number>' })
  field!: string;

  @Field(() => String, { description: '请求编号 Request id' })
  requestId!: string;
}

@ObjectType('SensitiveReadEdge', { description: '审计列表的一项 One audit entry', simpleResolvers: true })
export class SensitiveReadEdge {
  @Field(() => String, { description: '游标 Cursor' })
  cursor!: string;

  @Field(() => SensitiveReadType, { description: '审计条目 The entry' })
  node!: SensitiveReadType;
}

@ObjectType('SensitiveReadConnection', { description: '敏感字段读取审计（游标分页）A page of the sensitive-read audit', simpleResolvers: true })
export class SensitiveReadConnection {
  @Field(() => [SensitiveReadEdge], { description: '本页各项 Items' })
  edges!: SensitiveReadEdge[];

  @Field(() => PageInfo, { description: '分页信息 Page information' })
  pageInfo!: PageInfo;
}

@InputType({ description: '敏感读取审计筛选 Audit filters' })
export class SensitiveReadFilter {
  @Field(() => ID, { nullable: true, description: '儿童 Child id' })
  childId?: string;

  @Field(() => String, { nullable: true, description: '读取人 Reader (token subject)' })
  actorSub?: string;

  @Field(() => String, { nullable: true, description: '字段 Field, e.g. Child.idNumber or export:xlsx:2026-10/350102/EDU' })
  field?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '起始时间 From' })
  from?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '截止时间 Before' })
  to?: Date;
}
