import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, target } from '../support/hub';

/** The real entry point, `src/main.ts`, run as its own process the way `npm start` runs it. */
function startMain(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.resolve(__dirname, '../../src/main.ts')], {
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'info', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitFor(predicate: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('starts, tells where it listens and which database it uses, answers, and stops promptly on SIGTERM', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-main-'));
  const database = target === 'postgresql' ? await freshDatabase() : null;
  const { child, output } = startMain({ DATA_DIR: dataDir, ...(database ? { DATABASE_URL: database.url } : {}) });
  try {
    await waitFor(() => /listening on (http:\/\/[\d.:]+)\/graphql/.test(output()), 60_000);
    const url = /listening on (http:\/\/[\d.:]+)\/graphql/.exec(output())![1];
    expect(output()).toMatch(target === 'postgresql' ? /database: PostgreSQL postgresql:\/\// : /database: embedded PGlite/);
    expect(output()).toMatch(/npm run -s token/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    // Apollo's own SIGTERM handler once raced ours and hung the shutdown for 20 s.
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(output()).toMatch(/"msg":"stopped"/);
  } finally {
    child.kill('SIGKILL');
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);
