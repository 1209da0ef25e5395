import { defineEnum } from '../core/enums';
import { SchoolStatus } from '../departments/education/education.enums';
import { Whereabouts } from '../departments/public-security/public-security.enums';
import { DropoutStatus } from '../ledger/dropout-case.enums';

/** What a verifier checks at the household or the school (入户核查), each against the ledger's value at the draw. */
export const SpotCheckField = defineEnum('SpotCheckField', '抽查核实的项目 A field checked at the household or school', {
  SCHOOL_STATUS: '就学状态 school status (education)',
  WHEREABOUTS: '下落 whereabouts (public security)',
  CASE_STATUS: '个案状态 dropout case status (education)',
  EVIDENCE_PRESENT: '佐证材料是否齐全 evidence present (the panel\'s assessment for illness or disability, else a persuasion visit)',
});
export type SpotCheckField = keyof typeof SpotCheckField.labels;

export interface CheckedField {
  /** The values a finding may take. */
  readonly allowed: readonly string[];
  /** The department whose record the field is, which a mismatch is listed for. */
  readonly owner: string;
  /**
   * The value counted for the verification factor (WHO data-quality review: recount ÷ reported):
   * of the sampled entries the ledger reported with this value, how many were found with it.
   */
  readonly counted: readonly string[];
  readonly countedLabel: string;
}

const IN_SCHOOL = ['ENROLLED', 'MAINSTREAM_INCLUSION', 'SPECIAL_SCHOOL', 'HOME_TEACHING', 'STUDYING_ELSEWHERE'];

export const CHECKED_FIELDS: Readonly<Record<SpotCheckField, CheckedField>> = {
  SCHOOL_STATUS: { allowed: SchoolStatus.list, owner: 'EDU', counted: IN_SCHOOL, countedLabel: '在校（含送教、随班、特教、外地就读）in school' },
  WHEREABOUTS: { allowed: Whereabouts.list, owner: 'PSB', counted: ['PRESENT'], countedLabel: '在住 present' },
  CASE_STATUS: { allowed: DropoutStatus.list, owner: 'EDU', counted: ['RETURNED'], countedLabel: '已返校 returned to school' },
  EVIDENCE_PRESENT: { allowed: ['true', 'false'], owner: 'EDU', counted: ['true'], countedLabel: '佐证齐全 evidence present' },
};
