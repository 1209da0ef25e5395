/**
 * Calendar dates as the API carries them (YYYY-MM-DD, no time zone): the LocalDate scalar and
 * every date rule of the domains check them here.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of the ASCII digits of `value` from `start` to `end`, or -1 if any is not a digit. */
function digits(value: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * True for a YYYY-MM-DD string naming a day that exists in the (proleptic) Gregorian calendar.
 * Counted, not parsed into a Date: every date a page of children answers passes through here.
 */
export function isRealDate(value: string): boolean {
  if (typeof value !== 'string' || value.length !== 10 || value[4] !== '-' || value[7] !== '-') return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}
