import { ACTION_KINDS, actionLevel, readableActionKinds } from '../permissions/action-access';
import { ALL_DEPARTMENTS, ROLES } from '../auth/identity';
import { accessFor } from '../permissions/access';
import { allocate, drawSample, wilson } from './spot-check.sample';

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('spot-check sampling', () => {
  const frame = [...ids(60, 'a').map((id) => [id, '350102|OPEN'] as const), ...ids(30, 'b').map((id) => [id, '350102|CLOSED'] as const), ...ids(10, 'c').map((id) => [id, '350103|OPEN'] as const)];

  it('allocates proportionally by largest remainder, summing to the size and never past a stratum', () => {
    expect([...allocate(new Map([['x', 60], ['y', 30], ['z', 10]]), 10)]).toEqual([['x', 6], ['y', 3], ['z', 1]]);
    expect([...allocate(new Map([['x', 5], ['y', 3], ['z', 1]]), 4).values()].reduce((a, b) => a + b)).toBe(4);
    expect([...allocate(new Map([['x', 2], ['y', 1]]), 10)]).toEqual([['x', 2], ['y', 1]]);
  });

  it('draws the same sample from the same seed and root, another from another root', () => {
    const a = drawSample(frame, 10, 'seed-1', 'f'.repeat(64));
    expect(drawSample([...frame].reverse(), 10, 'seed-1', 'f'.repeat(64)).map((d) => d.caseId).sort()).toEqual(a.map((d) => d.caseId).sort());
    expect(a.filter((d) => d.stratum === '350102|OPEN')).toHaveLength(6);
    expect(drawSample(frame, 10, 'seed-1', 'e'.repeat(64)).map((d) => d.caseId)).not.toEqual(a.map((d) => d.caseId));
    expect(drawSample(frame, 10, 'seed-2', 'f'.repeat(64)).map((d) => d.caseId)).not.toEqual(a.map((d) => d.caseId));
  });

  it('gives every case of a stratum about the same chance (2,000 roots)', () => {
    const hits = new Map<string, number>();
    for (let r = 0; r < 2000; r++) for (const d of drawSample(frame.slice(90), 2, 's', r.toString(16).padStart(64, '0'))) hits.set(d.caseId, (hits.get(d.caseId) ?? 0) + 1);
    // 10 cases, 2 drawn: 400 each expected; a binomial(2000, 0.2) stays within ±80 with overwhelming probability.
    for (const n of hits.values()) expect(Math.abs(n - 400)).toBeLessThan(80);
  });

  it('computes the Wilson interval (values from Brown, Cai and DasGupta\'s formula by hand)', () => {
    const w = wilson(9, 10)!;
    expect(w.low).toBeCloseTo(0.5958, 3);
    expect(w.high).toBeCloseTo(0.9821, 3);
    expect(wilson(10, 10)!.low).toBeCloseTo(0.7225, 3);
    expect(wilson(10, 10)!.high).toBe(1);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('the action matrix', () => {
  const everyone = ALL_DEPARTMENTS.flatMap((dept) => ROLES.map((role) => ({ dept, roles: [role] as const })));

  it('tells an action\'s log entries to no one who may not read every kind', () => {
    for (const who of everyone) {
      const all = readableActionKinds(who).length === ACTION_KINDS.length;
      if (all) expect(accessFor(who).canRead('Child.supervisionActions')).toBe(true);
    }
  });

  it('lets analysts read nothing, liaisons write nothing, and only EDU supervisors interview counties', () => {
    for (const who of everyone) {
      for (const kind of ACTION_KINDS) {
        const level = actionLevel(who, kind);
        if (who.roles[0] === 'analyst') expect(level).toBe('-');
        if (level === 'S') expect(`${who.dept} ${who.roles[0]} ${kind}`).toBe(`EDU supervisor COUNTY_INTERVIEW`);
        if (level === 'W' || level === 'A') expect(who.roles[0]).toBe('clerk');
      }
    }
    expect(actionLevel({ dept: 'CIVIL', roles: ['clerk'] }, 'ASSISTANCE_REFERRAL')).toBe('A');
    expect(actionLevel({ dept: 'PSB', roles: ['clerk'] }, 'ASSISTANCE_REFERRAL')).toBe('-');
  });
});
