import { Field, ObjectType } from 'type-graphql';
import { LocalDate } from '../../core/scalars';
import { SectionType } from '../section.type';

@ObjectType('HealthRecord', { implements: SectionType, description: '卫健部门记录 Health section', simpleResolvers: true })
export class HealthRecordType extends SectionType {
  @Field(() => Boolean, { nullable: true, description: '患重病 Serious illness；空为未知（未报送）或无权查看 (null: unknown, never reported, or not visible to you)' })
  seriousIllness!: boolean | null;

  @Field(() => String, { nullable: true, description: '诊断摘要（仅卫健及专家组可见）Diagnosis summary (health and expert panel only)' })
  diagnosisSummary!: string | null;

  @Field(() => LocalDate, { nullable: true, description: '筛查日期 Date screened' })
  screenedOn!: string | null;
}
