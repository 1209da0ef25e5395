import { educationSection } from './education/education.section';
import { publicSecuritySection } from './public-security/public-security.section';
import { civilAffairsSection } from './civil-affairs/civil-affairs.section';
import { povertySection } from './poverty/poverty.section';
import { healthSection } from './health/health.section';
import { disabilitySection } from './disability/disability.section';

/** The six department sections of the federated child, in the order DESIGN.md lists them. */
export const SECTIONS = [educationSection, publicSecuritySection, civilAffairsSection, povertySection, healthSection, disabilitySection];
