import { Field, ID, InputType, Int } from 'type-graphql';
import { LocalDate } from '../core/scalars';
import { AssessmentDecision, EvidenceType } from './assessment.enums';
import { DropoutReason, DropoutStatus, Placement } from './dropout-case.enums';
import { VisitMethod, VisitOutcome } from './persuasion-visit.enums';

@InputType({ description: '立案：将一名儿童纳入辍学台账 Open a dropout case' })
export class OpenDropoutCaseInput {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => DropoutReason.values, { description: '辍学原因（不明时填 TO_BE_VERIFIED）Reason (TO_BE_VERIFIED when unknown)' })
  reason!: string;

  @Field(() => LocalDate, { nullable: true, description: '立案日期（默认今天）Date opened (default today)' })
  openedOn?: string;

  @Field(() => String, { description: '责任人 Person responsible' })
  responsiblePerson!: string;

  @Field(() => String, { description: '责任单位 Unit responsible' })
  responsibleUnit!: string;

  @Field(() => LocalDate, { nullable: true, description: '完成时限（默认本学年7月31日）Deadline (default 31 July of the school year)' })
  deadline?: string;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes?: string;
}

@InputType({ description: '变更个案状态 Move a case to another status' })
export class TransitionDropoutCaseInput {
  @Field(() => ID, { description: '个案编号 Case id' })
  caseId!: string;

  @Field(() => DropoutStatus.values, { description: '新状态 New status' })
  status!: string;

  @Field(() => Int, { description: '期望的当前版本 Expected current version' })
  expectedVersion!: number;

  @Field(() => Placement.values, { nullable: true, description: '安置方式（仅 PLACED）Placement (PLACED only)' })
  placement?: string;

  @Field(() => LocalDate, { nullable: true, description: '结案日期（默认今天）Date closed (default today)' })
  closedOn?: string;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes?: string;
}

@InputType({ description: '一次劝返 One persuasion visit' })
export class PersuasionVisitInput {
  @Field(() => ID, { description: '个案编号 Case id' })
  caseId!: string;

  @Field(() => LocalDate, { description: '日期 Date' })
  visitedOn!: string;

  @Field(() => String, { description: '劝返人 Who visited' })
  visitor!: string;

  @Field(() => VisitMethod.values, { description: '方式 How' })
  method!: string;

  @Field(() => VisitOutcome.values, { description: '结果 Outcome' })
  outcome!: string;

  @Field(() => String, { nullable: true, description: '备注 Notes' })
  notes?: string;
}

@InputType({ description: '一项佐证材料 One evidence item' })
export class EvidenceItemInput {
  @Field(() => EvidenceType.values, { description: '类别 Kind' })
  type!: string;

  @Field(() => String, { description: '文书编号或存档位置 Document reference' })
  reference!: string;

  @Field(() => LocalDate, { description: '日期 Date of the document' })
  date!: string;
}

@InputType({ description: '专家组评估 An expert-panel assessment' })
export class AssessmentInput {
  @Field(() => ID, { description: '儿童编号 Child id' })
  childId!: string;

  @Field(() => ID, { nullable: true, description: '相关辍学个案 Related dropout case' })
  caseId?: string;

  @Field(() => LocalDate, { description: '评估日期 Date assessed' })
  assessedOn!: string;

  @Field(() => [String], { description: '专家组成员 Panel members' })
  members!: string[];

  @Field(() => AssessmentDecision.values, { description: '安置意见 Decision' })
  decision!: string;

  @Field(() => LocalDate, { nullable: true, description: '复评日期 Review date' })
  reviewOn?: string;

  @Field(() => [EvidenceItemInput], { description: '佐证材料 Evidence' })
  evidence!: EvidenceItemInput[];
}
