import type { DomainModule } from '../changelog/catalogue';
import { readableActionKinds, ACTION_KINDS } from '../permissions/action-access';
import { SpotCheckEntity, SpotCheckItemEntity } from './spot-check.entity';
import { SupervisionActionEntity } from './supervision-action.entity';

/**
 * Supervision's records, as the database maps them and the change log records them (registered in
 * src/app/modules.ts). A spot check and its items are told to supervisors only (`Child.spotChecks`);
 * an action's entries to readers of every kind of action (an entry that closes one does not say
 * its kind), as reconciliation tells a run only to readers of every rule.
 */
export const supervisionModule: DomainModule = {
  entities: [SpotCheckEntity, SpotCheckItemEntity, SupervisionActionEntity],
  logged: [
    [SpotCheckEntity, {
      type: 'SpotCheck',
      label: '台账抽查',
      visibleWith: 'Child.spotChecks',
      fields: {
        region: '地区', seed: '随机种子', rootSeq: '日志根序号', rootHash: '日志根哈希', strata: '分层', size: '样本量', frameSize: '抽样框大小', frameHash: '抽样框哈希',
        drawnOn: '抽取日期', drawnBy: '抽取人',
      },
      childIdOf: () => null,
      regionOf: (e) => e.region as string,
    }],
    [SpotCheckItemEntity, {
      type: 'SpotCheckItem',
      label: '抽查条目',
      visibleWith: 'Child.spotChecks',
      fields: {
        spotCheckId: '抽查', caseId: '辍学个案', county: '县', township: '乡镇', stratum: '层', reported: '台账值', status: '状态', verifierSub: '核查人',
        verifierDept: '核查人部门', verifierRegion: '核查人地区', assignedOn: '分派日期', verifiedOn: '核实日期', verifiedBy: '核实人', findings: '核实所见',
      },
      childIdOf: (e) => e.childId as string,
    }],
    [SupervisionActionEntity, {
      type: 'SupervisionAction',
      label: '督导事项',
      visibleWith: 'Child.supervisionActions',
      fields: {
        kind: '类别', county: '县', childId: '儿童', township: '乡镇', toDept: '转介给', number: '编号', deadline: '期限', note: '事由', status: '状态',
        openedOn: '记录日期', openedBy: '记录人', openedDept: '记录部门', closedOn: '办结日期', closedBy: '办结人', outcome: '结果',
      },
      childIdOf: (e) => (e.childId as string | null) ?? null,
      regionOf: (e) => e.county as string,
      visibleTo: (reader) => readableActionKinds(reader.identity).length === ACTION_KINDS.length,
    }],
  ],
};
