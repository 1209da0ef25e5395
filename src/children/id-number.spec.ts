import { checkCharacter, idNumberProblem, isRealDate, makeIdNumber, parseIdNumber } from './id-number';

// A small deterministic generator, so that a failure names a reproducible case.
function* numbers(count: number): Generator<string> {
  let state = 20201;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  for (let i = 0; i < count; i++) {
    const year = 2008 + next(12);
    const month = String(1 + next(12)).padStart(2, '0');
    const day = String(1 + next(28)).padStart(2, '0');
    yield makeIdNumber(`3501${String(2 + next(80)).padStart(2, '0')}`, `${year}-${month}-${day}`, next(1000));
  }
}

describe('ID-card numbers (GB 11643)', () => {
  it('accepts the standard worked example', () => {
    // The example from GB 11643-1999 appendix: 11010519491231002X.
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(idNumberProblem('11010519491231002X')).toBeNull();
  });

  it('parses the birth date and gender', () => {
    expect(parseIdNumber(makeIdNumber('350102', '2014-03-09', 123))).toEqual({
      addressCode: '350102', birthDate: '2014-03-09', gender: 'MALE',
    });
    expect(parseIdNumber(makeIdNumber('350102', '2014-03-09', 124))?.gender).toBe('FEMALE');
  });

  it('rejects malformed numbers with a reason', () => {
    expect(idNumberProblem('35010220140309123')).toMatch(/18/);
    expect(idNumberProblem('35010220140309123x')).toMatch(/18/);
    expect(idNumberProblem(makeIdNumber('990102', '2014-03-09', 1))).toMatch(/province/);
    expect(idNumberProblem('350102' + '20140230' + '123' + '0')).toMatch(/birth date/);
  });

  it('catches every single-character substitution', () => {
    let cases = 0;
    for (const valid of numbers(200)) {
      for (let pos = 0; pos < 18; pos++) {
        for (const ch of '0123456789X') {
          if (ch === valid[pos] || (ch === 'X' && pos < 17)) continue;
          const wrong = valid.slice(0, pos) + ch + valid.slice(pos + 1);
          expect(idNumberProblem(wrong)).not.toBeNull();
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(200 * 17 * 9);
  });

  it('catches every adjacent transposition of different characters', () => {
    let cases = 0;
    for (const valid of numbers(500)) {
      for (let pos = 0; pos < 17; pos++) {
        if (valid[pos] === valid[pos + 1]) continue;
        const swapped = valid.slice(0, pos) + valid[pos + 1] + valid[pos] + valid.slice(pos + 2);
        if (swapped.slice(0, 17).includes('X')) continue; // not even well-formed
        expect(idNumberProblem(swapped)).not.toBeNull();
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(500 * 8);
  });

  it('knows which dates exist', () => {
    expect(isRealDate('2016-02-29')).toBe(true);
    expect(isRealDate('2015-02-29')).toBe(false);
    expect(isRealDate('2015-13-01')).toBe(false);
  });

  it('agrees with the calendar JavaScript keeps, for every day of four centuries and malformed text', () => {
    const byDate = (value: string) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
      const date = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let checked = 0;
    for (const year of [0, 4, 100, 1600, 1700, 1899, 1900, 1999, 2000, 2004, 2015, 2016, 2024, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const value = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect([value, isRealDate(value)]).toEqual([value, byDate(value)]);
          checked++;
        }
      }
    }
    expect(checked).toBe(16 * 14 * 33);
    for (const bad of ['', '2016-2-29', '2016/02/29', '2016-02-29 ', ' 2016-02-29', '２０１６-02-29', '2016-0a-01', '2016-02-3x', '+2016-02-29', '20160-2-29', '2016-02-29T00']) {
      expect([bad, isRealDate(bad)]).toEqual([bad, false]);
    }
  });
});
