import { Field, InputType } from 'type-graphql';
import { SectionInputType } from '../section.input';

@InputType({ description: '一条扶贫记录 One poverty record' })
export class PovertyRecordInput extends SectionInputType {
  @Field(() => Boolean, { nullable: true, description: '建档立卡贫困家庭 Poverty-registered family' })
  registeredPoor?: boolean;

  @Field(() => Boolean, { nullable: true, description: '防止返贫监测对象 Monitored household' })
  monitoredHousehold?: boolean;

  @Field(() => String, { nullable: true, description: '贫困户编号 Household id' })
  householdId?: string | null;
}
