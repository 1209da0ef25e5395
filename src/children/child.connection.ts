import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { ChildView } from './child.type';

@ObjectType('ChildEdge', { description: '儿童列表的一项 One child in a list', simpleResolvers: true })
export class ChildEdge {
  @Field(() => String, { description: '游标 Cursor' })
  cursor!: string;

  @Field(() => ChildView, { description: '儿童 The child' })
  node!: ChildView;
}

@ObjectType('ChildConnection', { description: '儿童列表（游标分页）A page of children (cursor pagination)' })
export class ChildConnection {
  @Field(() => [ChildEdge], { description: '本页各项 Items of this page' })
  edges!: ChildEdge[];

  @Field(() => PageInfo, { description: '分页信息 Page information' })
  pageInfo!: PageInfo;

  /** Counted only when asked for: one more statement. */
  @Field(() => Int, { description: '符合条件的总数（在您的辖区内）Total matching children in your region' })
  totalCount(): Promise<number> {
    return this.count();
  }

  count!: () => Promise<number>;
}
