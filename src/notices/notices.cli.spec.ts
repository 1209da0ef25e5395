import { parsePeriod, previousMonth } from './notices.cli';

describe('npm run notices arguments', () => {
  it('takes a month, or the previous one for a scheduled run', () => {
    expect(parsePeriod(['--period', '2026-10'], '2026-11-01')).toBe('2026-10');
    expect(parsePeriod(['--period=2026-10'], '2026-11-01')).toBe('2026-10');
    expect(parsePeriod(['--period', 'previous'], '2026-11-01')).toBe('2026-10');
    expect(previousMonth('2027-01-01')).toBe('2026-12');
  });

  it('refuses anything else', () => {
    expect(() => parsePeriod([], '2026-11-01')).toThrow(/usage/);
    expect(() => parsePeriod(['--period', '2026-13'], '2026-11-01')).toThrow(/YYYY-MM/);
    expect(() => parsePeriod(['--period'], '2026-11-01')).toThrow(/usage/);
    expect(() => parsePeriod(['--month', '2026-10'], '2026-11-01')).toThrow(/unknown argument/);
  });

  it('refuses a month that has not ended yet, as the mutation does', () => {
    expect(() => parsePeriod(['--period', '2026-11'], '2026-11-30')).toThrow(/has not ended yet: today is 2026-11-30/);
    expect(() => parsePeriod(['--period', '2099-12'], '2026-11-01')).toThrow(/has not ended yet/);
    expect(parsePeriod(['--period', '2026-10'], '2026-11-01')).toBe('2026-10');
  });
});
