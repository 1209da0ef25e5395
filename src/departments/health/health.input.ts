import { Field, InputType } from 'type-graphql';
import { LocalDate } from '../../core/scalars';
import { OMITTED_FIELDS, SectionInputType } from '../section.input';

@InputType({ description: `一条卫健记录 One health record. ${OMITTED_FIELDS}` })
export class HealthRecordInput extends SectionInputType {
  @Field(() => Boolean, { nullable: true, description: '患重病 Serious illness；null 为未知 (null = unknown)' })
  seriousIllness?: boolean;

  @Field(() => String, { nullable: true, description: '诊断摘要（最多500字）Diagnosis summary (at most 500 characters)' })
  diagnosisSummary?: string | null;

  @Field(() => LocalDate, { nullable: true, description: '筛查日期 Date screened' })
  screenedOn?: string | null;
}
