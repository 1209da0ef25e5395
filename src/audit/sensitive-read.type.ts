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

  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => String, { description: '字段（Type.field）Field read' })
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

  @Field(() => String, { nullable: true, description: '字段 Field, e.g. Child.idNumber' })
  field?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '起始时间 From' })
  from?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '截止时间 Before' })
  to?: Date;
}
