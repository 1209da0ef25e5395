import fs from 'node:fs';
import path from 'node:path';
import { createECDH, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Config } from '../config';

/** What signs roots and what verifies them: the current key, and the public keys of every key that signed before. */
export interface RootKeys {
  /** The key id (RFC 7638 thumbprint of the public key) named in each root's JWS header. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The JWKS published at `LOG_KEYS_PATH`: the current public key first, then the retired ones. */
  readonly jwks: { readonly keys: readonly PublicJwk[] };
}

export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

/** Where the hub publishes its root keys (HTTP GET, no token: public keys). */
export const LOG_KEYS_PATH = '/.well-known/baoxue-log-keys.json';

/** RFC 7638: SHA-256 of the required members in order, base64url. */
export function thumbprint(jwk: { crv?: string; kty?: string; x?: string; y?: string }): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

/** A public JWK as published, or an error naming what is wrong with it. */
export function publicJwk(jwk: JsonWebKey): PublicJwk {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new Error('根签名密钥应为 P-256 椭圆曲线密钥 (a root key must be an EC P-256 key, for ES256)');
  }
  // The point must be on the curve: node refuses it otherwise.
  createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: thumbprint(jwk), alg: 'ES256', use: 'sig' };
}

function keysFrom(privateKey: KeyObject, retired: readonly PublicJwk[]): RootKeys {
  const current = publicJwk(createPublicKey(privateKey).export({ format: 'jwk' }));
  if (privateKey.asymmetricKeyType !== 'ec') throw new Error('根签名密钥应为 P-256 椭圆曲线密钥 (a root key must be an EC P-256 key, for ES256)');
  return { kid: current.kid, privateKey, jwks: { keys: [current, ...retired.filter((k) => k.kid !== current.kid)] } };
}

/**
 * The key tests sign roots with when given none: derived from a public text, so that every test
 * hub, every restart and the verifier agree without any file. Anyone can forge roots with it:
 * production must set LOG_ROOT_KEY_FILE (loadConfig refuses to start without it).
 */
export function testRootKeys(): RootKeys {
  const d = createHash('sha256').update('baoxue: the change log roots\' test key, public, never for production').digest();
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  return keysFrom(createPrivateKey({ key: jwk, format: 'jwk' }), []);
}

const DEVELOPMENT_FILE = 'log-root-key.pem';

function readPrivateKey(file: string): KeyObject {
  const text = fs.readFileSync(file, 'utf8').trim();
  return text.startsWith('{') ? createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' }) : createPrivateKey(text);
}

function readRetired(file: string | null): PublicJwk[] {
  if (!file) return [];
  const set = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys?: JsonWebKey[] };
  if (!Array.isArray(set.keys)) throw new Error(`${file}: 应为 JWKS，含 keys 数组 (must be a JWKS with a keys array)`);
  return set.keys.map(publicJwk);
}

/**
 * The root keys of a configuration: LOG_ROOT_KEY_FILE (required in production) with the retired
 * public keys of LOG_ROOT_RETIRED_KEYS_FILE; in development, a key made on first start in the data
 * directory, so that roots signed before a restart still verify after it (as long as the data
 * directory, which holds the embedded database too, is kept); in tests, `testRootKeys`.
 *
 * To change the key: add the old public key (from the well-known URL) to the retired file, then
 * point LOG_ROOT_KEY_FILE at the new one. Roots keep the `kid` they were signed with.
 */
export function rootKeysFor(config: Config): RootKeys {
  const retired = readRetired(config.logRoots.retiredKeysFile);
  if (config.logRoots.keyFile) return keysFrom(readPrivateKey(config.logRoots.keyFile), retired);
  if (config.env !== 'development') return { ...testRootKeys(), jwks: { keys: [...testRootKeys().jwks.keys, ...retired] } };
  const file = path.join(config.dataDir, DEVELOPMENT_FILE);
  if (!fs.existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  return keysFrom(readPrivateKey(file), retired);
}
