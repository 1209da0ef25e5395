import 'reflect-metadata';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * One labelled count: the notices' summaries and the weekly reports both give their figures so. Its
 * GraphQL name is the notices', where it first appeared.
 */
@ObjectType('NoticeCount', { description: '一项计数 One count', simpleResolvers: true })
export class NoticeCountType {
  @Field(() => String, { description: '项目 What is counted' })
  key!: string;

  @Field(() => String, { description: '中文名称 Label' })
  label!: string;

  @Field(() => Int, { description: '数量 Count' })
  count!: number;
}
