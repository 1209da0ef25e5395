import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { ForbiddenError } from '../core/errors';
import type { AppContext } from '../services';
import { MATRIX } from './access';

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

const forbidden = (field: string) => new ForbiddenError(`您的部门与角色无权读取 ${field} (your department and role may not read ${field})`);

/**
 * The matrix's field rules compiled into the resolvers of the data types: the check is one map
 * lookup in the access decided once for the request, and the original resolver runs
 * synchronously, so a page of thousands of fields pays no promise per field (graphql-shield's
 * per-field middleware cost a third more CPU on the federated page; tests/bench/micro-permissions).
 * Structural fields (pages, edges, regions, payloads) are left as they are: every operation that
 * reaches execution has a verified identity (the requireIdentity plugin). A field that is neither
 * is denied, like shield's fallback. Mutates the schema it is given, which must be a private copy.
 */
export function guardDataFields(schema: GraphQLSchema, structural: ReadonlySet<string>): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || ROOTS.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      if (MATRIX.has(key)) {
        const resolve: GraphQLFieldResolver<unknown, AppContext> = field.resolve ?? defaultFieldResolver;
        field.resolve = (parent, args, ctx, info) => (ctx.reader().access.canRead(key) ? resolve(parent, args, ctx, info) : forbidden(key));
      } else if (!structural.has(type.name)) {
        field.resolve = () => forbidden(key);
      }
    }
  }
}
