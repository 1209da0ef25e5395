/**
 * Resident ID-card numbers (公民身份号码, GB 11643-1999): six digits of the address code, eight of
 * the birth date, three of the sequence (odd for men, even for women) and a check character.
 */
import { isRealDate } from '../core/dates';

/** Kept here for the callers that check dates beside ID numbers; it lives in core, below every domain, for the LocalDate scalar. */
export { isRealDate };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

/** First two digits of the address code: the provinces, autonomous regions and municipalities. */
const PROVINCE_PREFIXES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

/** The check character for the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

export interface ParsedIdNumber {
  readonly addressCode: string;
  /** YYYY-MM-DD */
  readonly birthDate: string;
  readonly gender: 'MALE' | 'FEMALE';
}

/**
 * The number as it is stored: a final check character `x` in upper case, as it is printed on the
 * card. Every place that accepts an ID number (registration, `childByIdNumber`) passes it through
 * here first, so a number typed with a lower-case `x` finds the child it names.
 */
export function normaliseIdNumber(value: string): string {
  return value.length === 18 && value[17] === 'x' ? `${value.slice(0, 17)}X` : value;
}

/** Why `value` is not a valid ID-card number (once normalised), or null when it is. */
export function idNumberProblem(value: string): string | null {
  if (!/^\d{17}[\dX]$/.test(value)) {
    return '身份证号应为18位，末位可为数字或X (must be 17 digits and a digit or X)';
  }
  if (!PROVINCE_PREFIXES.has(value.slice(0, 2))) {
    return `身份证号地址码无效 (unknown province code ${value.slice(0, 2)})`;
  }
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isRealDate(birth)) return `身份证号中的出生日期无效 (birth date ${birth} does not exist)`;
  if (checkCharacter(value) !== value[17]) {
    return '身份证号校验码错误 (check character does not match; a digit may be mistyped)';
  }
  return null;
}

export function parseIdNumber(value: string): ParsedIdNumber | null {
  if (idNumberProblem(value) !== null) return null;
  return {
    addressCode: value.slice(0, 6),
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
    gender: Number(value[16]) % 2 === 1 ? 'MALE' : 'FEMALE',
  };
}

/** Builds a valid number from an address code, a birth date and a sequence (0–999). */
export function makeIdNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}
