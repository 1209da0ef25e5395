import { Field, ObjectType } from 'type-graphql';
import { SectionType } from '../section.type';

@ObjectType('PovertyRecord', { implements: SectionType, description: '扶贫部门记录 Poverty-alleviation section', simpleResolvers: true })
export class PovertyRecordType extends SectionType {
  @Field(() => Boolean, { nullable: true, description: '建档立卡贫困家庭 Poverty-registered family；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  registeredPoor!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '防止返贫监测对象 Household monitored against relapse into poverty；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  monitoredHousehold!: boolean | null;

  @Field(() => String, { nullable: true, description: '贫困户编号（仅扶贫部门可见）Household id (poverty office only)' })
  householdId!: string | null;
}
