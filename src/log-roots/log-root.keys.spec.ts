import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../config';
import { rootKeysFor, testRootKeys } from './log-root.keys';

describe('root signing keys', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('in development, are made once in the data directory and the same after a restart, so that older roots still verify', () => {
    const dataDir = tmp();
    const first = rootKeysFor(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }));
    const again = rootKeysFor(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }));
    expect(again.kid).toBe(first.kid);
    expect((fs.statSync(path.join(dataDir, 'log-root-key.pem')).mode & 0o777).toString(8)).toBe('600');
    expect(rootKeysFor(loadConfig({ NODE_ENV: 'development', DATA_DIR: tmp() })).kid).not.toBe(first.kid);
  });

  it('in tests, are one fixed key without any file', () => {
    expect(rootKeysFor(loadConfig({ NODE_ENV: 'test', DATA_DIR: '/nonexistent' })).kid).toBe(testRootKeys().kid);
  });

  it('come from LOG_ROOT_KEY_FILE, publish the retired keys beside the current one (by kid), and refuse a key that is not P-256', () => {
    const dir = tmp();
    const old = testRootKeys().jwks.keys[0];
    fs.writeFileSync(path.join(dir, 'retired.json'), JSON.stringify({ keys: [old] }));
    fs.writeFileSync(path.join(dir, 'key.pem'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const keys = rootKeysFor(loadConfig({ NODE_ENV: 'test', LOG_ROOT_KEY_FILE: path.join(dir, 'key.pem'), LOG_ROOT_RETIRED_KEYS_FILE: path.join(dir, 'retired.json') }));
    expect(keys.jwks.keys.map((k) => k.kid)).toEqual([keys.kid, old.kid]);
    expect(keys.jwks.keys.every((k) => !('d' in k))).toBe(true);
    fs.writeFileSync(path.join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => rootKeysFor(loadConfig({ NODE_ENV: 'test', LOG_ROOT_KEY_FILE: path.join(dir, 'rsa.pem') }))).toThrow(/P-256/);
  });
});
