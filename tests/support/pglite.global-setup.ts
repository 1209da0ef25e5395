import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One in-memory PGlite per Jest worker of the PGlite project, each in its own process
 * (pglite-process.ts), so that files running at once in different workers never share a database
 * and each database has a core of its own. Worker n (JEST_WORKER_ID, 1…maxWorkers; 1 in band)
 * takes the n-th URL of BAOXUE_PGLITE_URLS (tests/support/hub.ts). PGlite's CommonJS build cannot
 * load inside Jest's VM: that is why it runs here, outside the test sandbox. The first file of a
 * worker that asks for a migrated database migrates that worker's database and records its
 * baseline in a file of the directory named here, which the worker's later files return to
 * (tests/support/pglite-baseline.ts).
 */
export interface PgliteProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
}

function startPgliteProcess(): Promise<PgliteProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'pglite-process.ts')], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: 'pipe',
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error('timed out after 120 s')), 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the PGlite process did not start: ${error.message}\n${stderr}`));
    };
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code, signal) => fail(new Error(`it exited (${code ?? signal})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').length > 1 ? stdout.split('\n')[0] : null;
      if (line === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
  });
}

export default async function setup(globalConfig: { maxWorkers: number }): Promise<void> {
  const workers = Math.max(1, globalConfig.maxWorkers);
  const started = await Promise.allSettled(Array.from({ length: workers }, startPgliteProcess));
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  (globalThis as Record<string, unknown>).__BAOXUE_PGLITE__ = processes;
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  process.env.BAOXUE_PGLITE_URLS = JSON.stringify(processes.map((p) => p.url));
  process.env.BAOXUE_PGLITE_BASELINES = fs.mkdtempSync(path.join(os.tmpdir(), 'baoxue-pglite-baseline-'));
}
