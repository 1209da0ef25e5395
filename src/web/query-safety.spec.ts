import { RequestContext } from '../core/context';
import { Clock } from '../core/clock';
import { ApolloServer } from '@apollo/server';
import { getIntrospectionQuery, getNullableType, GraphQLError, isListType, isObjectType, parse, specifiedRules, validate } from 'graphql';
import { loadConfig } from '../config';
import { AppError, OperationTimeoutError, QueryTooComplexError } from '../core/errors';
import { buildHubSchema } from '../schema';
import { explorerExamples } from './explorer';
import { checkVariableValues, introspectionAllowance, LIST_SIZES, queryLimitRules, querySafetyPlugin, type QueryLimits, safetyErrorOf } from './query-safety';

const schema = buildHubSchema();
const defaults = loadConfig({ NODE_ENV: 'test' }).queryLimits;

function check(query: string, limits: Partial<QueryLimits> = {}) {
  const errors = validate(schema, parse(query), [...specifiedRules, ...queryLimitRules({ ...defaults, ...limits })]);
  const limited = errors.filter((e) => e instanceof QueryTooComplexError) as QueryTooComplexError[];
  return { errors, limited, limits: limited.map((e) => e.extensions.limit) };
}

const nest = (times: number, open: (i: number) => string, inner: string) => `${Array.from({ length: times }, (_, i) => open(i)).join(' ')} ${inner} ${'}'.repeat(times)}`;

/** The federated page: every section and the dropout cases of a hundred children. */
const PAGE = `query Page {
  children(first: 100, filter: { region: "350102" }) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id idNumber name gender birthDate version createdAt updatedAt
      hukouRegion { code name level parentCode } residenceRegion { code name level parentCode }
      education { status stage grade schoolName version updatedAt updatedBy }
      publicSecurity { hukouStatus whereabouts verifiedOn version updatedAt updatedBy }
      civilAffairs { leftBehind deFactoUnsupported migrant parentImprisoned orphan subsistenceAllowance version updatedAt updatedBy }
      poverty { registeredPoor monitoredHousehold householdId version updatedAt updatedBy }
      health { seriousIllness diagnosisSummary screenedOn version updatedAt updatedBy }
      disability { disabilityType disabilityLevel certificateNo version updatedAt updatedBy }
      dropoutCases { id reason status openedOn closedOn notes version updatedAt updatedBy }
    } }
  }
}`;

describe('what ordinary clients send passes', () => {
  it.each([
    ['the federated page of a hundred children', PAGE],
    ['the same page with $first', PAGE.replace('query Page {', 'query Page($first: Int!) {').replace('first: 100', 'first: $first')],
    ['graphql-js full introspection query (the explorer)', getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true })],
    ['a batch registration', 'mutation R($records: [RegisterChildInput!]!) { registerChildren(records: $records) { replayed children { id idNumber name version } } }'],
    ['a child with its latest changes', 'query($id: ID!) { child(id: $id) { name changes { seq at changes { field label before after } } } }'],
    ['several root fields and a few aliases', '{ me { sub dept roles region { code } } cities: regions(level: city) { code name } counties: regions(level: county) { code name } }'],
  ])('%s', (_name, query) => {
    expect(check(query).errors.map((e) => e.message)).toEqual([]);
  });

  it.each(explorerExamples('2026-11-29').map((e) => [e.id, e.query]))('the explorer example %s', (_id, query) => {
    expect(check(query).limited.map((e) => e.message)).toEqual([]);
  });
});

describe('depth', () => {
  const deepest = '{ children { edges { node { changes { changes { field } } } } } }';
  it('counts fields, and fragments and inline fragments as a level each', () => {
    expect(check(deepest, { maxDepth: 6 }).limits).toEqual([]);
    expect(check(deepest, { maxDepth: 5 }).limited[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', value: 6, max: 5 });
    const viaFragments = '{ children { ...C } } fragment C on ChildConnection { edges { node { ... on Child { name } } } }';
    expect(check(viaFragments, { maxDepth: 6 }).limits).toEqual([]);
    expect(check(viaFragments, { maxDepth: 5 }).limits).toEqual(['depth']);
  });

  it('refuses 13 nested inline fragments and a chain of 13 named fragments', () => {
    expect(check(`{ ${nest(12, () => '... on Query {', '__typename')} }`).limits).toEqual(['depth']);
    const chain = Array.from({ length: 13 }, (_, i) => `fragment F${i} on Query { ${i < 12 ? `...F${i + 1}` : '__typename'} }`).join('\n');
    expect(check(`{ ...F0 }\n${chain}`).limits).toEqual(['depth']);
    expect(check(`{ ${nest(10, () => '... on Query {', '__typename')} }`).limits).toEqual([]);
  });

  it('names the limit and the value, in Chinese and then English', () => {
    const [error] = check(`{ ${nest(200, () => '... on Query {', '__typename')} }`).limited;
    expect(error.message).toBe('查询过于复杂 Query too complex: 查询深度 201 超过上限 12 (depth 201 exceeds the limit of 12)');
  });

  it('gives introspection the depth of the standard introspection query and no more', () => {
    const allowed = introspectionAllowance(schema).depth;
    expect(allowed).toBeGreaterThanOrEqual(12);
    const ofType = (n: number) => `{ __type(name: "Child") { ${nest(n, () => 'ofType {', 'name')} } }`;
    expect(check(ofType(allowed - 3)).limits).toEqual([]);
    expect(check(ofType(allowed)).limits).toEqual(['introspectionDepth']);
    expect(check(`{ ...I } fragment I on Query { __schema { types { ...T } } } fragment T on __Type { ${nest(40, () => 'ofType {', 'name')} }`).limits).toEqual(['introspectionDepth']);
  });
});

describe('fragment cycles', () => {
  it.each([
    ['two fragments', '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A me { sub } }'],
    ['a fragment spreading itself in an inline fragment', '{ ...A } fragment A on Query { ... on Query { ...A } }'],
    ['a cycle through fields', '{ children { edges { node { ...C } } } } fragment C on Child { hukouRegion { code } ...D } fragment D on Child { ...C }'],
  ])('%s: reported by graphql-js, measured without looping', (_name, query) => {
    const { errors } = check(query);
    expect(errors.some((e) => /Cannot spread fragment/.test(e.message))).toBe(true);
  });

  it('measures a fragment bomb (2^30 expansions) at once, and refuses it', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment B${i} on Query { ${i < levels - 1 ? `...B${i + 1} ...B${i + 1}` : 'me { sub }'} }`).join('\n');
    const started = Date.now();
    const { limits } = check(`{ ...B0 }\n${fragments}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(limits).toEqual(expect.arrayContaining(['cost']));
  });
});

describe('aliases, directives, root fields and variables', () => {
  const aliases = (n: number) => `{ me { ${Array.from({ length: n }, (_, i) => `a${i}: sub`).join(' ')} } }`;
  it('aliases: 30 pass, 31 do not, fragments counted each time they are spread', () => {
    expect(check(aliases(30)).limits).toEqual([]);
    expect(check(aliases(31)).limits).toEqual(['aliases']);
    const spread = `{ me { ...M ...M2 } } fragment M on Me { ${Array.from({ length: 16 }, (_, i) => `m${i}: sub`).join(' ')} } fragment M2 on Me { ...M }`;
    expect(check(spread).limits).toEqual(['aliases']);
  });

  it('directives: 20 pass, 21 do not', () => {
    const directives = (n: number) => `{ me { ${Array.from({ length: n }, (_, i) => `s${i}: sub @include(if: true)`).join(' ')} } }`;
    expect(check(directives(20)).limits).toEqual([]);
    expect(check(directives(21), { maxAliases: 100 }).limits).toEqual(['directives']);
    expect(check(`{ me { sub ${'@include(if: true) '.repeat(1000)} } }`).limits).toEqual(['directives']);
  });

  it('root fields: ten ID-number guesses pass, eleven do not, also through fragments', () => {
    const guesses = (n: number) => Array.from({ length: n }, (_, i) => `g${i}: childByIdNumber(idNumber: "35010220160520${String(i).padStart(4, '0')}") { id }`).join(' ');
    expect(check(`{ ${guesses(10)} }`).limits).toEqual([]);
    expect(check(`{ ${guesses(11)} }`).limits).toEqual(['rootFields']);
    expect(check(`{ ...G me { sub } } fragment G on Query { ${guesses(10)} }`).limits).toEqual(['rootFields']);
  });

  it('variables: 50 pass, 51 do not', () => {
    const declared = (n: number) => `query(${Array.from({ length: n }, (_, i) => `$v${i}: Int`).join(', ')}) { me { sub } }`;
    expect(check(declared(50)).limits).toEqual([]);
    expect(check(declared(51)).limits).toEqual(['variables']);
  });
});

describe('cost', () => {
  it('multiplies by first/last, by the batch for variables, and by the expected length of other lists', () => {
    const cost = (query: string) => check(query, { maxCost: 1 }).limited.find((e) => e.extensions.limit === 'cost')?.extensions.value;
    expect(cost('{ children(first: 10) { edges { node { name } } } }')).toBe(1 + 10 * (1 + 1 + 1));
    expect(cost('query($n: Int!) { children(first: $n) { edges { node { name } } } }')).toBe(1 + 100 * 3);
    expect(cost('{ children { totalCount } }')).toBe(1 + 20 * 1);
    expect(cost('{ child(id: "x") { dropoutCases { id } } }')).toBe(1 + 1 + 10 * 1);
    expect(cost('{ regions { code } }')).toBe(1 + 100);
    // A records variable is charged as RECORDS_VARIABLE (10) records; a literal list as its length.
    expect(cost('mutation($r: [RegisterChildInput!]!) { registerChildren(records: $r) { children { id } } }')).toBe(1 + 10 * 2);
    expect(cost('mutation { registerChildren(records: [{ name: "a", gender: MALE, birthDate: "2016-01-01", hukouRegion: "350102", residenceRegion: "350102" }]) { children { id } } }')).toBe(1 + 1 * 2);
  });

  it('refuses a hundred children with a hundred changes each', () => {
    const { limited } = check('{ children(first: 100) { edges { node { changes(last: 100) { seq changes { field } } } } } }');
    expect(limited.map((e) => e.extensions.limit)).toEqual(['cost']);
    expect(limited[0].message).toMatch(/^查询过于复杂 Query too complex: 估算代价 \d+ 超过上限 20000 \(estimated cost \d+ exceeds the limit of 20000\)$/);
  });

  it('lets introspection cost as much as the explorer needs but refuses recursion through fields and types', () => {
    const recursive = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    expect(check(recursive).limits).toEqual(['introspectionCost']);
  });

  it('knows only list fields that exist', () => {
    for (const key of Object.keys(LIST_SIZES)) {
      const [type, field] = key.split('.');
      const object = schema.getType(type);
      expect(isObjectType(object) && isListType(getNullableType(object.getFields()[field]?.type))).toBe(true);
    }
  });
});

describe('variable values', () => {
  it('refuses lists longer than the write batch, too many variables, and values nested too deep', () => {
    const codes = (variables: Record<string, unknown>) => {
      try {
        checkVariableValues(variables, defaults);
        return null;
      } catch (error) {
        return (error as QueryTooComplexError).extensions.limit;
      }
    };
    expect(codes({ records: Array.from({ length: 1000 }, () => ({ name: 'x' })) })).toBeNull();
    expect(codes({ records: Array.from({ length: 50_000 }, () => 1) })).toBe('listItems');
    expect(codes({ filter: { schoolStatus: [Array.from({ length: 1001 }, () => 'ENROLLED')] } })).toBe('listItems');
    expect(codes(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`v${i}`, i])))).toBe('variables');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(codes({ deep })).toBe('variableDepth');
  });
});

describe('errors Apollo wraps', () => {
  it('finds the limit behind a validation error and tells the token limit as a limit', () => {
    const limit = new QueryTooComplexError('x');
    expect(safetyErrorOf(new GraphQLError('x', { originalError: limit }))).toBe(limit);
    let syntax: unknown;
    try {
      parse(`{ me { ${'sub '.repeat(100)} } }`, { maxTokens: 50 });
    } catch (error) {
      syntax = error;
    }
    const told = safetyErrorOf(syntax);
    expect(told).toBeInstanceOf(AppError);
    expect(told?.message).toBe('查询过于复杂 Query too complex: 词法单元超过 50 个 (the document has more than 50 tokens)');
    expect(safetyErrorOf(new GraphQLError('Syntax Error: Unexpected Name "x".'))).toBeNull();
  });
});

describe('the plugin', () => {
  const typeDefs = `
    enum Colour { RED GREEN }
    type Query { slow(ms: Int!): [Item!]! colour(c: Colour!): Colour! }
    type Item { name: String! later(ms: Int!): String! }
    type Mutation { write(ms: Int!): Item }`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const written: string[] = [];
  const resolvers = {
    // Data resolvers read through the request context, where the deadline is checked.
    Query: { slow: async (_: unknown, { ms }: { ms: number }, ctx: RequestContext) => (ctx.reader(), await sleep(ms), [{ name: 'a' }, { name: 'b' }]), colour: (_: unknown, { c }: { c: string }) => c },
    Item: { later: async (item: { name: string }, { ms }: { ms: number }, ctx: RequestContext) => (ctx.reader(), await sleep(ms), item.name) },
    Mutation: { write: async (_: unknown, { ms }: { ms: number }) => (await sleep(ms), written.push('w'), { name: 'written' }) },
  };
  async function server(limits: Partial<QueryLimits>, hideSuggestions = true) {
    const apollo = new ApolloServer({ typeDefs, resolvers, plugins: [querySafetyPlugin({ ...defaults, ...limits }, { hideSuggestions })] });
    await apollo.start();
    return apollo;
  }
  const context = () => new RequestContext('test', { sub: 't', dept: 'EDU', region: '350102', roles: ['clerk'] }, null, null as never, new Clock(), {});
  const single = (response: Awaited<ReturnType<ApolloServer['executeOperation']>>) => {
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };

  it('stops an operation past its time limit with one TIMEOUT error, and answers the next request', async () => {
    const apollo = await server({ timeoutMs: 50 });
    try {
      const result = single(await apollo.executeOperation({ query: '{ slow(ms: 80) { name later(ms: 1) } }' }, { contextValue: context() }));
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['TIMEOUT']);
      expect(result.errors?.[0].message).toBe(new OperationTimeoutError(50).message);
      const fast = single(await apollo.executeOperation({ query: '{ slow(ms: 1) { name } }' }, { contextValue: context() }));
      expect(fast.errors).toBeUndefined();
      expect(fast.data).toEqual({ slow: [{ name: 'a' }, { name: 'b' }] });
    } finally {
      await apollo.stop();
    }
  });

  it('never cuts a write off: a mutation runs to its end and answers (writes are bounded by their batch size)', async () => {
    const apollo = await server({ timeoutMs: 30 });
    try {
      written.length = 0;
      const result = single(await apollo.executeOperation({ query: 'mutation { one: write(ms: 60) { name later(ms: 1) } two: write(ms: 1) { name } }' }, { contextValue: context() }));
      expect(written).toEqual(['w', 'w']);
      expect(result.data).toEqual({ one: { name: 'written', later: 'written' }, two: { name: 'written' } });
      expect(result.errors).toBeUndefined();
    } finally {
      await apollo.stop();
    }
  });

  it('refuses oversized variable values before execution', async () => {
    const apollo = await server({});
    try {
      const result = single(await apollo.executeOperation({ query: 'query($c: Colour!) { colour(c: $c) }', variables: { c: 'RED', big: Array.from({ length: 1001 }, () => 0) } }));
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(result.data).toBeUndefined();
    } finally {
      await apollo.stop();
    }
  });

  it.each([
    [true, false],
    [false, true],
  ])('hideSuggestions %s: "Did you mean" in variable coercion errors shown: %s', async (hide, shown) => {
    const apollo = await server({}, hide);
    try {
      const result = single(await apollo.executeOperation({ query: 'query($c: Colour!) { colour(c: $c) }', variables: { c: 'REDD' } }));
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message).toMatch(/Value "REDD" does not exist in "Colour" enum/);
      expect(/Did you mean/.test(result.errors?.[0].message ?? '')).toBe(shown);
    } finally {
      await apollo.stop();
    }
  });
});
