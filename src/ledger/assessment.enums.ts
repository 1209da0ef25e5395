import { defineEnum } from '../core/enums';

export const AssessmentDecision = defineEnum('AssessmentDecision', '专家组安置意见 Expert panel\'s placement decision', {
  MAINSTREAM_INCLUSION: '随班就读 mainstream inclusion',
  SPECIAL_SCHOOL: '特殊教育学校 special school',
  HOME_TEACHING: '送教上门 home-delivered teaching',
  DEFERRAL: '缓学 deferral',
  SUSPENSION: '休学 suspension',
});
export type AssessmentDecision = keyof typeof AssessmentDecision.labels;

export const EvidenceType = defineEnum('EvidenceType', '佐证材料类别 Kind of evidence', {
  MEDICAL_DIAGNOSIS: '医疗诊断证明 medical diagnosis',
  DISABILITY_CERTIFICATE: '残疾人证 disability certificate',
  PANEL_OPINION: '专家组鉴定意见 panel opinion',
  GUARDIAN_APPLICATION: '监护人申请 guardian\'s application',
  SCHOOL_REPORT: '学校情况说明 school report',
  OTHER: '其他 other',
});
export type EvidenceType = keyof typeof EvidenceType.labels;

/**
 * Evidence each decision needs before it is complete (二(四): 佐证材料完整): every group must be met
 * by at least one item of one of its kinds.
 */
export const REQUIRED_EVIDENCE: Readonly<Record<AssessmentDecision, ReadonlyArray<readonly EvidenceType[]>>> = {
  MAINSTREAM_INCLUSION: [['PANEL_OPINION']],
  SPECIAL_SCHOOL: [['PANEL_OPINION'], ['DISABILITY_CERTIFICATE', 'MEDICAL_DIAGNOSIS']],
  HOME_TEACHING: [['PANEL_OPINION'], ['DISABILITY_CERTIFICATE', 'MEDICAL_DIAGNOSIS'], ['GUARDIAN_APPLICATION']],
  DEFERRAL: [['PANEL_OPINION'], ['MEDICAL_DIAGNOSIS'], ['GUARDIAN_APPLICATION']],
  SUSPENSION: [['PANEL_OPINION'], ['MEDICAL_DIAGNOSIS'], ['GUARDIAN_APPLICATION']],
};

export function evidenceComplete(decision: AssessmentDecision, evidence: ReadonlyArray<{ type: string }>): boolean {
  const kinds = new Set(evidence.map((e) => e.type));
  return REQUIRED_EVIDENCE[decision].every((group) => group.some((kind) => kinds.has(kind)));
}

export function missingEvidence(decision: AssessmentDecision, evidence: ReadonlyArray<{ type: string }>): string[] {
  const kinds = new Set(evidence.map((e) => e.type));
  return REQUIRED_EVIDENCE[decision].filter((group) => !group.some((kind) => kinds.has(kind))).map((group) => group.join(' or '));
}
