import { Field, InputType } from 'type-graphql';
import { SectionInputType } from '../section.input';

@InputType({ description: '一条民政记录；未给出的标志新建时为否 One civil-affairs record; flags not given are false on create' })
export class CivilAffairsRecordInput extends SectionInputType {
  @Field(() => Boolean, { nullable: true, description: '留守儿童 Left-behind child' })
  leftBehind?: boolean;

  @Field(() => Boolean, { nullable: true, description: '事实无人抚养儿童 De-facto unsupported child' })
  deFactoUnsupported?: boolean;

  @Field(() => Boolean, { nullable: true, description: '流动人口子女 Child of migrants' })
  migrant?: boolean;

  @Field(() => Boolean, { nullable: true, description: '服刑人员未成年子女 Child of a prisoner' })
  parentImprisoned?: boolean;

  @Field(() => Boolean, { nullable: true, description: '孤儿 Orphan' })
  orphan?: boolean;

  @Field(() => Boolean, { nullable: true, description: '低保家庭 Family on subsistence allowance' })
  subsistenceAllowance?: boolean;
}
