import type { DomainModule } from '../changelog/catalogue';
import { DuplicatePairEntity } from './duplicate-pair.entity';
import { seesDuplicates } from './duplicates.visibility';

/**
 * The duplicate pairs, as the database maps them and the change log records them (registered in
 * src/app/modules.ts). An entry is placed on the first child's chain; the other child's id is not
 * among its fields, since a reader of the first child's county may not see the second.
 */
export const duplicatesModule: DomainModule = {
  entities: [DuplicatePairEntity],
  logged: [
    [DuplicatePairEntity, {
      type: 'DuplicatePair',
      label: '疑似重复登记',
      visibleWith: 'Child.idNumber',
      fields: { score: '相似度得分', band: '等级', features: '相同特征', status: '核查结论', reason: '理由', decidedBy: '核查人' },
      childIdOf: (e) => e.childA as string,
      visibleTo: (reader) => seesDuplicates(reader.access),
    }],
  ],
};
