import { makeIdNumber } from '../children/id-number';
import { BEST_WITH_DIFFERENT_NAMES, DUPLICATE_FEATURES, type MatchRecord, PairScorer, THRESHOLDS } from './duplicate.scoring';
import { fuzzySyllable, nameSound, type Pinyin } from './name-sound';

/** A few characters' readings, standing in for the pinyin library in these tests. */
const READINGS: Record<string, string> = { 陈: 'chen', 晨: 'chen', 程: 'cheng', 林: 'lin', 凌: 'ling', 伟: 'wei', 玮: 'wei', 张: 'zhang', 王: 'wang', 芳: 'fang', 明: 'ming', 敏: 'min', 小: 'xiao' };
const pinyin: Pinyin = { syllables: (name) => [...name].map((c) => READINGS[c] ?? c) };

const base: MatchRecord = {
  id: 'a', idNumber: makeIdNumber('350102', '2015-03-12', 101), name: '陈伟', gender: 'MALE', birthDate: '2015-03-12',
  hukouRegion: '350102', residenceRegion: '350102', township: null,
};
const scorer = new PairScorer(pinyin);

describe('pair scoring', () => {
  it('a pair with different names cannot reach POSSIBLE, so the sweep may skip scoring it (namesMayMatch)', () => {
    const best = Object.entries(DUPLICATE_FEATURES).filter(([k, f]) => k !== 'NAME_DIFFERENT' && !k.startsWith('NAME_') && f.weight > 0);
    // Birth date, gender, the best ID-number feature, both regions and the township: what BEST_WITH_DIFFERENT_NAMES adds up.
    expect(best.map(([k]) => k).sort()).toEqual(['BIRTH_DATE_NEAR', 'BIRTH_DATE_SAME', 'GENDER_SAME', 'HUKOU_SAME', 'ID_NUMBER_ONE_DIGIT', 'ID_NUMBER_SWAPPED', 'RESIDENCE_SAME', 'TOWNSHIP_SAME'].sort());
    expect(BEST_WITH_DIFFERENT_NAMES).toBeLessThan(THRESHOLDS.POSSIBLE);
    const scorer = new PairScorer();
    const a = { id: 'a', idNumber: makeIdNumber('350102', '2015-03-12', 123), name: '陈伟', gender: 'MALE', birthDate: '2015-03-12', hukouRegion: '350102', residenceRegion: '350102', township: '350102001' };
    const b = { ...a, id: 'b', idNumber: makeIdNumber('350102', '2015-03-12', 213), name: '黄志强' };
    expect(scorer.namesMayMatch(a.name, b.name)).toBe(false);
    expect(scorer.score(a, b)).toMatchObject({ score: BEST_WITH_DIFFERENT_NAMES, band: null });
    for (const other of ['陈伟', '程伟', '陈玮', '陈伟强']) expect([other, scorer.namesMayMatch('陈伟', other)]).toEqual([other, true]);
  });

  it('merges the initials and finals that are heard alike', () => {
    expect(['zhang', 'cheng', 'shi', 'niu', 'fang', 'ling'].map(fuzzySyllable)).toEqual(['zan', 'cen', 'si', 'liu', 'han', 'lin']);
    expect(nameSound('陈伟', pinyin)).toEqual({ exact: 'chen wei', fuzzy: 'cen wei' });
    expect(nameSound('程伟', pinyin).fuzzy).toBe(nameSound('陈伟', pinyin).fuzzy);
  });

  it('the same child registered without an ID number is likely, and says why', () => {
    const s = scorer.score(base, { ...base, id: 'b', idNumber: null });
    expect(s.features).toEqual(['NAME_SAME', 'BIRTH_DATE_SAME', 'GENDER_SAME', 'ID_NUMBER_MISSING', 'HUKOU_SAME', 'RESIDENCE_SAME']);
    expect(s).toMatchObject({ score: 12.5, band: 'LIKELY' });
  });

  it('a homophone (陈/晨) in another county, no number: possible', () => {
    const s = scorer.score(base, { ...base, id: 'b', idNumber: null, name: '晨伟', hukouRegion: '350103', residenceRegion: '350103' });
    expect(s.features).toEqual(['NAME_HOMOPHONE', 'BIRTH_DATE_SAME', 'GENDER_SAME', 'ID_NUMBER_MISSING']);
    expect(s).toMatchObject({ score: 9, band: 'POSSIBLE' });
  });

  it('a near-homophone (陈/程, -en/-eng) is recognised', () => {
    expect(scorer.score(base, { ...base, id: 'b', idNumber: null, name: '程伟' }).features).toContain('NAME_NEAR_HOMOPHONE');
  });

  it('a number with two adjacent digits swapped, the check character recomputed, is likely', () => {
    const swapped = makeIdNumber('350102', '2015-03-12', 110);
    const s = scorer.score(base, { ...base, id: 'b', idNumber: swapped });
    expect(s.features).toContain('ID_NUMBER_SWAPPED');
    expect(s.band).toBe('LIKELY');
  });

  it('a swap in the birth-date digits shows in the birth date too', () => {
    const b = { ...base, id: 'b', idNumber: makeIdNumber('350102', '2015-03-21', 101), birthDate: '2015-03-21', name: '陈玮' };
    const s = scorer.score(base, b);
    expect(s.features).toEqual(['NAME_HOMOPHONE', 'BIRTH_DATE_NEAR', 'GENDER_SAME', 'ID_NUMBER_SWAPPED', 'HUKOU_SAME', 'RESIDENCE_SAME']);
    expect(s.band).toBe('LIKELY');
  });

  it('two valid, unrelated ID numbers outweigh a shared name and birthday (twins, namesakes)', () => {
    const s = scorer.score(base, { ...base, id: 'b', idNumber: makeIdNumber('350102', '2015-03-12', 357) });
    expect(s.features).toContain('ID_NUMBER_DIFFERENT');
    expect(s.band).toBeNull();
  });

  it('twins without numbers, names one character apart, are only possible; a different gender is nothing', () => {
    const twin = { ...base, id: 'b', idNumber: null, name: '陈小伟' };
    expect(scorer.score({ ...base, idNumber: null }, twin)).toMatchObject({ band: 'POSSIBLE' });
    expect(scorer.score({ ...base, idNumber: null }, { ...twin, gender: 'FEMALE', name: '陈芳' }).band).toBeNull();
  });

  it('without a pinyin library, names compare by character', () => {
    const plain = new PairScorer({ syllables: (n) => [...n] });
    expect(plain.score(base, { ...base, id: 'b', idNumber: null, name: '晨伟' }).features).toContain('NAME_ONE_CHARACTER');
  });
});

describe('with pinyin-pro', () => {
  const real = new PairScorer();
  it('hears 陈/晨 as the same name and 陈/程 as nearly the same', () => {
    expect(real.score(base, { ...base, id: 'b', idNumber: null, name: '晨伟' }).features).toContain('NAME_HOMOPHONE');
    expect(real.score(base, { ...base, id: 'b', idNumber: null, name: '程伟' }).features).toContain('NAME_NEAR_HOMOPHONE');
    expect(real.score(base, { ...base, id: 'b', idNumber: null, name: '林伟' }).features).toContain('NAME_ONE_CHARACTER');
  });
});

describe('ID numbers issued one after another', () => {
  it('are two children born the same day, not a typo; one digit apart in the birth date is a typo', () => {
    const sibling = { ...base, id: 'b', name: '陈小明', idNumber: makeIdNumber('350102', '2015-03-12', 103) };
    expect(scorer.score(base, sibling)).toMatchObject({ band: null });
    expect(scorer.score(base, sibling).features).toContain('ID_NUMBER_SEQUENCE_NEAR');
    const typo = { ...base, id: 'b', idNumber: makeIdNumber('350102', '2015-03-13', 101), birthDate: '2015-03-13' };
    expect(scorer.score(base, typo).features).toEqual(['NAME_SAME', 'BIRTH_DATE_NEAR', 'GENDER_SAME', 'ID_NUMBER_ONE_DIGIT', 'HUKOU_SAME', 'RESIDENCE_SAME']);
    expect(scorer.score(base, typo).band).toBe('LIKELY');
  });
});
