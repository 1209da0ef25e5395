import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type GraphQLResponse, type TestHub } from '../support/hub';

/**
 * A value outside an enum, in a variable or written in the document, is a BAD_USER_INPUT error in
 * Chinese and English that names the input and lists the allowed values (with their labels), on
 * both executors alike (graphql-js the first time a document runs, compiled code after), and
 * nothing is written.
 */
let hub: TestHub;
let psb: string;
const child = childInput({ name: '郑一鸣' });

beforeAll(async () => {
  hub = await startTestHub();
  psb = await hub.token({ dept: 'PSB', region: '350102', roles: ['clerk'] });
  expect((await hub.gql(REGISTER, { records: [child] }, psb)).body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

/** Sends a document twice (the second run is on compiled code) and expects the same answer both times. */
async function twice(query: string, variables: Record<string, unknown>): Promise<GraphQLResponse> {
  const strip = (r: GraphQLResponse) => JSON.stringify(r.body, (key, value) => (key === 'requestId' ? undefined : value));
  const first = await hub.gql(query, variables, psb);
  const second = await hub.gql(query, variables, psb);
  expect(strip(second)).toBe(strip(first));
  return first;
}

function onlyError(res: GraphQLResponse) {
  expect(res.body.errors).toHaveLength(1);
  return res.body.errors![0] as { message: string; extensions: { code: string; problems?: Array<{ path: string; reason: string }>; allowedValues?: string[] } };
}

const WHEREABOUTS = ['ABROAD 出境 abroad', 'DECEASED 死亡 deceased', 'MISSING 失踪失联 missing or out of contact', 'PRESENT 在住 present'];

describe('a value outside an enum', () => {
  it('in a variable: names the variable and the field, lists the allowed values, writes nothing', async () => {
    const before = await hub.sql('SELECT count(*)::int AS n FROM hub.change_log');
    const res = await twice('mutation($r: [PublicSecurityRecordInput!]!) { upsertPublicSecurityRecords(records: $r) { replayed } }', {
      r: [{ childId: child.id, whereabouts: 'KNOWN' }],
    });
    const error = onlyError(res);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/\p{Script=Han}/u);
    expect(error.message).toContain('$r[0].whereabouts');
    expect(error.message).toContain('"KNOWN"');
    for (const value of WHEREABOUTS) expect(error.message).toContain(value);
    expect(error.extensions.problems).toEqual([{ path: '$r[0].whereabouts', reason: expect.stringContaining('Whereabouts') }]);
    expect([...error.extensions.allowedValues!].sort()).toEqual(['ABROAD', 'DECEASED', 'MISSING', 'PRESENT']);
    expect(await hub.sql('SELECT count(*)::int AS n FROM hub.change_log')).toEqual(before);
    expect(await hub.sql('SELECT count(*)::int AS n FROM psb.public_security_record')).toEqual([{ n: 0 }]);
  });

  it('in a variable that is not even a string: says so, naming the variable', async () => {
    const error = onlyError(await twice('query($l: RegionLevel) { regions(level: $l) { code } }', { l: 5 }));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('$l');
    expect(error.message).toContain('5');
    expect([...error.extensions.allowedValues!].sort()).toEqual(['CITY', 'COUNTY', 'PROVINCE']);
  });

  it('written in the document: names the argument, lists the values that are not deprecated', async () => {
    const error = onlyError(await twice('{ regions(level: cty) { code } }', {}));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/\p{Script=Han}/u);
    expect(error.message).toContain('level: "cty"');
    expect(error.extensions.problems).toEqual([{ path: 'level', reason: expect.stringContaining('RegionLevel') }]);
    expect([...error.extensions.allowedValues!].sort()).toEqual(['CITY', 'COUNTY', 'PROVINCE']);
    for (const value of ['CITY 市 city (prefecture)', 'PROVINCE 省 province']) expect(error.message).toContain(value);
  });

  it('written as a string or deep inside an input object: names the path to it', async () => {
    const quoted = onlyError(await twice('{ regions(level: "COUNTY") { code } }', {}));
    expect(quoted.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'level' }] });
    const nested = onlyError(await twice('{ children(first: 5, filter: { specialGroups: [LEFT_BEHIND, LEFTBEHIND] }) { totalCount } }', {}));
    expect(nested.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'filter.specialGroups[1]' }] });
    expect(nested.message).toContain('LEFT_BEHIND');
  });
});

describe("graphql-js's and Apollo's own refusals", () => {
  it.each([
    ['an unknown field', '{ me { sube } }', {}, 'GRAPHQL_VALIDATION_FAILED', '查询无效', 'Cannot query field "sube" on type "Me".'],
    ['an unknown argument', '{ children(frist: 10) { totalCount } }', {}, 'GRAPHQL_VALIDATION_FAILED', '查询无效', 'Unknown argument "frist"'],
    ['a syntax error', '{ me { sub }', {}, 'GRAPHQL_PARSE_FAILED', '语法错误', 'Syntax Error'],
    ['a variable of the wrong type', 'query($n: Int!) { children(first: $n) { totalCount } }', { n: 'ten' }, 'BAD_USER_INPUT', '输入有误', 'Variable "$n" got invalid value "ten"'],
    ['a missing variable', 'query($n: Int!) { children(first: $n) { totalCount } }', {}, 'BAD_USER_INPUT', '输入有误', 'Variable "$n" of required type "Int!" was not provided.'],
  ])('%s: in Chinese and English, the code and the English text as before', async (_name, query, variables, code, chinese, english) => {
    const error = onlyError(await twice(query, variables));
    expect(error.extensions.code).toBe(code);
    expect(error.message).toContain(chinese);
    expect(error.message).toContain(english);
  });

  it('keeps our own bilingual messages as they are, without a second Chinese label', async () => {
    const error = onlyError(await twice('{ children(first: 1000) { totalCount } }', {}));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/^输入有误 Bad input: first: /);
  });
});
