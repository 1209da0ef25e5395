import 'reflect-metadata';
import { type GraphQLField, type GraphQLSchema, isObjectType } from 'graphql';
import { ALL_DEPARTMENTS, ROLES } from '../auth/identity';
import { ForbiddenError } from '../core/errors';
import { securedSchema } from '../schema';
import { accessFor, MATRIX } from './access';
import { compileForAccess, isRefusal } from './field-guard';
import { ROLE_RULES } from './matrix';

/**
 * The compiled executor runs code compiled for each reader's access (compileForAccess): while it
 * compiles, every matrix field must resolve as that access allows, and afterwards the guards
 * graphql-js runs on must be back, whatever happened.
 */
const schema: GraphQLSchema = securedSchema();

function matrixFields(): Array<{ key: string; field: GraphQLField<unknown, unknown> }> {
  const out: Array<{ key: string; field: GraphQLField<unknown, unknown> }> = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) if (MATRIX.has(`${type.name}.${field.name}`)) out.push({ key: `${type.name}.${field.name}`, field });
  }
  return out;
}

const fields = matrixFields();
const guards = () => fields.map(({ field }) => field.resolve);
const accesses = ALL_DEPARTMENTS.flatMap((dept) => ROLES.filter((role) => !ROLE_RULES[role].departments || ROLE_RULES[role].departments!.includes(dept)).map((role) => accessFor({ dept, roles: [role] })));

it('covers every matrix field of the schema', () => {
  expect(fields.map((f) => f.key).sort()).toEqual([...MATRIX.keys()].sort());
});

it.each(accesses.map((access) => [access.key, access] as const))('gives the fields %s may read their own resolvers, and refusals to the others', (_key, access) => {
  const before = guards();
  let checked = 0;
  compileForAccess(schema, access, () => {
    for (const [i, { key, field }] of fields.entries()) {
      expect(field.resolve).not.toBe(before[i]);
      if (access.canRead(key)) {
        // Its own resolver, or none for a plain property: never the guard, never a refusal.
        expect(isRefusal(field.resolve)).toBe(false);
      } else {
        expect(isRefusal(field.resolve)).toBe(true);
        const refused = field.resolve!({ [field.name]: 'a value' }, {}, {}, {} as never);
        expect(refused).toBeInstanceOf(ForbiddenError);
        expect((refused as ForbiddenError).message).toContain(key);
      }
      checked++;
    }
  });
  expect(checked).toBe(fields.length);
  expect(guards()).toEqual(before);
});

it('puts the guards back when compiling fails', () => {
  const before = guards();
  expect(() => compileForAccess(schema, accesses[0], () => {
    throw new Error('compile failed');
  })).toThrow('compile failed');
  expect(guards()).toEqual(before);
});

it('keys code by department and roles, whatever their order', () => {
  expect(accessFor({ dept: 'EDU', roles: ['supervisor', 'clerk'] }).key).toBe(accessFor({ dept: 'EDU', roles: ['clerk', 'supervisor'] }).key);
  expect(accessFor({ dept: 'EDU', roles: ['clerk'] }).key).not.toBe(accessFor({ dept: 'PSB', roles: ['clerk'] }).key);
});
