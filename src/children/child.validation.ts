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
