import { ConfigError, loadConfig } from './config';

/** What a person who set a variable wrong reads when the hub refuses to start. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration errors', () => {
  it.each([['not-a-url'], ['localhost:5432/baoxue'], ['mysql://db.example/baoxue'], ['postgresql://']])(
    'DATABASE_URL=%s is refused in Chinese and English, naming DATABASE_URL and the expected form, without echoing the value',
    (value) => {
      const message = refusal({ DATABASE_URL: value });
      expect(message).toContain('DATABASE_URL');
      expect(message).toMatch(/\p{Script=Han}/u);
      expect(message).toMatch(/postgresql:\/\/|host/);
      expect(message).not.toContain(value === 'postgresql://' ? 'postgresql:///' : value);
    },
  );

  it('asks production for its own statistics secret, and takes a threshold of 2 to 100', () => {
    const production = { NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example/jwks.json', LOG_ROOT_KEY_FILE: '/etc/baoxue/log-root.pem' };
    expect(refusal(production)).toContain('STATS_SECRET');
    expect(refusal({ STATS_SECRET: 'short' })).toContain('STATS_SECRET');
    expect(loadConfig({ ...production, STATS_SECRET: 'a-long-enough-secret' }).statistics).toEqual({ threshold: 5, secret: 'a-long-enough-secret', maxCells: 3000, cacheEntries: 256, keep: true, keepIntervalSeconds: 300 });
    expect(loadConfig({ STATS_CACHE_ENTRIES: '0' }).statistics.cacheEntries).toBe(0);
    expect(loadConfig({ STATS_KEEP: 'false' }).statistics.keep).toBe(false);
    expect(refusal({ STATS_KEEP: 'sometimes' })).toContain('STATS_KEEP');
    expect(loadConfig({ NODE_ENV: 'test' }).statistics.keepIntervalSeconds).toBe(0);
    expect(refusal({ STATS_CACHE_ENTRIES: '-1' })).toContain('STATS_CACHE_ENTRIES');
    expect(loadConfig({ STATS_THRESHOLD: '10' }).statistics.threshold).toBe(10);
    expect(refusal({ STATS_THRESHOLD: '1' })).toContain('STATS_THRESHOLD');
  });

  it('asks production for the key that signs the change log\'s roots, and signs every minute unless told otherwise (never by itself in tests)', () => {
    const production = { NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example/jwks.json', STATS_SECRET: 'a-long-enough-secret' };
    const message = refusal(production);
    expect(message).toContain('LOG_ROOT_KEY_FILE');
    expect(message).toMatch(/\p{Script=Han}/u);
    expect(loadConfig({ ...production, LOG_ROOT_KEY_FILE: '/etc/baoxue/log-root.pem' }).logRoots).toEqual({ keyFile: '/etc/baoxue/log-root.pem', retiredKeysFile: null, intervalSeconds: 60 });
    expect(loadConfig({ NODE_ENV: 'test' }).logRoots.intervalSeconds).toBe(0);
    expect(loadConfig({ LOG_ROOT_INTERVAL_SECONDS: '0' }).logRoots.intervalSeconds).toBe(0);
    expect(refusal({ LOG_ROOT_INTERVAL_SECONDS: '-1' })).toContain('LOG_ROOT_INTERVAL_SECONDS');
  });

  it('accepts PostgreSQL URLs, also with the host as a parameter (a Unix socket)', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://baoxue:secret@db.example:5432/baoxue' }).databaseUrl).toBe('postgresql://baoxue:secret@db.example:5432/baoxue');
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example/baoxue' }).databaseUrl).toBe('postgres://db.example/baoxue');
    expect(loadConfig({ DATABASE_URL: 'postgresql:///baoxue?host=/var/run/postgresql' }).databaseUrl).toBe('postgresql:///baoxue?host=/var/run/postgresql');
    expect(loadConfig({}).databaseUrl).toBeNull();
  });

  it.each([
    ['PORT', 'http'], ['SEED_DEMO', 'yes'], ['NODE_ENV', 'staging'], ['BAOXUE_TODAY', 'today'], ['CASE_DEADLINE', 'July'], ['QUERY_MAX_DEPTH', '1'],
  ])('%s=%s is refused in Chinese and English, naming the variable and the value', (name, value) => {
    const message = refusal({ [name]: value });
    expect(message).toContain(name);
    expect(message).toContain(`"${value}"`);
    expect(message).toMatch(/\p{Script=Han}/u);
  });
});
