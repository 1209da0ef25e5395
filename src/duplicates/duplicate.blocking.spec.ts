import { makeIdNumber } from '../children/id-number';
import { birthMonth, forEachPairWithin } from './duplicate.blocking';
import { type MatchRecord, PairScorer } from './duplicate.scoring';

/**
 * The in-memory blocking (registration batches, the province-wide sweep) against the rule stated
 * directly: two records meet when their names may match and they share birth date and gender with
 * a county in common, or sound and birth month, or the number's first 14 digits; or, one of them
 * without a number, birth date and gender with a city in common, or sound and birth year. Every
 * such pair exactly once, nothing else; and the sweep's month-by-month pass finds the same pairs.
 */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NAMES = ['陈伟', '程伟', '陈玮', '林佳', '凌佳', '林佳怡', '黄强', '王芳', '陈伟强', '张敏'];
const COUNTIES = ['350102', '350103', '350104', '350203', '350205'];

function records(seed: number, n: number): MatchRecord[] {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const birthDate = `2015-0${1 + Math.floor(next() * 3)}-0${1 + Math.floor(next() * 3)}`;
    const hukouRegion = pick(COUNTIES);
    const residenceRegion = next() < 0.7 ? hukouRegion : pick(COUNTIES);
    const gender = next() < 0.5 ? 'MALE' : 'FEMALE';
    const withNumber = next() < 0.75;
    return { id: `r${i}`, idNumber: withNumber ? makeIdNumber(hukouRegion, birthDate, (gender === 'MALE' ? 1 : 0) + 2 * Math.floor(next() * 3)) : null,
      name: pick(NAMES), gender, birthDate, hukouRegion, residenceRegion, township: null };
  });
}

function expectedPairs(scorer: PairScorer, all: readonly MatchRecord[]): string[] {
  const out: string[] = [];
  const common = (a: string[], b: string[]) => a.some((x) => b.includes(x));
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [a, b] = [all[i], all[j]];
      if (!scorer.namesMayMatch(a.name, b.name)) continue;
      const sameDay = a.birthDate === b.birthDate && a.gender === b.gender;
      const sound = scorer.sound(a.name).fuzzy === scorer.sound(b.name).fuzzy;
      const meets = (sameDay && common([a.hukouRegion, a.residenceRegion], [b.hukouRegion, b.residenceRegion]))
        || (sound && birthMonth(a.birthDate) === birthMonth(b.birthDate))
        || (!!a.idNumber && !!b.idNumber && a.idNumber.slice(0, 14) === b.idNumber.slice(0, 14))
        || ((!a.idNumber || !b.idNumber) && ((sameDay && common([a.hukouRegion, a.residenceRegion].map((c) => c.slice(0, 4)), [b.hukouRegion, b.residenceRegion].map((c) => c.slice(0, 4))))
          || (sound && a.birthDate.slice(0, 4) === b.birthDate.slice(0, 4))));
      if (meets) out.push([a.id, b.id].sort().join(':'));
    }
  }
  return out.sort();
}

describe('blocking in memory', () => {
  it.each([1, 2, 3, 4, 5])('visits every pair the rule names exactly once, in one pass and month by month (seed %i)', (seed) => {
    const scorer = new PairScorer();
    const all = records(seed, 160);
    const expected = expectedPairs(scorer, all);
    expect(expected.length).toBeGreaterThan(50);

    const once: string[] = [];
    forEachPairWithin(scorer, all, (a, b) => once.push([a.id, b.id].sort().join(':')));
    expect(once.sort()).toEqual(expected);

    // As the sweep does it: a month's records, with the year's records without a number from other months.
    const byMonth: string[] = [];
    const months = [...new Set(all.map((r) => birthMonth(r.birthDate)))];
    for (const month of months) {
      const of = all.filter((r) => birthMonth(r.birthDate) === month);
      const others = all.filter((r) => !r.idNumber && birthMonth(r.birthDate) !== month);
      forEachPairWithin(scorer, of, (a, b) => byMonth.push([a.id, b.id].sort().join(':')), others);
    }
    expect(byMonth.sort()).toEqual(expected);
  });
});
