/**
 * Hostile tokens: every one must be refused with UNAUTHENTICATED and no data at all. The tokens
 * are crafted with jose against the server's own key pair (its public half from the test hub),
 * so that each attack differs from a valid token in exactly the way it names.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { CryptoKey, JWTPayload } from 'jose';
import { childInput, REGISTER } from '../support/fixtures';
import { startTestHub, type TestHub } from '../support/hub';

// jose is ES modules only; Jest transforms it (tests/jest.config.js), so `require` works here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jose = require('jose') as typeof import('jose');

let hub: TestHub;
let key: { kid: string; privateKey: CryptoKey };
const child = childInput({ name: '令牌秘密', gender: 'FEMALE' });
const QUERY = `query($id: ID!) { me { sub dept region { code } } child(id: $id) { name idNumber } children(first: 5) { totalCount edges { node { name } } } }`;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A valid token's claims, for an education clerk of Gulou; each attack changes one thing. */
function claims(overrides: Record<string, unknown> = {}, omit: string[] = []): JWTPayload {
  const base: Record<string, unknown> = {
    sub: 'jwt-attacker', dept: 'EDU', region: '350102', roles: ['clerk'],
    iss: hub.jwt.issuer, aud: hub.jwt.audience, iat: now(), exp: now() + 600, ...overrides,
  };
  for (const name of omit) delete base[name];
  return base as JWTPayload;
}

/** Signed with the hub's own key, as a valid token is, with the header and claims given. */
function sign(payload: JWTPayload, header: Record<string, unknown> = {}, signingKey: CryptoKey = key.privateKey, crit?: Record<string, boolean>): Promise<string> {
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT', ...header } as never).sign(signingKey, crit ? { crit } : undefined);
}

let cases = 0;
interface Answer {
  status: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions: { code: string } }> };
  text: string;
}

async function ask(authorization: string | null): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${hub.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: QUERY, variables: { id: child.id } }) });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

/** The token is refused: UNAUTHENTICATED only, no data, nothing of the child in the body. */
async function refused(label: string, token: string, authorization = `Bearer ${token}`): Promise<void> {
  cases++;
  const answer = await ask(authorization);
  const seen = {
    label,
    data: answer.body.data ?? null,
    codes: (answer.body.errors ?? []).map((e) => e.extensions.code),
    status: answer.status,
    leaks: [child.name, child.idNumber!, child.id].filter((secret) => answer.text.includes(secret)),
    stack: /\bat .+\.(?:ts|js):\d+/.test(answer.text),
  };
  expect(seen).toEqual({ label, data: null, codes: ['UNAUTHENTICATED'], status: 401, leaks: [], stack: false });
}

async function accepted(label: string, token: string): Promise<void> {
  const answer = await ask(`Bearer ${token}`);
  expect({ label, errors: answer.body.errors ?? [] }).toEqual({ label, errors: [] });
  expect((answer.body.data as any).child.name).toBe(child.name);
}

beforeAll(async () => {
  hub = await startTestHub();
  key = hub.server.signingKey!;
  expect(hub.publicJwk.kid).toBe(key.kid);
  const res = await hub.gql(REGISTER, { records: [child] }, await hub.token({ dept: 'EDU', region: '350102' }));
  expect(res.body.errors).toBeUndefined();
});
afterAll(() => hub?.stop());

describe('the controls', () => {
  it('accepts a token crafted here exactly as the hub signs them, so every refusal below is the attack\'s doing', async () => {
    await accepted('crafted', await sign(claims()));
    await accepted('hub-issued', await hub.token({ dept: 'EDU', region: '350102' }));
  });

  it('accepts a token expired 25 s ago (the clock tolerance is 30 s)', async () => {
    // Signed and sent at once: it would take five seconds between the two for this to fail.
    await accepted('expired 25 s ago', await hub.token({ dept: 'EDU', region: '350102', ttlSeconds: -25 }));
  });
});

describe('forged signatures and algorithms', () => {
  it('refuses alg none, however spelled, with or without a signature', async () => {
    const valid = await sign(claims());
    const signature = valid.split('.')[2];
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(claims())}.`;
      await refused(`alg ${alg}`, unsigned);
      await refused(`alg ${alg} with a signature`, `${unsigned}${signature}`);
    }
    await refused('alg none with the kid', `${b64({ alg: 'none', kid: key.kid })}.${b64(claims())}.`);
  });

  it('refuses HS256 (and HS384, HS512) signed with the server\'s public key material as the secret', async () => {
    const publicKey = createPublicKey({ key: hub.publicJwk as JsonWebKey, format: 'jwk' });
    const secrets: Record<string, Uint8Array> = {
      'the JWK as JSON': Buffer.from(JSON.stringify(hub.publicJwk)),
      'the public JWK without kid, alg, use': Buffer.from(JSON.stringify({ kty: hub.publicJwk.kty, crv: hub.publicJwk.crv, x: hub.publicJwk.x, y: hub.publicJwk.y })),
      'the SPKI PEM': Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }) as string),
      'the SPKI DER': publicKey.export({ type: 'spki', format: 'der' }) as Buffer,
      'the raw point x‖y': Buffer.concat([Buffer.from(hub.publicJwk.x!, 'base64url'), Buffer.from(hub.publicJwk.y!, 'base64url')]),
    };
    for (const [name, secret] of Object.entries(secrets)) {
      await refused(`HS256 with ${name}`, await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(secret));
    }
    for (const alg of ['HS384', 'HS512']) {
      await refused(`${alg} with the SPKI PEM`, await new jose.SignJWT(claims()).setProtectedHeader({ alg, kid: key.kid }).sign(secrets['the SPKI PEM']));
    }
  });

  it('refuses other asymmetric algorithms, even under the hub\'s kid', async () => {
    for (const alg of ['ES384', 'ES512', 'RS256', 'PS256', 'EdDSA']) {
      const pair = await jose.generateKeyPair(alg);
      await refused(`${alg} key`, await sign(claims(), { alg }, pair.privateKey));
    }
  });

  it('refuses a token signed by another ES256 key that claims the hub\'s kid', async () => {
    const other = await jose.generateKeyPair('ES256');
    await refused('another ES256 key, same kid', await sign(claims(), {}, other.privateKey));
    await refused('another ES256 key, no kid', await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'ES256' }).sign(other.privateKey));
  });

  it('refuses a tampered payload or header under the original signature', async () => {
    const [header, , signature] = (await sign(claims())).split('.');
    const tampered: Record<string, Record<string, unknown>> = {
      'region widened to the province': { region: '350000' },
      'region moved to another county': { region: '350103' },
      'role raised to supervisor': { roles: ['supervisor'] },
      'department changed': { dept: 'HEALTH' },
      'subject changed': { sub: 'someone-else' },
      'lifetime extended': { exp: now() + 365 * 86400 },
    };
    for (const [name, change] of Object.entries(tampered)) await refused(`tampered: ${name}`, `${header}.${b64(claims(change))}.${signature}`);
    const [, payload] = (await sign(claims())).split('.');
    await refused('tampered header: kid', `${b64({ alg: 'ES256', kid: 'other', typ: 'JWT' })}.${payload}.${signature}`);
    await refused('signature of another token', `${header}.${b64(claims({ region: '350000' }))}.${(await sign(claims({ region: '350000', sub: 'x' }))).split('.')[2]}`);
    await refused('signature cut short', `${header}.${payload}.${signature.slice(0, -4)}`);
    await refused('no signature', `${header}.${payload}.`);
  });
});

describe('claims', () => {
  it('refuses a token expired by 31 s, and long expired', async () => {
    await refused('expired 31 s ago', await hub.token({ dept: 'EDU', region: '350102', ttlSeconds: -31 }));
    await refused('expired an hour ago', await hub.token({ dept: 'EDU', region: '350102', ttlSeconds: -3600 }));
    await refused('exp 0', await sign(claims({ exp: 0 })));
  });

  it('refuses a token not valid before a time beyond the tolerance', async () => {
    await refused('nbf in 90 s', await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setNotBefore(now() + 90).sign(key.privateKey));
    await refused('nbf in a day', await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setNotBefore('1d').sign(key.privateKey));
  });

  it('refuses a token missing any required claim', async () => {
    for (const claim of ['exp', 'iat', 'sub', 'iss', 'aud']) await refused(`missing ${claim}`, await sign(claims({}, [claim])));
  });

  it('refuses claims of the wrong type or shape', async () => {
    await refused('exp as a string', await sign(claims({ exp: String(now() + 600) })));
    await refused('iat as a string', await sign(claims({ iat: String(now()) })));
    await refused('empty sub', await sign(claims({ sub: '' })));
    await refused('sub of 201 characters', await sign(claims({ sub: 's'.repeat(201) })));
    await refused('sub as a number', await sign(claims({ sub: 42 })));
  });

  it('refuses a wrong issuer or audience', async () => {
    for (const iss of ['evil', '', `${hub.jwt.issuer} `, hub.jwt.issuer.toUpperCase()]) await refused(`iss "${iss}"`, await sign(claims({ iss })));
    for (const aud of ['other', ['other'], '', `${hub.jwt.audience}x`]) await refused(`aud ${JSON.stringify(aud)}`, await sign(claims({ aud })));
  });

  it('refuses an unknown critical header parameter', async () => {
    await refused('crit x-unknown', await sign(claims(), { crit: ['x-unknown'], 'x-unknown': true }, key.privateKey, { 'x-unknown': true }));
    await refused('crit exp', await sign(claims(), { crit: ['exp'], exp: now() + 600 }, key.privateKey, { exp: true }));
  });

  it('refuses a token for an unknown department', async () => {
    for (const dept of ['EDUX', 'edu', '', 'ADMIN', 42, ['EDU'], null]) await refused(`dept ${JSON.stringify(dept)}`, await sign(claims({ dept })));
    await refused('dept missing', await sign(claims({}, ['dept'])));
  });

  it('refuses a malformed or unknown region', async () => {
    for (const region of ['35010', '3501021', 'abcdef', '350102 ', ' 350102', '999999', '', 350102, null]) {
      await refused(`region ${JSON.stringify(region)}`, await sign(claims({ region })));
    }
    await refused('region missing', await sign(claims({}, ['region'])));
  });

  it('refuses unknown roles, an empty list, and roles that are not a list', async () => {
    const bad: unknown[] = [['admin'], ['clerk', 'root'], ['CLERK'], [], 'clerk', [null], Array(11).fill('clerk'), ['superuser']];
    for (const roles of bad) await refused(`roles ${JSON.stringify(roles)}`, await sign(claims({ roles })));
    await refused('roles missing', await sign(claims({}, ['roles'])));
    await refused('expert outside EDU, HEALTH, DPF', await sign(claims({ dept: 'PSB', roles: ['expert'] })));
  });
});

describe('hostile key ids and sizes', () => {
  it('refuses hostile kid values', async () => {
    const kids: unknown[] = ['../../dev/null', "' OR 1=1--", '/etc/passwd', 'http://169.254.169.254/latest/meta-data/', '\u0000', `${key.kid}\u0000`, 'k'.repeat(5 * 1024), 123, { $ne: null }];
    for (const kid of kids) await refused(`kid ${JSON.stringify(kid).slice(0, 40)}`, await sign(claims(), { kid }));
  });

  it('refuses a token over 4096 bytes, however valid its signature', async () => {
    const big = await sign(claims({ padding: 'p'.repeat(4200) }));
    expect(big.length).toBeGreaterThan(4096);
    await refused('oversized token', big);
  });

  it('refuses tokens that are not a compact JWS, and malformed Authorization headers', async () => {
    for (const token of ['abc', 'a.b', 'a.b.c.d', 'a.b.c.d.e', `${b64({ alg: 'ES256' })}.${b64('not json')}.`, '...']) await refused(`malformed "${token.slice(0, 20)}"`, token);
    const valid = await sign(claims());
    for (const header of [`Basic ${valid}`, `bearer ${valid}`, `Bearer  ${valid}`, `Bearer ${valid} extra`, 'Bearer', `Bearer ${valid.replace(/\./g, ' ')}`]) {
      await refused(`header "${header.slice(0, 14)}…"`, valid, header);
    }
  });

  it('refuses a request with no token at all', async () => {
    cases++;
    const answer = await ask(null);
    expect({ data: answer.body.data ?? null, codes: (answer.body.errors ?? []).map((e) => e.extensions.code) }).toEqual({ data: null, codes: ['UNAUTHENTICATED'] });
    expect(answer.text).not.toContain(child.name);
  });
});

describe('the count', () => {
  it('ran every case', () => {
    process.stdout.write(`\nJWT attacks: ${cases} hostile token cases run\n`);
    expect(cases).toBeGreaterThan(100);
  });
});
