import { getNullableType, isNonNullType, isObjectType } from 'graphql';
import { ALL_DEPARTMENTS, ROLES } from '../auth/identity';
import { buildHubSchema } from '../schema';
import { Access, MATRIX } from './access';
import { ruleFor } from './shield';

const schema = buildHubSchema();
const objectFields = Object.values(schema.getTypeMap())
  .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
  .flatMap((t) => Object.entries((t as ReturnType<typeof schema.getQueryType> & object).getFields()).map(([name, field]) => ({ type: t.name, name, field })));

/** Every department with every single role: the identities the hub can meet. */
const everyone = ALL_DEPARTMENTS.flatMap((dept) => ROLES.map((role) => new Access(dept, [role])));

describe('the permission matrix covers the schema', () => {
  it('gives every field of every type a rule (no fallback decides anything)', () => {
    const uncovered = objectFields.filter((f) => !ruleFor(f.type, f.name)).map((f) => `${f.type}.${f.name}`);
    expect(uncovered).toEqual([]);
    expect(objectFields.length).toBeGreaterThan(100);
  });

  it('names no field the schema does not have', () => {
    const known = new Set(objectFields.map((f) => `${f.type}.${f.name}`));
    expect([...MATRIX.keys()].filter((key) => !known.has(key))).toEqual([]);
  });

  it('makes every field that someone may be denied nullable, so a denial never blanks its parent', () => {
    const risky = [...MATRIX.keys()].filter((key) => {
      const [type, name] = key.split('.');
      const field = objectFields.find((f) => f.type === type && f.name === name)!;
      const deniedToSomeone = everyone.some((a) => a.level(key) === '-' && a.level(`${type}.id`) !== '-');
      return deniedToSomeone && isNonNullType(field.field.type);
    });
    expect(risky).toEqual([]);
  });

  it('lets a section be read exactly when some field of it can be', () => {
    for (const access of everyone) {
      for (const { type, name, field } of objectFields.filter((f) => f.type === 'Child')) {
        const inner = getNullableType(field.type);
        const target = 'ofType' in inner ? getNullableType((inner as { ofType: never }).ofType) : inner;
        if (!isObjectType(target) || !MATRIX.has(`${type}.${name}`) || !Object.keys(target.getFields()).some((f) => MATRIX.has(`${target.name}.${f}`))) continue;
        const anyField = Object.keys(target.getFields()).some((f) => access.canRead(`${target.name}.${f}`));
        expect(`${access.dept}/${access.roles} ${name}: ${access.canRead(`Child.${name}`)}`).toBe(`${access.dept}/${access.roles} ${name}: ${anyField}`);
      }
    }
  });

  it('shows a certificate number (the ID number plus two digits) unmasked only to whom the ID number is', () => {
    const unmasked = (a: Access, key: string) => a.level(key) === 'R' || a.level(key) === 'W';
    const inconsistent = everyone.filter((a) => unmasked(a, 'DisabilityRecord.certificateNo') && !unmasked(a, 'Child.idNumber'));
    expect(inconsistent.map((a) => `${a.dept}/${a.roles}`)).toEqual([]);
  });

  it('writes only for clerks of the owning department, and assessments only for the panel\'s experts', () => {
    const owners: Record<string, string[]> = {
      EducationRecord: ['EDU'], PublicSecurityRecord: ['PSB'], CivilAffairsRecord: ['CIVIL'], PovertyRecord: ['POVERTY'],
      HealthRecord: ['HEALTH'], DisabilityRecord: ['DPF'], DropoutCase: ['EDU'], PersuasionVisit: ['EDU', 'TOWNSHIP'],
      HomeTeaching: ['EDU'], HomeTeachingVisit: ['EDU'], EnrollmentNotice: ['EDU'], 'Child.township': ['EDU', 'PSB'],
      'DropoutCase.policeConfirmedOn': ['PSB'], 'DropoutCase.policeConfirmedBy': ['PSB'],
    };
    for (const access of everyone) {
      for (const key of MATRIX.keys()) {
        if (!access.canWrite(key)) continue;
        const type = key.split('.')[0];
        if (type === 'Assessment') {
          expect(`${key} ${access.dept} ${access.roles}`).toMatch(/ (EDU|HEALTH|DPF) expert$/);
          continue;
        }
        expect(`${key} ${access.roles}`).toBe(`${key} clerk`);
        const allowed = owners[key] ?? owners[type];
        if (allowed) expect(`${key} ${access.dept}`).toBe(`${key} ${allowed.includes(access.dept) ? access.dept : allowed[0]}`);
      }
    }
  });
});
