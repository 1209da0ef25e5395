import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: '变更订阅筛选（同变更日志筛选）Change-feed filters, as for the change log' })
export class ChangeFeedFilter {
  @Field(() => ID, { nullable: true, description: '儿童 Child id' })
  childId?: string | null;

  @Field(() => String, { nullable: true, description: '操作部门 Writer\'s department' })
  dept?: string | null;

  @Field(() => String, { nullable: true, description: '对象类型 Entity type, e.g. EducationRecord' })
  entity?: string | null;
}
