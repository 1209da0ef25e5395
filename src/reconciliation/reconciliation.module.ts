import type { DomainModule } from '../changelog/catalogue';
import { DiscrepancyEntity } from './discrepancy.entity';
import { ReconciliationRunEntity } from './reconciliation-run.entity';
import { seesEveryRule } from './reconciliation.visibility';

/**
 * Reconciliation's records, as the database maps them and the change log records them (registered
 * in src/app/modules.ts). A discrepancy's rule says which departments' records disagree, so its
 * entries, and a run's counts over every rule, are told only to readers who may read every field
 * any rule compares; the `discrepancies` query tells the others, rule by rule, what they may see.
 */
export const reconciliationModule: DomainModule = {
  entities: [DiscrepancyEntity, ReconciliationRunEntity],
  logged: [
    [DiscrepancyEntity, {
      type: 'Discrepancy',
      label: '核实比对问题',
      visibleWith: 'Child.discrepancies',
      fields: {
        rule: '比对规则', county: '县（市、区）', status: '状态', deadline: '整改期限', resolvedOn: '解决日期', fixedByChain: '纠正记录所在链',
        fixedBySeq: '纠正记录序号', explanation: '情况说明', evidence: '佐证', explainedBy: '说明人', confirmedBy: '确认人', explainedOn: '说明确认日期',
      },
      childIdOf: (e) => e.childId as string,
      visibleTo: (reader) => seesEveryRule(reader.access),
    }],
    [ReconciliationRunEntity, {
      type: 'ReconciliationRun',
      label: '核实比对运行',
      visibleWith: 'Child.discrepancies',
      fields: { period: '月份', region: '地区', opened: '新发现', kept: '仍未解决', resolved: '已解决', contentHash: '内容哈希' },
      childIdOf: () => null,
      regionOf: (e) => e.region as string,
      fieldsShownWithEntry: true,
      visibleTo: (reader) => seesEveryRule(reader.access),
    }],
  ],
};
