import { ageOn, MAX_AGE, MIN_AGE, UUID } from '../src/children/child.validation';
import { idNumberProblem, parseIdNumber } from '../src/children/id-number';
import { Clock } from '../src/core/clock';
import { regions } from '../src/regions/region.registry';
import { ChildGenerator, generateChildren } from './generator';

const clock = new Clock('2026-03-15');
const schoolYear = clock.schoolYearStart();
const children = generateChildren(clock, { seed: 42 }, 20_000);

describe('synthetic children', () => {
  it('are the same for the same seed, whatever the batching', () => {
    const again = new ChildGenerator(clock, { seed: 42 });
    expect([...again.take(7), ...again.take(493)]).toEqual(children.slice(0, 500));
    expect(generateChildren(clock, { seed: 43 }, 50).map((c) => c.id)).not.toEqual(children.slice(0, 50).map((c) => c.id));
  });

  it('have valid, unique ID numbers that agree with county, birth date and gender', () => {
    const withNumber = children.filter((c) => c.idNumber !== null);
    expect(children.filter((c) => c.idNumber === null && c.publicSecurity?.hukouStatus !== 'NO_HUKOU')).toEqual([]);
    expect(withNumber.filter((c) => idNumberProblem(c.idNumber!) !== null)).toEqual([]);
    const disagreeing = withNumber.filter((c) => {
      const parsed = parseIdNumber(c.idNumber!)!;
      return parsed.addressCode !== c.hukouRegion || parsed.birthDate !== c.birthDate || parsed.gender !== c.gender;
    });
    expect(disagreeing).toEqual([]);
    expect(new Set(withNumber.map((c) => c.idNumber)).size).toBe(withNumber.length);
  });

  it('never share an ID number with a run whose seed differs modulo 24', () => {
    const other = new Set(generateChildren(clock, { seed: 43 }, 20_000).map((c) => c.idNumber));
    expect(children.filter((c) => c.idNumber !== null && other.has(c.idNumber))).toEqual([]);
  });

  it('are of compulsory-education age on the first day of the school year', () => {
    const ages = children.map((c) => ageOn(c.birthDate, schoolYear));
    expect(Math.min(...ages)).toBe(MIN_AGE);
    expect(Math.max(...ages)).toBe(MAX_AGE);
    expect(children.filter((c) => c.birthDate > clock.today())).toEqual([]);
  });

  it('have unique version-4 UUIDs', () => {
    const ids = children.flatMap((c) => [c.id, ...(c.dropoutCase ? [c.dropoutCase.id] : [])]);
    expect(ids.filter((id) => !UUID.test(id) || id[14] !== '4')).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are in the grade of their stage, roughly their age minus five', () => {
    const wrong = children.filter(({ education, birthDate }) => {
      if (!education) return false;
      const grade = education.grade!;
      const expected = Math.min(ageOn(birthDate, schoolYear) - 5, 9);
      return education.stage !== (grade <= 6 ? 'PRIMARY' : 'JUNIOR_SECONDARY') || grade < 1 || grade > 9 || Math.abs(grade - expected) > 1;
    });
    expect(wrong).toEqual([]);
  });

  it('put every dropout on the ledger, and only closed cases on children back in some form of schooling', () => {
    for (const child of children) {
      if (child.education?.status === 'DROPPED_OUT') expect(child.dropoutCase).not.toBeNull();
      const dropoutCase = child.dropoutCase;
      if (!dropoutCase) continue;
      const open = dropoutCase.status === 'OPEN' || dropoutCase.status === 'PERSUADING';
      expect(dropoutCase.closedOn === null).toBe(open);
      if (open) expect(child.education?.status).toBe('DROPPED_OUT');
      if (dropoutCase.closedOn) expect(dropoutCase.closedOn > dropoutCase.openedOn).toBe(true);
      expect(dropoutCase.openedOn <= clock.today()).toBe(true);
    }
  });

  it('have the shares the brief describes', () => {
    const share = (test: (c: (typeof children)[number]) => boolean) => children.filter(test).length / children.length;
    expect(share((c) => c.education !== null)).toBeCloseTo(0.98, 1);
    expect(share((c) => c.education?.status === 'DROPPED_OUT')).toBeGreaterThan(0.006);
    expect(share((c) => c.education?.status === 'DROPPED_OUT')).toBeLessThan(0.016);
    expect(share((c) => c.publicSecurity !== null)).toBeCloseTo(0.95, 1);
    expect(share((c) => c.hukouRegion !== c.residenceRegion)).toBeCloseTo(0.08, 1);
    const poverty = (suffix: string) => {
      const inKind = children.filter((c) => nameOf(c.hukouRegion).endsWith(suffix));
      return inKind.filter((c) => c.poverty).length / inKind.length;
    };
    expect(poverty('县')).toBeGreaterThan(3 * poverty('区'));
  });

  it('have disability certificates made of the ID number, the type digit and the level digit', () => {
    const digits = ['VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE'];
    const disabled = children.filter((c) => c.disability?.certificateNo);
    expect(disabled.length).toBeGreaterThan(100);
    for (const { disability, idNumber } of disabled) {
      expect(disability!.certificateNo).toBe(`${idNumber}${digits.indexOf(disability!.disabilityType) + 1}${disability!.disabilityLevel}`);
    }
  });

  it('stay in the counties asked for, weighted as asked', () => {
    const chosen = generateChildren(clock, { seed: 7, counties: ['350102', '350103'], weights: { 350102: 9, 350103: 1 } }, 2000);
    expect(new Set(chosen.flatMap((c) => [c.hukouRegion, c.residenceRegion]))).toEqual(new Set(['350102', '350103']));
    expect(chosen.filter((c) => c.hukouRegion === '350102').length).toBeGreaterThan(1700);
    expect(() => generateChildren(clock, { seed: 7, counties: ['350100'] }, 1)).toThrow('not a Fujian county-level code');
  });
});

function nameOf(code: string): string {
  return regions.get(code)!.name;
}
