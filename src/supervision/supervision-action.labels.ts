import type { ActionKind } from '../permissions/matrix';

/** How people read an action's kind and state (notices, exports, the change log's rows). */
export const ACTION_KIND_LABELS: Readonly<Record<ActionKind, string>> = {
  COUNTY_INTERVIEW: '约谈', GUARDIAN_ADMONITION: '批评教育', CORRECTION_ORDER: '责令限期改正', ASSISTANCE_REFERRAL: '救助转介',
};
export const ACTION_STATUS_LABELS: Readonly<Record<'OPEN' | 'CLOSED', string>> = { OPEN: '办理中', CLOSED: '已办结' };
