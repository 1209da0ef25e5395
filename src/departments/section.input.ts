import { Field, ID, Int } from 'type-graphql';

/** Every upsert record names its child and may name the version it was read at. */

export abstract class SectionInputType {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => Int, { nullable: true, description: '期望的当前版本；0表示尚无记录；不符则冲突 Expected current version; 0 = must not exist yet; a mismatch is CONFLICT' })
  expectedVersion?: number | null;
}
