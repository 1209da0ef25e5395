/**
 * Explainable scoring of a pair of child records (after Fellegi and Sunter, as Splink and dedupe
 * do it): each feature that holds adds its weight, roughly the log-odds it gives that the two are
 * one child; the score is their sum, and the features that held are the explanation shown to the
 * reviewer. Weights are fixed here, not learnt, so that a reviewer can recompute a score by hand.
 */
import { type NameSound, nameSound, type Pinyin } from './name-sound';
import type { RegisteredChild } from '../children/registration-check';

export const DUPLICATE_FEATURES = {
  NAME_SAME: { weight: 6, label: '姓名相同 same name' },
  NAME_HOMOPHONE: { weight: 4.5, label: '姓名同音 names sound the same (同音字)' },
  NAME_NEAR_HOMOPHONE: { weight: 3.5, label: '姓名近音 names sound nearly the same (平翘舌、前后鼻音、n/l、f/h)' },
  NAME_ONE_CHARACTER: { weight: 3, label: '姓名仅差一字 names one character apart' },
  NAME_DIFFERENT: { weight: -6, label: '姓名不同 different names' },
  BIRTH_DATE_SAME: { weight: 4, label: '出生日期相同 same birth date' },
  BIRTH_DATE_NEAR: { weight: 1.5, label: '出生日期差一位数字或两位互换 birth dates one digit or one swap apart' },
  GENDER_SAME: { weight: 0.5, label: '性别相同 same gender' },
  GENDER_DIFFERENT: { weight: -4, label: '性别不同 different gender' },
  ID_NUMBER_SWAPPED: { weight: 5, label: '身份证号仅两位相邻数字互换 ID numbers one swap of adjacent digits apart' },
  ID_NUMBER_ONE_DIGIT: { weight: 5, label: '身份证号的地址码或出生日期差一位 ID numbers one digit apart in the address or birth date' },
  ID_NUMBER_SEQUENCE_NEAR: { weight: -5, label: '身份证号仅顺序码差一位：多为同日同地出生的两名儿童 ID numbers one digit apart in the sequence: usually two children born the same day in one place' },
  ID_NUMBER_DIFFERENT: { weight: -8, label: '身份证号不同 different ID numbers' },
  ID_NUMBER_MISSING: { weight: 0, label: '一方或双方无身份证号 one or both without an ID number' },
  HUKOU_SAME: { weight: 1, label: '户籍地相同 same hukou county' },
  RESIDENCE_SAME: { weight: 1, label: '居住地相同 same county of residence' },
  TOWNSHIP_SAME: { weight: 0.5, label: '乡镇（街道）相同 same township' },
} as const;

export type DuplicateFeature = keyof typeof DUPLICATE_FEATURES;

/** A pair at or above LIKELY is very probably one child; at or above POSSIBLE it is worth a look. */
export const THRESHOLDS = { LIKELY: 10, POSSIBLE: 7 } as const;
export type DuplicateBand = keyof typeof THRESHOLDS;

/**
 * What scoring reads of a child: the fields every reader of a pair may read (duplicates.visibility.ts),
 * which are those a registration gives the check.
 */
export type MatchRecord = RegisteredChild;

export interface PairScore {
  readonly score: number;
  readonly band: DuplicateBand | null;
  /** In the order of DUPLICATE_FEATURES: the same pair always reads the same. */
  readonly features: DuplicateFeature[];
}

/** Same length, and exactly one position differs. */
function oneApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length && diff < 2; i++) if (a[i] !== b[i]) diff++;
  return diff === 1;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** Same length, and equal but for one pair of adjacent characters swapped. */
function oneSwapApart(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** Levenshtein distance of at most one, by character (so one Han character is one edit). */
function oneEditApart(a: readonly string[], b: readonly string[]): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1).join('') === b.slice(i + 1).join('') && i < a.length;
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(i + 1).join('') === shorter.slice(i).join('');
}

/**
 * The most a pair can score whose names are different (not the same, not alike in sound, not one
 * character apart): every other feature at its best. Below POSSIBLE, so such a pair is never
 * proposed and a sweep need not score it (`namesMayMatch`); duplicate.scoring.spec.ts holds it so.
 */
export const BEST_WITH_DIFFERENT_NAMES = DUPLICATE_FEATURES.NAME_DIFFERENT.weight + DUPLICATE_FEATURES.BIRTH_DATE_SAME.weight + DUPLICATE_FEATURES.GENDER_SAME.weight
  + Math.max(DUPLICATE_FEATURES.ID_NUMBER_SWAPPED.weight, DUPLICATE_FEATURES.ID_NUMBER_ONE_DIGIT.weight, DUPLICATE_FEATURES.ID_NUMBER_MISSING.weight)
  + DUPLICATE_FEATURES.HUKOU_SAME.weight + DUPLICATE_FEATURES.RESIDENCE_SAME.weight + DUPLICATE_FEATURES.TOWNSHIP_SAME.weight;

const weight = (feature: DuplicateFeature) => DUPLICATE_FEATURES[feature].weight;
/** The best of some features, or none of them (0) when that is better: as SQL, in parentheses. */
const best = (...features: DuplicateFeature[]) => `(${Math.max(0, ...features.map(weight))})`;
const sql = (n: number) => `(${n})`;

/**
 * The most a pair can score, as SQL over two rows `c` and `n` that have a child's columns (`n`'s
 * name trimmed): each feature at its best unless the columns alone rule it out. Whether names
 * sound alike or are one character apart, and whether two birth dates are one digit apart, are
 * left to `score`; two ID numbers one digit or one swap apart in their first 17 differ at most in
 * two adjacent places, so they agree on the first 7 or on the 10th to the 17th. A pair below
 * POSSIBLE by this is below it by `score`, so the check's lookup leaves it out
 * (tests/e2e/duplicates-bound.test.ts holds it so, on the database).
 */
export function bestScoreSql(c: string, n: string): string {
  const name = `CASE WHEN strpos(${c}.name, ${n}.name) > 0 THEN ${sql(weight('NAME_SAME'))} ELSE ${best('NAME_HOMOPHONE', 'NAME_NEAR_HOMOPHONE', 'NAME_ONE_CHARACTER', 'NAME_DIFFERENT')} END`;
  const birth = `CASE WHEN ${c}.birth_date = ${n}.birth_date THEN ${sql(weight('BIRTH_DATE_SAME'))} ELSE ${best('BIRTH_DATE_NEAR')} END`;
  const gender = `CASE WHEN ${c}.gender = ${n}.gender THEN ${sql(weight('GENDER_SAME'))} ELSE ${sql(weight('GENDER_DIFFERENT'))} END`;
  const number = `CASE WHEN ${c}.id_number IS NULL OR ${n}.id_number IS NULL THEN ${sql(weight('ID_NUMBER_MISSING'))}
    WHEN left(${c}.id_number, 7) = left(${n}.id_number, 7) OR substr(${c}.id_number, 10, 8) = substr(${n}.id_number, 10, 8)
      THEN ${best('ID_NUMBER_SWAPPED', 'ID_NUMBER_ONE_DIGIT', 'ID_NUMBER_SEQUENCE_NEAR')}
    ELSE ${sql(weight('ID_NUMBER_DIFFERENT'))} END`;
  const same = (column: string, feature: DuplicateFeature) => `CASE WHEN ${c}.${column} = ${n}.${column} THEN ${sql(weight(feature))} ELSE 0 END`;
  return `(${name} + ${birth} + ${gender} + ${number} + ${same('hukou_region', 'HUKOU_SAME')} + ${same('residence_region', 'RESIDENCE_SAME')} + ${same('township', 'TOWNSHIP_SAME')})`;
}

export class PairScorer {
  private readonly sounds = new Map<string, NameSound>();

  constructor(private readonly pinyin?: Pinyin) {}

  sound(name: string): NameSound {
    let sound = this.sounds.get(name);
    if (!sound) {
      sound = nameSound(name, this.pinyin);
      if (this.sounds.size > 300_000) this.sounds.clear();
      this.sounds.set(name, sound);
    }
    return sound;
  }

  /** Whether two names hold any name feature but NAME_DIFFERENT: else the pair cannot reach POSSIBLE. */
  namesMayMatch(nameA: string, nameB: string): boolean {
    const [a, b] = [nameA.trim(), nameB.trim()];
    return a === b || this.sound(a).fuzzy === this.sound(b).fuzzy || oneEditApart([...a], [...b]);
  }

  score(a: MatchRecord, b: MatchRecord): PairScore {
    const held = new Set<DuplicateFeature>();
    const nameA = a.name.trim();
    const nameB = b.name.trim();
    if (nameA === nameB) held.add('NAME_SAME');
    else {
      const sa = this.sound(nameA);
      const sb = this.sound(nameB);
      if (sa.exact === sb.exact) held.add('NAME_HOMOPHONE');
      else if (sa.fuzzy === sb.fuzzy) held.add('NAME_NEAR_HOMOPHONE');
      else if (oneEditApart([...nameA], [...nameB])) held.add('NAME_ONE_CHARACTER');
      else held.add('NAME_DIFFERENT');
    }
    const birthA = a.birthDate.replaceAll('-', '');
    const birthB = b.birthDate.replaceAll('-', '');
    if (birthA === birthB) held.add('BIRTH_DATE_SAME');
    else if (oneApart(birthA, birthB) || oneSwapApart(birthA, birthB)) held.add('BIRTH_DATE_NEAR');
    held.add(a.gender === b.gender ? 'GENDER_SAME' : 'GENDER_DIFFERENT');
    if (!a.idNumber || !b.idNumber) held.add('ID_NUMBER_MISSING');
    else if (a.idNumber !== b.idNumber) {
      // The check character is left out: a mistyped digit usually breaks it, and the hub refuses such
      // a number, so a near miss that reached the hub came with a check character to match.
      const [pa, pb] = [a.idNumber.slice(0, 17), b.idNumber.slice(0, 17)];
      // The police issue the sequence (digits 15–17) in order, so children born the same day in one
      // county have numbers one sequence digit apart: that is two children far more often than a typo.
      if (oneSwapApart(pa, pb)) held.add('ID_NUMBER_SWAPPED');
      else if (oneApart(pa, pb)) held.add(firstDifference(pa, pb) >= 14 ? 'ID_NUMBER_SEQUENCE_NEAR' : 'ID_NUMBER_ONE_DIGIT');
      else if (pa === pb) held.add('ID_NUMBER_ONE_DIGIT');
      else held.add('ID_NUMBER_DIFFERENT');
    }
    if (a.hukouRegion === b.hukouRegion) held.add('HUKOU_SAME');
    if (a.residenceRegion === b.residenceRegion) held.add('RESIDENCE_SAME');
    if (a.township && a.township === b.township) held.add('TOWNSHIP_SAME');
    const features = (Object.keys(DUPLICATE_FEATURES) as DuplicateFeature[]).filter((f) => held.has(f));
    const score = Math.round(features.reduce((sum, f) => sum + DUPLICATE_FEATURES[f].weight, 0) * 10) / 10;
    const band: DuplicateBand | null = score >= THRESHOLDS.LIKELY ? 'LIKELY' : score >= THRESHOLDS.POSSIBLE ? 'POSSIBLE' : null;
    return { score, band, features };
  }
}
