import { Field, ID, ObjectType } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { LedgerRecordType } from './ledger-record.type';
import { AssessmentDecision, EvidenceType } from './assessment.enums';
import { VisitMethod, VisitOutcome } from './persuasion-visit.enums';

@ObjectType('PersuasionVisit', { implements: LedgerRecordType, description: '劝返记录 A persuasion visit', simpleResolvers: true })
export class PersuasionVisitType extends LedgerRecordType {
  @Field(() => ID, { nullable: true, description: '个案编号 Case id' })
  caseId!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '日期 Date' })
  visitedOn!: string | null;

  @Field(() => String, { nullable: true, description: '劝返人 Who visited' })
  visitor!: string | null;

  @Field(() => VisitMethod.values, { nullable: true, description: '方式 How' })
  method!: string | null;

  @Field(() => VisitOutcome.values, { nullable: true, description: '结果 Outcome' })
  outcome!: string | null;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes!: string | null;
}

@ObjectType('EvidenceItem', { description: '佐证材料 One evidence item', simpleResolvers: true })
export class EvidenceItemType {
  @Field(() => EvidenceType.values, { description: '类别 Kind' })
  type!: string;

  @Field(() => String, { description: '文书编号或存档位置 Document reference' })
  reference!: string;

  @Field(() => LocalDate, { description: '日期 Date' })
  date!: string;
}

@ObjectType('Assessment', { implements: LedgerRecordType, description: '专家组评估 An expert-panel assessment', simpleResolvers: true })
export class AssessmentType extends LedgerRecordType {
  @Field(() => ID, { nullable: true, description: '相关个案 Related case' })
  caseId!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '评估日期 Date assessed' })
  assessedOn!: string | null;

  @Field(() => [String], { nullable: true, description: '专家组成员 Members' })
  members!: string[] | null;

  @Field(() => AssessmentDecision.values, { nullable: true, description: '安置意见 Decision' })
  decision!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '复评日期 Review date' })
  reviewOn!: string | null;

  @Field(() => [EvidenceItemType], { nullable: true, description: '佐证材料 Evidence' })
  evidence!: EvidenceItemType[] | null;

  @Field(() => Boolean, { nullable: true, description: '佐证材料完整（按安置意见所需）Evidence complete for the decision' })
  evidenceComplete!: boolean | null;
}
