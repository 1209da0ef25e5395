import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, getVariableValues, GraphQLError, type GraphQLSchema } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** Compiled operations kept (by query hash and operation name), least recently used dropped first. */
export const COMPILED_OPERATIONS = 500;
/**
 * An operation is compiled the second time it runs: compiling costs several times what validating
 * does (7–40 ms for the federated page), so a stream of one-off documents stays on graphql-js and
 * costs no more than it did, while the operations clients repeat are compiled once.
 */
export const COMPILE_AFTER = 2;

/** A bounded map that forgets the entry used least recently (a Map keeps insertion order). */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * graphql-jit's errors are its own (no `nodes`, no extensions unless the original has them, which
 * Apollo's error normalisation reads unguarded): rebuild each as graphql-js would have located it.
 */
function asLocated(error: GraphQLError): GraphQLError {
  const original = error.originalError ?? undefined;
  if (original instanceof GraphQLError && original.path) return original;
  const located = new GraphQLError(error.message, { path: error.path, originalError: original ?? (error.path ? new Error(error.message) : undefined) });
  if (error.locations) (located as { locations?: unknown }).locations = error.locations;
  return located;
}

/**
 * Code compiled for one kind of request (the hub's: one access, compileForAccess in
 * permissions/field-guard.ts): what keys it, and how to compile for it.
 */
export interface CompileVariant {
  readonly key: string;
  compile<T>(compile: () => T): T;
}

export interface CompiledExecutorOptions<TContext extends BaseContext = BaseContext> {
  /** The run of an operation that compiles it (default `COMPILE_AFTER`). */
  compileAfter?: number;
  onCompiled?: (operationName: string | undefined) => void;
  /** The variant a request's code is compiled for; null (or no option): one code for every request. */
  variant?: (context: TContext) => CompileVariant | null;
}

/**
 * Queries and mutations executed by code graphql-jit compiles once per operation, behind Apollo's
 * gateway interface (Apollo has no executor option). Apollo still parses, validates (with the
 * query limits) and runs every plugin hook; the schema's resolvers (shield on the roots, the
 * compiled field guard on the data types) are called as graphql-js calls them. Variables are
 * coerced by the compiled code; one it refuses is refused with graphql-js's own error
 * (BAD_USER_INPUT). Anything else (subscriptions, an unresolved operation, an operation jit
 * cannot compile) runs on graphql-js.
 */
export function compiledExecutorGateway<TContext extends BaseContext = BaseContext>(schema: GraphQLSchema, options: CompiledExecutorOptions<TContext> = {}): Gateway {
  const compileAfter = options.compileAfter ?? COMPILE_AFTER;
  const compiled = new Lru<CompiledQuery | null>(COMPILED_OPERATIONS);
  // Runs so far of operations not compiled yet; kept apart so that one-off documents never push compiled ones out.
  const seen = new Lru<number>(COMPILED_OPERATIONS * 4);
  const executor: Executor = async ({ document, operation, request, context, queryHash }) => {
    const interpreted = () => execute({ schema, document, contextValue: context, variableValues: request.variables, operationName: request.operationName });
    if (!operation || operation.operation === 'subscription') return interpreted();
    // Apollo passes the context its server was built with (the hub's AppContext).
    const variant = options.variant?.(context as TContext) ?? null;
    const operationKey = `${queryHash}\u0000${request.operationName ?? ''}`;
    const key = variant ? `${operationKey}\u0000${variant.key}` : operationKey;
    let query = compiled.get(key);
    if (query === undefined) {
      // Runs are counted per operation: once it is repeated, each variant compiles on its first run.
      const runs = (seen.get(operationKey) ?? 0) + 1;
      if (runs < compileAfter) {
        seen.set(operationKey, runs);
        return interpreted();
      }
      const compile = () => compileQuery(schema, document, request.operationName, { disablingCapturingStackErrors: true });
      const result = variant ? variant.compile(compile) : compile();
      query = isCompiledQuery(result) ? result : null;
      compiled.set(key, query);
      if (query) options.onCompiled?.(request.operationName);
    }
    if (!query) return interpreted();
    const result = await query.query(undefined, context, request.variables);
    // graphql-jit coerces the variables with code it compiled, in a tenth of graphql-js's time (an
    // import's thousand records: 0.5 against 5 ms), and executes nothing when it refuses one (its
    // answer then has no `data`). A refusal is told in graphql-js's own words (BAD_USER_INPUT):
    // the variables are coerced again by graphql-js, and should it take them, it runs the operation.
    if (!('data' in result)) {
      const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 50 });
      return variables.errors ? { errors: variables.errors } : interpreted();
    }
    // In graphql-js's order (errors first), so that the response reads the same byte for byte.
    return result.errors ? { errors: result.errors.map(asLocated), data: result.data } : { data: result.data };
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
