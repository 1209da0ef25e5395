import { ApolloServer, type GraphQLRequest } from '@apollo/server';
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { loadConfig } from '../config';
import { Clock } from '../core/clock';
import { RequestContext } from '../core/context';
import { ForbiddenError } from '../core/errors';
import { formatError } from './apollo';
import { compiledExecutorGateway } from './compiled-executor';
import { querySafetyPlugin } from './query-safety';

/**
 * The compiled executor must answer exactly what graphql-js answers: the same data, the same
 * errors with the same codes, paths and locations after formatting, the same HTTP status. Every
 * operation below runs on a server executing with graphql-js and, twice, on one with the compiled
 * executor (the second run is the compiled one).
 */
const typeDefs = `
  enum Colour { RED GREEN }
  input Filter { colour: Colour! min: Int }
  type Query {
    items(first: Int!, filter: Filter): [Item!]!
    item(id: ID!): Item
    colour(c: Colour!): Colour!
    slow(ms: Int!): [Item!]!
  }
  type Item {
    id: ID!
    name: String
    secret: String
    broken: String
    required: String!
    nested: Nested
    later(ms: Int!): String!
  }
  type Nested { value: Int! missing: String! }
  type Mutation { write(label: String!): [String!]! }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const written: string[] = [];

function hubLikeSchema(): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  const resolvers: Record<string, Record<string, GraphQLFieldResolver<any, RequestContext, any>>> = {
    Query: {
      items: async (_p, { first, filter }: { first: number; filter?: { colour: string; min?: number } }, ctx) => {
        ctx.reader();
        await sleep(1);
        return Array.from({ length: first }, (_, i) => ({ id: `${filter?.colour ?? 'X'}-${i + (filter?.min ?? 0)}`, name: i % 3 === 0 ? null : `item ${i}` }));
      },
      item: (_p, { id }: { id: string }) => (id === 'none' ? null : { id, name: `item ${id}` }),
      colour: (_p, { c }: { c: string }) => c,
      slow: async (_p, { ms }: { ms: number }, ctx) => (ctx.reader(), await sleep(ms), [{ id: 'a' }, { id: 'b' }]),
    },
    Item: {
      // As the compiled field guard does: a denied field returns (not throws) a FORBIDDEN error.
      secret: () => new ForbiddenError('no'),
      broken: () => {
        throw new Error('SELECT 1 failed: relation "edu.secret" does not exist');
      },
      required: (item: { id: string }) => (item.id.endsWith('-2') ? null : `r${item.id}`),
      nested: (item: { id: string }) => ({ value: Number(item.id.split('-')[1] ?? 0) }),
      later: async (item: { id: string }, { ms }: { ms: number }, ctx) => (ctx.reader(), await sleep(ms), item.id),
    },
    Nested: { missing: () => null },
    Mutation: {
      write: async (_p, { label }: { label: string }) => {
        await sleep(label === 'first' ? 20 : 1);
        written.push(label);
        return [...written];
      },
    },
  };
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(typeName);
    for (const [name, resolve] of Object.entries(fields)) type.getFields()[name].resolve = resolve;
  }
  return schema;
}

// Long enough that no other case reaches it on a loaded machine (at 50 ms the first case did, once,
// in graphql-js only); the timeout case sleeps past it.
const limits = { ...loadConfig({ NODE_ENV: 'test' }).queryLimits, timeoutMs: 500 };
const context = () => new RequestContext('test', { sub: 't', dept: 'EDU', region: '350102', roles: ['clerk'] }, null, null as never, new Clock(), {});

const CASES: Array<[string, GraphQLRequest]> = [
  ['a list with variables, aliases, fragments and directives', {
    query: `query List($n: Int!, $f: Filter, $skip: Boolean!) { items(first: $n, filter: $f) { ...Named other: id name @skip(if: $skip) nested { value } } }
            fragment Named on Item { id __typename }`,
    variables: { n: 4, f: { colour: 'GREEN', min: 2 }, skip: false },
  }],
  ['a FORBIDDEN field is null with its error', { query: '{ items(first: 2) { id secret } }' }],
  ['an internal error is masked, with its path', { query: '{ item(id: "7") { id broken } }' }],
  ['a null non-null field nulls its parent', { query: '{ items(first: 4) { id required } }' }],
  ['a null non-null field nulls its nullable parent', { query: '{ item(id: "x-2") { id nested { value missing } } }' }],
  ['a null root object', { query: '{ item(id: "none") { id } }' }],
  ['a bad enum value is BAD_USER_INPUT, without suggestions', { query: 'query C($c: Colour!) { colour(c: $c) }', variables: { c: 'REDD' } }],
  ['a missing required variable is BAD_USER_INPUT', { query: 'query M($c: Colour!) { colour(c: $c) }', variables: {} }],
  ['a bad nested input value is BAD_USER_INPUT', { query: 'query L($f: Filter) { items(first: 1, filter: $f) { id } }', variables: { f: { colour: 'RED', min: 'many' } } }],
  // Variables are coerced by the compiled code first: every value graphql-js refuses must be refused
  // (and nothing run), every value it takes must be taken as it takes it.
  ...([
    ['an unknown field of an input object', { f: { colour: 'RED', min: 1, extra: 1 } }],
    ['an Int past 32 bits', { f: { colour: 'RED', min: 2 ** 31 } }],
    ['a fraction for an Int', { f: { colour: 'RED', min: 1.5 } }],
    ['a numeric string for an Int', { f: { colour: 'RED', min: '5' } }],
    ['null for a required input field', { f: { colour: null } }],
    ['a missing required input field', { f: { min: 1 } }],
    ['a list for an input object', { f: [{ colour: 'RED' }] }],
    ['a string for an input object', { f: 'RED' }],
    ['an enum value as a number', { f: { colour: 1 } }],
  ] as const).map(([name, variables], i): [string, GraphQLRequest] => [`variables: ${name}`, { query: `query V${i}($f: Filter) { items(first: 1, filter: $f) { id } }`, variables }]),
  ['variables: a whole number as a Float-free Int, and an ID given as a number', { query: 'query I($n: Int!, $id: ID!) { items(first: $n) { id } item(id: $id) { id } }', variables: { n: 2.0, id: 7 } }],
  ['variables: a boolean as a string', { query: 'query S($skip: Boolean!) { items(first: 1) { id @skip(if: $skip) } }', variables: { skip: 'true' } }],
  ['variables: a single value for a list is refused where the list is required', { query: 'query W($n: Int!) { items(first: $n) { id } }', variables: { n: [1] } }],
  ['an operation chosen by name', { query: 'query A { colour(c: RED) } query B { colour(c: GREEN) }', operationName: 'B' }],
  ['an unknown operation name', { query: 'query A { colour(c: RED) }', operationName: 'Z' }],
  ['a query past its time limit answers one TIMEOUT', { query: '{ slow(ms: 600) { id later(ms: 1) } }' }],
];

describe('the compiled executor answers what graphql-js answers', () => {
  const schema = hubLikeSchema();
  const compiledOperations: Array<string | undefined> = [];
  const plugins = () => [querySafetyPlugin(limits, { hideSuggestions: true })];
  const interpreted = new ApolloServer<RequestContext>({ schema, formatError, plugins: plugins() });
  const compiled = new ApolloServer<RequestContext>({ gateway: compiledExecutorGateway(schema, { onCompiled: (name) => compiledOperations.push(name) }), formatError, plugins: plugins() });
  beforeAll(() => Promise.all([interpreted.start(), compiled.start()]));
  afterAll(() => Promise.all([interpreted.stop(), compiled.stop()]));

  it.each(CASES)('%s', async (_name, request) => {
    const expected = await interpreted.executeOperation(request, { contextValue: context() });
    const compiledBefore = compiledOperations.length;
    for (let run = 1; run <= 2; run++) {
      const actual = await compiled.executeOperation(request, { contextValue: context() });
      expect(actual.http.status).toBe(expected.http.status);
      expect(JSON.stringify(actual.body)).toBe(JSON.stringify(expected.body));
    }
    // An unknown operation is never compiled; every other one is, on its second run.
    expect(compiledOperations.length - compiledBefore).toBe(request.operationName === 'Z' ? 0 : 1);
  });

  it('gives the codes the hub promises', async () => {
    const codes = async (request: GraphQLRequest) => {
      await compiled.executeOperation(request, { contextValue: context() });
      const response = await compiled.executeOperation(request, { contextValue: context() });
      return response.body.kind === 'single' ? response.body.singleResult.errors?.map((e) => e.extensions?.code) : null;
    };
    expect(await codes({ query: '{ items(first: 2) { secret } }' })).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(await codes({ query: '{ item(id: "1") { broken } }' })).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(await codes({ query: 'query C($c: Colour!) { colour(c: $c) }', variables: { c: 'BLUE' } })).toEqual(['BAD_USER_INPUT']);
  });

  it('runs the fields of a mutation one after another', async () => {
    written.length = 0;
    const request = { query: 'mutation W { a: write(label: "first") b: write(label: "second") }' };
    const results = [];
    for (let run = 0; run < 2; run++) {
      const response = await compiled.executeOperation(request, { contextValue: context() });
      results.push(response.body.kind === 'single' ? response.body.singleResult.data : null);
    }
    expect(results[1]).toEqual({ a: ['first', 'second', 'first'], b: ['first', 'second', 'first', 'second'] });
  });
});

describe('code compiled per variant', () => {
  /** A variant per department: while compiling for it, Item.name answers the department it was compiled for. */
  const schema = hubLikeSchema();
  const field = (schema.getType('Item') as unknown as { getFields(): Record<string, { resolve?: GraphQLFieldResolver<unknown, unknown> }> }).getFields().name;
  const plain = field.resolve;
  const compiledFor: string[] = [];
  const variant = (ctx: RequestContext) => {
    const dept = ctx.user().dept;
    return {
      key: dept,
      compile<T>(compile: () => T): T {
        compiledFor.push(dept);
        field.resolve = () => `compiled for ${dept}`;
        try {
          return compile();
        } finally {
          field.resolve = plain;
        }
      },
    };
  };
  const server = new ApolloServer<RequestContext>({ gateway: compiledExecutorGateway<RequestContext>(schema, { variant }), formatError });
  const as = (dept: string) => new RequestContext('test', { sub: 't', dept: dept as never, region: '350102', roles: ['clerk'] }, null, null as never, new Clock(), {});
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('runs each request on the code compiled for its variant, compiled on the variant\'s first run once the operation repeats', async () => {
    const name = async (dept: string) => {
      const response = await server.executeOperation({ query: '{ item(id: "1") { name } }' }, { contextValue: as(dept) });
      return response.body.kind === 'single' ? (response.body.singleResult.data as { item: { name: string } }).item.name : null;
    };
    const interpretedName = await name('EDU');
    expect(interpretedName).not.toMatch(/compiled/);
    expect(compiledFor).toEqual([]);
    expect(await name('PSB')).toBe('compiled for PSB');
    expect(await name('EDU')).toBe('compiled for EDU');
    expect(await name('PSB')).toBe('compiled for PSB');
    expect(await name('EDU')).toBe('compiled for EDU');
    expect(compiledFor).toEqual(['PSB', 'EDU']);
    // graphql-js, on the same schema, never sees a variant's resolver.
    expect(field.resolve).toBe(plain);
  });
});
