import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, target } from '../support/hub';
import { listening, runTs } from '../support/processes';

it('starts, tells where it listens and which database it uses, answers, and stops promptly on SIGTERM', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-main-'));
  const database = target === 'postgresql' ? await freshDatabase() : null;
  // The real entry point, `src/main.ts`, run as its own process the way `npm start` runs it.
  const hub = runTs('src/main.ts', [], { NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'info', SEED_DEMO: 'false', DATA_DIR: dataDir, DATABASE_URL: database?.url ?? null });
  try {
    const { url, pid } = await listening(hub, 60_000);
    expect(pid).toBe(hub.child.pid);
    expect(hub.output()).toMatch(target === 'postgresql' ? /database: PostgreSQL postgresql:\/\// : /database: embedded PGlite/);
    expect(hub.output()).toMatch(/npm run -s token/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const stoppedAt = Date.now();
    hub.child.kill('SIGTERM');
    // Apollo's own SIGTERM handler once raced ours and hung the shutdown for 20 s.
    expect(await hub.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(hub.output()).toMatch(/"msg":"stopped"/);
  } finally {
    hub.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);
