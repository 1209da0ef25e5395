import { BadUserInputError } from '../core/errors';

/**
 * Why a month may not be issued, or null when it may. A notice tells what changed in a month
 * (二(二) 每月通报), so the month must be over in China Standard Time (`today` from the hub's
 * clock): notices are append-only and a later period shuts out every earlier one, so issuing
 * a month that has not ended (a typo such as 2099-12) would stop the monthly exchange for good.
 */
export function periodProblem(period: string, today: string): string | null {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return '应为 YYYY-MM (must be YYYY-MM)';
  const current = today.slice(0, 7);
  if (period >= current) {
    return `${period} 月尚未结束（今天是 ${today}，中国标准时间），月末之后才能发布 (the month has not ended yet: today is ${today} China Standard Time; issue it from the 1st of the next month)`;
  }
  return null;
}

/** Throws BAD_USER_INPUT naming `period` unless the month may be issued. */
export function checkPeriod(period: string, today: string): void {
  const problem = periodProblem(period, today);
  if (problem) throw BadUserInputError.one('period', problem);
}
