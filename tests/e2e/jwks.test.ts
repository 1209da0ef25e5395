import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { makeEphemeralKey } from '../../src/auth/keys';
import { signToken } from '../../src/auth/tokens';
import { startTestHub, type TestHub } from '../support/hub';

/** Production keys: a JWKS URL, cached, refetched on an unknown `kid` at most once per 30 s. */
let hub: TestHub;
let jwksServer: http.Server;
let served: JWK[] = [];
let fetches = 0;
const settings = { issuer: 'https://idp.example', audience: 'baoxue' };
const claims = { sub: 'idp-user', dept: 'EDU' as const, region: '350102', roles: ['clerk' as const] };
const codes = (r: { body: { errors?: Array<{ extensions: { code: string } }> } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

beforeAll(async () => {
  jwksServer = http.createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const port = (jwksServer.address() as AddressInfo).port;
  hub = await startTestHub({ env: { JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, JWT_ISSUER: settings.issuer, JWT_AUDIENCE: settings.audience } });
});
afterAll(async () => {
  await hub?.stop();
  await new Promise((resolve) => jwksServer.close(resolve));
});

it('accepts tokens signed by a key of the set, fetching the set once and caching it', async () => {
  const a = await makeEphemeralKey();
  served = [a.publicJwk];
  const token = await signToken(a.signing, settings, claims);
  for (let i = 0; i < 3; i++) {
    const res = await hub.gql('{ me { sub dept } }', {}, token);
    expect(res.body.data).toEqual({ me: { sub: 'idp-user', dept: 'EDU' } });
  }
  expect(fetches).toBe(1);
  // The hub's own local key means nothing once a JWKS URL is configured.
  expect(codes(await hub.gql('{ me { sub } }', {}, await hub.token({ dept: 'EDU', region: '350102' })))).toEqual(['UNAUTHENTICATED']);
});

it('does not refetch the set for an unknown kid within 30 s of the last fetch', async () => {
  const before = fetches;
  const rotated = await makeEphemeralKey();
  const newKeyToken = await signToken(rotated.signing, settings, claims);
  served = [...served, rotated.publicJwk];
  // Within 30 s of the last fetch an unknown kid is refused without asking the identity provider again.
  for (let i = 0; i < 3; i++) expect(codes(await hub.gql('{ me { sub } }', {}, newKeyToken))).toEqual(['UNAUTHENTICATED']);
  expect(fetches).toBe(before);
});
