import { Field, ID, InputType, Int } from 'type-graphql';

/** Every upsert record names its child and may name the version it was read at. */
@InputType('SectionRecordInput', { description: '各部门记录输入的共同字段 Fields every section input has' })
export abstract class SectionInputType {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => Int, { nullable: true, description: '期望的当前版本；0表示尚无记录；不符则冲突 Expected current version; 0 = must not exist yet; a mismatch is CONFLICT' })
  expectedVersion?: number | null;
}
