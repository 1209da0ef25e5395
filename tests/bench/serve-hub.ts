import 'reflect-metadata';
import fs from 'node:fs';
import { Session } from 'node:inspector';
import type { Department, Role } from '../../src/auth/identity';
import { makeEphemeralKey } from '../../src/auth/keys';
import { signToken } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { type RunningServer, startServer } from '../../src/web/server';
import { serveBench } from './processes';

/**
 * The real hub in its own process, as in production (no introspection, no demo tokens, schema
 * details hidden from errors, permissions on), except that tokens are signed by a key made here
 * in memory. Answers `ready` with its URL and a token for the identity asked for.
 */
export interface HubStart {
  databaseUrl: string;
  poolMax: number;
  today: string;
  /** The token's identity (roles: a clerk unless named). */
  identity: { dept: Department; region: string; roles?: Role[] };
  /** More settings, as environment variables (e.g. STATS_CACHE_ENTRIES). */
  env?: Record<string, string>;
  /** A hub that writes no change log, to measure what the log costs (the writes case): reachable only from here. */
  withoutChangeLog?: boolean;
  /** A pause between a logged write's two commits, for the change feed's crash test (tests/e2e/feed-durability.test.ts): reachable only from here. */
  delayBetweenCommitsMs?: number;
}

let server: RunningServer | null = null;
let session: Session | null = null;

function post<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  return new Promise((resolve, reject) => session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
}

serveBench<HubStart, { url: string; token: string; pid: number }>({
  async start({ databaseUrl, poolMax, today, identity, env, withoutChangeLog, delayBetweenCommitsMs }) {
    const keys = await makeEphemeralKey();
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_MAX: String(poolMax),
        LOG_LEVEL: 'silent',
        INTROSPECTION: 'false',
        SEED_DEMO: 'false',
        BAOXUE_TODAY: today,
        ...env,
      },
      // Production settings without an identity provider: the key pair above stands in for it.
      { env: 'production' },
    );
    server = await startServer(config, { keys, benchmarkWithoutChangeLog: withoutChangeLog === true, crashTestDelayBetweenCommitsMs: delayBetweenCommitsMs });
    const token = await signToken(keys.signing, config.jwt, {
      sub: `bench-${identity.dept.toLowerCase()}-${identity.region}`,
      dept: identity.dept,
      region: identity.region,
      roles: identity.roles ?? ['clerk'],
      ttlSeconds: 24 * 3600,
    });
    return { url: server.url, token, pid: process.pid };
  },
  async stop() {
    session?.disconnect();
    await server?.stop();
  },
  // A CPU profile of a chosen window only (the load), not of start-up and warm-up: the same
  // sampling profiler as `node --cpu-prof`, driven through the inspector.
  requests: {
    async 'profile-start'() {
      session = new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 1000 });
      await post('Profiler.start');
      return {};
    },
    async 'profile-stop'(message) {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      fs.writeFileSync(String(message.file), JSON.stringify(profile));
      session!.disconnect();
      session = null;
      return { file: message.file };
    },
  },
});
