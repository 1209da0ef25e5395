import { defaultFieldResolver, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { ForbiddenError } from '../core/errors';
import type { RequestContext as AppContext } from '../core/context';
import { type Access, accessFor, MATRIX } from './access';

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

const forbidden = (field: string) => new ForbiddenError(`您的部门与角色无权读取 ${field} (your department and role may not read ${field})`);

type Resolver = GraphQLFieldResolver<unknown, AppContext>;

/** A matrix field of a guarded schema: its key, its own resolver (none for a plain property), its guard, and its refusal. */
interface GuardedField {
  readonly field: GraphQLField<unknown, AppContext>;
  readonly key: string;
  readonly own: Resolver | undefined;
  readonly guard: Resolver;
  readonly refuse: Resolver;
}

const guardedFields = new WeakMap<GraphQLSchema, GuardedField[]>();
const refusals = new WeakSet<Resolver>();

/** Whether a resolver is a matrix field's refusal (for compileForAccess's tests). */
export const isRefusal = (resolve: unknown): boolean => refusals.has(resolve as Resolver);

function refusal(key: string): Resolver {
  const refuse: Resolver = () => forbidden(key);
  refusals.add(refuse);
  return refuse;
}

/**
 * The matrix's field rules compiled into the resolvers of the data types: the check is one map
 * lookup in the access decided once for the request, and the original resolver runs
 * synchronously, so a page of thousands of fields pays no promise per field (graphql-shield's
 * per-field middleware cost a third more CPU on the federated page; tests/bench/micro-permissions).
 * Structural fields (pages, edges, regions, payloads) are left as they are: every operation that
 * reaches execution has a verified identity (the requireIdentity plugin). A field that is neither
 * is denied, like shield's fallback. Mutates the schema it is given, which must be a private copy.
 * graphql-js runs these guards; code compiled by graphql-jit is compiled for one access at a time
 * instead (compileForAccess), with no check left per field.
 */
export function guardDataFields(schema: GraphQLSchema, structural: ReadonlySet<string>): void {
  const fields: GuardedField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || ROOTS.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      if (MATRIX.has(key)) {
        const own = field.resolve as Resolver | undefined;
        const resolve: Resolver = own ?? defaultFieldResolver;
        const guard: Resolver = (parent, args, ctx, info) => (ctx.reader().access.canRead(key) ? resolve(parent, args, ctx, info) : forbidden(key));
        field.resolve = guard;
        fields.push({ field: field as GraphQLField<unknown, AppContext>, key, own, guard, refuse: refusal(key) });
      } else if (!structural.has(type.name)) {
        field.resolve = () => forbidden(key);
      }
    }
  }
  guardedFields.set(schema, fields);
}

/**
 * Runs `compile` (graphql-jit's compileQuery, which is synchronous and keeps the resolvers it
 * finds) with the matrix fields' resolvers decided for one access instead of per field: a field
 * the access may read has its own resolver, or none for a plain property, which the compiled code
 * then reads directly; a field it may not read refuses, as the guard would. The compiled query is
 * for that access only (compiled-executor.ts keys it by `Access.key`); a request runs the code
 * compiled for its own access. The guards are back in place before this returns, so graphql-js,
 * which runs on the same schema, always finds them. On the federated page this is a sixth of the
 * hub's CPU: thousands of guarded calls become property reads.
 */
export function compileForAccess<T>(schema: GraphQLSchema, access: Access, compile: () => T): T {
  const fields = guardedFields.get(schema);
  if (!fields) throw new Error('compileForAccess: the schema has no guarded fields (guardDataFields was not run on it)');
  try {
    for (const f of fields) f.field.resolve = access.canRead(f.key) ? f.own : f.refuse;
    return compile();
  } finally {
    for (const f of fields) f.field.resolve = f.guard;
  }
}

/**
 * For the compiled executor: each request runs code compiled for its reader's access. A request
 * without a verified identity gets the guarded code (its root fields refuse it anyway).
 */
export function accessVariants(schema: GraphQLSchema): (ctx: AppContext) => { key: string; compile<T>(compile: () => T): T } | null {
  return (ctx) => {
    if (!ctx.isAuthenticated) return null;
    // The identity's access, as the reader has it: not ctx.reader(), which would stop an operation
    // past its time limit before it read anything (`{ __typename }` reads nothing).
    const access = accessFor(ctx.user());
    return { key: access.key, compile: (compile) => compileForAccess(schema, access, compile) };
  };
}
