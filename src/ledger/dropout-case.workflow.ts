import { type AssessmentDecision, evidenceComplete } from './assessment.enums';
import { type DropoutReason, type DropoutStatus, PANEL_REASONS, type Placement, POLICE_VERIFIED_REASONS, TRANSITIONS } from './dropout-case.enums';

/** What the rules look at besides the case itself: other departments' records about the child. */
export interface CaseFacts {
  readonly educationStatus: string | null;
  readonly hukouStatus: string | null;
  readonly whereabouts: string | null;
  readonly assessments: ReadonlyArray<{ decision: string; evidence: ReadonlyArray<{ type: string }> }>;
}

export interface CaseState {
  readonly reason: DropoutReason;
  readonly status: DropoutStatus;
  readonly policeConfirmedOn: string | null;
}

/** School statuses in which a child counts as back in school (返校). */
export const IN_SCHOOL = ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL'];

/** The police record that confirms each police-verified reason (二(三): 公安部门要配合…做好核实). */
const POLICE_FINDING: Readonly<Partial<Record<DropoutReason, (facts: CaseFacts) => boolean>>> = {
  MISSING: (f) => f.whereabouts === 'MISSING',
  ABROAD: (f) => f.whereabouts === 'ABROAD',
  DECEASED: (f) => f.whereabouts === 'DECEASED',
  HUKOU_ERROR: (f) => f.hukouStatus === 'RECORD_ERROR',
};

/** Which panel decision a status (and placement) needs. */
function decisionFor(to: DropoutStatus, placement: Placement | null): AssessmentDecision | null {
  if (to === 'DEFERRED') return 'DEFERRAL';
  if (to === 'SUSPENDED') return 'SUSPENSION';
  if (to === 'PLACED') return placement;
  return null;
}

/**
 * Why a case may not move to `to`, or null when it may. The reasons name what is missing, so that
 * the clerk knows what to obtain (a police confirmation, an assessment with complete evidence).
 */
export function transitionProblem(state: CaseState, to: DropoutStatus, placement: Placement | null, facts: CaseFacts): string | null {
  const allowed = TRANSITIONS[state.status];
  if (!allowed.includes(to)) {
    return allowed.length
      ? `不能从 ${state.status} 转为 ${to}；允许的下一状态：${allowed.join(', ')} (allowed next: ${allowed.join(', ')})`
      : `${state.status} 是终结状态，不能再变更；如再次辍学请新立个案 (final state; open a new case if the child drops out again)`;
  }
  if (to === 'PLACED' && !placement) return '安置须注明安置方式 placement (PLACED needs a placement)';
  if (to !== 'PLACED' && placement) return '只有 PLACED 可以注明安置方式 (only PLACED takes a placement)';
  if (to === 'RETURNED' && !(facts.educationStatus && IN_SCHOOL.includes(facts.educationStatus))) {
    return `教育记录显示儿童未在校（${facts.educationStatus ?? '无记录'}），不能以返校结案 (the education record must show the child in school first)`;
  }
  if (to === 'CLOSED_NOT_DROPOUT' && POLICE_VERIFIED_REASONS.includes(state.reason)) {
    const confirmed = state.policeConfirmedOn !== null || POLICE_FINDING[state.reason]!(facts);
    if (!confirmed) return `原因为 ${state.reason} 的个案须经公安核实后方可销号 (needs the police's confirmation: a PSB record showing it, or a PSB verification on the case)`;
  }
  // 二(四): an ill or disabled child stays out of class only on the expert panel's opinion; closing
  // the case as "not a dropout" without one would take the child off the ledger unseen (rule R06).
  if (to === 'CLOSED_NOT_DROPOUT' && PANEL_REASONS.includes(state.reason) && !facts.assessments.some((a) => a.evidence.some((e) => e.type === 'PANEL_OPINION'))) {
    return `原因为 ${state.reason} 的个案须有专家组鉴定意见方可销号 (needs an expert-panel assessment with the panel's opinion before it is closed as not a dropout)`;
  }
  const decision = decisionFor(to, placement);
  if (decision) {
    const backed = facts.assessments.some((a) => a.decision === decision && evidenceComplete(decision, a.evidence));
    if (!backed) return `须有专家组 ${decision} 意见且佐证材料完整 (needs an expert-panel assessment deciding ${decision} with complete evidence)`;
  }
  return null;
}
