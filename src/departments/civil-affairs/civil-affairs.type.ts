import { Field, ObjectType } from 'type-graphql';
import { SectionType } from '../section.type';

@ObjectType('CivilAffairsRecord', { implements: SectionType, description: '民政部门记录：特殊群体 Civil-affairs section: special-group rosters', simpleResolvers: true })
export class CivilAffairsRecordType extends SectionType {
  @Field(() => Boolean, { nullable: true, description: '留守儿童 Left-behind child；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  leftBehind!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '事实无人抚养儿童 De-facto unsupported child；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  deFactoUnsupported!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '流动人口子女 Child of migrants；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  migrant!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '服刑人员未成年子女 Child of a prisoner；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  parentImprisoned!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '孤儿 Orphan；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  orphan!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '低保家庭 Family on subsistence allowance；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  subsistenceAllowance!: boolean | null;
}
