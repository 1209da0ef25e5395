import type { SectionDefinition } from '../section';
import { maxLength } from '../section';
import { HealthRecordEntity } from './health.entity';

export const healthSection: SectionDefinition<HealthRecordEntity> = {
  key: 'health',
  typeName: 'HealthRecord',
  label: '卫健',
  dept: 'HEALTH',
  table: 'health.health_record',
  entity: HealthRecordEntity,
  mutation: 'upsertHealthRecords',
  fields: [
    { name: 'seriousIllness', column: 'serious_illness', label: '重病' },
    { name: 'diagnosisSummary', column: 'diagnosis_summary', label: '诊断摘要', check: maxLength(500) },
    { name: 'screenedOn', column: 'screened_on', label: '筛查日期' },
  ],
};
