import type { SectionDefinition } from '../section';
import { CivilAffairsRecordEntity } from './civil-affairs.entity';

export const civilAffairsSection: SectionDefinition<CivilAffairsRecordEntity> = {
  key: 'civilAffairs',
  typeName: 'CivilAffairsRecord',
  label: '民政',
  dept: 'CIVIL',
  table: 'civil.civil_affairs_record',
  entity: CivilAffairsRecordEntity,
  mutation: 'upsertCivilAffairsRecords',
  fields: [
    { name: 'leftBehind', column: 'left_behind', label: '留守儿童' },
    { name: 'deFactoUnsupported', column: 'de_facto_unsupported', label: '事实无人抚养' },
    { name: 'migrant', column: 'migrant', label: '流动人口子女' },
    { name: 'parentImprisoned', column: 'parent_imprisoned', label: '服刑人员子女' },
    { name: 'orphan', column: 'orphan', label: '孤儿' },
    { name: 'subsistenceAllowance', column: 'subsistence_allowance', label: '低保' },
  ],
};
