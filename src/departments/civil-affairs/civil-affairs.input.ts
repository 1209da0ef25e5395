import { Field, InputType } from 'type-graphql';
import { OMITTED_FIELDS, SectionInputType } from '../section.input';

@InputType({ description: `一条民政记录 One civil-affairs record. ${OMITTED_FIELDS}` })
export class CivilAffairsRecordInput extends SectionInputType {
  @Field(() => Boolean, { nullable: true, description: '留守儿童 Left-behind child；null 为未知 (null = unknown)' })
  leftBehind?: boolean;

  @Field(() => Boolean, { nullable: true, description: '事实无人抚养儿童 De-facto unsupported child；null 为未知 (null = unknown)' })
  deFactoUnsupported?: boolean;

  @Field(() => Boolean, { nullable: true, description: '流动人口子女 Child of migrants；null 为未知 (null = unknown)' })
  migrant?: boolean;

  @Field(() => Boolean, { nullable: true, description: '服刑人员未成年子女 Child of a prisoner；null 为未知 (null = unknown)' })
  parentImprisoned?: boolean;

  @Field(() => Boolean, { nullable: true, description: '孤儿 Orphan；null 为未知 (null = unknown)' })
  orphan?: boolean;

  @Field(() => Boolean, { nullable: true, description: '低保家庭 Family on subsistence allowance；null 为未知 (null = unknown)' })
  subsistenceAllowance?: boolean;
}
