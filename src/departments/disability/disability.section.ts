import type { SectionDefinition } from '../section';
import { DisabilityRecordEntity } from './disability.entity';

export const disabilitySection: SectionDefinition<DisabilityRecordEntity> = {
  key: 'disability',
  typeName: 'DisabilityRecord',
  label: '残联',
  dept: 'DPF',
  table: 'dpf.disability_record',
  entity: DisabilityRecordEntity,
  mutation: 'upsertDisabilityRecords',
  fields: [
    { name: 'disabilityType', column: 'disability_type', label: '残疾类别', required: true },
    {
      name: 'disabilityLevel',
      column: 'disability_level',
      label: '残疾等级',
      required: true,
      check: (level: number) => (Number.isInteger(level) && level >= 1 && level <= 4 ? null : '等级应为1到4级 (level must be 1 to 4)'),
    },
    {
      name: 'certificateNo',
      column: 'certificate_no',
      label: '残疾人证号',
      // The certificate number (第二代残疾人证) is the ID number followed by the type and level digits.
      check: (value: string) => (/^[0-9]{17}[0-9X][1-7][1-4]$/.test(value) ? null : '残疾人证号应为身份证号加类别、等级两位，共20位 (20 characters: ID number, type digit, level digit)'),
    },
  ],
};
