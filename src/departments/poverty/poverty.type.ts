import { Field, ObjectType } from 'type-graphql';
import { SectionType } from '../section.type';

@ObjectType('PovertyRecord', { implements: SectionType, description: '扶贫部门记录 Poverty-alleviation section', simpleResolvers: true })
export class PovertyRecordType extends SectionType {
  @Field(() => Boolean, { nullable: true, description: '建档立卡贫困家庭 Poverty-registered family' })
  registeredPoor!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: '防止返贫监测对象 Household monitored against relapse into poverty' })
  monitoredHousehold!: boolean | null;

  @Field(() => String, { nullable: true, description: '贫困户编号（仅扶贫部门可见）Household id (poverty office only)' })
  householdId!: string | null;
}
