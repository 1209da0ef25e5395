import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchCase, BenchFailure, type CaseResult, ratio, round } from './bench';
import { freePort } from './processes';

const DIST = path.resolve(__dirname, '../..');
const QUERY = JSON.stringify({ query: '{ children(first: 1) { edges { node { id } } } }' });

/** `npm start` without the build: the compiled hub on the embedded database, as a user runs it. */
function environment(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
  for (const name of ['DATABASE_URL', 'DATABASE_POOL_MAX', 'SEED_DEMO', 'JWT_JWKS_URL', 'JWT_PUBLIC_KEY_FILE', 'JWT_ISSUER', 'JWT_AUDIENCE', 'INTROSPECTION', 'BAOXUE_TODAY']) delete env[name];
  return env;
}

async function answered(url: string, token: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: QUERY });
    if (response.status !== 200) return false;
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    return !body.errors && !!body.data;
  } catch {
    return false; // not listening yet
  }
}

/**
 * Seconds from spawning the hub to its first answer to an authenticated query, and from SIGTERM
 * to its exit (a clean stop matters: the second run reopens what the first one closed).
 */
async function timeToFirstAnswer(dataDir: string, token: string, timeoutSeconds: number): Promise<{ start: number; stop: number; exitCode: number | null }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(DIST, 'src/main.js')], { env: environment(dataDir, port), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async () => {
    const stopping = performance.now();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const exitCode = await exited;
    clearTimeout(timer);
    return { stop: (performance.now() - stopping) / 1000, exitCode };
  };
  try {
    while (!(await answered(`http://127.0.0.1:${port}/graphql`, token))) {
      if (child.exitCode !== null) throw new BenchFailure(`the hub exited (code ${child.exitCode}) before answering: ${stderr.slice(-1000)}`);
      if (performance.now() - started > timeoutSeconds * 1000) throw new BenchFailure(`no answer within ${timeoutSeconds} s: ${stderr.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const start = (performance.now() - started) / 1000;
  return { start, ...(await stop()) };
}

export const startup: BenchCase = {
  name: 'startup',
  needsDatabase: false,
  title: 'Start-up on the embedded database: spawning `node dist/src/main.js` to the first answered authenticated query',
  async run(context): Promise<CaseResult> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-bench-startup-'));
    try {
      // The token is made first (it creates the local signing key the hub then reopens), so that
      // the timed start-ups include only the hub's own work.
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(DIST, 'src/auth/token.cli.js'), '--dept', 'EDU', '--region', '350102', '--roles', 'clerk'], {
        env: environment(dataDir, 0),
      });
      const token = stdout.trim();
      const first = await timeToFirstAnswer(dataDir, token, 180);
      context.log(`  first run (creates the database, migrates, seeds the demo data): ${first.start.toFixed(2)} s; exit ${first.exitCode} ${first.stop.toFixed(2)} s after SIGTERM`);
      const second = await timeToFirstAnswer(dataDir, token, 120);
      context.log(`  second run (reopens the data directory): ${second.start.toFixed(2)} s; exit ${second.exitCode} ${second.stop.toFixed(2)} s after SIGTERM`);
      const secondOverFirst = ratio(second.start, first.start);
      const notes = [first, second].some((run) => run.exitCode !== 0)
        ? ['The hub did not stop cleanly on SIGTERM (exit code ≠ 0): the second run may have reopened an uncleanly closed database.']
        : [];
      return {
        table: {
          columns: ['run', 'seconds to first answer', 'second/first', 'exit after SIGTERM (s)', 'exit code'],
          rows: [
            ['first (fresh DATA_DIR, demo seed)', round(first.start), null, round(first.stop), first.exitCode],
            ['second (reopen)', round(second.start), secondOverFirst, round(second.stop), second.exitCode],
          ],
        },
        targets: [{ what: 'start-up, embedded, second run (s)', value: round(second.start), target: '≤ 5 s', met: second.start <= 5 }],
        data: { first, second, secondOverFirst },
        notes,
      };
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
