import { defineEnum } from '../../core/enums';

/** The special groups civil affairs keeps rosters of (二(一)), each a flag of the civil-affairs section. */
export const SpecialGroup = defineEnum('SpecialGroup', '特殊群体 Special groups on civil-affairs rosters', {
  LEFT_BEHIND: '留守儿童 left-behind child',
  DE_FACTO_UNSUPPORTED: '事实无人抚养儿童 de-facto unsupported child',
  MIGRANT: '流动人口子女 child of migrants',
  PARENT_IMPRISONED: '服刑人员未成年子女 child of a prisoner',
  ORPHAN: '孤儿 orphan',
  SUBSISTENCE_ALLOWANCE: '低保家庭 family on subsistence allowance',
});
export type SpecialGroup = keyof typeof SpecialGroup.labels;

/** Each group's flag: GraphQL field of CivilAffairsRecord and its column. */
export const SPECIAL_GROUP_FLAGS: Readonly<Record<SpecialGroup, { field: string; column: string }>> = {
  LEFT_BEHIND: { field: 'leftBehind', column: 'left_behind' },
  DE_FACTO_UNSUPPORTED: { field: 'deFactoUnsupported', column: 'de_facto_unsupported' },
  MIGRANT: { field: 'migrant', column: 'migrant' },
  PARENT_IMPRISONED: { field: 'parentImprisoned', column: 'parent_imprisoned' },
  ORPHAN: { field: 'orphan', column: 'orphan' },
  SUBSISTENCE_ALLOWANCE: { field: 'subsistenceAllowance', column: 'subsistence_allowance' },
};
