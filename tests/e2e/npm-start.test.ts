import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { target } from '../support/hub';
import { isAlive, listening, run, waitFor } from '../support/processes';

/**
 * `npm start` as a process manager or a container runs it (issue 20, item 6): the signal goes to
 * the npm process, and must reach the server. About npm and signals, not the database, so it runs
 * in the PGlite project only.
 */
const onPGlite = target === 'pglite' ? it : it.skip;

onPGlite('SIGTERM to the `npm start` process stops the server it started', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-npm-start-'));
  const npm = run('npm', ['start'], { NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'info', SEED_DEMO: 'false', DATA_DIR: dataDir, DATABASE_URL: null });
  let serverPid: number | null = null;
  try {
    // The first build, if dist/ is stale, is part of the wait.
    const { url, pid } = await listening(npm, 240_000);
    serverPid = pid;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    npm.child.kill('SIGTERM');
    await npm.exited;
    // npm waits for the server it forwarded the signal to, so the server is gone when npm is.
    await waitFor(() => !isAlive(pid), 2_000, `the server (pid ${pid}) to stop`).catch(() => undefined);
    expect({ serverRunning: isAlive(pid), stopped: /"msg":"stopped"/.test(npm.output()) }).toEqual({ serverRunning: false, stopped: true });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    // And it said what it did before starting: checked (or compiled) dist/, not a silent rebuild.
    expect(npm.output()).toMatch(/build: dist\/ (is up to date|compiled in)/);
  } finally {
    npm.child.kill('SIGKILL');
    if (serverPid !== null && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    await npm.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 300_000);
