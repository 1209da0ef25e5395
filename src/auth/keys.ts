import fs from 'node:fs';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import type { CryptoKey, JWK, JWTVerifyGetKey } from 'jose';
import type { Config } from '../config';
import { usesLocalKeys } from '../config';
import { jose } from './jose';

export const ALGORITHM = 'ES256';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

const PRIVATE_FILE = 'jwt-signing-key.jwk.json';

/**
 * Local use: the hub's own ES256 key pair, made on first start in the data directory so that
 * tokens issued by `npm run -s token` survive restarts.
 */
export async function loadOrCreateLocalKey(dataDir: string): Promise<{ signing: SigningKey; publicJwk: JWK }> {
  const { generateKeyPair, exportJWK, importJWK, calculateJwkThumbprint } = await jose();
  const file = path.join(dataDir, PRIVATE_FILE);
  let privateJwk: JWK;
  if (fs.existsSync(file)) {
    privateJwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  } else {
    const pair = await generateKeyPair(ALGORITHM, { extractable: true });
    privateJwk = await exportJWK(pair.privateKey);
    privateJwk.kid = await calculateJwkThumbprint(privateJwk);
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _secret, ...publicJwk } = privateJwk;
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  const privateKey = (await importJWK({ ...privateJwk, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
  return { signing: { kid, privateKey }, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } };
}

/** A key made in memory, for tests. */
export async function makeEphemeralKey(): Promise<{ signing: SigningKey; publicJwk: JWK }> {
  const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await jose();
  const pair = await generateKeyPair(ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { signing: { kid, privateKey: pair.privateKey }, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } };
}

/**
 * The key(s) tokens are verified against. Production: a JWKS URL (cached; an unknown `kid`
 * refetches at most once per 30 s) or an SPKI public key file. Local: the hub's own public key.
 */
export async function verificationKeys(config: Config, localPublicJwk: JWK | null): Promise<JWTVerifyGetKey> {
  const { createRemoteJWKSet, createLocalJWKSet, exportJWK } = await jose();
  if (config.jwt.jwksUrl) {
    return createRemoteJWKSet(new URL(config.jwt.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
  }
  if (config.jwt.publicKeyFile) {
    const key = createPublicKey(fs.readFileSync(config.jwt.publicKeyFile, 'utf8'));
    const jwk = (await exportJWK(key)) as JWK;
    return createLocalJWKSet({ keys: [{ ...jwk, alg: ALGORITHM, use: 'sig' }] });
  }
  if (!usesLocalKeys(config) || !localPublicJwk) throw new Error('no verification key configured');
  return createLocalJWKSet({ keys: [localPublicJwk] });
}
