import type { JWTVerifyGetKey } from 'jose';
import { makeEphemeralKey } from './keys';
import { jose } from './jose';
import { UnauthenticatedError } from '../core/errors';
import { CLOCK_TOLERANCE_SECONDS, signToken, TokenVerifier, VERIFIED_TOKEN_SECONDS } from './tokens';

const settings = { issuer: 'baoxue-test', audience: 'baoxue' };
const claims = { sub: 'edu-1', dept: 'EDU', region: '350102', roles: ['clerk'] } as const;

/** A key set that counts how often it is asked for a key, i.e. how often a signature is checked. */
async function countingKeys(publicJwks: object[]): Promise<{ keys: JWTVerifyGetKey; asked: () => number; swap: (jwks: object[]) => Promise<void> }> {
  const { createLocalJWKSet } = await jose();
  let set = createLocalJWKSet({ keys: publicJwks as never });
  let asked = 0;
  return {
    keys: (header, token) => {
      asked++;
      return set(header, token);
    },
    asked: () => asked,
    swap: async (jwks) => {
      set = createLocalJWKSet({ keys: jwks as never });
    },
  };
}

/** A verifier on a counting key set with one fresh key, on a clock the test moves, and a token of `ttlSeconds` signed by that key. */
async function verifierWithToken(ttlSeconds: number) {
  const key = await makeEphemeralKey();
  const counting = await countingKeys([key.publicJwk]);
  const clock = { now: Date.now() };
  const verifier = new TokenVerifier(counting.keys, settings, () => clock.now);
  const token = await signToken(key.signing, settings, { ...claims, ttlSeconds });
  return { key, counting, clock, verifier, token };
}

// jose's error classes do not survive ts-jest's transform (STACK.md), so refusals are told apart
// here only as UNAUTHENTICATED, not by their reason; tests/e2e/jwt-attacks.test.ts runs the real build.
describe('TokenVerifier remembers tokens that verified, briefly', () => {
  it('checks a token\'s signature once a minute, not on every request', async () => {
    const { counting, clock, verifier, token } = await verifierWithToken(3600);
    const first = await verifier.verify(token);
    expect(first).toEqual(expect.objectContaining({ sub: 'edu-1', dept: 'EDU', region: '350102' }));
    expect(await verifier.verify(token)).toBe(first);
    expect(counting.asked()).toBe(1);
    clock.now += (VERIFIED_TOKEN_SECONDS - 1) * 1000;
    await verifier.verify(token);
    expect(counting.asked()).toBe(1);
    clock.now += 2000;
    await verifier.verify(token);
    expect(counting.asked()).toBe(2);
  });

  it('never past the token\'s expiry: an expired token is refused even if it verified a moment ago', async () => {
    const { clock, verifier, token } = await verifierWithToken(5);
    await verifier.verify(token);
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
    clock.now = (exp + CLOCK_TOLERANCE_SECONDS) * 1000 + 1;
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('stops accepting a token within a minute of its key leaving the key set, and remembers no refusal', async () => {
    const { key, counting, clock, verifier, token } = await verifierWithToken(3600);
    const other = await makeEphemeralKey();
    await verifier.verify(token);
    await counting.swap([other.publicJwk]);
    clock.now += (VERIFIED_TOKEN_SECONDS + 1) * 1000;
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
    // The key comes back: the refusal above was not remembered.
    await counting.swap([key.publicJwk]);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'edu-1' });
  });

  it('remembers nothing for a token that differs by one character', async () => {
    const { verifier, token } = await verifierWithToken(3600);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), dept: 'PSB' })).toString('base64url');
    await expect(verifier.verify(`${header}.${forged}.${signature}`)).rejects.toBeInstanceOf(UnauthenticatedError);
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    await expect(verifier.verify(`${header}.${payload}.${flipped}`)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
