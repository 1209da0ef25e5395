import type { DomainModule } from '../changelog/catalogue';
import { ChildMergeEntity } from './child-merge.entity';
import { DuplicatePairEntity } from './duplicate-pair.entity';
import { seesDuplicates } from './duplicates.visibility';

/**
 * The duplicate pairs and merges, as the database maps them and the change log records them
 * (registered in src/app/modules.ts). A pair found is not logged (a suggestion, see
 * DuplicateService.record); its decision is, in the one region whose readers see both children
 * (`pairRegion`: their common county, else city, else province), about no child: on the first
 * child's chain, a reader of its county who may not see the second would be told that it exists
 * and how it resembles the first (the leak suite found it).
 */
export const duplicatesModule: DomainModule = {
  entities: [DuplicatePairEntity, ChildMergeEntity],
  logged: [
    [DuplicatePairEntity, {
      type: 'DuplicatePair',
      label: '疑似重复登记',
      visibleWith: 'Child.idNumber',
      fields: { score: '相似度得分', band: '等级', features: '相同特征', status: '核查结论', reason: '理由', decidedBy: '核查人' },
      childIdOf: () => null,
      regionOf: (e) => {
        if (typeof e.loggedRegion !== 'string') throw new Error('a duplicate pair is logged only when decided, with its region (pairRegion)');
        return e.loggedRegion;
      },
      // Not matrix fields: shown to whoever may be told of the entry, the readers of pairs.
      fieldsShownWithEntry: true,
      visibleTo: (reader) => seesDuplicates(reader.access),
    }],
    // The MERGE entry on each child: what moved (ids by type) is told to the readers of pairs.
    [ChildMergeEntity, {
      type: 'ChildMerge',
      label: '合并重复登记 MERGE',
      visibleWith: 'Child.id',
      fields: { role: '本记录是', mergedId: '被合并的儿童', survivorId: '保留的儿童', pairId: '疑似重复编号', moved: '转移的记录' },
      childIdOf: (e) => e.childId as string,
      fieldsShownWithEntry: true,
      visibleTo: (reader) => seesDuplicates(reader.access),
    }],
  ],
};
