import { startTestHub, type TestHub } from '../support/hub';

/** Issue 3, item 6: an operation still running at the per-request time limit gets a TIMEOUT error; the hub stays healthy. */

const PAGE = `query Page { children(first: 100) { totalCount edges { node {
  id name hukouRegion { code name } education { status } publicSecurity { hukouStatus } civilAffairs { leftBehind }
  poverty { registeredPoor } health { seriousIllness } disability { disabilityType } dropoutCases { id status }
} } } }`;

let hub: TestHub;

beforeAll(async () => {
  // A one-millisecond limit: every operation that reaches the database runs out of time.
  hub = await startTestHub({ env: { QUERY_TIMEOUT_MS: '1' } });
  await hub.sql(`INSERT INTO hub.child (id, name, gender, birth_date, hukou_region, residence_region, created_by, updated_by)
    SELECT gen_random_uuid(), '林' || g, 'MALE', DATE '2016-05-20', '350102', '350102', 'seed', 'seed' FROM generate_series(1, 100) g`);
});
afterAll(() => hub?.stop());

it('gives an operation still running one TIMEOUT error, and the server stays healthy', async () => {
  const edu = await hub.token({ dept: 'EDU', region: '350102' });
  for (let i = 0; i < 3; i++) {
    const res = await hub.gql(PAGE, {}, edu);
    expect(res.body.errors!.map((e) => e.extensions.code)).toEqual(['TIMEOUT']);
    expect(res.body.errors![0].message).toBe('查询超时 Operation timed out: 超过 1 毫秒仍未完成 (still running after 1 ms)');
    expect(res.text).not.toMatch(/\.ts\b|node_modules|\bat [\w.<>$]+ \(|stacktrace/);
  }
  expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  // The database connection came back to the pool.
  expect(await (await fetch(`${hub.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
  expect((await hub.gql('{ __typename }', {}, edu)).body).toEqual({ data: { __typename: 'Query' } });
  expect(await hub.metric('baoxue_graphql_errors_total{code="INTERNAL_SERVER_ERROR"}')).toBe(0);
});
