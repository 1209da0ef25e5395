import { checkCharacter, makeIdNumber } from '../../src/children/id-number';
import { bestScoreSql, type MatchRecord, PairScorer, THRESHOLDS } from '../../src/duplicates/duplicate.scoring';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * The registration check's lookup sends only the children that may reach POSSIBLE by the bound
 * `bestScoreSql` computes in the database (duplicate.blocking.ts). That bound must never fall
 * below what `score` gives the same pair, or a pair would be lost: checked here on the database
 * itself, over pairs made to sit at every edge of the features (names alike and stored with
 * spaces around them, dates and numbers one digit or one swap apart, missing numbers, counties
 * and townships shared or not).
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Same, homophones (陈/晨), near-homophones (陈/程), one character apart, different; some stored with spaces around. */
const NAMES = ['陈伟', '晨伟', '程伟', '陈玮', '陈小伟', '林伟', '王芳', '单伟', '善伟', '曾伟', ' 陈伟', '陈伟　', '阿依·买买提', '伟'];
const COUNTIES = ['350102', '350103', '350203'];
const TOWNSHIPS = [null, '350102001', '350102002'];

/** A date one digit or one swap of 'YYYYMMDD' from `date`, when that is a date; else `date`. */
function nearDate(date: string, next: () => number): string {
  const digits = [...date.replaceAll('-', '')];
  const at = Math.floor(next() * 7);
  if (next() < 0.5) [digits[at], digits[at + 1]] = [digits[at + 1], digits[at]];
  else digits[at] = String(Math.floor(next() * 10));
  const text = `${digits.slice(0, 4).join('')}-${digits.slice(4, 6).join('')}-${digits.slice(6).join('')}`;
  return Number.isNaN(Date.parse(`${text}T00:00:00Z`)) || new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) !== text ? date : text;
}

/** A number one swap, one digit or one sequence digit from `number` (the check character recomputed), or unrelated, or the same. */
function nearNumber(number: string, next: () => number): string {
  const digits = [...number.slice(0, 17)];
  const kind = Math.floor(next() * 5);
  const at = Math.floor(next() * 16);
  if (kind === 0) [digits[at], digits[at + 1]] = [digits[at + 1], digits[at]];
  else if (kind === 1) digits[at] = String((Number(digits[at]) + 1 + Math.floor(next() * 8)) % 10);
  else if (kind === 2) digits[16] = String((Number(digits[16]) + 2) % 10);
  else if (kind === 3) return makeIdNumber(COUNTIES[Math.floor(next() * 3)], '2014-07-30', Math.floor(next() * 999));
  else return number.slice(0, 17) + (number[17] === 'X' ? '0' : 'X');
  return digits.join('') + checkCharacter(digits.join(''));
}

function pairs(seed: number, n: number): Array<[MatchRecord, MatchRecord]> {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const birthDate = `2015-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 9)}`;
    const hukouRegion = pick(COUNTIES);
    const gender = next() < 0.5 ? 'MALE' : 'FEMALE';
    const idNumber = next() < 0.6 ? makeIdNumber(hukouRegion, birthDate, Math.floor(next() * 999)) : null;
    const probe: MatchRecord = { id: `p${i}`, idNumber, name: pick(NAMES).trim(), gender, birthDate, hukouRegion, residenceRegion: next() < 0.7 ? hukouRegion : pick(COUNTIES), township: pick(TOWNSHIPS) };
    const child: MatchRecord = {
      id: `c${i}`,
      idNumber: next() < 0.3 ? null : idNumber && next() < 0.8 ? nearNumber(idNumber, next) : makeIdNumber(pick(COUNTIES), birthDate, Math.floor(next() * 999)),
      name: next() < 0.4 ? (next() < 0.5 ? ` ${probe.name}` : probe.name) : pick(NAMES),
      gender: next() < 0.8 ? gender : gender === 'MALE' ? 'FEMALE' : 'MALE',
      birthDate: next() < 0.4 ? birthDate : next() < 0.7 ? nearDate(birthDate, next) : `2015-0${1 + Math.floor(next() * 9)}-2${Math.floor(next() * 9)}`,
      hukouRegion: next() < 0.6 ? hukouRegion : pick(COUNTIES),
      residenceRegion: next() < 0.6 ? probe.residenceRegion : pick(COUNTIES),
      township: next() < 0.5 ? probe.township : pick(TOWNSHIPS),
    };
    return [probe, child];
  });
}

const COLUMNS = ['name', 'birth_date', 'gender', 'id_number', 'hukou_region', 'residence_region', 'township'] as const;
const valuesOf = (r: MatchRecord) => [r.name, r.birthDate, r.gender, r.idNumber, r.hukouRegion, r.residenceRegion, r.township];

it('never puts a pair below what score gives it, and leaves out many that cannot be possible', async () => {
  const scorer = new PairScorer();
  const all = pairs(16, 4000);
  const side = (alias: string, k: number) => `unnest($${k * 7 + 1}::text[], $${k * 7 + 2}::date[], $${k * 7 + 3}::text[], $${k * 7 + 4}::text[], $${k * 7 + 5}::text[], $${k * 7 + 6}::text[], $${k * 7 + 7}::text[])
    WITH ORDINALITY AS ${alias}(${COLUMNS.join(', ')}, i)`;
  const params = [0, 1].flatMap((k) => COLUMNS.map((_, column) => all.map((pair) => valuesOf(pair[1 - k])[column])));
  const rows = await hub.sql<{ i: string; bound: string }>(`SELECT c.i, ${bestScoreSql('c', 'n')} AS bound FROM ${side('c', 0)} JOIN ${side('n', 1)} ON n.i = c.i ORDER BY c.i`, params);
  expect(rows).toHaveLength(all.length);
  const below: string[] = [];
  let possible = 0;
  let leftOut = 0;
  rows.forEach((row, k) => {
    const [probe, child] = all[k];
    const score = scorer.score(probe, child);
    if (Number(row.bound) < score.score) below.push(`${JSON.stringify(probe)} ${JSON.stringify(child)}: bound ${row.bound} < ${score.score} (${score.features.join(' ')})`);
    if (score.band) possible++;
    if (Number(row.bound) < THRESHOLDS.POSSIBLE) leftOut++;
  });
  expect(below).toEqual([]);
  // The test means something: many pairs at or above POSSIBLE, and many the bound leaves out.
  expect(possible).toBeGreaterThan(400);
  expect(leftOut).toBeGreaterThan(400);
});
