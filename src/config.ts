import path from 'node:path';

/**
 * Every setting of the hub, read from the environment once, validated and frozen.
 * Nothing else in the code reads `process.env`: take a `Config` as a parameter instead.
 */
export interface Config {
  /** `development` offers demo tokens, introspection and field suggestions; `production` none of them. */
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used. */
  readonly databaseUrl: string | null;
  readonly databasePoolMax: number;
  /** Holds the embedded database (`pglite/`) and, in local use, the token signing key pair. */
  readonly dataDir: string;
  /** Seed demo data when the database holds no children yet. */
  readonly seedDemo: boolean;
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl: string | null;
    readonly publicKeyFile: string | null;
  };
  readonly introspection: boolean;
  readonly logLevel: string;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** What one GraphQL request may ask for; enforced by src/web/query-safety.ts. */
  readonly queryLimits: {
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    readonly maxRootFields: number;
    readonly maxCost: number;
    readonly maxTokens: number;
    readonly maxVariables: number;
    readonly maxListItems: number;
    readonly timeoutMs: number;
  };
  /** A fixed "today" (YYYY-MM-DD) for age rules; null means the real date. For tests and replays. */
  readonly today: string | null;
  /** Month and day (MM-DD) in the school year's second year by which a dropout case is due, unless set on the case. */
  readonly caseDeadline: string;
  /** Disclosure control of `statistics` for readers without row access (src/stats/disclosure.ts). */
  readonly statistics: {
    /** Counts from 1 to threshold-1 are suppressed; shown counts are rounded to multiples of it. */
    readonly threshold: number;
    /** HMAC key fixing each cell's rounding: with it, rounding can be undone. */
    readonly secret: string;
    /** The most cells and totals an analyst's table may have (suppression solves its equations). */
    readonly maxCells: number;
    /** Statements whose rows are kept for asking again (src/stats/stats.cache.ts); 0 keeps none. */
    readonly cacheEntries: number;
    /** Answer from the tables the hub keeps of the counts (src/stats/stats.cube.ts) where a question allows. */
    readonly keep: boolean;
    /** Seconds between bringing those tables up to date and keeping settled month ends ahead of questions; 0: only when asked. */
    readonly keepIntervalSeconds: number;
  };
  /** Signed roots over the county chains of entries (src/log-roots). */
  readonly logRoots: {
    /** The ES256 private key that signs roots (PKCS#8 PEM or a JWK); null: a development or test key (see log-root.keys.ts). */
    readonly keyFile: string | null;
    /** A JWKS file of retired public keys, published beside the current one so that older roots still verify. */
    readonly retiredKeysFile: string | null;
    /** Seconds between roots signed by the server (0: only on demand). */
    readonly intervalSeconds: number;
  };
}

/** The statistics' rounding key outside production: public, so production must set its own. */
export const DEVELOPMENT_STATISTICS_SECRET = 'baoxue-development-statistics-secret';

type Env = Record<string, string | undefined>;

const DESCRIPTIONS: Record<string, string> = {
  NODE_ENV: 'development (default) | production | test',
  HOST: 'interface to listen on (default 127.0.0.1; 0.0.0.0 in production)',
  PORT: 'HTTP port (default 4000; 0 picks a free port)',
  DATABASE_URL: 'postgres://… of a PostgreSQL server; unset = embedded PGlite in DATA_DIR',
  DATABASE_POOL_MAX: 'connections in the pool (default 10; always 1 on PGlite)',
  DATA_DIR: 'embedded database and local signing keys (default ./data)',
  SEED_DEMO: 'seed demo data into an empty database: true (default in development) | false',
  JWT_ISSUER: 'expected `iss` of tokens (default baoxue-local)',
  JWT_AUDIENCE: 'expected `aud` of tokens (default baoxue)',
  JWT_JWKS_URL: 'production: URL of the identity provider key set',
  JWT_PUBLIC_KEY_FILE: 'production: PEM (SPKI) file of the ES256 public key',
  INTROSPECTION: 'allow schema introspection: true | false (default true except in production)',
  LOG_LEVEL: 'pino level (default info; silent in tests)',
  MAX_BODY_BYTES: 'largest request body (default 1048576)',
  QUERY_MAX_DEPTH: 'deepest field nesting of an operation; fragments and inline fragments count as a level (default 12)',
  QUERY_MAX_ALIASES: 'aliases in one operation, fragments expanded (default 30)',
  QUERY_MAX_DIRECTIVES: 'directives in one operation, fragments expanded (default 20)',
  QUERY_MAX_ROOT_FIELDS: 'root fields of one operation, e.g. childByIdNumber guesses (default 10)',
  QUERY_MAX_COST: 'estimated cost: 1 per field, lists multiply by first/last, the batch size or their expected length (default 20000)',
  QUERY_MAX_TOKENS: 'lexical tokens in a query document (default 5000)',
  QUERY_MAX_VARIABLES: 'variables of one request (default 50)',
  QUERY_MAX_LIST_ITEMS: 'items in any list or object inside variable values; the write batch is 1000 (default 1000)',
  QUERY_TIMEOUT_MS: 'an operation still running after this many milliseconds gets TIMEOUT errors (default 10000)',
  BAOXUE_TODAY: 'fixed date YYYY-MM-DD for the age rules (default: the real date)',
  STATS_THRESHOLD: 'analysts\' statistics: counts from 1 to this minus 1 are suppressed, shown counts rounded to multiples of it (default 5)',
  STATS_MAX_CELLS: 'most cells and totals in an analyst\'s statistics table; complementary suppression solves its equations (default 3000, about half a second)',
  STATS_CACHE_ENTRIES: 'statistics statements whose rows the hub keeps until the next write (past as-of tables: for good); 0 keeps none (default 256)',
  STATS_KEEP: 'answer statistics from the counts the hub keeps up to date with every logged write, today and at settled month ends (true or false; default true)',
  STATS_KEEP_INTERVAL_SECONDS: 'seconds between bringing the kept statistics up to date and keeping the last settled month end ahead of questions; 0 only when asked (default 300; 0 in tests)',
  STATS_SECRET: 'key (at least 16 characters) fixing each statistics cell\'s rounding; required in production (default: a development key)',
  LOG_ROOT_KEY_FILE: 'ES256 private key (PKCS#8 PEM or JWK) signing the roots of the county chains; required in production (default: a key in DATA_DIR in development, a fixed public key in tests)',
  LOG_ROOT_RETIRED_KEYS_FILE: 'JWKS file of the public keys that signed earlier roots, published with the current one (default none)',
  LOG_ROOT_INTERVAL_SECONDS: 'seconds between signed roots of the county chains; 0 signs only on demand (default 60; 0 in tests)',
  CASE_DEADLINE: 'MM-DD by which a dropout case is due in the school year\'s second year, unless set on the case (default 07-31: 四(二) 7月底前)',
};

export const CONFIG_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze(DESCRIPTIONS);

/** A setting the hub cannot start with: names the variable, in Chinese and English. */
export class ConfigError extends Error {
  constructor(readonly variable: string, zh: string, en: string) {
    super(`配置有误 Invalid setting ${variable}: ${zh} (${en})`);
  }
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `应为 ${min} 到 ${max} 的整数，实为 "${raw}"`, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `应为 true 或 false，实为 "${raw}"`, `must be true or false, got "${raw}"`);
}

function text(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

/**
 * A PostgreSQL connection URL, checked here: the driver would otherwise take any text as a host
 * name and answer with a resolver's error that does not name the variable. The URL itself is never
 * repeated in the message, as it may hold a password.
 */
function databaseUrl(env: Env): string | null {
  const raw = text(env, 'DATABASE_URL');
  if (raw === null) return null;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new ConfigError('DATABASE_URL', '应为 postgresql://用户:密码@主机:端口/数据库 形式的地址；不设则使用内嵌数据库',
      'must be a URL such as postgresql://user:password@host:5432/database; leave it unset for the embedded database');
  }
  if (!url.hostname && !url.searchParams.get('host')) {
    throw new ConfigError('DATABASE_URL', '缺少主机名', 'names no host');
  }
  return raw;
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (nodeEnv !== 'development' && nodeEnv !== 'production' && nodeEnv !== 'test') {
    throw new ConfigError('NODE_ENV', `应为 development、production 或 test，实为 "${nodeEnv}"`, `must be development, production or test, got "${nodeEnv}"`);
  }
  const caseDeadline = text(env, 'CASE_DEADLINE') ?? '07-31';
  if (!/^(0[1-8])-(0[1-9]|[12]\d|3[01])$/.test(caseDeadline) || Number.isNaN(Date.parse(`2027-${caseDeadline}T00:00:00Z`)) || new Date(`2027-${caseDeadline}T00:00:00Z`).toISOString().slice(5, 10) !== caseDeadline) {
    throw new ConfigError('CASE_DEADLINE', `应为 01-01 到 08-31 之间的 MM-DD，实为 "${caseDeadline}"`, `must be MM-DD between 01-01 and 08-31, got "${caseDeadline}"`);
  }
  const today = text(env, 'BAOXUE_TODAY');
  if (today !== null && !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
    throw new ConfigError('BAOXUE_TODAY', `应为 YYYY-MM-DD，实为 "${today}"`, `must be YYYY-MM-DD, got "${today}"`);
  }
  const jwksUrl = text(env, 'JWT_JWKS_URL');
  const publicKeyFile = text(env, 'JWT_PUBLIC_KEY_FILE');
  if (nodeEnv === 'production' && !jwksUrl && !publicKeyFile) {
    throw new ConfigError('JWT_JWKS_URL', '生产环境须设置 JWT_JWKS_URL 或 JWT_PUBLIC_KEY_FILE，本地签名密钥仅用于开发', 'production needs JWT_JWKS_URL or JWT_PUBLIC_KEY_FILE: local signing keys are for development only');
  }
  const statsSecret = text(env, 'STATS_SECRET');
  if (statsSecret !== null && statsSecret.length < 16) throw new ConfigError('STATS_SECRET', '至少16个字符', 'must be at least 16 characters');
  if (nodeEnv === 'production' && statsSecret === null) {
    throw new ConfigError('STATS_SECRET', '生产环境须设置统计舍入密钥', 'production needs a secret for the statistics\' rounding: the development key is public');
  }
  const logRootKeyFile = text(env, 'LOG_ROOT_KEY_FILE');
  if (nodeEnv === 'production' && logRootKeyFile === null) {
    throw new ConfigError('LOG_ROOT_KEY_FILE', '生产环境须设置签署变更日志根的私钥', 'production needs the private key that signs the chains\' roots: the development keys are not secret');
  }
  const config: Config = {
    env: nodeEnv,
    host: text(env, 'HOST') ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port: int(env, 'PORT', 4000, 0, 65535),
    databaseUrl: databaseUrl(env),
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 200),
    dataDir: path.resolve(text(env, 'DATA_DIR') ?? 'data'),
    seedDemo: bool(env, 'SEED_DEMO', nodeEnv === 'development'),
    jwt: {
      issuer: text(env, 'JWT_ISSUER') ?? 'baoxue-local',
      audience: text(env, 'JWT_AUDIENCE') ?? 'baoxue',
      jwksUrl,
      publicKeyFile,
    },
    introspection: bool(env, 'INTROSPECTION', nodeEnv !== 'production'),
    logLevel: text(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    queryLimits: {
      maxDepth: int(env, 'QUERY_MAX_DEPTH', 12, 2, 100),
      maxAliases: int(env, 'QUERY_MAX_ALIASES', 30, 0, 10_000),
      maxDirectives: int(env, 'QUERY_MAX_DIRECTIVES', 20, 0, 10_000),
      maxRootFields: int(env, 'QUERY_MAX_ROOT_FIELDS', 10, 1, 1000),
      maxCost: int(env, 'QUERY_MAX_COST', 20_000, 100, 100_000_000),
      maxTokens: int(env, 'QUERY_MAX_TOKENS', 5000, 100, 1_000_000),
      maxVariables: int(env, 'QUERY_MAX_VARIABLES', 50, 0, 10_000),
      maxListItems: int(env, 'QUERY_MAX_LIST_ITEMS', 1000, 1, 1_000_000),
      timeoutMs: int(env, 'QUERY_TIMEOUT_MS', 10_000, 1, 600_000),
    },
    today,
    caseDeadline,
    statistics: {
      threshold: int(env, 'STATS_THRESHOLD', 5, 2, 100),
      secret: statsSecret ?? DEVELOPMENT_STATISTICS_SECRET,
      maxCells: int(env, 'STATS_MAX_CELLS', 3000, 10, 100_000),
      cacheEntries: int(env, 'STATS_CACHE_ENTRIES', 256, 0, 100_000),
      keep: bool(env, 'STATS_KEEP', true),
      keepIntervalSeconds: int(env, 'STATS_KEEP_INTERVAL_SECONDS', nodeEnv === 'test' ? 0 : 300, 0, 86_400),
    },
    logRoots: {
      keyFile: logRootKeyFile,
      retiredKeysFile: text(env, 'LOG_ROOT_RETIRED_KEYS_FILE'),
      intervalSeconds: int(env, 'LOG_ROOT_INTERVAL_SECONDS', nodeEnv === 'test' ? 0 : 60, 0, 86_400),
    },
    ...overrides,
  };
  return Object.freeze(config);
}

/** True when tokens are signed by the hub's own key pair (local use), so demo tokens may be issued. */
export function usesLocalKeys(config: Config): boolean {
  return !config.jwt.jwksUrl && !config.jwt.publicKeyFile;
}
