import { Field, InputType } from 'type-graphql';
import { OMITTED_FIELDS, SectionInputType } from '../section.input';

@InputType({ description: `一条扶贫记录 One poverty record. ${OMITTED_FIELDS}` })
export class PovertyRecordInput extends SectionInputType {
  @Field(() => Boolean, { nullable: true, description: '建档立卡贫困家庭 Poverty-registered family；null 为未知 (null = unknown)' })
  registeredPoor?: boolean;

  @Field(() => Boolean, { nullable: true, description: '防止返贫监测对象 Monitored household；null 为未知 (null = unknown)' })
  monitoredHousehold?: boolean;

  @Field(() => String, { nullable: true, description: '贫困户编号 Household id' })
  householdId?: string | null;
}
