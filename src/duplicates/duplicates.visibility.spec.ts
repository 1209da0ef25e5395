import { ALL_DEPARTMENTS, DEPARTMENTS, ROLES } from '../auth/identity';
import { Access } from '../permissions/access';
import { seesDuplicates } from './duplicates.visibility';

/** Every department with every single role, and with two roles at once. */
const everyone = ALL_DEPARTMENTS.flatMap((dept) => [
  ...ROLES.map((role) => new Access(dept, [role])),
  ...ROLES.flatMap((first, i) => ROLES.slice(i + 1).map((second) => new Access(dept, [first, second]))),
]);
const name = (a: Access) => `${a.dept}:${a.roles.join('+')}`;

describe('who sees duplicate pairs', () => {
  it('the departments that read every field a pair shows unmasked, with row access (EDU, PSB, DPF), and the six departments\' supervisors', () => {
    const seeing = everyone.filter(seesDuplicates);
    expect([...new Set(seeing.filter((a) => !a.roles.includes('supervisor')).map((a) => a.dept))].sort()).toEqual(['DPF', 'EDU', 'PSB']);
    expect(seeing.filter((a) => !['EDU', 'PSB', 'DPF'].includes(a.dept)).every((a) => a.roles.includes('supervisor'))).toBe(true);
    expect(everyone.filter((a) => a.roles.includes('supervisor') && (DEPARTMENTS as readonly string[]).includes(a.dept)).every(seesDuplicates)).toBe(true);
  });

  // Issue 16's "same household id where the reader may see it": `DuplicatePair.sameHousehold` is
  // told to readers of pairs who also read household ids. Today those are supervisors alone (the
  // department that keeps household ids, POVERTY, reads ID numbers masked and sees no pairs), which
  // is why it is not part of the score: the score means the same to every reader of the pair.
  it('among readers of pairs, only supervisors read household ids', () => {
    const both = everyone.filter((a) => seesDuplicates(a) && a.canRead('PovertyRecord.householdId'));
    expect(both.length).toBeGreaterThan(0);
    expect(both.filter((a) => !a.roles.includes('supervisor')).map(name)).toEqual([]);
  });
});
