import { readerFor } from '../core/context';
import { BadUserInputError, ForbiddenError } from '../core/errors';
import type { Sql } from '../db/sql';
import { accessFor } from '../permissions/access';
import { CASELOAD_READS, caseload, historyWeeks, reportTimeliness } from './supervision-history';

// A refusal must come before any statement: this Sql fails the test if it is reached.
const unreachable = { query: () => { throw new Error('the database was queried'); } } as unknown as Sql;
const TODAY = '2026-10-15'; // a Thursday of 2026-W42

describe('the weeks of a supervision history', () => {
  it('lists the weeks from `from` to `to`, across a year end', () => {
    expect(historyWeeks('2020-W52', '2021-W01', TODAY).map((w) => w.isoWeek)).toEqual(['2020-W52', '2020-W53', '2021-W01']);
    expect(historyWeeks('2026-W41', '2026-W41', TODAY)).toEqual([{ isoWeek: '2026-W41', monday: '2026-10-05', sunday: '2026-10-11' }]);
    expect(historyWeeks('2026-W16', '2026-W41', TODAY)).toHaveLength(26);
  });

  it.each([
    ['2026-W41', '2026-W42', 'to'], // this week has not ended
    ['2026-W41', '2026-W41', 'to', '2026-10-11'], // nor has a week on its own Sunday
    ['2026-W15', '2026-W41', 'to'], // 27 weeks
    ['2026-W41', '2026-W40', 'from'],
    ['2026-W4', '2026-W41', 'from'],
    ['2026-W41', '2025-W53', 'to'], // 2025 has 52 weeks
  ])('refuses %s to %s naming %s', (from, to, path, today = TODAY) => {
    try {
      historyWeeks(from, to, today);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(BadUserInputError);
      expect((error as BadUserInputError).problems.map((p) => p.path)).toEqual([path]);
    }
  });
});

it('calls a report on time until the end of the Monday after its week, China Standard Time', () => {
  expect(reportTimeliness('2026-W41', null)).toBe('MISSING');
  expect(reportTimeliness('2026-W41', new Date('2026-10-12T23:59:59+08:00'))).toBe('ON_TIME');
  expect(reportTimeliness('2026-W41', new Date('2026-10-13T00:00:00+08:00'))).toBe('LATE');
});

describe('who may ask for a caseload', () => {
  const reader = (dept: 'EDU' | 'PSB' | 'TOWNSHIP', roles: Array<'clerk' | 'supervisor'>, hidden: string | null = null) => {
    const real = readerFor({ sub: 'x', dept, region: '350102', roles } as never);
    // The matrix as it might be changed: one field taken away from an otherwise permitted reader.
    const access = Object.assign(Object.create(Object.getPrototypeOf(real.access)), real.access, { canRead: (f: string) => f !== hidden && real.access.canRead(f) });
    return { ...real, access };
  };

  it('reads, for each grouping, only fields every supervisor and education reader may read today', () => {
    for (const fields of Object.values(CASELOAD_READS)) {
      for (const [dept, roles] of [['EDU', ['clerk']], ['PSB', ['supervisor']], ['HEALTH', ['supervisor']]] as const) {
        expect(fields.filter((f) => !accessFor({ dept, roles: [...roles] }).canRead(f))).toEqual([]);
      }
    }
  });

  it('refuses other departments\' clerks and townships before reading anything', async () => {
    await expect(caseload(unreachable, reader('PSB', ['clerk']), 'RESPONSIBLE_UNIT', TODAY, '2026-09-01')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(caseload(unreachable, reader('TOWNSHIP', ['clerk']), 'RESPONSIBLE_UNIT', TODAY, '2026-09-01')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses the person grouping, and only it, to a reader who may not read the responsible person', async () => {
    const r = reader('EDU', ['supervisor'], 'DropoutCase.responsiblePerson');
    await expect(caseload(unreachable, r, 'RESPONSIBLE_PERSON', TODAY, '2026-09-01')).rejects.toThrow(/DropoutCase\.responsiblePerson/);
    await expect(caseload(unreachable, r, 'RESPONSIBLE_UNIT', TODAY, '2026-09-01')).rejects.toThrow('the database was queried');
  });
});
