import { Field, GraphQLISODateTime, Int, InterfaceType } from 'type-graphql';

/** Provenance every section value carries: which version, when and by whom it was last written. */
@InterfaceType('SectionRecord', { description: '各部门记录的共同字段：来源与版本 What every department section carries: its version and provenance' })
export abstract class SectionType {
  @Field(() => Int, { nullable: true, description: '版本号（乐观锁）Version (optimistic locking)' })
  version!: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '最后修改时间 When last changed' })
  updatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: '最后修改人 Who last changed it (token subject)' })
  updatedBy!: string | null;
}
