import { makeEphemeralKey } from '../../src/auth/keys';
import { signToken } from '../../src/auth/tokens';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let edu: string;
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

beforeAll(async () => {
  hub = await startTestHub({ env: { MAX_BODY_BYTES: '4096' } });
  edu = await hub.token({ dept: 'EDU', region: '350102' });
});
afterAll(() => hub?.stop());

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${hub.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('exposes Prometheus metrics by operation, error code and pool state', async () => {
    await hub.gql('query WhoAmI { me { sub } }', {}, edu);
    await hub.gql('query Nobody { me { sub } }', {}, null);
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(text).toMatch(/baoxue_graphql_requests_total\{operation="WhoAmI",type="query"\} 1/);
    expect(text).toMatch(/baoxue_graphql_request_duration_seconds_bucket\{le="[\d.]+",operation="WhoAmI"\}/);
    expect(text).toMatch(/baoxue_graphql_errors_total\{code="UNAUTHENTICATED"\} 1/);
    expect(text).toMatch(/baoxue_db_pool_connections\{state="used"\}/);
    expect(text).toMatch(/baoxue_sql_statements_total \d+/);
  });
});

describe('requests and errors', () => {
  it('echoes a caller\'s request id and puts it in every error', async () => {
    const res = await fetch(`${hub.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42' }, body: JSON.stringify({ query: '{ me { sub } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    expect((await res.json()).errors[0].extensions).toEqual(expect.objectContaining({ code: 'UNAUTHENTICATED', requestId: 'trace-42' }));
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { sub } } # ${'x'.repeat(5000)}` }) });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0].message).toMatch(/4096/);
  });

  it('refuses malformed JSON and batched requests', async () => {
    const bad = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBe(400);
    const batch = await fetch(`${hub.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${edu}` }, body: JSON.stringify([{ query: '{ me { sub } }' }, { query: '{ me { sub } }' }]),
    });
    expect(batch.status).toBe(400);
  });

  it('masks an internal failure: no SQL, no stack, a request id to quote', async () => {
    const registered = await hub.gql(REGISTER, { records: [childInput()] }, edu);
    expect(registered.body.errors).toBeUndefined();
    // Break the database under the server: reading the education section now fails in SQL.
    await hub.sql('ALTER TABLE edu.education_record RENAME TO education_record_away');
    try {
      const res = await hub.gql('query { children(first: 1) { edges { node { name education { status } } } } }', {}, edu);
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(res.body.errors![0].message).toMatch(/Internal server error/);
      expect(res.text).not.toMatch(/education_record|relation|select|stack|\.ts/i);
      expect(res.body.errors![0].extensions.requestId).toEqual(expect.any(String));
      // The rest of the answer is still there: one failing section does not hide the child.
      expect((res.body.data as any).children.edges[0].node.name).toBe('林小明');
    } finally {
      await hub.sql('ALTER TABLE edu.education_record_away RENAME TO education_record');
    }
  });
});

describe('tokens', () => {
  it('refuses a missing, malformed, foreign, expired or mis-addressed token with UNAUTHENTICATED and no data', async () => {
    const foreign = await makeEphemeralKey();
    const settings = { issuer: 'baoxue-local', audience: 'baoxue' };
    const claims = { sub: 'x', dept: 'EDU' as const, region: '350102', roles: ['clerk' as const] };
    const cases = [
      null,
      'not-a-jwt',
      await signToken(foreign.signing, settings, claims),
      await signToken(foreign.signing, { ...settings, audience: 'other' }, claims),
      await hub.token({ ...claims, ttlSeconds: -31 }),
      await hub.token({ ...claims, ttlSeconds: -3600 }),
      edu.slice(0, -4) + (edu.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${edu.split('.')[1]}.`,
    ];
    for (const token of cases) {
      const res = await hub.gql('{ me { sub } children(first: 1) { totalCount } }', {}, token);
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.body.data ?? null).toBeNull();
    }
  });

  it('refuses claims naming an unknown department, region or role', async () => {
    // Signed by the hub's own key, but with claims the hub does not know.
    for (const claims of [{ dept: 'TAX', region: '350102' }, { dept: 'EDU', region: '999999' }, { dept: 'EDU', region: '3501' }, { dept: 'EDU', region: '350102', roles: ['admin'] }, { dept: 'PSB', region: '350102', roles: ['expert'] }]) {
      const res = await hub.gql('{ me { sub } }', {}, await hub.token(claims as never));
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('shutdown', () => {
  it('finishes in-flight requests, then stops accepting', async () => {
    const other = await startTestHub();
    const token = await other.token({ dept: 'EDU', region: '350102' });
    const inFlight = Array.from({ length: 10 }, () => other.gql('{ me { sub } children(first: 5) { totalCount } }', {}, token));
    // Stop once the server is answering them (not before they arrive: those would be refused).
    while (other.server.inFlight() === 0) await new Promise((resolve) => setImmediate(resolve));
    const stopped = other.stop();
    const results = await Promise.allSettled(inFlight);
    await stopped;
    const answered = results.filter((r) => r.status === 'fulfilled');
    expect(answered.length).toBeGreaterThan(0);
    for (const res of answered) expect((res as PromiseFulfilledResult<any>).value.body.errors).toBeUndefined();
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow();
  });
});
