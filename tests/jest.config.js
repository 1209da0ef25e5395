/**
 * Unit tests (beside the code, *.spec.ts) and end-to-end tests (tests/e2e, *.test.ts) that start
 * the real server and talk HTTP to it. The end-to-end tests run once on embedded PGlite and, when
 * TEST_DATABASE_URL names a PostgreSQL server, once more on it (a fresh database per test file,
 * copied from one migrated once per run).
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const transform = {
  '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { isolatedModules: true, allowJs: true, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, resolveJsonModule: true, target: 'ES2022', module: 'commonjs' } }],
};
const common = {
  rootDir: root,
  testEnvironment: 'node',
  transform,
  // jose is published as ES modules only: let ts-jest turn it into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

const projects = [
  { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/seeds/**/*.spec.ts'] },
  {
    ...common,
    displayName: 'e2e · PGlite',
    testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
    globalSetup: '<rootDir>/tests/support/pglite.global-setup.ts',
    globalTeardown: '<rootDir>/tests/support/pglite.global-teardown.ts',
    setupFiles: ['<rootDir>/tests/support/target-pglite.js'],
  },
];

if (process.env.TEST_DATABASE_URL) {
  projects.push({
    ...common,
    displayName: 'e2e · PostgreSQL',
    testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
    // Browser tests exercise pages, not the database: once (on PGlite) is enough.
    testPathIgnorePatterns: ['\\.browser\\.test\\.ts$'],
    // One migrated template per run, which each file's fresh database copies.
    globalSetup: '<rootDir>/tests/support/postgres.global-setup.ts',
    globalTeardown: '<rootDir>/tests/support/postgres.global-teardown.ts',
    setupFiles: ['<rootDir>/tests/support/target-postgres.js'],
  });
} else {
  process.stderr.write('\n*** TEST_DATABASE_URL is not set: the end-to-end tests run on embedded PGlite only; the PostgreSQL run is SKIPPED. ***\n\n');
}

module.exports = {
  projects,
  // Two files at a time, one per core of the CI machine: each worker has its own PGlite (in its own
  // process) and each PostgreSQL file its own database. `--maxWorkers N` starts N PGlites instead.
  maxWorkers: 2,
  testTimeout: 60_000,
  // A worker's heap grows from file to file: one that ran half the suite held 2.4–2.6 GB when it
  // ended, and its process took 0.9 s to go after its last exit handler ran (measured: the worker's
  // exit event, Jest's SIGTERM 500 ms later, the process gone 0.4 s after that), longer than Jest's
  // default 500 ms, so Jest reported "a worker process has failed to exit gracefully" with no handle
  // left open. A worker that outgrows 1 GB after a file is replaced by a fresh one (each worker's
  // PGlite baseline is a file, so the next file restores it as before), and a worker has 5 s to
  // end: the warning, when it shows, means a handle left open.
  workerIdleMemoryLimit: '1GB',
  workerGracefulExitTimeout: 5_000,
};
