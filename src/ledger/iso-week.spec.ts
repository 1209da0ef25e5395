import { isoWeekOf, isoWeekRange } from './iso-week';

describe('ISO weeks', () => {
  it.each([
    ['2026-10-15', '2026-W42'], ['2026-01-01', '2026-W01'], ['2021-01-03', '2020-W53'], ['2024-12-30', '2025-W01'], ['2027-01-03', '2026-W53'],
  ])('%s is in %s', (date, week) => expect(isoWeekOf(date)).toBe(week));

  it('gives the Monday and Sunday of a week and refuses weeks that do not exist', () => {
    expect(isoWeekRange('2026-W42')).toEqual({ monday: '2026-10-12', sunday: '2026-10-18' });
    expect(isoWeekRange('2020-W53')).toEqual({ monday: '2020-12-28', sunday: '2021-01-03' });
    expect(isoWeekRange('2025-W53')).toBeNull();
    expect(isoWeekRange('2026-W00')).toBeNull();
    expect(isoWeekRange('2026-42')).toBeNull();
  });

  it('agrees with itself over three years of days', () => {
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const range = isoWeekRange(isoWeekOf(day))!;
      expect(day >= range.monday && day <= range.sunday).toBe(true);
    }
  });
});
