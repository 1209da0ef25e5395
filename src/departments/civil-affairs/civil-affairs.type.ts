import { Field, ObjectType } from 'type-graphql';
import { SectionType } from '../section.type';

@ObjectType('CivilAffairsRecord', { implements: SectionType, description: '民政部门记录：特殊群体 Civil-affairs section: special-group rosters', simpleResolvers: true })
export class CivilAffairsRecordType extends SectionType {
  @Field(() => Boolean, { nullable: true, description: '留守儿童 Left-behind child' })
  leftBehind!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '事实无人抚养儿童 De-facto unsupported child' })
  deFactoUnsupported!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '流动人口子女 Child of migrants' })
  migrant!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '服刑人员未成年子女 Child of a prisoner' })
  parentImprisoned!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '孤儿 Orphan' })
  orphan!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '低保家庭 Family on subsistence allowance' })
  subsistenceAllowance!: boolean | null;
}
