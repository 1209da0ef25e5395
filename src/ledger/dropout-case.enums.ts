import { defineEnum } from '../core/enums';

export const DropoutReason = defineEnum('DropoutReason', '辍学原因 Reason for dropping out', {
  FAMILY_POVERTY: '家庭贫困 family poverty',
  STUDY_WEARINESS: '厌学 study weariness',
  ILLNESS: '因病 illness',
  DISABILITY: '因残 disability',
  MISSING: '失踪失联 missing or out of contact',
  ABROAD: '出境 abroad',
  HUKOU_ERROR: '户籍信息错误 hukou record error',
  DECEASED: '死亡 deceased',
  WORKING_AWAY: '外出务工 working away',
  EARLY_MARRIAGE: '早婚早育 early marriage',
  OTHER: '其他 other',
  TO_BE_VERIFIED: '待核实 to be verified',
});
export type DropoutReason = keyof typeof DropoutReason.labels;

export const DropoutStatus = defineEnum('DropoutStatus', '辍学个案状态 Dropout case status', {
  OPEN: '待劝返 open',
  PERSUADING: '劝返中 persuading',
  RETURNED: '已返校 returned to school',
  PLACED: '已安置 placed',
  DEFERRED: '缓学 deferred',
  SUSPENDED: '休学 suspended',
  CLOSED_NOT_DROPOUT: '核实销号 closed, verified not a dropout',
});
export type DropoutStatus = keyof typeof DropoutStatus.labels;

/** Statuses in which a case still needs work. */
export const OPEN_DROPOUT_STATUSES: readonly DropoutStatus[] = ['OPEN', 'PERSUADING'];
