import { Field, GraphQLISODateTime, ID, Int, InterfaceType } from 'type-graphql';

/** What every ledger record shows of itself: its id, version and who changed it last, when. */
@InterfaceType('LedgerRecord', { description: '台账记录的共同字段 What every ledger record (case, visit, assessment) carries' })
export abstract class LedgerRecordType {
  @Field(() => ID, { nullable: true, description: '编号 Id' })
  id!: string | null;

  @Field(() => Int, { nullable: true, description: '版本号 Version' })
  version!: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '最后修改时间 When last changed' })
  updatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: '最后修改人 Who last changed it' })
  updatedBy!: string | null;
}
