import { Field, ID, InputType, Int } from 'type-graphql';

/**
 * What leaving a field out of a section record means, for every section's input description:
 * "not said" is never stored as "no".
 */
export const OMITTED_FIELDS =
  '未给出的字段：新建记录时为空（未知），更新时保持不变；可选字段传 null 表示改为未知，必填字段不可为 null ' +
  'Fields left out are unknown (null) on a new record and unchanged on an existing one; null sets an optional field to unknown; required fields may not be null';

/** Every upsert record names its child and may name the version it was read at. */
@InputType('SectionRecordInput', { description: '各部门记录输入的共同字段 Fields every section input has' })
export abstract class SectionInputType {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => Int, { nullable: true, description: '期望的当前版本；0表示尚无记录；不符则冲突 Expected current version; 0 = must not exist yet; a mismatch is CONFLICT' })
  expectedVersion?: number | null;
}
