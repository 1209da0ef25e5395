import { sectionResolver } from './section.resolver';
import { EducationRecordType } from './education/education.type';
import { EducationRecordInput } from './education/education.input';
import { PublicSecurityRecordType } from './public-security/public-security.type';
import { PublicSecurityRecordInput } from './public-security/public-security.input';
import { CivilAffairsRecordType } from './civil-affairs/civil-affairs.type';
import { CivilAffairsRecordInput } from './civil-affairs/civil-affairs.input';
import { PovertyRecordType } from './poverty/poverty.type';
import { PovertyRecordInput } from './poverty/poverty.input';
import { HealthRecordType } from './health/health.type';
import { HealthRecordInput } from './health/health.input';
import { DisabilityRecordType } from './disability/disability.type';
import { DisabilityRecordInput } from './disability/disability.input';
import { educationSection } from './education/education.section';
import { publicSecuritySection } from './public-security/public-security.section';
import { civilAffairsSection } from './civil-affairs/civil-affairs.section';
import { povertySection } from './poverty/poverty.section';
import { healthSection } from './health/health.section';
import { disabilitySection } from './disability/disability.section';

/** One resolver per section (its field on the child and its upsert mutation); apart from SECTIONS, which the services read, so that the data does not import the resolvers. */
export const SECTION_RESOLVERS = [
  sectionResolver(educationSection, EducationRecordType, EducationRecordInput),
  sectionResolver(publicSecuritySection, PublicSecurityRecordType, PublicSecurityRecordInput),
  sectionResolver(civilAffairsSection, CivilAffairsRecordType, CivilAffairsRecordInput),
  sectionResolver(povertySection, PovertyRecordType, PovertyRecordInput),
  sectionResolver(healthSection, HealthRecordType, HealthRecordInput),
  sectionResolver(disabilitySection, DisabilityRecordType, DisabilityRecordInput),
];
