import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../core/connection';
import { defineEnum } from '../core/enums';
import { DUPLICATE_FEATURES, type DuplicateFeature } from './duplicate.scoring';

export const DuplicateFeatureEnum = defineEnum('DuplicateFeature', '两条记录相同或相近之处（得分的依据）What two records share: the reasons for their score',
  Object.fromEntries(Object.entries(DUPLICATE_FEATURES).map(([k, v]) => [k, `${v.label} (${v.weight >= 0 ? '+' : ''}${v.weight})`])) as Record<DuplicateFeature, string>);
export const DuplicateBandEnum = defineEnum('DuplicateBand', '疑似程度 How likely the pair is one child', {
  LIKELY: '很可能是同一人 likely the same child', POSSIBLE: '可能是同一人 possibly the same child',
});
export const DuplicateStatusEnum = defineEnum('DuplicateStatus', '核查结论 Review status', {
  OPEN: '待核查 open', SAME: '同一人，已合并 the same child, merged', DIFFERENT: '不同的人 different children',
});

export const DuplicateDecisionEnum = defineEnum('DuplicateDecision', '核查结论 A reviewer\'s decision', {
  SAME: '同一人：合并到保留的儿童 the same child: merge into the one kept', DIFFERENT: '不同的人：不再提示 different children: never proposed again',
});

/** The children of a pair are resolved by the ordinary child loader (region and masks), by these ids. */
@ObjectType('DuplicatePair', { description: '一对疑似重复登记的儿童 Two records that may be one child' })
export class DuplicatePairType {
  @Field(() => ID, { description: '编号 Id' }) id!: string;
  childAId!: string;
  childBId!: string;
  survivorId!: string | null;
  @Field(() => Float, { description: '得分：各相同特征权重之和 Score: the sum of the features\' weights' }) score!: number;
  @Field(() => DuplicateBandEnum.values, { description: '疑似程度 Band' }) band!: string;
  @Field(() => [DuplicateFeatureEnum.values], { description: '相同或相近之处 The features that matched' }) features!: string[];
  @Field(() => DuplicateStatusEnum.values, { description: '核查结论 Status' }) status!: string;
  @Field(() => String, { nullable: true, description: '核查理由 The reviewer\'s reason' }) reason!: string | null;
  @Field(() => String, { nullable: true, description: '核查人 Decided by' }) decidedBy!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: '核查时间 Decided at' }) decidedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { description: '发现时间 Found at' }) foundAt!: Date;
  @Field(() => Int, { description: '版本 Version' }) version!: number;
}

@ObjectType('DuplicatePairEdge', { description: '疑似重复列表的一项 An edge of the pair list', simpleResolvers: true })
export class DuplicatePairEdge {
  @Field(() => String, { description: '游标 Cursor' }) cursor!: string;
  @Field(() => DuplicatePairType, { description: '一对 The pair' }) node!: DuplicatePairType;
}

@ObjectType('DuplicatePairConnection', { description: '疑似重复，按得分从高到低 Duplicate pairs, highest score first' })
export class DuplicatePairConnection {
  @Field(() => [DuplicatePairEdge], { description: '本页 This page' }) edges!: DuplicatePairEdge[];
  @Field(() => PageInfo, { description: '分页信息 Page information' }) pageInfo!: PageInfo;
  count!: () => Promise<number>;
  @Field(() => Int, { description: '符合条件的总数 How many match the filter' })
  totalCount(): Promise<number> {
    return this.count();
  }
}

@ObjectType('PossibleDuplicate', { description: '新登记的记录可能与已有儿童重复（不影响登记）A record just written may be a child already in the hub (it was written all the same)' })
export class PossibleDuplicateType {
  @Field(() => Int, { description: '输入中的序号 Index of the record in the input' }) index!: number;
  candidateId!: string;
  @Field(() => ID, { description: '疑似重复的编号，用于 resolveDuplicate The pair\'s id, for resolveDuplicate' }) pairId!: string;
  @Field(() => Float, { description: '得分 Score' }) score!: number;
  @Field(() => DuplicateBandEnum.values, { description: '疑似程度 Band' }) band!: string;
  @Field(() => [DuplicateFeatureEnum.values], { description: '相同或相近之处 The features that matched' }) features!: string[];
}

@ObjectType('DuplicateSweep', { description: '一次疑似重复查找 One search for duplicates', simpleResolvers: true })
export class DuplicateSweepType {
  @Field(() => Int, { description: '查找的儿童数 Children checked' }) children!: number;
  @Field(() => Int, { description: '新发现的疑似重复 New pairs found' }) pairsFound!: number;
}
