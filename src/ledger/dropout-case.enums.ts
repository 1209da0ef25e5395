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

export const Placement = defineEnum('Placement', '安置方式 Placement of a child who cannot attend an ordinary class', {
  HOME_TEACHING: '送教上门 home-delivered teaching',
  SPECIAL_SCHOOL: '特殊教育学校 special school',
  MAINSTREAM_INCLUSION: '随班就读 mainstream inclusion',
});
export type Placement = keyof typeof Placement.labels;

/**
 * Where a case may go next (二(三), 三(二)): persuaded back, placed, deferred or suspended on the
 * panel's opinion, or closed once verified not to be a dropout (销号). Returned, placed and closed
 * cases are final; a child who drops out again gets a new case.
 */
export const TRANSITIONS: Readonly<Record<DropoutStatus, readonly DropoutStatus[]>> = {
  OPEN: ['PERSUADING', 'RETURNED', 'PLACED', 'DEFERRED', 'SUSPENDED', 'CLOSED_NOT_DROPOUT'],
  PERSUADING: ['RETURNED', 'PLACED', 'DEFERRED', 'SUSPENDED', 'CLOSED_NOT_DROPOUT'],
  DEFERRED: ['PERSUADING', 'RETURNED', 'PLACED'],
  SUSPENDED: ['PERSUADING', 'RETURNED', 'PLACED'],
  RETURNED: [],
  PLACED: [],
  CLOSED_NOT_DROPOUT: [],
};

/** Reasons the police must confirm before a case is closed as not a dropout (二(三)). */
export const POLICE_VERIFIED_REASONS: readonly DropoutReason[] = ['MISSING', 'ABROAD', 'HUKOU_ERROR', 'DECEASED'];
/** Reasons that need the expert panel's assessment before the child may stay out of class (二(四)). */
export const PANEL_REASONS: readonly DropoutReason[] = ['ILLNESS', 'DISABILITY'];
