import { sectionResolver } from './section.resolver';
import { educationSection } from './education/education.section';
import { EducationRecordType } from './education/education.type';
import { EducationRecordInput } from './education/education.input';
import { publicSecuritySection } from './public-security/public-security.section';
import { PublicSecurityRecordType } from './public-security/public-security.type';
import { PublicSecurityRecordInput } from './public-security/public-security.input';
import { civilAffairsSection } from './civil-affairs/civil-affairs.section';
import { CivilAffairsRecordType } from './civil-affairs/civil-affairs.type';
import { CivilAffairsRecordInput } from './civil-affairs/civil-affairs.input';
import { povertySection } from './poverty/poverty.section';
import { PovertyRecordType } from './poverty/poverty.type';
import { PovertyRecordInput } from './poverty/poverty.input';
import { healthSection } from './health/health.section';
import { HealthRecordType } from './health/health.type';
import { HealthRecordInput } from './health/health.input';
import { disabilitySection } from './disability/disability.section';
import { DisabilityRecordType } from './disability/disability.type';
import { DisabilityRecordInput } from './disability/disability.input';

/** The six department sections of the federated child, in the order DESIGN.md lists them. */
export const SECTIONS = [educationSection, publicSecuritySection, civilAffairsSection, povertySection, healthSection, disabilitySection];

export const SECTION_RESOLVERS = [
  sectionResolver(educationSection, EducationRecordType, EducationRecordInput),
  sectionResolver(publicSecuritySection, PublicSecurityRecordType, PublicSecurityRecordInput),
  sectionResolver(civilAffairsSection, CivilAffairsRecordType, CivilAffairsRecordInput),
  sectionResolver(povertySection, PovertyRecordType, PovertyRecordInput),
  sectionResolver(healthSection, HealthRecordType, HealthRecordInput),
  sectionResolver(disabilitySection, DisabilityRecordType, DisabilityRecordInput),
];
