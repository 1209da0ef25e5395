import type { SectionDefinition } from '../section';
import { maxLength } from '../section';
import { PovertyRecordEntity } from './poverty.entity';

export const povertySection: SectionDefinition<PovertyRecordEntity> = {
  key: 'poverty',
  typeName: 'PovertyRecord',
  label: '扶贫',
  dept: 'POVERTY',
  table: 'poverty.poverty_record',
  entity: PovertyRecordEntity,
  mutation: 'upsertPovertyRecords',
  fields: [
    { name: 'registeredPoor', column: 'registered_poor', label: '建档立卡贫困家庭' },
    { name: 'monitoredHousehold', column: 'monitored_household', label: '防止返贫监测对象' },
    { name: 'householdId', column: 'household_id', label: '户编号', check: maxLength(40) },
  ],
};
