import { TOWNSHIP_CODE } from '../auth/identity';
import type { Clock } from '../core/clock';
import type { Problems } from '../core/errors';
import { regions } from '../regions/region.registry';
import type { RegisterChildInput } from './child.input';
import { idNumberProblem, isRealDate, parseIdNumber } from './id-number';

import { UUID } from '../core/ids';

export { UUID };

/** Chinese names, with the middle dot of minority and foreign names; Latin letters for foreign-born children. */
const NAME = /^[\p{Script=Han}A-Za-z·・\- ]{1,50}$/u;

/** Age in whole years on a given date. */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

/**
 * Compulsory-education age: at most 16 on 1 September of the current school year, and at least 6
 * on the next 1 September: the police register the coming year's entrants before it starts (三(一)).
 */
export const MIN_AGE = 6;
export const MAX_AGE = 16;

export function checkCountyCode(value: string, path: string, problems: Problems): void {
  if (!/^\d{6}$/.test(value)) problems.add(path, `区划代码应为6位数字 (must be a 6-digit code, got "${value.slice(0, 20)}")`);
  else if (!regions.get(value)) problems.add(path, `未知的区划代码 ${value} (not a Fujian division code)`);
  else if (!regions.isCounty(value)) problems.add(path, `${value} 不是县级区划 (must be a county-level code)`);
}

export function validateRegistration(input: RegisterChildInput, index: number, clock: Clock, problems: Problems): void {
  const at = (field: string) => `records[${index}].${field}`;
  if (input.id !== undefined && input.id !== null && !UUID.test(input.id)) problems.add(at('id'), '应为UUID (must be a UUID)');
  const name = input.name.trim();
  if (!NAME.test(name)) problems.add(at('name'), '姓名应为1到50个汉字或字母 (1 to 50 Chinese characters or letters)');
  const today = clock.today();
  if (!isRealDate(input.birthDate)) problems.add(at('birthDate'), '出生日期无效 (not a real date)');
  else if (input.birthDate > today) problems.add(at('birthDate'), `出生日期不能晚于今天 ${today} (birth date is in the future)`);
  else {
    const schoolYear = clock.schoolYearStart();
    const nextYear = `${Number(schoolYear.slice(0, 4)) + 1}${schoolYear.slice(4)}`;
    const age = ageOn(input.birthDate, schoolYear);
    const ageNext = ageOn(input.birthDate, nextYear);
    if (ageNext < MIN_AGE) {
      problems.add(at('birthDate'), `${nextYear} 时年龄为 ${ageNext} 岁，未到入学年龄 ${MIN_AGE} 岁 (age ${ageNext} on ${nextYear}: not yet of school age ${MIN_AGE})`);
    } else if (age > MAX_AGE) {
      problems.add(at('birthDate'), `${schoolYear} 时年龄为 ${age} 岁，超出义务教育适龄范围 ${MIN_AGE}–${MAX_AGE} 岁 (age ${age} on ${schoolYear} is outside compulsory-education age ${MIN_AGE}–${MAX_AGE})`);
    }
  }
  if (input.idNumber !== undefined && input.idNumber !== null && input.idNumber !== '') {
    const problem = idNumberProblem(input.idNumber);
    if (problem) problems.add(at('idNumber'), problem);
    else {
      const parsed = parseIdNumber(input.idNumber)!;
      if (parsed.birthDate !== input.birthDate) {
        problems.add(at('idNumber'), `身份证号中的出生日期 ${parsed.birthDate} 与填报的出生日期 ${input.birthDate} 不符 (birth date in the number differs from birthDate)`);
      }
      if (parsed.gender !== input.gender) problems.add(at('idNumber'), '身份证号的性别位与填报的性别不符 (gender digit differs from gender)');
    }
  }
  checkCountyCode(input.hukouRegion, at('hukouRegion'), problems);
  checkCountyCode(input.residenceRegion, at('residenceRegion'), problems);
  if (input.township !== undefined && input.township !== null) checkTownship(input.township, input.residenceRegion, at('township'), problems);
}

/** A township code lies in the county of residence: 9 digits, the first six that county's. */
export function checkTownship(township: string, residenceRegion: string, path: string, problems: Problems): void {
  if (!TOWNSHIP_CODE.test(township)) problems.add(path, `乡镇（街道）代码应为9位数字 (a township code has 9 digits): ${township}`);
  else if (township.slice(0, 6) !== residenceRegion) {
    problems.add(path, `乡镇（街道）${township} 不在居住地 ${residenceRegion} 内 (the township is not in the county of residence)`);
  }
}

/**
 * Who may register a child without an ID number (issue 16). Education and the police keep the
 * rolls a child's number comes from (the school register, the hukou register), so from them a
 * record without one is a typing gap, the "duplicate without ID" the national register struggles
 * with, unless the child has no hukou (无户口, 三(一)) and so no number at all: they say so with
 * `hukouStatus: NO_HUKOU`. The other departments find children in households (a civil-affairs
 * or poverty visit, a hospital, a disability assessment) and often cannot see a number: they may
 * leave it out. A child without a number gets the strictest duplicate check (duplicate.blocking.ts)
 * and later gets its number from the police by an ordinary logged update (updateChildIdNumbers).
 * NO_HUKOU with a number is a contradiction and refused.
 */
export const KEEPERS_OF_NUMBERS: readonly string[] = ['EDU', 'PSB'];

export function checkNumberRequired(input: RegisterChildInput, index: number, dept: string, problems: Problems): void {
  const hasNumber = input.idNumber !== undefined && input.idNumber !== null && input.idNumber !== '';
  const at = (field: string) => `records[${index}].${field}`;
  if (input.hukouStatus !== undefined && input.hukouStatus !== null && input.hukouStatus !== 'NO_HUKOU') {
    problems.add(at('hukouStatus'), '登记时只可注明 NO_HUKOU（无户口）；其他户籍状态由公安在其记录中填写 (at registration only NO_HUKOU may be stated; the police record other statuses in their section)');
  } else if (input.hukouStatus === 'NO_HUKOU' && hasNumber) {
    problems.add(at('hukouStatus'), '无户口儿童没有身份证号：填了身份证号就不应注明 NO_HUKOU (a child without hukou has no ID number: give either the number or NO_HUKOU)');
  } else if (!hasNumber && input.hukouStatus !== 'NO_HUKOU' && KEEPERS_OF_NUMBERS.includes(dept)) {
    problems.add(at('idNumber'), '教育、公安登记儿童须填身份证号；无户口儿童请注明 hukouStatus: NO_HUKOU (EDU and PSB register a child with its ID number; for a child without hukou state hukouStatus: NO_HUKOU)');
  }
}
